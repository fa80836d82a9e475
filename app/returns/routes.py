from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.access import (
    can,
    get_provider_or_404,
    get_submission_or_404,
    permission_required,
    provider_choices,
    require_allowed,
    sees_all_providers,
    submissions_query,
)
from app.accounts.services import council_coordinators
from app.auth.forms import EmptyForm
from app.extensions import db
from app.formatting import long_date
from app.golive.services import missing_history
from app.ids import id_or_none
from app.jobs.runner import start as start_job
from app.mail import send_email
from app.models.jobs import Job, JobStatus
from app.models.returns import ReturnSubmission
from app.periods import quick_picks
from app.views import date_filter, public_url, whole_number

from .measures import DEFINITIONS
from .outputs import charts, to_csv
from .services import SECTIONS, build_return, from_submission, submit_return
from .tasks import render_return

bp = Blueprint("returns", __name__, url_prefix="/returns")


def _params(errors: dict[str, str] | None = None):
    """The period and provider asked for; the co-ordinator may choose all providers. With
    ``errors`` (the page), a bad period falls back to last quarter and says why by its field.

    :raises NotFound: for a bad date (a download) or a provider out of scope.
    """
    page_errors: dict[str, str] = {} if errors is None else errors
    _, first, last = quick_picks(date.today())[1]
    start, end = date_filter("from", first, page_errors), date_filter("to", last, page_errors)
    if end < start:
        page_errors["to"] = "The end date must be the same as or after the start date"
    elif (end - start).days > 366 * 3:
        page_errors["to"] = "Choose a period of three years or less"
    if page_errors:
        if errors is None:
            abort(404)
        start, end = first, last
    provider_arg = request.values.get("provider", "")
    if sees_all_providers(current_user) and provider_arg in ("", "all"):
        return start, end, None
    return start, end, get_provider_or_404(id_or_none(provider_arg),
                                           for_user=current_user)


@bp.route("/")
@permission_required("view_return")
def view():
    filter_errors: dict[str, str] = {}
    start, end, provider = _params(filter_errors)
    ret = build_return(start=start, end=end, provider=provider)
    return render_template("returns/view_return.html", ret=ret, sections=SECTIONS, definitions=DEFINITIONS,
                           filter_errors=filter_errors, problems=filter_errors,
                           charts=charts(ret), picks=quick_picks(date.today()), provider=provider,
                           providers=provider_choices(current_user), form=EmptyForm(),
                           can_submit=can(current_user, "submit_return", provider), missing=_missing(provider))


def _missing(provider) -> list:
    """History a provider's return reads that is not loaded yet (warned of, never hidden)."""
    return missing_history(provider.id, today=date.today()) if provider is not None else []


@bp.route("/return.csv")
@permission_required("view_return")
def download_csv():
    start, end, provider = _params()
    return Response(to_csv(build_return(start=start, end=end, provider=provider)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="workforce-return-{start}-to-{end}.csv"'})


@bp.route("/download", methods=["POST"])
@permission_required("view_return")
def download():
    start, end, provider = _params()
    fmt = request.form.get("format")
    if fmt not in ("pdf", "xlsx") or not EmptyForm().validate_on_submit():
        abort(400)
    submission_id = request.form.get("submission", type=whole_number)
    if submission_id is not None:
        get_submission_or_404(submission_id, for_user=current_user)
    job = Job(kind=f"return-{fmt}", requested_by_id=current_user.id, provider_id=current_user.provider_id,
              status=JobStatus.QUEUED, total=2)
    start_job(job, render_return, start=start.isoformat(), end=end.isoformat(),
              provider_id=provider.id if provider else None, fmt=fmt, submission_id=submission_id)
    return redirect(url_for("jobs.progress", job_id=job.id))


@bp.route("/submit", methods=["GET", "POST"])
@permission_required("submit_return")
def submit():
    start, end, provider = _params()
    require_allowed(provider)
    if request.method == "GET":  # ask first: a submitted return is frozen and goes to the council
        previous = db.session.scalar(select(func.max(ReturnSubmission.version)).where(
            ReturnSubmission.provider_id == (provider.id if provider else None),
            ReturnSubmission.period_start == start, ReturnSubmission.period_end == end))
        return render_template("returns/confirm_submit.html", start=start, end=end, provider=provider,
                               previous=previous, form=EmptyForm(), missing=_missing(provider))
    if EmptyForm().validate_on_submit():
        ret = build_return(start=start, end=end, provider=provider)
        submission = submit_return(ret, provider=provider, actor=current_user, now=datetime.now(UTC))
        db.session.commit()
        _tell_council(submission)
        flash(f"Return submitted as version {submission.version}. These figures are now frozen", "success")
        return redirect(url_for("returns.submission", submission_id=submission.id))
    return redirect(url_for("returns.view", **{"from": start, "to": end}))


def _tell_council(submission: ReturnSubmission) -> None:
    """The council's co-ordinators are emailed when a provider submits a return."""
    who = submission.provider.name if submission.provider else "All providers"
    period = f"{long_date(submission.period_start)} to {long_date(submission.period_end)}"
    link = public_url("returns.submission", submission_id=submission.id)
    for coordinator in council_coordinators():
        send_email(coordinator.email, f"{who} has submitted a workforce return",
                   f"Hello {coordinator.name},\n\n{who} has submitted its workforce return for {period} "
                   f"(version {submission.version}), submitted by {submission.submitted_by_label}.\n\n"
                   f"Read it here: {link}")


@bp.route("/submitted")
@permission_required("view_return")
def submissions():
    rows = db.session.scalars(submissions_query(current_user)).all()
    return render_template("returns/submissions.html", submissions=rows)


@bp.route("/submitted/<int:submission_id>")
@permission_required("view_return")
def submission(submission_id: int):
    found = get_submission_or_404(submission_id, for_user=current_user)
    ret = from_submission(found)
    same_provider = (ReturnSubmission.provider_id == found.provider_id if found.provider_id
                     else ReturnSubmission.provider_id.is_(None))
    versions = db.session.scalars(submissions_query(current_user).where(
        ReturnSubmission.period_start == found.period_start, ReturnSubmission.period_end == found.period_end,
        same_provider)).all()
    if request.args.get("format") == "csv":
        return Response(to_csv(ret), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="submitted-return-v{found.version}.csv"'})
    return render_template("returns/view_return.html", ret=ret, sections=SECTIONS, definitions=DEFINITIONS,
                           charts=charts(ret), submission=found, versions=versions, form=EmptyForm(),
                           picks=[], providers=[], provider=found.provider, can_submit=False)
