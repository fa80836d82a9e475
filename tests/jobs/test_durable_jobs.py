"""Jobs survive the worker dying: a stalled job is queued again a bounded number of times,
then shown as failed with a plain message and "Try again"; results expire with their job."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from app.certificates.tasks import render_certificates
from app.extensions import db
from app.jobs import runner
from app.jobs.queue import huey, results_dir
from app.models.auth import Role
from app.models.certificates import Certificate, CertificateKind
from app.models.jobs import Job, JobStatus

ROOT = Path(__file__).resolve().parents[2]


def _certificates(world, count: int) -> list[int]:
    """``count`` milestone certificates for the world's volunteer (one per made-up milestone)."""
    rows = [Certificate(person_id=world.me.id, kind=CertificateKind.MILESTONE, title=f"{n} hours volunteering",
                        issued_on=date(2026, 6, 1), milestone_hours=10_000 + n) for n in range(count)]
    db.session.add_all(rows)
    db.session.commit()
    return [c.id for c in rows]


def _job(world, certificate_ids, **fields) -> Job:
    fields = {"status": JobStatus.QUEUED, "attempts": 1, **fields}
    job = Job(kind="certificates", requested_by_id=world.user(Role.HR).id, provider_id=world.provider.id,
              total=len(certificate_ids),
              arguments=json.dumps({"task": render_certificates.name, "certificate_ids": certificate_ids,
                                    "fmt": "zip", "base_url": "http://localhost/"}), **fields)
    db.session.add(job)
    db.session.commit()
    return job


def _fresh(job_id: int) -> Job:
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    db.session.rollback()  # end the read: another process is writing
    return job


def test_a_job_that_stopped_showing_progress_is_queued_again_and_finishes(world):
    ids = _certificates(world, 3)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    job = _job(world, ids, status=JobStatus.RUNNING, done=1, heartbeat_at=long_ago, run_token="dead-worker")
    counts = runner.sweep()
    job = _fresh(job.id)
    assert counts["restarted"] == 1
    assert (job.status, job.done, job.attempts) == (JobStatus.DONE, 3, 2)
    assert job.result_file and (results_dir() / job.result_file).exists()


def test_a_live_job_is_left_alone(world):
    job = _job(world, _certificates(world, 1), status=JobStatus.RUNNING, heartbeat_at=datetime.now(UTC),
               run_token="alive")
    assert runner.sweep() == {"restarted": 0, "failed": 0, "expired": 0}
    assert _fresh(job.id).status == JobStatus.RUNNING


def test_after_its_last_attempt_a_stalled_job_fails_plainly_and_can_be_tried_again(world, sign_in):
    ids = _certificates(world, 2)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    job = _job(world, ids, status=JobStatus.RUNNING, heartbeat_at=long_ago, run_token="dead", attempts=3)
    client = sign_in(world.user(Role.HR))
    status = client.get(f"/jobs/{job.id}.json").get_json()  # the waiting page's poll sweeps it
    assert status["status"] == "failed" and status["may_retry"] is True
    assert status["error"].startswith("The job stopped before it finished. Try again")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Something went wrong" in page and "Try again" in page and "Error" not in page
    response = client.post(f"/jobs/{job.id}/try-again")
    assert response.status_code == 302
    job = _fresh(job.id)
    assert (job.status, job.done, job.error) == (JobStatus.DONE, 2, None)


def test_a_run_given_up_as_dead_cannot_overwrite_the_run_that_replaced_it(world):
    job = _job(world, _certificates(world, 1), status=JobStatus.RUNNING, heartbeat_at=datetime.now(UTC),
               run_token="the-new-run")
    old = runner.Run(job, "the-old-run")
    with pytest.raises(runner.Superseded):
        old.progress(1)
    with pytest.raises(runner.Superseded):
        old.finish(b"stale", name="x.zip", content_type="application/zip")
    job = _fresh(job.id)
    assert (job.status, job.done, job.result_file) == (JobStatus.RUNNING, 0, None)
    assert not any(path.read_bytes() == b"stale" for path in results_dir().glob("*") if path.is_file())


