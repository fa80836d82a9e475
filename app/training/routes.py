from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access import (
    area_choices,
    get_person_or_404,
    names_in_compliance,
    permission_required,
    view_scope,
)
from app.extensions import db
from app.formatting import article
from app.models.certificates import Certificate
from app.models.establishment import Contract, Post, VolunteerRole
from app.models.people import Person, Stage
from app.models.training import CheckKind, Course, Recommendation, TrainingRecord, TrainingResult
from app.notify import PENDING
from app.people.queries import all_areas
from app.periods import year_before
from app.returns.services import way_in
from app.views import date_filter, whole_number

from . import queries
from .forms import AttendanceForm, CheckForm, CorrectStageForm, ProgressForm, RecommendForm, TrainingRecordForm
from .progression import checklist, clearance, correct_last_stage_change, progress
from .rules import training_status
from .services import TrainingError, latest_checks, recommend, record_attendance, record_check, record_training

bp = Blueprint("training", __name__)


def _errors(form, error: TrainingError) -> None:
    for field, message in error.problems.items():
        (form[field] if field in form else form.submit).errors.append(message)


@bp.route("/people/<int:person_id>/pathway")
@permission_required("view_person")
def person_pathway(person_id: int):
    person = get_person_or_404(person_id, for_user=current_user)
    today = date.today()
    records = db.session.scalars(select(TrainingRecord).where(TrainingRecord.person_id == person.id)
                                 .options(joinedload(TrainingRecord.course))
                                 .order_by(TrainingRecord.completed_on.desc())).all()
    certificates = db.session.scalars(select(Certificate).where(Certificate.person_id == person.id)
                                      .order_by(Certificate.issued_on.desc())).all()
    latest_ids = {}
    for r in records:  # newest first: the first of each course is the one that counts
        latest_ids.setdefault(r.course_id, r.id)
    target, items = checklist(person, today)
    recommended = db.session.scalar(select(Recommendation).where(
        Recommendation.person_id == person.id, Recommendation.stage == target)) if target else None
    return render_template(
        "training/person_pathway.html", person=person, target=target, items=items, records=records,
        status=lambda r: training_status(r.expires_on, today) if latest_ids[r.course_id] == r.id else "renewed",
        certificates=certificates,
        checks=latest_checks([person.id]), CheckKind=CheckKind, recommended=recommended,
        clearance=clearance(person, today),
        recommend_form=RecommendForm())


@bp.route("/people/<int:person_id>/training/new", methods=["GET", "POST"])
@permission_required("record_training", load=Person)
def record(person: Person):
    form = TrainingRecordForm()
    form.course_id.choices = queries.course_choices(current_user)
    if form.validate_on_submit():
        try:
            record_training(person, db.get_or_404(Course, form.course_id.data), completed_on=form.completed_on.data,
                            result=TrainingResult(form.result.data),
                            cost_pence=int(form.cost.data * 100) if form.cost.data is not None else None,
                            actor=current_user, today=date.today())
        except TrainingError as error:
            _errors(form, error)
        else:
            db.session.commit()
            flash("Training recorded", "success")
            return redirect(url_for("training.person_pathway", person_id=person.id))
    return render_template("training/record.html", form=form, person=person)


@bp.route("/training/attendance", methods=["GET", "POST"])
@permission_required("record_training")
def attendance():
    form = AttendanceForm(area_id=current_user.area_id)
    form.course_id.choices = queries.course_choices(current_user)
    areas = area_choices(current_user, all_areas())
    form.area_id.choices = [(a.id, a.name) for a in areas]
    area_id = form.area_id.data or (areas[0].id if areas else None)
    day = form.completed_on.data or date.today()
    people = db.session.scalars(select(Person).where(
        view_scope(), Person.area_id == area_id, Person.joined_on <= day,
        (Person.left_on.is_(None)) | (Person.left_on >= day)).order_by(Person.last_name)).all()
    if request.form.get("save") and form.validate_on_submit():
        chosen = [p for p in people if request.form.get(f"attended-{p.id}")]
        if not chosen:
            form.completed_on.errors.append("Tick at least one person who attended")
        else:
            try:
                record_attendance(chosen, db.get_or_404(Course, form.course_id.data), completed_on=day,
                                  actor=current_user, today=date.today())
            except TrainingError as error:
                form.completed_on.errors.extend(error.problems.values())
            else:
                db.session.commit()
                flash(f"Attendance recorded for {len(chosen)} people", "success")
                return redirect(url_for("training.attendance"))
    return render_template("training/attendance.html", form=form, people=people, posted=request.form)


