"""Delivery: recording sessions, the sessions list, cohorts, and the delivery page against the plan."""

import io
from datetime import UTC, date, datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import (
    can,
    delivery_scope,
    fixed_area_id,
    get_provider_or_404,
    get_session_or_404,
    owner_for_new_setting,
    permission_required,
    provider_choices,
    records_as_lead,
    require_allowed,
    scope,
    sees_all_providers,
    session_areas,
)
from app.audit.services import history_for
from app.budget.charts import bar_chart
from app.delivery.forms import PlanForm
from app.exports import csv_writer
from app.extensions import db
from app.models.delivery import Cohort, DeliverySession, SessionFacilitator
from app.models.people import Area, Person, Stage
from app.models.training import Course
from app.people.queries import all_areas, area_names
from app.periods import contract_year_start
from app.views import whole_number

from . import services
from .forms import CohortForm, SessionForm

bp = Blueprint("delivery", __name__, url_prefix="/delivery")


def _areas() -> list[Area]:
    return session_areas(current_user, all_areas())


def _facilitator_choices(area_ids: list[int]) -> list[Person]:
    """People who may have facilitated: in post, co-facilitators and employees, in the areas."""
    return list(db.session.scalars(select(Person).where(
        scope("record_sessions", current_user), Person.left_on.is_(None), Person.area_id.in_(area_ids),
        Person.stage.in_([Stage.CO_FACILITATOR, Stage.EMPLOYEE])).order_by(Person.last_name, Person.first_name)))


@bp.route("/sessions/new", methods=["GET", "POST"])
@permission_required("record_sessions")
def new_session():
    require_allowed()
    form = SessionForm()
    offers = services.offers()
    areas = _areas()
    form.offer_id.choices = [(o.id, o.name) for o in offers]
    form.area_id.choices = [(a.id, a.name) for a in areas]
    if request.method == "GET" and len(areas) == 1:
        form.area_id.data = areas[0].id
    if request.method == "GET" and form.delivered_on.data is None:
        form.delivered_on.data = date.today()
    people = _facilitator_choices([a.id for a in areas])
    form.facilitators.choices = form.leads.choices = [(p.id, p.name) for p in people]
    cohorts = db.session.scalars(select(Cohort).where(Cohort.provider_id == current_user.provider_id,
                                                      Cohort.area_id.in_([a.id for a in areas]))
                                 .order_by(Cohort.starts_on.desc())).all()
    form.cohort_id.choices = [("", "Not a programme session")] + [(c.id, f"{c.name} ({c.area.name})")
                                                                   for c in cohorts]
    if form.validate_on_submit():
        by_id = {p.id: p for p in people}
        chosen = [(by_id[i], i in (form.leads.data or [])) for i in form.facilitators.data or [] if i in by_id]
        if records_as_lead(current_user) and (current_user.person_id, True) not in [(p.id, lead) for p, lead in chosen]:
            form.leads.errors.append("Record a session you led or co-led: tick yourself in both lists")
            return render_template("delivery/new_session.html", form=form, has_people=bool(people))
        try:
            session = services.record_session(
                provider_id=current_user.provider_id, offer=next(o for o in offers if o.id == form.offer_id.data),
                area=next(a for a in areas if a.id == form.area_id.data), delivered_on=form.delivered_on.data,
                starts_at=form.starts_at.time, ends_at=form.ends_at.time, mode=form.mode.data,
                venue=form.venue.data, out_of_hours=True if form.out_of_hours.data else None, facilitators=chosen,
                families_attended=form.families_attended.data, families_new=form.families_new.data,
                families_phase_one=form.families_phase_one.data,
                families_pre_diagnosis=form.families_pre_diagnosis.data,
                cohort=next((c for c in cohorts if c.id == form.cohort_id.data), None), actor=current_user,
                today=date.today(), now=datetime.now(UTC))
        except services.DeliveryError as error:
            db.session.rollback()
            for name, message in error.problems.items():
                form[name.split("-")[0]].errors.append(message)
        else:
            db.session.commit()
            flash("Session recorded. Each facilitator's hours are sent for approval"
                  + (f". Flagged: {session.flag}" if session.flag else ""), "success")
            return redirect(url_for("delivery.sessions") if can(current_user, "view_delivery")
                            else url_for("main.home"))
    return render_template("delivery/new_session.html", form=form, has_people=bool(people))


@bp.route("/sessions")
@permission_required("view_delivery")
def sessions():
    query = (select(DeliverySession).where(delivery_scope(current_user))
             .options(selectinload(DeliverySession.offer), selectinload(DeliverySession.area))
             .order_by(DeliverySession.delivered_on.desc(), DeliverySession.id.desc()))
    offer_id = request.args.get("offer", type=whole_number)
    if offer_id:
        query = query.where(DeliverySession.offer_id == offer_id)
    page = db.paginate(query, page=request.args.get("page", 1, type=whole_number), per_page=25, error_out=False)
    return render_template("delivery/sessions.html", page=page, offers=services.offers(), offer_id=offer_id)


@bp.route("/sessions/<int:session_id>")
@permission_required("view_delivery")
def view_session(session_id: int):
    found = get_session_or_404(session_id, for_user=current_user)
    facilitators = db.session.scalars(select(SessionFacilitator).where(SessionFacilitator.session_id == found.id)
                                      .options(selectinload(SessionFacilitator.person))).all()
    return render_template("delivery/view_session.html", session=found, facilitators=facilitators,
                           history=history_for(found))