def test_an_error_is_retried_later_then_shown_plainly(world, app, monkeypatch):
    job = _job(world, _certificates(world, 1))

    def broken(*args, **kwargs):
        raise OSError("disk on fire at /srv/secret/path")

    monkeypatch.setattr("app.certificates.tasks.render_document", broken)
    render_certificates.call_local(job.id)
    job = _fresh(job.id)
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 2)  # put back, to run after JOB_RETRY_SECONDS
    db.session.get(Job, job.id).attempts = app.config["JOB_MAX_ATTEMPTS"]
    db.session.commit()
    render_certificates.call_local(job.id)
    job = _fresh(job.id)
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("Something went wrong while preparing this. Try again")
    assert "OSError" not in job.error and "/srv" not in job.error


def test_finished_results_expire_with_their_job(world, app):
    now = datetime.now(UTC)
    old_file, new_file = results_dir() / "old-result", results_dir() / "new-result"
    old_file.write_bytes(b"zip")
    new_file.write_bytes(b"zip")
    keep = timedelta(hours=app.config["JOB_KEEP_HOURS"])
    old = _job(world, [], status=JobStatus.DONE, result_file="old-result", finished_at=now - keep - timedelta(hours=1))
    new = _job(world, [], status=JobStatus.DONE, result_file="new-result", finished_at=now - keep + timedelta(hours=1))
    assert runner.sweep(now)["expired"] == 1
    assert db.session.get(Job, old.id) is None and not old_file.exists()
    assert db.session.get(Job, new.id) is not None and new_file.exists()


def _worker(app, queue_url: str, **env) -> subprocess.Popen:
    environment = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                   "QUEUE_URL": queue_url, "JOB_RESULTS_DIR": app.config["JOB_RESULTS_DIR"],
                   "PATHWAY_ENV": "development", **env}
    log = open(os.environ.get("WORKER_LOG", os.devnull), "ab")  # noqa: SIM115 (the worker writes it)
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", "2"],
                            cwd=ROOT, env=environment, start_new_session=True, stdout=log, stderr=log)


def _wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize(("backend", "how"), [
    ("sqlite", signal.SIGKILL), ("sqlite", signal.SIGTERM),
    pytest.param("redis", signal.SIGKILL, marks=pytest.mark.redis),
])
def test_killing_the_worker_mid_job_then_restarting_it_finishes_the_job(world, app, tmp_path, sign_in, request,
                                                                         backend, how):
    ids = _certificates(world, 75)  # four chunks, two for each of the worker's two processes
    job = _job(world, ids)
    # Onto a real queue, as the web app would put it (the tests' own queue runs tasks at once).
    if backend == "redis":
        queue = request.getfixturevalue("redis_url")
        other = RedisHuey("pathway", url=queue)
    else:
        queue = f"sqlite:///{tmp_path / 'queue.db'}"
        other = SqliteHuey("pathway", filename=str(tmp_path / "queue.db"))
    other.storage.enqueue(huey.serialize_task(render_certificates.s(job.id)))
    worker = _worker(app, queue, JOB_STALE_SECONDS="3")
    try:
        # The first progress is the run's first chunk (with whatever the helper has finished
        # meanwhile): at most half the job.
        _wait_for(lambda: _fresh(job.id).done >= 1, 120, "the first chunk")
        os.killpg(worker.pid, how)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    stopped = _fresh(job.id)
    assert stopped.status == JobStatus.RUNNING and stopped.done < 75  # what a dead worker leaves
    time.sleep(3.5)  # long enough to count as stopped
    worker = _worker(app, queue, JOB_STALE_SECONDS="3")
    try:
        done = _wait_for(lambda: (j := _fresh(job.id)).status == JobStatus.DONE and j, 180, "the job to finish")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    # At least the one restart; on a loaded machine a run slow to show progress within the test's
    # 3 seconds is put back once more, and the run it replaced stops writing (as designed).
    assert done.done == 75 and done.attempts >= 2
    client = sign_in(world.user(Role.HR))
    assert "Ready to download" in client.get(f"/jobs/{job.id}").get_data(as_text=True)
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(client.get(f"/jobs/{job.id}/download").data)).namelist()
    assert len(names) == 75


def test_a_job_whose_worker_never_comes_back_fails_on_the_waiting_page(world, sign_in, app, monkeypatch):
    """Nobody restarts the worker: the page someone is watching stops saying "running"."""
    job = _job(world, _certificates(world, 1), status=JobStatus.RUNNING, run_token="dead",
               heartbeat_at=datetime.now(UTC) - timedelta(hours=1), attempts=app.config["JOB_MAX_ATTEMPTS"])
    client = sign_in(world.user(Role.HR))
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "The job stopped before it finished" in page
    assert db.session.scalar(select(Job.status).where(Job.id == job.id)) == JobStatus.FAILED