@bp.route("/people/<int:person_id>/checks/new", methods=["GET", "POST"])
@permission_required("record_checks", load=Person)
def add_check(person: Person):
    asked = request.args.get("kind")
    form = CheckForm(kind=asked if asked in {k.value for k in CheckKind} else None)
    if form.validate_on_submit():
        try:
            record_check(person, kind=CheckKind(form.kind.data), checked_on=form.checked_on.data, actor=current_user,
                         today=date.today(), reference_number=form.reference_number.data or None,
                         barred_list=form.barred_list.data, for_paid_role=form.for_paid_role.data,
                         update_service=form.update_service.data, renew_on=form.renew_on.data)
        except TrainingError as error:
            _errors(form, error)
        else:
            db.session.commit()
            flash("Check recorded", "success")
            return redirect(url_for("training.person_pathway", person_id=person.id))
    return render_template("training/add_check.html", form=form, person=person)


@bp.route("/people/<int:person_id>/recommend", methods=["POST"])
@permission_required("recommend", load=Person)
def recommend_person(person: Person):
    if person.stage.next is None:
        abort(404)
    form = RecommendForm()
    if form.validate_on_submit():
        recommend(person, person.stage.next, on=date.today(), note=form.note.data or None, actor=current_user)
        db.session.commit()
        flash(f"Recommendation for {person.stage.next.label} recorded", "success")
    return redirect(url_for("training.person_pathway", person_id=person.id))


@bp.route("/people/<int:person_id>/progress", methods=["GET", "POST"])
@permission_required("move_on", load=Person)
def move_on(person: Person):
    if person.stage.next is None:
        abort(404)
    form = ProgressForm()
    later = list(Stage)[list(Stage).index(person.stage) + 1:]
    form.to_stage.choices = [(s.value, s.label) for s in later]
    asked = form.to_stage.data or request.args.get("to_stage")
    chosen = asked if asked in {s.value for s in later} else later[0].value
    target, items = checklist(person, date.today(), Stage(chosen))
    posts = db.session.scalars(select(Post).where(Post.provider_id == person.provider_id, Post.is_volunteer.is_(False))
                               .options(joinedload(Post.area)).order_by(Post.title)).all()
    form.post_id.choices = [(p.id, p.label) for p in posts]
    if request.method == "GET":
        form.to_stage.data = target.value
        form.changed_on.data = date.today()
        form.weekly_hours.data = Decimal("18.5") if target == Stage.CO_FACILITATOR else Decimal("37")
        match = next((p for p in posts if p.area_id == person.area_id and (
            "Co-Facilitator" in p.title if target == Stage.CO_FACILITATOR else "Facilitator" in p.title)), None)
        form.post_id.data = match.id if match else None
    if form.validate_on_submit():
        post = db.get_or_404(Post, form.post_id.data)
        move = {"post": post, "weekly_hours": form.weekly_hours.data, "is_sessional": form.is_sessional.data,
                "on": form.changed_on.data, "actor": current_user, "today": date.today(),
                "override_reason": form.override_reason.data, "to_stage": target, "skip_reason": form.skip_reason.data}
        confirmed = request.form.get("confirmed") == "yes"
        try:
            if not confirmed:  # try it, undo it, and ask: the move ends a contract and issues a certificate
                _try_then_undo(lambda: progress(person, **move))
            else:
                progress(person, **move)
        except TrainingError as error:
            _errors(form, error)
        else:
            if not confirmed:
                from_stage = person.stage
                return render_template("training/confirm_progress.html", form=form, person=person, target=target,
                                       post=post, from_stage=from_stage, current=_current_contract(person))
            db.session.commit()
            flash(f"{person.name} is now {article(target.label)} {target.label}. Their certificate is ready", "success")
            return redirect(url_for("training.person_pathway", person_id=person.id))
    return render_template("training/progress.html", form=form, person=person, target=target, items=items)