@bp.route("/cohorts/new", methods=["GET", "POST"])
@permission_required("record_sessions")
def new_cohort():
    form = CohortForm()
    areas = _areas()
    form.area_id.choices = [(a.id, a.name) for a in areas]
    courses = db.session.scalars(select(Course).where(
        Course.provider_id.is_(None) | (Course.provider_id == current_user.provider_id)).order_by(Course.name)).all()
    form.required_course_id.choices = [("", "None")] + [(c.id, c.name) for c in courses]
    if form.validate_on_submit():
        programme = next(o for o in services.offers() if o.is_programme)
        cohort = Cohort(provider_id=current_user.provider_id, offer_id=programme.id, area_id=form.area_id.data,
                        name=form.name.data.strip(), programme=form.programme.data.strip(),
                        required_course_id=form.required_course_id.data, starts_on=form.starts_on.data,
                        sessions_planned=form.sessions_planned.data)
        db.session.add(cohort)
        db.session.commit()
        flash(f"Cohort {cohort.name} added", "success")
        return redirect(url_for("delivery.new_session"))
    return render_template("establishment/setup_form.html", form=form, heading="Add a programme cohort",
                           caption="Delivery", back=url_for("delivery.new_session"),
                           note="A programme runs as a cohort: a run of sessions with the same group of families.")


def _report_context():
    """The provider, areas and period asked for, and their figures."""
    provider = None
    if not sees_all_providers(current_user) or request.args.get("provider"):
        provider = get_provider_or_404(request.args.get("provider", type=whole_number), for_user=current_user)
    areas = session_areas(current_user, area_names())  # kept: ids and names, all the report needs
    area_id = fixed_area_id(current_user) or request.args.get("area", type=whole_number)
    chosen = [a for a in areas if a.id == area_id] if area_id else areas
    today = date.today()
    default_start = contract_year_start(today)
    start = _date_arg("from") or default_start
    end = _date_arg("to") or today
    if end < start:
        start, end = end, start
    report = services.delivery_report(provider_ids=[provider.id] if provider else None, areas=chosen or areas,
                                      start=start, end=end)
    return provider, areas, area_id, report


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/")
@permission_required("view_delivery")
def overview():
    provider, areas, area_id, report = _report_context()
    weeks = sorted(report.weekly) or []
    step = max(1, len(weeks) // 8)  # a readable number of labels, however long the period
    labels = [w.strftime("%-d %b") if i % step == 0 else "" for i, w in enumerate(weeks)]
    chart = bar_chart(labels,
                      {"Sessions": [report.weekly[w] for w in weeks],
                       "Plan": [float(report.planned_per_week)] * len(weeks)},
                      "Sessions each week against the plan", "Sessions") if weeks else None
    running, cumulative = 0, []
    for week in weeks:
        running += report.families_by_week.get(week, 0)
        cumulative.append(running)
    families_chart = bar_chart(labels,
                               {"Families reached": cumulative,
                                "Plan": [float(report.planned_families) * (i + 1) / len(weeks)
                                         for i in range(len(weeks))]},
                               "Families reached so far against the plan", "Families") if weeks else None
    return render_template("delivery/overview.html", report=report, provider=provider, areas=areas, area_id=area_id,
                           providers=provider_choices(current_user), chart=chart, families_chart=families_chart)


@bp.route("/delivery.csv")
@permission_required("view_delivery")
def overview_csv():
    _, _, _, report = _report_context()
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["offer", "sessions_delivered", "sessions_planned", "weeks_short", "families_reached",
                     "families_planned", "attendances"])
    for item in report.offers:
        writer.writerow([item.offer.name, item.delivered, f"{item.planned:g}", item.short_weeks, item.families_new,
                         f"{item.planned_families}", item.families_attended])
    writer.writerow(["Total", report.sessions, "", "", report.families_new, f"{report.planned_families}",
                     report.families_attended])
    name = f"delivery-{report.start.isoformat()}-to-{report.end.isoformat()}.csv"
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _plan_rows(offers) -> tuple[dict[int, dict], dict[str, str]]:
    """Each offer's figures as typed in the plan table, and what is wrong with them."""
    from decimal import Decimal, InvalidOperation

    rows, problems = {}, {}
    for offer in offers:
        values = {"churn": (request.form.get(f"churn-{offer.id}") or "").strip()[:30]}
        for name, (kind, words) in services.PLAN_FIELDS.items():
            raw = (request.form.get(f"{name}-{offer.id}") or "").strip()
            try:
                value = kind(Decimal(raw)) if kind is int else Decimal(raw)
                if value < 0 or value > 10_000 or (kind is int and Decimal(raw) != int(Decimal(raw))):
                    raise ValueError(raw)
                values[name] = value
            except (InvalidOperation, ValueError):
                problems[f"{name}-{offer.id}"] = f"Enter {offer.name}'s {words} as a number"
        rows[offer.id] = values
    return rows, problems


@bp.route("/plan", methods=["GET", "POST"])
@permission_required("manage_delivery_plan")
def plan():
    """The plan in force, and a new one from a date (a provider's own, or the council's)."""
    offers = services.offers()
    provider_id = owner_for_new_setting(current_user)
    current = services.plan_on(provider_id, date.today())
    form = PlanForm()
    problems = {}
    if form.validate_on_submit():
        rows, problems = _plan_rows(offers)
        if not problems:
            try:
                services.set_plan(provider_id=provider_id, effective_from=form.effective_from.data, rows=rows,
                                  actor=current_user)
            except services.DeliveryError as error:
                form.effective_from.errors.append(error.problems["effective_from"])
            else:
                db.session.commit()
                flash("Plan saved. Delivery from its date is measured against it", "success")
                return redirect(url_for("delivery.plan"))
    return render_template("delivery/plan.html", form=form, offers=offers, current=current, problems=problems,
                           fields=services.PLAN_FIELDS, own=provider_id is not None)
