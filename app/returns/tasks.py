"""Return PDFs and workbooks, built by the background worker: a long PDF must not hold a web worker."""

import secrets
from datetime import UTC, date, datetime

from app.access import can, may_see_provider
from app.certificates.models import Job, JobStatus
from app.extensions import db
from app.jobs.queue import JobRefused, app_context, huey, job_requester, results_dir
from app.people.models import Provider

from .outputs import to_pdf, to_xlsx
from .services import build_return, from_submission

FORMATS = {"pdf": ("application/pdf", to_pdf),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx)}


@huey.task()
def render_return(job_id: int, start: str, end: str, provider_id: int | None, fmt: str,
                  submission_id: int | None = None) -> None:
    with app_context():
        job = db.session.get(Job, job_id)
        job.status, job.total = JobStatus.RUNNING, 2
        db.session.commit()
        try:
            # Scope is checked again here, not only when the job was asked for.
            requester = job_requester(job, "view_return")
            if submission_id:
                from .models import ReturnSubmission

                submission = db.session.get(ReturnSubmission, submission_id)
                if submission is None or not can(requester, "view_return", submission):
                    raise JobRefused("That return is not one you may see")
                ret = from_submission(submission)
            else:
                if not may_see_provider(requester, provider_id):
                    raise JobRefused("That provider's return is not one you may see")
                provider = db.session.get(Provider, provider_id) if provider_id else None
                ret = build_return(start=date.fromisoformat(start), end=date.fromisoformat(end), provider=provider)
            job.done = 1
            db.session.commit()
            content_type, render = FORMATS[fmt]
            with _request_context():
                data = render(ret)
            job.result_file = secrets.token_hex(16)
            (results_dir() / job.result_file).write_bytes(data)
            job.result_name = f"workforce-return-{start}-to-{end}.{fmt}"
            job.content_type, job.done = content_type, 2
            job.status, job.finished_at = JobStatus.DONE, datetime.now(UTC)
            db.session.commit()
        except Exception as error:  # the waiting page must say it failed
            db.session.rollback()
            job = db.session.get(Job, job_id)
            job.status, job.error = JobStatus.FAILED, f"{type(error).__name__}: {error}"
            job.finished_at = datetime.now(UTC)
            db.session.commit()
            raise


def _request_context():
    """Templates use url_for; outside a request give them one."""
    from contextlib import nullcontext

    from flask import current_app, has_request_context

    return nullcontext() if has_request_context() else current_app.test_request_context()
