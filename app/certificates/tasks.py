"""Bulk certificates, rendered by the background worker with progress on the Job row."""

import io
import secrets
import zipfile
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.jobs.queue import app_context, huey, results_dir

from .models import Certificate, Job, JobStatus
from .pdf import certificate_html, render_document, render_many

PROGRESS_EVERY = 10


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
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.id.in_(certificate_ids))
        .options(joinedload(Certificate.person)).order_by(Certificate.id)).all()
    buffer, documents = io.BytesIO(), []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, certificate in enumerate(certificates, start=1):
            html = certificate_html(certificate, verify_url(base_url, certificate.number),
                                    certificate.person.provider.name)
            document = render_document(html)
            if fmt == "pdf":
                documents.append(document)
            else:
                archive.writestr(f"{certificate.number}.pdf", document.write_pdf())
            if index % PROGRESS_EVERY == 0 or index == len(certificates):
                job.done = index
                db.session.commit()
    data = render_many(documents) if fmt == "pdf" else buffer.getvalue()
    job.result_file = secrets.token_hex(16)
    (results_dir() / job.result_file).write_bytes(data)
    job.result_name = f"certificates-{job.id}.{'pdf' if fmt == 'pdf' else 'zip'}"
    job.content_type = "application/pdf" if fmt == "pdf" else "application/zip"
    job.status, job.finished_at = JobStatus.DONE, datetime.now(UTC)
    db.session.commit()
