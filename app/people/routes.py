import io
from datetime import date
from typing import NamedTuple

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import generation
from app.access import area_choices, can, get_person_or_404, has_role_for, permission_required, provider_choices
from app.accounts.services import account_state
from app.audit.services import history_for
from app.budget.services import person_fte
from app.establishment.contracts import end_for_leaver
from app.establishment.costs import salary_at
from app.establishment.points import is_placed, point_on
from app.exports import csv_writer
from app.extensions import db
from app.formatting import pounds
from app.hours.rules import fte_used
from app.keyset import count_of, keyset_page
from app.models.establishment import Contract, PensionOptOut, Post, VolunteerRole
from app.models.people import Person, Stage
from app.models.recruitment import Applicant
from app.periods import weeks_before
from app.views import whole_number

from .forms import EditPersonForm, PeopleFilterForm, PersonForm
from .queries import PEOPLE_ORDER, area_names, filtered_people, listed
from .services import PersonError, create_person, update_person

bp = Blueprint("people", __name__)


def _filter_form() -> PeopleFilterForm:
    return _offer_choices(PeopleFilterForm(request.args), _choices())


def _choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The areas and providers the user may filter by, as (id, name)."""
    return ([(str(a.id), a.name) for a in area_choices(current_user, area_names())],
            [(str(p.id), p.name) for p in provider_choices(current_user)])


def _offer_choices(form: PeopleFilterForm, choices) -> PeopleFilterForm:
    areas, providers = choices
    form.area.choices = [("", "All areas")] + areas
    form.provider.choices = [("", "All providers")] + providers
    return form


def _filter_args(form: PeopleFilterForm) -> dict:
    return {
        "q": (form.q.data or "")[:100], "area": form.area.data or "",
        "stage": form.stage.data or "", "provider": form.provider.data or "",
        "status": form.status.data or "current",
    }


@bp.route("/people")
@permission_required("view_people")
def list_people():
    form = PeopleFilterForm(request.args)
    filters = _filter_args(form)
    query = filtered_people(current_user, today=date.today(), **filters)
    # The filters' choices and the list's count, kept until the data changes (app.generation):
    # one statement, not three, on every page of the list.
    choices, total = generation.kept(
        ("people list", current_user.id, tuple(sorted(filters.items())), date.today()),
        lambda: (_choices(), count_of(query)))
    _offer_choices(form, choices)
    after, before = request.args.get("after", type=whole_number), request.args.get("before", type=whole_number)
    at_end = request.args.get("last") == "1"
    # The page's rows too, as plain values: a second look at any page reads no people.
    page = generation.kept(
        ("people page", current_user.id, tuple(sorted(filters.items())), after, before, at_end, date.today()),
        lambda: listed(keyset_page(query, PEOPLE_ORDER, after=after, before=before, at_end=at_end, per_page=25,
                                   total=total)))
    return render_template("people/list_people.html", form=form, page=page, filters=filters,
                           today=date.today())


@bp.route("/people/export.csv")
@permission_required("view_people")
def export_people():
    filters = _filter_args(_filter_form())
    rows = db.session.scalars(filtered_people(current_user, today=date.today(), **filters))
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["person_ref", "first_name", "last_name", "provider", "area", "stage",
                     "joined_on", "left_on", "lived_experience"])
    answers = has_role_for(current_user, "see_lived_experience")  # the council sees totals, not names
    for person in rows:
        writer.writerow([person.ref, person.first_name, person.last_name, person.provider.name,
                         person.area.name, person.stage.value, person.joined_on.isoformat(),
                         person.left_on.isoformat() if person.left_on else "",
                         ("yes" if person.has_lived_experience else "no") if answers else ""])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="people.csv"'})


@bp.route("/me")
@permission_required("view_own_record")
def my_record():
    return redirect(url_for("people.view_person", person_id=current_user.person_id))


@bp.route("/people/<int:person_id>")
@permission_required("view_person")
def view_person(person_id: int):
    # What this user is shown of this person today is kept until the data changes
    # (app.generation): a second look reads the session and the generation alone. The kept part
    # holds no form token; the layout around it (with the sign-out form's) is drawn each time.
    shown = generation.kept(("person page", current_user.id, person_id, date.today()),
                            lambda: _person_page(person_id))
    return render_template("people/view_person.html", shown=shown)


class PersonPage(NamedTuple):
    name: str
    body: Markup


def _person_page(person_id: int) -> PersonPage:
    """A person's page as this user may see it, drawn once from the records (404 if they may not)."""
    person = get_person_or_404(person_id, for_user=current_user, options=(
        joinedload(Person.provider), joinedload(Person.area), joinedload(Person.stage_changes)))
    history = history_for(person) if can(current_user, "view_history") else []
    held = [row for model in (Contract, VolunteerRole) for row in db.session.scalars(
        select(model).where(model.person_id == person.id)
        .options(joinedload(model.post).joinedload(Post.grade), joinedload(model.post).joinedload(Post.area)))]
    contracts = sorted(held, key=lambda row: row.starts_on, reverse=True)  # contracts and volunteer roles
    today = date.today()
    four_weeks = weeks_before(today, 4)
    _, worked = person_fte(person.id, *four_weeks)
    in_force = next((c for c in contracts if c.is_current_on(today)), None)
    body = render_template(
        "people/_person.html", person=person, contracts=contracts, history=history,
        fte_window=four_weeks, in_force=in_force, worked_fte=fte_used(worked, *four_weeks),
        worked_minutes=worked, pay_points=_pay_points(person, contracts, today),
        opted_out=db.session.scalar(select(func.max(PensionOptOut.opted_out_on)).where(
            PensionOptOut.person_id == person.id)) if can(current_user, "manage_contracts", person) else None,
        today=today, account_state=account_state(person),
        application=db.session.scalar(select(Applicant).where(Applicant.person_id == person.id))
        if can(current_user, "manage_recruitment") else None,
    )
    return PersonPage(person.name, Markup(body))


