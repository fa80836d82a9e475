"""The background job queue: huey, storing jobs in SQLite by default (no extra
server), or Redis when QUEUE_URL is redis://...  Run the worker with
`flask --app wsgi worker` (or `huey_consumer app.jobs.worker.huey`)."""

import os
from contextlib import nullcontext
from pathlib import Path

from flask import has_app_context
from huey import RedisHuey, SqliteHuey

BASE_DIR = Path(__file__).resolve().parents[2]


def _make_huey():
    url = os.environ.get("QUEUE_URL", "")
    if url.startswith("redis://"):
        return RedisHuey("pathway", url=url)
    path = Path(url.removeprefix("sqlite:///")) if url else BASE_DIR / "instance" / "jobs.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("pathway", filename=str(path))


huey = _make_huey()
_worker_app = None


def app_context():
    """The running app's context inside a request or test; the worker's own otherwise."""
    global _worker_app
    if has_app_context():
        return nullcontext()
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    return _worker_app.app_context()


def results_dir() -> Path:
    from flask import current_app

    path = Path(current_app.config["JOB_RESULTS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path
