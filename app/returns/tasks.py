"""Return PDFs and workbooks, built by the background worker: a long PDF must not hold a web worker."""

from datetime import date

from app.access import can, may_see_provider
from app.extensions import db
from app.jobs.queue import JobRefused, job_requester
from app.jobs.runner import Run, job_task
from app.models.jobs import Job
from app.models.people import Provider
from app.models.returns import ReturnSubmission

from .outputs import to_pdf, to_xlsx
from .services import build_return, from_submission

FORMATS = {"pdf": ("application/pdf", to_pdf),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx)}


@job_task
def render_return(job: Job, run: Run, start: str, end: str, provider_id: int | None, fmt: str,
                  submission_id: int | None = None) -> None:
    # Scope is checked again here, not only when the job was asked for.
    requester = job_requester(job, "view_return")
    if submission_id:
        submission = db.session.get(ReturnSubmission, submission_id)
        if submission is None or not can(requester, "view_return", submission):
            raise JobRefused("That return is not one you may see")
        ret = from_submission(submission)
    else:
        if not may_see_provider(requester, provider_id):
            raise JobRefused("That provider's return is not one you may see")
        provider = db.session.get(Provider, provider_id) if provider_id else None
        ret = build_return(start=date.fromisoformat(start), end=date.fromisoformat(end), provider=provider)
    run.progress(1)
    content_type, render = FORMATS[fmt]
    with _request_context():
        data = render(ret)
    run.finish(data, name=f"workforce-return-{start}-to-{end}.{fmt}", content_type=content_type)


def _request_context():
    """Templates use url_for; outside a request give them one."""
    from contextlib import nullcontext

    from flask import current_app, has_request_context

    return nullcontext() if has_request_context() else current_app.test_request_context()
