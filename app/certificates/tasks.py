"""Bulk certificates, rendered by the background worker with progress on the Job row."""

import io
import secrets
import zipfile
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access import scope
from app.extensions import db
from app.jobs.queue import app_context, huey, job_requester, results_dir
from app.people.models import Person

from .models import Certificate, Job, JobStatus
from .pdf import certificates_html, render_document, render_many

# Certificates rendered together in one WeasyPrint document: styles and fonts are
# worked out once a chunk, several times faster than one document each.
CHUNK = 25


def verify_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{number}"


@huey.task()
def render_certificates(job_id: int, certificate_ids: list[int], fmt: str, base_url: str) -> None:
    with app_context():
        job = db.session.get(Job, job_id)
        job.status, job.total = JobStatus.RUNNING, len(certificate_ids)
        db.session.commit()
        try:
            _render(job, certificate_ids, fmt, base_url)
        except Exception as error:  # the waiting page must say it failed, whatever happened
            db.session.rollback()
            job = db.session.get(Job, job_id)
            job.status, job.error = JobStatus.FAILED, f"{type(error).__name__}: {error}"
            job.finished_at = datetime.now(UTC)
            db.session.commit()
            raise


def _render(job: Job, certificate_ids: list[int], fmt: str, base_url: str) -> None:
    # Checked again here, not only when the job was asked for: the worker renders
    # only what the person who asked may still download.
    requester = job_requester(job, "issue_certificates")
    certificates = db.session.scalars(
        select(Certificate).join(Person, Person.id == Certificate.person_id)
        .where(Certificate.id.in_(certificate_ids), scope("issue_certificates", requester))
        .options(joinedload(Certificate.person)).order_by(Certificate.id)).all()
    buffer, documents = io.BytesIO(), []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, len(certificates), CHUNK):
            chunk = certificates[start:start + CHUNK]
            document = render_document(certificates_html(
                [(c, verify_url(base_url, c.number), c.person.provider.name) for c in chunk]))
            if fmt == "pdf":
                documents.append(document)
            else:
                for certificate, page in zip(chunk, document.pages, strict=True):
                    archive.writestr(f"{certificate.number}.pdf", document.copy([page]).write_pdf())
            job.done = start + len(chunk)
            db.session.commit()
    data = render_many(documents) if fmt == "pdf" else buffer.getvalue()
    job.result_file = secrets.token_hex(16)
    (results_dir() / job.result_file).write_bytes(data)
    job.result_name = f"certificates-{job.id}.{'pdf' if fmt == 'pdf' else 'zip'}"
    job.content_type = "application/pdf" if fmt == "pdf" else "application/zip"
    job.status, job.finished_at = JobStatus.DONE, datetime.now(UTC)
    db.session.commit()
