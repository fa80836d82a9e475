from datetime import UTC, date, datetime

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access import history_scope, permission_required
from app.audit import services as audit
from app.auth.forms import EmptyForm
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.people import Person
from app.recruitment import services as recruitment
from app.views import public_base, whole_number

from .services import (
    anonymise,
    due_for_anonymisation,
    removal_blockers,
    remove_added_in_error,
    subject_access_export,
)

bp = Blueprint("privacy", __name__)


@bp.route("/people/<int:person_id>/export.zip")
@permission_required("export_personal_data", load=Person)
def export(person: Person):
    data = subject_access_export(person, verify_base=public_base())
    audit.record(actor=current_user, action="export", entity=person, summary="Subject access export downloaded")
    db.session.commit()
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="personal-data-{person.ref}.zip"'})


@bp.route("/people/<int:person_id>/anonymise", methods=["GET", "POST"])
@permission_required("anonymise", load=Person)
def anonymise_person(person: Person):
    due = person in due_for_anonymisation(today=date.today())
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit() and due:
        anonymise(person, actor=current_user, now=datetime.now(UTC))
        db.session.commit()
        flash(f"Personal details removed. {person.ref}'s hours, costs and stage history stay in the figures",
              "success")
        return redirect(url_for("people.view_person", person_id=person.id))
    return render_template("privacy/anonymise.html", person=person, due=due, form=form)


@bp.route("/people/<int:person_id>/remove", methods=["GET", "POST"])
@permission_required("remove_person", load=Person)
def remove_person(person: Person):
    """A person added in error is removed, not left (a leaver counts in turnover); ask first."""
    blockers = removal_blockers(person)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit() and not blockers:
        name = person.name
        remove_added_in_error(person, actor=current_user)
        db.session.commit()
        flash(f"{name} has been removed", "success")
        return redirect(url_for("people.list_people"))
    return render_template("privacy/remove_person.html", person=person, blockers=blockers, form=form)


@bp.route("/privacy")
@permission_required("anonymise")
def due():
    people = [p for p in due_for_anonymisation(today=date.today()) if p.provider_id == current_user.provider_id]
    months = current_app.config["APPLICANT_RETENTION_MONTHS"]
    now = datetime.now(UTC)
    return render_template("privacy/due.html", people=people, months=months,
                           applicants=recruitment.applicants_due(current_user.provider_id, now=now, months=months),
                           anonymised=recruitment.anonymised_count(current_user.provider_id),
                           removal_day=lambda a: recruitment.removal_day(a, months))


@bp.route("/audit")
@permission_required("view_history")
def audit_log():
    query = (select(AuditEvent).where(history_scope(current_user))
             .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
    q = request.args.get("q", "").strip()[:100]
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEvent.summary.ilike(f"%{escaped}%", escape="\\")
                            | AuditEvent.actor_label.ilike(f"%{escaped}%", escape="\\"))
    kind = request.args.get("type", "")
    if kind:
        query = query.where(AuditEvent.entity_type == kind)
    action = request.args.get("action", "")
    if action:
        query = query.where(AuditEvent.action == action)
    page = db.paginate(query, page=request.args.get("page", 1, type=whole_number), per_page=50, error_out=False)
    types = db.session.scalars(select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)).all()
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("privacy/audit_log.html", page=page, q=q, kind=kind, action=action, types=types,
                           actions=actions)
