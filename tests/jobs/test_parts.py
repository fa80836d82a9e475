"""A bulk zip's chunks shared among the worker's processes: each chunk is rendered once, by
whoever claims it first; the owning run renders a chunk whose helper went quiet, reports
progress as parts arrive and joins them in order; a helper stops once the run is superseded."""

import io
import os
import threading
import time
import zipfile
from datetime import UTC, datetime

from app.extensions import db
from app.jobs import parts
from app.jobs.queue import results_dir
from app.jobs.runner import Run
from app.models.jobs import Job, JobStatus


def _running_job() -> tuple[Job, Run]:
    job = Job(kind="certificates", status=JobStatus.RUNNING, total=12, run_token="tok" + os.urandom(4).hex(),
              heartbeat_at=datetime.now(UTC))
    db.session.add(job)
    db.session.commit()
    return job, Run(job, job.run_token)


def _render(who: list, name: str, pause: float = 0.1):
    def render(chunk):
        who.append((name, chunk[0]))
        time.sleep(pause)
        return [(f"{n:03d}.pdf", f"certificate {n}".encode()) for n in chunk]
    return render


CHUNKS = [[n, n + 1] for n in range(0, 12, 2)]  # six chunks of two


def test_the_run_and_a_helper_share_the_chunks_and_the_zip_keeps_their_order(app):
    job, run = _running_job()
    who: list = []

    def helper():
        with app.app_context():
            parts.help_render(job.id, run.token, CHUNKS, _render(who, "helper"))

    thread = threading.Thread(target=helper)
    data = parts.render_shared(run, CHUNKS, _render(who, "run"), start_helpers=thread.start)
    thread.join()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == [f"{n:03d}.pdf" for n in range(12)]
    assert sorted(first for _, first in who) == [c[0] for c in CHUNKS]  # each chunk rendered once
    assert {name for name, _ in who} == {"run", "helper"}  # and both did some
    db.session.expire_all()
    assert db.session.get(Job, job.id).done == 12
    assert not (results_dir() / f"parts-{run.token}").exists()  # tidied away


def test_a_chunk_claimed_by_a_helper_that_died_is_rendered_by_the_run(app):
    app.config["JOB_STALE_SECONDS"], stale = 2, app.config["JOB_STALE_SECONDS"]
    try:
        job, run = _running_job()
        folder = results_dir() / f"parts-{run.token}"
        folder.mkdir(parents=True)
        claim = folder / "3.claim"
        claim.touch()
        os.utime(claim, (time.time() - 5, time.time() - 5))  # claimed long ago, never finished
        who: list = []
        data = parts.render_shared(run, CHUNKS, _render(who, "run", pause=0), start_helpers=lambda: None)
    finally:
        app.config["JOB_STALE_SECONDS"] = stale
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 12
    assert sorted(first for _, first in who) == [c[0] for c in CHUNKS]


def test_a_helper_stops_when_the_run_no_longer_owns_the_job(app):
    job, run = _running_job()
    folder = results_dir() / f"parts-{run.token}"
    folder.mkdir(parents=True)
    who: list = []

    def superseded_after_one(chunk):
        job.run_token = "someone-else"
        db.session.commit()
        return _render(who, "helper", pause=0)(chunk)

    parts.help_render(job.id, run.token, CHUNKS, superseded_after_one)
    assert len(who) == 1  # rendered the chunk it had claimed, then stopped
    parts.help_render(job.id, "no-such-run", CHUNKS, superseded_after_one)
    assert len(who) == 1  # no folder for that run: nothing to do


def test_left_over_part_folders_are_tidied_when_old(app):
    folder = results_dir() / "parts-old"
    folder.mkdir(parents=True, exist_ok=True)
    os.utime(folder, (time.time() - 7200, time.time() - 7200))
    young = results_dir() / "parts-young"
    young.mkdir(parents=True, exist_ok=True)
    assert parts.tidy(older_than_seconds=3600) >= 1
    assert not folder.exists() and young.exists()
    young.rmdir()