class _Undo(Exception):  # noqa: N818 (a signal, not an error)
    pass


def _try_then_undo(change) -> None:
    """Run ``change`` in a savepoint and roll it back: its rules are checked, nothing is kept."""
    try:
        with db.session.begin_nested():
            change()
            raise _Undo
    except _Undo:
        pass
    db.session().info.pop(PENDING, None)
    db.session.expire_all()


def _current_contract(person):
    """The contract, or volunteer role, the person holds today."""
    today = date.today()
    for model in (Contract, VolunteerRole):
        held = db.session.scalar(select(model).where(
            model.person_id == person.id, model.starts_on <= today,
            (model.ends_on.is_(None)) | (model.ends_on >= today)).order_by(model.starts_on.desc()).limit(1))
        if held is not None:
            return held
    return None


@bp.route("/people/<int:person_id>/stage/correct", methods=["GET", "POST"])
@permission_required("move_on", load=Person)
def correct_stage(person: Person):
    if len(person.stage_changes) < 2:
        abort(404)
    form = CorrectStageForm()
    if form.validate_on_submit():
        try:
            correct_last_stage_change(person, reason=form.reason.data, actor=current_user, now=datetime.now(UTC))
        except TrainingError as error:
            _errors(form, error)
        else:
            db.session.commit()
            flash(f"Stage change corrected. {person.name} is a {person.stage.label} again", "success")
            return redirect(url_for("people.view_person", person_id=person.id))
    return render_template("training/correct_stage.html", form=form, person=person, change=person.stage_changes[-1])


@bp.route("/training/compliance")
@permission_required("view_compliance")
def compliance():
    area_id = request.args.get("area", type=whole_number)
    show = request.args.get("show", "")
    if not names_in_compliance(current_user):  # the council: how each provider stands, no names
        return render_template("training/compliance_summary.html",
                               summary=queries.compliance_by_provider(current_user, today=date.today(),
                                                                      area_id=area_id),
                               areas=all_areas(), area_id=area_id, pct=queries.pct)
    rows = queries.compliance(current_user, today=date.today(), area_id=area_id)
    if show in ("overdue", "due"):
        listed = queries.overdue_or_due(rows, show)
        return render_template("training/compliance_list.html", rows=listed, show=show, area_id=area_id,
                               within=queries.DUE_WITHIN_DAYS)
    by_area: dict[str, list] = {}
    for row in rows:
        by_area.setdefault(row.person.area.name, []).append(row)
    return render_template("training/compliance.html", by_area=by_area, areas=all_areas(), area_id=area_id,
                           pct=queries.pct)


@bp.route("/pathway")
@permission_required("view_pathway")
def pathway():
    filter_errors: dict[str, str] = {}
    end = date_filter("to", date.today(), filter_errors)
    start = date_filter("from", year_before(end), filter_errors)
    if start > end:
        filter_errors["to"] = "The end date must be the same as or after the start date"
        start, end = year_before(date.today()), date.today()
    return render_template("training/pathway.html", stats=queries.pathway_stats(current_user, start=start, end=end),
                           way_in=way_in(current_user.provider_id, start, end),
                           start=start, end=end, stages=list(Stage), filter_errors=filter_errors,
                           problems=filter_errors)
