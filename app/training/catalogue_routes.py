"""The training catalogue (the council's courses and each provider's own) and each stage's
entry requirements, which the council sets for the whole contract."""

from types import SimpleNamespace

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.access import owner_for_new_setting, permission_required, require_allowed, settings_scope
from app.audit import services as audit
from app.extensions import db
from app.models.people import Stage
from app.models.training import Course, CourseStageRow, ProviderRequirement, StageRequirement

from .forms import CourseForm, RequirementForm
from .routes import bp


@bp.route("/training/courses")
@permission_required("view_courses")
def courses():
    rows = db.session.scalars(select(Course).where(settings_scope(Course, current_user)).order_by(Course.name)).all()
    return render_template("training/courses.html", courses=rows)


def _save_course(course: Course, form: CourseForm) -> None:
    course.name, course.provider_name = form.name.data.strip(), form.provider_name.data.strip()
    course.hours, course.cost_pence = form.hours.data, int(form.cost.data * 100)
    course.validity_months = form.validity_months.data
    course.required_rows = [CourseStageRow(stage=Stage(s)) for s in form.required_for.data or []]


@bp.route("/training/courses/new", methods=["GET", "POST"])
@bp.route("/training/courses/<int:course_id>/edit", methods=["GET", "POST"])
@permission_required("manage_courses")
def edit_course(course_id: int | None = None):
    course = db.first_or_404(select(Course).where(Course.id == course_id, settings_scope(Course, current_user))
                             ) if course_id else None
    require_allowed(course)
    form = CourseForm(obj=course)
    if course is not None and not form.is_submitted():
        form.cost.data = course.cost_pence / 100
        form.required_for.data = [s.value for s in course.required_for]
    if form.validate_on_submit():
        clash = db.session.scalar(select(Course.id).where(func.lower(Course.name) == form.name.data.strip().lower(),
                                                          Course.id != (course_id or 0)))
        if clash:
            form.name.errors.append("There is already a course with that name")
        else:
            course = course or Course(provider_id=owner_for_new_setting(current_user))
            _save_course(course, form)
            db.session.add(course)
            db.session.flush()
            audit.record(actor=current_user, action="update" if course_id else "create", entity=course,
                         provider_id=course.provider_id, council=course.provider_id is None,
                         summary=f"Saved the course {course.name}")
            db.session.commit()
            flash(f"{course.name} saved", "success")
            return redirect(url_for("training.courses"))
    return render_template("training/edit_course.html", form=form, course=course)


@bp.route("/training/our-requirements", methods=["GET", "POST"])
@permission_required("manage_own_requirements")
def own_requirements():
    """HR's own requirements for each paid stage, shown beside the council's."""
    council = {r.stage: r for r in db.session.scalars(select(StageRequirement).order_by(StageRequirement.id))}
    own = {r.stage: r for r in db.session.scalars(select(ProviderRequirement).where(
        ProviderRequirement.provider_id == current_user.provider_id))}
    nothing_more = SimpleNamespace(min_hours=0, references_needed=0, needs_dbs=False, needs_recommendation=False,
                                   needs_right_to_work=False)
    forms = {stage: RequirementForm(prefix=stage.value, obj=own.get(stage) or nothing_more) for stage in council}
    for stage, form in forms.items():
        if form.submit.data and form.validate_on_submit():
            row = own.get(stage) or ProviderRequirement(provider_id=current_user.provider_id, stage=stage)
            form.populate_obj(row)
            db.session.add(row)
            db.session.flush()
            audit.record(actor=current_user, action="update", entity=row, provider_id=current_user.provider_id,
                         summary=f"Changed {current_user.provider.name}'s own requirements for {stage.label}")
            db.session.commit()
            flash(f"Your requirements for {stage.label} saved. The council's still apply", "success")
            return redirect(url_for("training.own_requirements"))
    return render_template("training/own_requirements.html", forms=forms, council=council)


@bp.route("/training/requirements", methods=["GET", "POST"])
@permission_required("manage_stage_requirements")
def requirements():
    rows = db.session.scalars(select(StageRequirement).order_by(StageRequirement.id)).all()
    forms = {row.stage: RequirementForm(prefix=row.stage.value, obj=row) for row in rows}
    for row in rows:
        form = forms[row.stage]
        if form.submit.data and form.validate_on_submit():
            form.populate_obj(row)
            audit.record(actor=current_user, action="update", entity=row, provider_id=None, council=True,
                         summary=f"Changed the requirements for {row.stage.label}")
            db.session.commit()
            flash(f"Requirements for {row.stage.label} saved", "success")
            return redirect(url_for("training.requirements"))
    return render_template("training/requirements.html", forms=forms)
