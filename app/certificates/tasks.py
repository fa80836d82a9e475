"""Bulk certificates, rendered by the background worker with progress on the Job row."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access import scope
from app.extensions import db
from app.jobs import parts
from app.jobs.queue import JobRefused, app_context, huey, job_requester
from app.jobs.runner import Run, job_arguments, job_task
from app.models.certificates import Certificate
from app.models.jobs import Job
from app.models.people import Person

from .pdf import certificates_html, render_document, render_many

# Certificates rendered together in one WeasyPrint document: styles and fonts are worked out
# once a chunk, several times faster than one document each, and fifty together cost a tenth
# less each than twenty-five. Small jobs are cut finer, so every worker process has a share.
CHUNK = 50
SMALLEST_CHUNK = 10


def _chunks(certificates: list[Certificate]) -> list[list[Certificate]]:
    """The job's certificates in chunks: about two for each worker process, 10 to 50 each. The
    run and its helpers cut the same list the same way, so a chunk's number means one chunk."""
    processes = parts.helpers() + 1
    size = min(CHUNK, max(SMALLEST_CHUNK, -(-len(certificates) // (2 * processes))))
    return [certificates[i:i + size] for i in range(0, len(certificates), size)]


def zip_name(certificate) -> str:
    """A file name people can find in a folder: who, what, and the number that makes it unique."""
    import re

    words = f"{certificate.person.last_name} {certificate.person.first_name} {certificate.title}"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", words).strip("-")[:80]
    return f"{slug}-{certificate.number}.pdf"


def verify_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{number}"


def _certificates(job: Job, ids: list[int]) -> list[Certificate]:
    # Checked again here, not only when the job was asked for: the worker renders
    # only what the person who asked may still download.
    requester = job_requester(job, "issue_certificates")
    return db.session.scalars(
        select(Certificate).join(Person, Person.id == Certificate.person_id)
        .where(Certificate.id.in_(ids), scope("issue_certificates", requester))
        .options(joinedload(Certificate.person)).order_by(Certificate.id)).all()


def _render(chunk: list[Certificate], base_url: str):
    return render_document(certificates_html(
        [(c, verify_url(base_url, c.number), c.person.provider.name) for c in chunk]))


@job_task
def render_certificates(job: Job, run: Run, certificate_ids: list[int], fmt: str, base_url: str) -> None:
    """Certificates as one PDF or a zip of PDFs, a chunk at a time, with progress. A zip's
    chunks are shared with helpers on the worker's other processes (``parts``)."""
    certificates = _certificates(job, certificate_ids)
    if fmt == "zip":
        chunks = _chunks(certificates)

        def start_helpers() -> None:
            for _ in range(min(parts.helpers(), len(chunks) - 1)):
                help_render_certificates(job.id, run.token)

        data = parts.render_shared(run, chunks, lambda chunk: _zip_part(chunk, base_url), start_helpers)
        run.finish(data, name=f"certificates-{job.id}.zip", content_type="application/zip")
        return
    documents, done = [], 0
    for chunk in _chunks(certificates):
        documents.append(_render(chunk, base_url))
        done += len(chunk)
        run.progress(done)
    run.finish(render_many(documents), name=f"certificates-{job.id}.pdf", content_type="application/pdf")


def _zip_part(chunk: list[Certificate], base_url: str) -> list[tuple[str, bytes]]:
    document = _render(chunk, base_url)
    return [(zip_name(c), document.copy([page]).write_pdf()) for c, page in zip(chunk, document.pages, strict=True)]


@huey.task(name="help_render_certificates")
def help_render_certificates(job_id: int, token: str) -> None:
    """Render chunks of a running zip job that nobody has claimed yet; stop when none are left."""
    with app_context():
        job = db.session.get(Job, job_id)
        if job is None or job.run_token != token:
            return
        arguments = job_arguments(job)
        try:
            certificates = _certificates(job, arguments["certificate_ids"])
        except JobRefused:
            return  # the job's own run refuses it
        chunks = _chunks(certificates)
        parts.help_render(job_id, token, chunks, lambda chunk: _zip_part(chunk, arguments["base_url"]))
