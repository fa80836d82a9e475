"""The production server's settings (gunicorn.conf.py) as its master runs them."""

import runpy
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]


def test_the_master_compiles_every_template_before_forking_workers(app):
    """on_starting (before the master binds its port) compiles each template once, so every
    worker (a recycled one too) starts with them compiled; a template that does not compile
    stops the server there."""
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    app.jinja_env.cache.clear()
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app), cfg=SimpleNamespace(workers=1))
    settings["on_starting"](server)
    names = app.jinja_env.list_templates()
    assert len(names) > 100
    cached = {key[1] for key in app.jinja_env.cache.keys()}
    assert set(names) <= cached
    assert settings["max_requests"] >= 20000  # a recycled worker works its kept figures out again
