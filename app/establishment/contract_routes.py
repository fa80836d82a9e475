"""A person's contract, outside moving on (added to the people blueprint)."""

from datetime import date

from flask import abort, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access import permission_required
from app.extensions import db
from app.formatting import pounds
from app.models.establishment import Contract, Post, VolunteerRole
from app.models.people import Person
from app.people.routes import bp
from app.views import save_or_show

from . import contracts
from .forms import ChangeHoursForm, ContractForm, EndContractForm, PensionOptOutForm, PlacementForm


def _terms(form) -> dict:
    return {"weekly_hours": form.weekly_hours.data, "is_sessional": form.basis.data == "sessional"}


def _saved(form, action, person, message: str):
    return save_or_show(form, action, errors=(contracts.ContractError,), message=message,
                        to=url_for("people.view_person", person_id=person.id) + "#contracts")


@bp.route("/people/<int:person_id>/contracts/new", methods=["GET", "POST"])
@permission_required("manage_contracts", load=Person)
def new_contract(person: Person):
    form = ContractForm()
    posts = db.session.scalars(select(Post).where(Post.provider_id == person.provider_id)
                               .order_by(Post.title, Post.area_id)).all()
    form.post_id.choices = [(p.id, p.label + (f", {p.grade.code}" if p.grade else "")) for p in posts]
    if form.validate_on_submit():
        post = next(p for p in posts if p.id == form.post_id.data)
        done = _saved(form, lambda: contracts.start_contract(
            person, post=post, starts_on=form.starts_on.data, actor=current_user, point=form.point.data,
            **_terms(form)),
            person, f"{person.name} volunteers as {post.label}: a volunteer role, not a contract" if post.is_volunteer
            else f"{person.name} has a contract as {post.label}")
        if done:
            return done
    return render_template("establishment/contract_form.html", form=form, person=person, posts=posts,
                           heading="Give them a post and contract")


@bp.route("/contracts/<int:contract_id>/hours", methods=["GET", "POST"])
@permission_required("manage_contracts", load=Contract)
def change_contract_hours(contract: Contract):
    form = ChangeHoursForm(basis="sessional" if contract.is_sessional else "salaried")
    if form.validate_on_submit():
        done = _saved(form, lambda: contracts.change_hours(
            contract, from_date=form.from_date.data, actor=current_user, **_terms(form)),
            contract.person, f"{contract.person.name}'s new hours are saved")
        if done:
            return done
    return render_template("establishment/contract_form.html", form=form, person=contract.person,
                           contract=contract, heading="Change their hours")


@bp.route("/contracts/<int:contract_id>/end", methods=["GET", "POST"])
@permission_required("manage_contracts", load=Contract)
def end_contract(contract: Contract):
    form = EndContractForm()
    if form.validate_on_submit():
        done = _saved(form, lambda: contracts.end_contract(contract, ends_on=form.ends_on.data, actor=current_user),
                      contract.person, f"{contract.person.name}'s contract as {contract.post.label} is ended")
        if done:
            return done
    return render_template("establishment/contract_form.html", form=form, person=contract.person,
                           contract=contract, heading="End their contract")


@bp.route("/volunteer-roles/<int:role_id>/end", methods=["GET", "POST"])
@permission_required("manage_contracts", load=VolunteerRole)
def end_role(role: VolunteerRole):
    form = EndContractForm()
    if form.validate_on_submit():
        done = _saved(form, lambda: contracts.end_role(role, ends_on=form.ends_on.data, actor=current_user),
                      role.person, f"{role.person.name}'s volunteer role as {role.post.label} is ended")
        if done:
            return done
    return render_template("establishment/contract_form.html", form=form, person=role.person, contract=role,
                           heading="End their volunteer role")


@bp.route("/contracts/<int:contract_id>/point", methods=["GET", "POST"])
@permission_required("manage_contracts", load=Contract)
def change_point(contract: Contract):
    """Put the contract's holder on a point of its grade from a date."""
    grade, person = contract.post.grade, contract.person
    if grade is None or not grade.points:
        abort(404)
    form = PlacementForm()
    today = date.today()
    amounts = grade.points_on(max(today, contract.starts_on)) or grade.points_on(contract.starts_on)
    form.point.choices = [(point, f"Point {point}: {pounds(amount)} a year") for point, amount in amounts.items()]
    if form.validate_on_submit():
        done = _saved(form, lambda: contracts.place_on_point(
            person, grade=grade, point=form.point.data, effective_from=form.effective_from.data,
            reason=form.reason.data, actor=current_user),
            person, f"{person.name} is on {grade.code} point {form.point.data} from "
                    f"{form.effective_from.data:%-d %B %Y}")
        if done:
            return done
    return render_template("establishment/contract_form.html", form=form, person=person, contract=contract,
                           heading="Change their pay point")


@bp.route("/people/<int:person_id>/pension-opt-out", methods=["GET", "POST"])
@permission_required("manage_contracts", load=Person)
def pension_opt_out(person: Person):
    form = PensionOptOutForm()
    if form.validate_on_submit():
        done = _saved(form, lambda: contracts.record_pension_opt_out(
            person, opted_out_on=form.opted_out_on.data, actor=current_user),
            person, f"{person.name}'s pension opt-out is recorded")
        if done:
            return done
    return render_template("establishment/setup_form.html", form=form, heading="Record a pension opt-out",
                           back=url_for("people.view_person", person_id=person.id) + "#contracts", caption=person.name,
                           note="Someone who opts out of the workplace pension has no employer pension from that date.")
