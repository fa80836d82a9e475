"""Checks on the code's structure that the linters run (see .importlinter)."""
