"""Pathway: a Flask app for a council-commissioned workforce of parents.

The app is built by ``app.factory.create_app``; this package itself imports nothing, so that
reading one module (a model, a date window) never loads the whole app. The layers the code
keeps, and the contracts that check them, are in the README ("Architecture") and
``.importlinter``."""
