from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user

from app.access import role_required
from app.auth.models import Role
from app.certificates.models import Job, JobStatus
from app.extensions import db

from .queue import results_dir

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
JOB_ROLES = (Role.HR, Role.ADMIN, Role.COORDINATOR)


def get_job_or_404(job_id: int) -> Job:
    """A job the user asked for, or one for their provider.

    :raises NotFound: for anyone else's.
    """
    job = db.session.get(Job, job_id)
    if job is None or (job.requested_by_id != current_user.id and (
            current_user.role == Role.COORDINATOR or job.provider_id != current_user.provider_id)):
        abort(404)
    return job


@bp.route("/<int:job_id>")
@role_required(*JOB_ROLES)
def progress(job_id: int):
    return render_template("jobs/progress.html", job=get_job_or_404(job_id))


@bp.route("/<int:job_id>.json")
@role_required(*JOB_ROLES)
def status(job_id: int):
    job = get_job_or_404(job_id)
    return {"status": job.status.value, "done": job.done, "total": job.total, "percent": job.percent,
            "error": job.error}


@bp.route("/<int:job_id>/download")
@role_required(*JOB_ROLES)
def download(job_id: int):
    job = get_job_or_404(job_id)
    if job.status != JobStatus.DONE or not job.result_file:
        abort(404)
    return send_file(results_dir() / job.result_file, mimetype=job.content_type, as_attachment=True,
                     download_name=job.result_name)
