from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from app.access import get_job_or_404, permission_required
from app.auth.forms import EmptyForm
from app.extensions import db
from app.models.jobs import JobStatus

from . import runner
from .queue import results_dir

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _watched_job(job_id: int):
    """The job, after checking it is still alive: a page someone is watching never waits for ever."""
    job = get_job_or_404(job_id, for_user=current_user)
    if job.status in runner.LIVE:
        runner.sweep(job_id=job.id)
        db.session.refresh(job)
    return job


@bp.route("/<int:job_id>")
@permission_required("view_jobs")
def progress(job_id: int):
    return render_template("jobs/progress.html", job=_watched_job(job_id), form=EmptyForm())


@bp.route("/<int:job_id>.json")
@permission_required("view_jobs")
def status(job_id: int):
    job = _watched_job(job_id)
    return {"status": job.status.value, "done": job.done, "total": job.total, "percent": job.percent,
            "error": job.error, "may_retry": job.may_retry}


@bp.route("/<int:job_id>/try-again", methods=["POST"])
@permission_required("retry_job")
def try_again(job_id: int):
    job = get_job_or_404(job_id, for_user=current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if job.may_retry or (job.status == JobStatus.DONE and job.arguments and not _kept(job)):
        runner.retry(job)
        flash("Started again", "success")
    return redirect(url_for("jobs.progress", job_id=job.id))


def _kept(job) -> bool:
    return bool(job.result_file) and (results_dir() / job.result_file).is_file()


@bp.route("/<int:job_id>/download")
@permission_required("view_jobs")
def download(job_id: int):
    job = get_job_or_404(job_id, for_user=current_user)
    if job.status != JobStatus.DONE or not job.result_file:
        abort(404)
    if not _kept(job):  # cleared from the disk (expired, or another machine's): say so, offer it again
        return render_template("jobs/expired.html", job=job, form=EmptyForm()), 410
    return send_file(results_dir() / job.result_file,
                     mimetype=job.content_type, as_attachment=True, download_name=job.result_name)
