from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user

from app.access import get_job_or_404, permission_required
from app.certificates.models import JobStatus

from .queue import results_dir

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.route("/<int:job_id>")
@permission_required("view_jobs")
def progress(job_id: int):
    return render_template("jobs/progress.html", job=get_job_or_404(job_id, for_user=current_user))


@bp.route("/<int:job_id>.json")
@permission_required("view_jobs")
def status(job_id: int):
    job = get_job_or_404(job_id, for_user=current_user)
    return {"status": job.status.value, "done": job.done, "total": job.total, "percent": job.percent,
            "error": job.error}


@bp.route("/<int:job_id>/download")
@permission_required("view_jobs")
def download(job_id: int):
    job = get_job_or_404(job_id, for_user=current_user)
    if job.status != JobStatus.DONE or not job.result_file:
        abort(404)
    return send_file(results_dir() / job.result_file, mimetype=job.content_type, as_attachment=True,
                     download_name=job.result_name)
