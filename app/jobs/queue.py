"""The background job queue: huey, storing jobs in SQLite by default (no extra
server), or Redis when QUEUE_URL is redis://...  Run the worker with
`flask --app wsgi worker`."""

import os
from contextlib import nullcontext
from pathlib import Path

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey

from app.access import has_role_for
from app.extensions import db
from app.models.auth import User

BASE_DIR = Path(__file__).resolve().parents[2]


def _make_huey(name: str = "pathway"):
    url = os.environ.get("QUEUE_URL", "")
    if url.startswith("redis://"):
        return RedisHuey(name, url=url)
    path = Path(url.removeprefix("sqlite:///")) if url else BASE_DIR / "instance" / "jobs.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path))


huey = _make_huey()
# Email has a queue of its own, served by a worker process that nothing else uses: a sign-in
# code never waits behind a bulk certificate zip or a report, whatever else the worker is doing.
mail_huey = _make_huey("pathway-mail")
_worker_app = None
_app_factory = None


def use_app_factory(factory) -> None:
    """The app factory names itself here (app/factory.py), so a task run by the worker builds
    its app: the queue sits below the app and never imports it."""
    global _app_factory
    _app_factory = factory


def app_context():
    """The running app's context inside a request or test; the worker's own otherwise."""
    global _worker_app
    if has_app_context():
        return nullcontext()
    if _worker_app is None:
        if _app_factory is None:
            raise RuntimeError("No app to run the task in: start the worker with flask --app wsgi worker")
        _worker_app = _app_factory()
    return _worker_app.app_context()


def results_dir() -> Path:
    path = Path(current_app.config["JOB_RESULTS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


class JobRefused(PermissionError):
    """The person who asked for a job may no longer have what it would produce."""


def job_requester(job, permission: str):
    """The user who asked for ``job``, checked again when the job runs.

    :raises JobRefused: if they are gone, switched off or no longer hold ``permission``.
    """
    user = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    if user is None or not user.is_active or not has_role_for(user, permission):
        raise JobRefused("The person who asked for this may not see it")
    return user