def _pay_points(person, contracts, today: date) -> dict[int, str]:
    """The point each contract's holder is on (today, or on its last day), for HR only."""
    if not can(current_user, "manage_contracts", person):
        return {}
    shown = {}
    for contract in contracts:
        grade = contract.post.grade
        if grade is None or not isinstance(contract, Contract) or not is_placed(contract):
            continue
        day = min(today, contract.ends_on) if contract.ends_on else today
        point = point_on(grade, contract.placements, day, person.provider.increment_on)
        salary = salary_at(grade, contract.placements, person.provider.increment_on, point_day=day, price_day=day)
        if point is not None and salary is not None:
            shown[contract.id] = f"Point {point}: {pounds(salary)} a year"
    return shown


def _area_choices() -> list[tuple[int, str]]:
    return [(a.id, a.name) for a in area_names()]


@bp.route("/people/new", methods=["GET", "POST"])
@permission_required("manage_people")
def add_person():
    form = PersonForm().with_reasons()
    form.area_id.choices = _area_choices()
    if form.validate_on_submit():
        try:
            person = create_person(provider_id=current_user.provider_id,
                                   stage=Stage(form.stage.data), actor=current_user,
                                   **form.details())
        except PersonError as error:
            form[error.args[0]].errors.append(error.args[1])
        else:
            db.session.commit()
            flash(f"{person.name} has been added", "success")
            return redirect(url_for("people.view_person", person_id=person.id))
    return render_template("people/edit_person.html", form=form, person=None)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@permission_required("manage_people")
def edit_person(person_id: int):
    person = get_person_or_404(person_id, for_user=current_user)
    if person.anonymised_at is not None:
        abort(404)
    form = EditPersonForm(obj=person).with_reasons()
    if request.method == "GET":  # the record's own answer, chosen (the form's field holds "yes" or "no")
        form.has_lived_experience.data = "yes" if person.has_lived_experience else "no"
    form.area_id.choices = _area_choices()
    if form.validate_on_submit():
        try:
            changes = update_person(person, actor=current_user, **form.details())
            end_for_leaver(person, actor=current_user)
        except PersonError as error:
            form[error.args[0]].errors.append(error.args[1])
        else:
            db.session.commit()
            flash("Changes saved" if changes else "Nothing was changed", "success")
            return redirect(url_for("people.view_person", person_id=person.id))
    return render_template("people/edit_person.html", form=form, person=person)
