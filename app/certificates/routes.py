from datetime import UTC, date, datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access import get_certificate_or_404, get_person_or_404, permission_required, public, view_scope
from app.extensions import db, limiter
from app.ids import ids_from
from app.jobs.runner import start as start_job
from app.models.certificates import Certificate, CertificateKind
from app.models.jobs import Job, JobStatus
from app.models.people import Person
from app.training.forms import RevokeForm
from app.views import public_base, whole_number

from .pdf import render_certificate_pdf
from .services import find_by_number, revoke
from .tasks import render_certificates, verify_url

bp = Blueprint("certificates", __name__)
BULK_LIMIT = 2000


@bp.route("/certificates/<int:certificate_id>.pdf")
@permission_required("download_certificate")
def download(certificate_id: int):
    certificate = get_certificate_or_404(certificate_id, for_user=current_user)
    pdf = render_certificate_pdf(certificate, verify_url(public_base(), certificate.number),
                                 certificate.person.provider.name)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{certificate.number}.pdf"'})


@bp.route("/certificates", methods=["GET", "POST"])
@permission_required("issue_certificates")
def bulk():
    query = (select(Certificate).join(Person, Person.id == Certificate.person_id)
             .where(view_scope()).options(joinedload(Certificate.person))
             .order_by(Certificate.issued_on.desc(), Certificate.id.desc()))
    kind = request.values.get("kind", "")
    if kind in {k.value for k in CertificateKind}:
        query = query.where(Certificate.kind == CertificateKind(kind))
    if request.method == "POST":
        ids = ids_from(request.form.getlist("certificate"))
        if request.form.get("all"):
            ids = set(db.session.scalars(query.with_only_columns(Certificate.id).limit(BULK_LIMIT)))
        chosen = db.session.scalars(query.where(Certificate.id.in_(ids))).all() if ids else []
        if not chosen:
            flash("Select the certificates to download", "info")
            return redirect(url_for("certificates.bulk", kind=kind))
        job = Job(kind="certificates", requested_by_id=current_user.id, provider_id=current_user.provider_id,
                  status=JobStatus.QUEUED, total=len(chosen))
        fmt = "pdf" if request.form.get("format") == "pdf" else "zip"
        start_job(job, render_certificates, certificate_ids=[c.id for c in chosen], fmt=fmt,
                  base_url=public_base())
        return redirect(url_for("jobs.progress", job_id=job.id))
    page = db.paginate(query, page=request.args.get("page", 1, type=whole_number), per_page=50, error_out=False)
    return render_template("certificates/bulk.html", page=page, kind=kind)


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@permission_required("issue_certificates")
def revoke_certificate(certificate_id: int):
    certificate = get_certificate_or_404(certificate_id, for_user=current_user)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            revoke(certificate, reason=form.reason.data, actor=current_user, now=datetime.now(UTC))
        except ValueError as error:
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Certificate {certificate.number} revoked. The verification page now says so", "success")
            return redirect(url_for("training.person_pathway", person_id=certificate.person_id))
    return render_template("certificates/revoke.html", form=form, certificate=certificate)


@bp.route("/people/<int:person_id>/certificates")
@permission_required("view_person")
def person_certificates(person_id: int):
    return redirect(url_for("training.person_pathway", person_id=get_person_or_404(
        person_id, for_user=current_user).id, _anchor="certificates"))


@bp.route("/verify", methods=["GET"])
@bp.route("/verify/<number>")
@limiter.limit("60 per minute")
@public
def verify(number: str | None = None):
    number = number or request.args.get("number", "").strip()
    certificate = find_by_number(number) if number else None
    return render_template("certificates/verify.html", number=number, certificate=certificate,
                           today=date.today())
