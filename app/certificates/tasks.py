"""Bulk certificates, rendered by the background worker with progress on the Job row."""

import io
import zipfile

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access import scope
from app.extensions import db
from app.jobs.queue import job_requester
from app.jobs.runner import Run, job_task
from app.people.models import Person

from .models import Certificate, Job
from .pdf import certificates_html, render_document, render_many

# Certificates rendered together in one WeasyPrint document: styles and fonts are
# worked out once a chunk, several times faster than one document each.
CHUNK = 25


def zip_name(certificate) -> str:
    """A file name people can find in a folder: who, what, and the number that makes it unique."""
    import re

    words = f"{certificate.person.last_name} {certificate.person.first_name} {certificate.title}"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", words).strip("-")[:80]
    return f"{slug}-{certificate.number}.pdf"


def verify_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{number}"


@job_task
def render_certificates(job: Job, run: Run, certificate_ids: list[int], fmt: str, base_url: str) -> None:
    """Certificates as one PDF or a zip of PDFs, a chunk at a time, with progress."""
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
                    archive.writestr(zip_name(certificate), document.copy([page]).write_pdf())
            run.progress(start + len(chunk))
    data = render_many(documents) if fmt == "pdf" else buffer.getvalue()
    run.finish(data, name=f"certificates-{job.id}.{'pdf' if fmt == 'pdf' else 'zip'}",
               content_type="application/pdf" if fmt == "pdf" else "application/zip")
