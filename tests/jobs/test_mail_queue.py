"""Email has its own queue and its own worker process: with a 500-certificate zip taking every
other process, a sign-in code still reaches a real SMTP server within 5 seconds."""

import os
import signal
import time

import pytest
from huey import RedisHuey, SqliteHuey

from app.certificates.tasks import render_certificates
from app.jobs.queue import huey, mail_huey
from app.mail import deliver_email
from app.models.jobs import JobStatus

from .test_durable_jobs import _certificates, _fresh, _job, _wait_for, _worker


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_a_sign_in_code_arrives_within_five_seconds_while_a_bulk_zip_runs(world, app, tmp_path, smtp, request,
                                                                          backend):
    job = _job(world, _certificates(world, 500))
    if backend == "redis":
        queue = request.getfixturevalue("redis_url")
        jobs, mail = RedisHuey("pathway", url=queue), RedisHuey("pathway-mail", url=queue)
    else:
        queue = f"sqlite:///{tmp_path / 'queue.db'}"
        jobs = SqliteHuey("pathway", filename=str(tmp_path / "queue.db"))
        mail = SqliteHuey("pathway-mail", filename=str(tmp_path / "queue.db"))
    jobs.storage.enqueue(huey.serialize_task(render_certificates.s(job.id)))
    worker = _worker(app, queue, SMTP_HOST="127.0.0.1", SMTP_PORT=str(app.config["SMTP_PORT"]), SMTP_STARTTLS="0")
    try:
        _wait_for(lambda: _fresh(job.id).status == JobStatus.RUNNING and _fresh(job.id).done > 0, 120,
                  "the zip to be under way")
        asked = time.monotonic()
        mail.storage.enqueue(mail_huey.serialize_task(deliver_email.s(
            "hana@example.org", "Your Pathway sign-in code is 123456", "Your code is 123456", None)))
        _wait_for(lambda: any(m["To"] == "hana@example.org" for m in smtp), 30, "the sign-in code")
        waited = time.monotonic() - asked
        still_zipping = _fresh(job.id).status == JobStatus.RUNNING
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert waited < 5, f"the code took {waited:.1f} s"
    assert still_zipping, "the zip had finished: the test proved nothing about waiting behind it"
