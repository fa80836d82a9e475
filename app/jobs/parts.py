"""A job's chunks shared among the worker's processes, so a bulk zip uses every core.

The run that owns the job puts helpers on the queue, and it and they take chunks in turn: a
chunk is claimed by creating its claim file (only one process can), rendered, and written as
a part beside the job's results. The owning run reports progress as parts appear, renders
any chunk whose helper has gone quiet (it died), and joins the parts, in order, into the
finished zip. Helpers stop as soon as the run no longer owns the job.
"""

import os
import shutil
import time
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.jobs import Job

from .queue import results_dir

Render = Callable[[list], list[tuple[str, bytes]]]  # a chunk -> (file name, bytes) for the zip
POLL_SECONDS = 0.1


class _NoLongerOwned(Exception):
    pass


def helpers() -> int:
    """How many helpers to ask for: one for each of the worker's other processes."""
    return max(current_app.config["WORKER_PROCESSES"] - 1, 0)


def _folder(token: str) -> Path:
    return results_dir() / f"parts-{token}"


def _claim(folder: Path, index: int) -> bool:
    try:
        os.close(os.open(folder / f"{index}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _write(folder: Path, index: int, files: list[tuple[str, bytes]]) -> None:
    partial = folder / f"{index}.writing"
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as part:
        for name, data in files:
            part.writestr(name, data)
    os.replace(partial, folder / f"{index}.part")  # whole or not there at all


def _take(folder: Path, chunks: list, render: Render, after_each: Callable[[], None]) -> None:
    for index, chunk in enumerate(chunks):
        if _claim(folder, index):
            _write(folder, index, render(chunk))
            after_each()


def help_render(job_id: int, token: str, chunks: list, render: Render) -> None:
    """A helper: render unclaimed chunks while the run ``token`` still owns the job."""
    folder = _folder(token)

    def still_owned() -> None:
        db.session.expire_all()
        if db.session.scalar(select(Job.run_token).where(Job.id == job_id)) != token:
            raise _NoLongerOwned

    if not folder.is_dir():
        return  # the run has finished (or never began)
    try:
        _take(folder, chunks, render, still_owned)
    except (_NoLongerOwned, FileNotFoundError):  # superseded, or the run finished and tidied up
        return


def render_shared(run, chunks: list, render: Render, start_helpers: Callable[[], None]) -> bytes:
    """Render ``chunks`` with whatever helpers come, reporting progress; the joined zip."""
    folder = _folder(run.token)
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [len(chunk) for chunk in chunks]
    quiet_after = current_app.config["JOB_STALE_SECONDS"] / 2
    try:
        start_helpers()
        _take(folder, chunks, render, lambda: run.progress(_done(folder, sizes)))
        while missing := [i for i in range(len(chunks)) if not (folder / f"{i}.part").exists()]:
            for index in missing:
                claim = folder / f"{index}.claim"
                if claim.exists() and time.time() - claim.stat().st_mtime > quiet_after:
                    claim.touch()  # its helper stopped: render it here
                    _write(folder, index, render(chunks[index]))
            run.progress(_done(folder, sizes))  # also a sign of life, and checks the run still owns the job
            time.sleep(POLL_SECONDS)
        run.progress(sum(sizes))  # every part is in (a helper may have written the last one)
        return _join(folder, len(chunks))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _done(folder: Path, sizes: list[int]) -> int:
    return sum(size for index, size in enumerate(sizes) if (folder / f"{index}.part").exists())


def _join(folder: Path, count: int) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(count):
            with zipfile.ZipFile(folder / f"{index}.part") as part:
                for name in part.namelist():
                    archive.writestr(name, part.read(name))
    return buffer.getvalue()


def tidy(older_than_seconds: float) -> int:
    """Part folders left by runs that died, older than the given age."""
    removed = 0
    for folder in results_dir().glob("parts-*"):
        if time.time() - folder.stat().st_mtime > older_than_seconds:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
