"""Jobs that survive the worker dying.

A job's task and arguments are kept on its row, so it can be put on the queue again. A run
claims the row (only a queued job can be claimed, so a job queued twice runs once), shows
signs of life as it makes progress, and writes only while it still owns the row. The sweep,
run by the worker every minute, when it starts, and by the waiting page as it polls, puts a
job that has stopped showing signs of life back on the queue a bounded number of times, then
marks it failed with a plain message and a "try again" button. Finished results are deleted,
with their job, after JOB_KEEP_HOURS.
"""

import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import func, select, update

from app.extensions import db
from app.jobs import parts
from app.models.jobs import Job, JobStatus

from .queue import JobRefused, app_context, huey, results_dir

TASKS: dict[str, Callable] = {}
LIVE = (JobStatus.QUEUED, JobStatus.RUNNING)

STOPPED = "The job stopped before it finished. Try again; if it stops again, tell your administrator."
FAILED = "Something went wrong while preparing this. Try again; if it fails again, tell your administrator."
REFUSED = "This cannot be prepared for you: you no longer have access to everything it would contain."


class Superseded(Exception):  # noqa: N818 (a signal, not an error)
    """Another run owns the job now (this one was given up as dead): stop quietly."""


class Run:
    """One run of a job: progress and the finished file, written only while the run owns the job."""

    def __init__(self, job: Job, token: str):
        self.job, self.token = job, token

    def _owned_update(self, **values) -> None:
        changed = db.session.execute(
            update(Job).where(Job.id == self.job.id, Job.run_token == self.token)
            .values(heartbeat_at=datetime.now(UTC), **values)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if not changed:
            raise Superseded

    def progress(self, done: int) -> None:
        self._owned_update(done=done)

    def finish(self, data: bytes, *, name: str, content_type: str) -> None:
        result_file = secrets.token_hex(16)
        (results_dir() / result_file).write_bytes(data)
        try:
            self._owned_update(result_file=result_file, result_name=name, content_type=content_type,
                               done=self.job.total, status=JobStatus.DONE, finished_at=datetime.now(UTC))
        except Superseded:
            (results_dir() / result_file).unlink(missing_ok=True)
            raise


def job_task(work: Callable[..., None]):
    """A huey task that runs ``work(job, run, **arguments)`` for a Job row, durably."""
    name = work.__name__

    @huey.task(name=name)
    def task(job_id: int) -> None:
        with app_context():
            _run(job_id, work)

    TASKS[name] = task
    return task


def start(job: Job, task, **arguments) -> None:
    """Save ``job`` with the task (made by ``job_task``) it runs, and put it on the queue."""
    job.arguments = json.dumps({"task": task.name, **arguments})
    job.status, job.attempts, job.heartbeat_at = JobStatus.QUEUED, 1, datetime.now(UTC)
    db.session.add(job)
    db.session.commit()
    task(job.id)


def retry(job: Job) -> None:
    """Start a failed job again from the beginning."""
    job.status, job.attempts, job.done, job.error = JobStatus.QUEUED, 1, 0, None
    job.run_token, job.finished_at, job.heartbeat_at = None, None, datetime.now(UTC)
    db.session.commit()
    TASKS[json.loads(job.arguments)["task"]](job.id)


def _run(job_id: int, work: Callable[..., None]) -> None:
    token = secrets.token_hex(16)
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, run_token=token, done=0, heartbeat_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not claimed:  # already running, finished, or gone: this copy of it has nothing to do
        return
    job = db.session.get(Job, job_id)
    db.session.refresh(job)
    arguments = {k: v for k, v in json.loads(job.arguments or "{}").items() if k != "task"}
    run = Run(job, token)
    try:
        work(job, run, **arguments)
    except Superseded:
        db.session.rollback()
    except JobRefused:
        db.session.rollback()
        _give_up(job_id, token, REFUSED)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Job %s (%s) failed on attempt %s", job_id, work.__name__, job.attempts)
        if job.attempts < current_app.config["JOB_MAX_ATTEMPTS"]:
            if _requeue(job_id, Job.run_token == token):
                TASKS[work.__name__].schedule((job_id,), delay=current_app.config["JOB_RETRY_SECONDS"])
        else:
            _give_up(job_id, token, FAILED)


def _requeue(job_id: int, condition) -> bool:
    changed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status.in_(LIVE), condition)
        .values(status=JobStatus.QUEUED, attempts=Job.attempts + 1, run_token=None,
                heartbeat_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return bool(changed)


def _give_up(job_id: int, token: str | None, message: str, condition=None) -> bool:
    where = [Job.id == job_id, Job.status.in_(LIVE)]
    if token is not None:
        where.append(Job.run_token == token)
    if condition is not None:
        where.append(condition)
    changed = db.session.execute(
        update(Job).where(*where)
        .values(status=JobStatus.FAILED, error=message, run_token=None, finished_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return bool(changed)


def sweep(now: datetime | None = None, *, job_id: int | None = None) -> dict[str, int]:
    """Restart or fail jobs that stopped showing signs of life; delete expired results.

    Safe to run from several workers at once: each change is conditional on the job still
    being as it was found.
    """
    now = now or datetime.now(UTC)
    config = current_app.config
    stale_before = now - timedelta(seconds=config["JOB_STALE_SECONDS"])
    last_sign = func.coalesce(Job.heartbeat_at, Job.created_at)
    query = select(Job.id, Job.attempts, Job.arguments, Job.kind).where(Job.status.in_(LIVE), last_sign < stale_before)
    if job_id is not None:
        query = query.where(Job.id == job_id)
    counts = {"restarted": 0, "failed": 0, "expired": 0}
    for stale_id, attempts, arguments, kind in db.session.execute(query).all():
        still_stale = last_sign < stale_before
        if arguments and attempts < config["JOB_MAX_ATTEMPTS"]:
            if _requeue(stale_id, still_stale):
                TASKS[json.loads(arguments)["task"]](stale_id)
                counts["restarted"] += 1
                current_app.logger.warning("Job %s (%s) stopped showing progress: queued again", stale_id, kind)
        elif _give_up(stale_id, None, STOPPED, still_stale):
            counts["failed"] += 1
            current_app.logger.warning("Job %s (%s) stopped showing progress: marked failed", stale_id, kind)
    if job_id is None:
        counts["expired"] = expire(now)
    return counts


def expire(now: datetime) -> int:
    """Delete finished jobs older than JOB_KEEP_HOURS, with their files."""
    keep_after = now - timedelta(hours=current_app.config["JOB_KEEP_HOURS"])
    old = db.session.scalars(select(Job).where(Job.status.in_((JobStatus.DONE, JobStatus.FAILED)),
                                               Job.finished_at < keep_after)).all()
    for job in old:
        delete_job(job)
    db.session.commit()
    parts.tidy(older_than_seconds=current_app.config["JOB_KEEP_HOURS"] * 3600)
    return len(old)


def delete_job(job: Job) -> None:
    """A job and its finished file; the caller commits."""
    if job.result_file:
        (results_dir() / job.result_file).unlink(missing_ok=True)
    db.session.delete(job)


def job_arguments(job: Job) -> dict:
    return json.loads(job.arguments) if job.arguments else {}


@huey.periodic_task(crontab(minute="*"))
def sweep_jobs() -> None:
    with app_context():
        sweep()


@huey.on_startup()
def sweep_when_the_worker_starts() -> None:
    """A worker starting after a crash picks up what the dead one left, once it is stale."""
    with app_context():
        sweep()
