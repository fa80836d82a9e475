"""A person's contract outside moving on: give them a post, change their hours from a date,
end it. Contracts are effective-dated: a change ends one and starts the next, so costs and
FTE before the change never move. Each function audits and flushes; the caller commits."""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_, select

from app.access import refuse_own
from app.audit import services as audit
from app.extensions import db
from app.formatting import long_date, pounds
from app.models.establishment import Contract, Grade, PensionOptOut, PointPlacement, Post, VolunteerRole
from app.models.people import Person
from app.periods import day_before


class ContractError(ValueError):
    """A rule was broken; args are (field name, message)."""


def _terms(weekly_hours: Decimal, is_sessional: bool) -> str:
    return "sessional (paid by the hour)" if is_sessional else f"{weekly_hours.normalize():f} hours a week"


def _refuse_own(actor, person: Person) -> None:
    refuse_own(actor, "manage_contracts", person, lambda message: ContractError("post_id", message))


def _check_hours(weekly_hours: Decimal | None, is_sessional: bool) -> Decimal:
    if is_sessional:
        return Decimal(0)
    if weekly_hours is None or weekly_hours <= 0:
        raise ContractError("weekly_hours", "Enter the contracted hours a week, or choose sessional")
    return weekly_hours


def start_contract(person: Person, *, post: Post, weekly_hours: Decimal | None, is_sessional: bool,
                   starts_on: date, actor, point: int | None = None) -> Contract | VolunteerRole:
    """Put someone in a post from a date: a contract, or in a volunteer post a volunteer role
    (``start_role``; ``weekly_hours`` is then only the hours they expect to give).

    :raises ContractError: for another provider's post, a start before they joined or after they
        left, a contract already running then (change or end that one instead), or a pay point
        the post's grade does not have.
    """
    _refuse_own(actor, person)
    if post.provider_id != person.provider_id:
        raise ContractError("post_id", "Select one of your posts")
    if post.is_volunteer:
        if point is not None:
            raise ContractError("point", "A volunteer post has no pay points")
        return start_role(person, post=post, expected_weekly_hours=weekly_hours, starts_on=starts_on, actor=actor)
    hours = _check_hours(weekly_hours, is_sessional)
    _refuse_start(person, starts_on, "contract")
    contract = Contract(person_id=person.id, post_id=post.id, weekly_hours=hours, is_sessional=is_sessional,
                        starts_on=starts_on, ends_on=person.left_on)
    db.session.add(contract)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=contract, provider_id=person.provider_id,
                 summary=f"Gave {person.name} a contract as {post.label}, {_terms(hours, is_sessional)}, "
                         f"from {long_date(starts_on)}")
    if point is not None:
        if post.grade is None:
            raise ContractError("point", "A volunteer post has no pay points")
        try:
            place_on_point(person, grade=post.grade, point=point, effective_from=starts_on,
                           reason="Starting point", actor=actor)
        except ContractError as refused:
            raise ContractError("point", refused.args[1]) from refused
    return contract


def _running(model, person: Person, on: date, *, began_before: bool = False):
    query = select(model).where(model.person_id == person.id, or_(model.ends_on.is_(None), model.ends_on >= on))
    if began_before:
        query = query.where(model.starts_on < on)
    return db.session.scalars(query.order_by(model.starts_on)).all()


def _refuse_start(person: Person, starts_on: date, what: str) -> None:
    """A contract or role starts within the person's time on the pathway, with nothing else running."""
    if starts_on < person.joined_on:
        raise ContractError("starts_on",
                            f"The {what} must start on or after they joined, {long_date(person.joined_on)}")
    if person.left_on and starts_on > person.left_on:
        raise ContractError("starts_on", f"The {what} must start by the day they left, {long_date(person.left_on)}")
    _refuse_clash(person, starts_on)


def _refuse_clash(person: Person, starts_on: date) -> None:
    """One post at a time: a contract or volunteer role running on or after the day refuses a new one."""
    for model, what, advice in ((Contract, "a contract", "Change its hours or end it first"),
                                (VolunteerRole, "a volunteer role", "End it first")):
        clash = _running(model, person, starts_on)
        if clash:
            raise ContractError("starts_on", f"{person.name} already has {what} from {long_date(clash[0].starts_on)}. "
                                             f"{advice}")


def start_role(person: Person, *, post: Post, expected_weekly_hours: Decimal | None, starts_on: date,
               actor) -> VolunteerRole:
    """A parent volunteering in a volunteer post from a date: a role, never a contract. Hours
    they expect to give may be noted as an expectation (none is fine).

    :raises ContractError: for a start outside their time on the pathway, or a post or role
        already running then.
    """
    _refuse_start(person, starts_on, "role")
    expected = expected_weekly_hours if expected_weekly_hours else None
    role = VolunteerRole(person_id=person.id, post_id=post.id, expected_weekly_hours=expected, starts_on=starts_on,
                         ends_on=person.left_on)
    db.session.add(role)
    db.session.flush()
    hours = f", expecting about {expected.normalize():f} hours a week" if expected else ""
    audit.record(actor=actor, action="create", entity=role, provider_id=person.provider_id,
                 summary=f"{person.name} volunteers as {post.label}{hours} from {long_date(starts_on)} "
                         "(a volunteer role, not a contract)")
    return role


def end_role(role: VolunteerRole, *, ends_on: date, actor) -> None:
    """A volunteer role's last day."""
    person = role.person
    if ends_on < role.starts_on:
        raise ContractError("ends_on", f"The last day must be on or after it started, {long_date(role.starts_on)}")
    role.ends_on = ends_on
    db.session.flush()
    audit.record(actor=actor, action="update", entity=role, provider_id=person.provider_id,
                 summary=f"Ended {person.name}'s volunteer role as {role.post.label}: last day {long_date(ends_on)}")


def change_hours(contract: Contract, *, weekly_hours: Decimal | None, is_sessional: bool, from_date: date,
                 actor) -> Contract:
    """New terms from a date: this contract ends the day before and a new one carries on in the same post.

    :raises ContractError: for a date outside the contract, or terms that are the same.
    """
    person = contract.person
    _refuse_own(actor, person)
    hours = _check_hours(weekly_hours, is_sessional)
    if from_date <= contract.starts_on or (contract.ends_on is not None and from_date > contract.ends_on):
        last = f" and by {long_date(contract.ends_on)}" if contract.ends_on else ""
        raise ContractError("from_date", f"The change must be after the contract started, "
                                         f"{long_date(contract.starts_on)}{last}")
    if hours == contract.weekly_hours and is_sessional == contract.is_sessional:
        raise ContractError("weekly_hours", "These are the hours they have now. Enter the new hours")
    later = Contract(person_id=person.id, post_id=contract.post_id, weekly_hours=hours, is_sessional=is_sessional,
                     starts_on=from_date, ends_on=contract.ends_on)
    before = _terms(contract.weekly_hours, contract.is_sessional)
    contract.ends_on = from_date - timedelta(days=1)
    db.session.add(later)
    db.session.flush()
    audit.record(actor=actor, action="update", entity=later, provider_id=person.provider_id,
                 summary=f"Changed {person.name}'s hours as {contract.post.label} from {before} to "
                         f"{_terms(hours, is_sessional)}, from {long_date(from_date)}")
    return later


def end_contract(contract: Contract, *, ends_on: date, actor) -> None:
    """End a contract on a date (its last day).

    :raises ContractError: for a date before it started, or after an end already set.
    """
    person = contract.person
    _refuse_own(actor, person)
    if ends_on < contract.starts_on:
        raise ContractError("ends_on", f"The last day must be on or after it started, {long_date(contract.starts_on)}")
    if contract.ends_on is not None and ends_on > contract.ends_on:
        raise ContractError("ends_on", f"It already ends on {long_date(contract.ends_on)}. Enter that date or earlier")
    contract.ends_on = ends_on
    db.session.flush()
    audit.record(actor=actor, action="update", entity=contract, provider_id=person.provider_id,
                 summary=f"Ended {person.name}'s contract as {contract.post.label}: last day {long_date(ends_on)}")


def move_to_post(person: Person, *, post: Post, weekly_hours: Decimal | None, is_sessional: bool, starts_on: date,
                 actor) -> Contract:
    """A new post from a day, as when someone moves on along the pathway: every contract that
    began before it and runs on ends the day before, and the new one starts by the same rules as
    any other (``start_contract``: one of the provider's posts, a salaried contract has hours).

    :raises ContractError: as ``start_contract`` does.
    """
    _refuse_own(actor, person)
    if not post.is_volunteer:
        _check_hours(weekly_hours, is_sessional)  # before anything ends
    for contract in _running(Contract, person, starts_on, began_before=True):
        end_contract(contract, ends_on=day_before(starts_on), actor=actor)
    for role in _running(VolunteerRole, person, starts_on, began_before=True):
        end_role(role, ends_on=day_before(starts_on), actor=actor)
    return start_contract(person, post=post, weekly_hours=weekly_hours, is_sessional=is_sessional,
                          starts_on=starts_on, actor=actor)


def end_for_leaver(person: Person, *, actor) -> int:
    """Leaving ends a person's contracts on their last day; returns how many it ended."""
    if person.left_on is None:
        return 0
    ended = 0
    for model, what in ((Contract, "contract"), (VolunteerRole, "volunteer role")):
        running = db.session.scalars(select(model).where(
            model.person_id == person.id, model.starts_on <= person.left_on,
            or_(model.ends_on.is_(None), model.ends_on > person.left_on))).all()
        for held in running:
            held.ends_on = person.left_on
            audit.record(actor=actor, action="update", entity=held, provider_id=person.provider_id,
                         summary=f"Ended {person.name}'s {what} as {held.post.label} on their last day, "
                                 f"{long_date(person.left_on)}")
        ended += len(running)
    db.session.flush()
    return ended


def place_on_point(person: Person, *, grade: Grade, point: int, effective_from: date, reason: str,
                   actor) -> PointPlacement:
    """Put someone on a point of their grade from a date (a start, a promotion, a correction);
    increments carry on from there. Dated and audited; never an edit of an earlier placement.

    :raises ContractError: for their own record, a point the grade does not have on that date,
        no contract on the grade then, or a placement already on that date.
    """
    _refuse_own(actor, person)
    amounts = grade.points_on(effective_from)
    if point not in amounts:
        have = ", ".join(str(p) for p in amounts) or "none yet"
        raise ContractError("point", f"{grade.code} has no point {point} on {long_date(effective_from)} "
                                     f"(its points then: {have})")
    holds = db.session.scalar(select(Contract.id).join(Post, Post.id == Contract.post_id).where(
        Contract.person_id == person.id, Post.grade_id == grade.id, Contract.starts_on <= effective_from,
        or_(Contract.ends_on.is_(None), Contract.ends_on >= effective_from)).limit(1))
    if holds is None:
        raise ContractError("effective_from", f"{person.name} has no contract on {grade.code} on "
                                              f"{long_date(effective_from)}")
    if db.session.scalar(select(PointPlacement.id).where(
            PointPlacement.person_id == person.id, PointPlacement.grade_id == grade.id,
            PointPlacement.effective_from == effective_from)):
        raise ContractError("effective_from", f"{person.name} already has a point from {long_date(effective_from)}")
    if not (reason or "").strip():
        raise ContractError("reason", "Enter why they are on this point")
    placement = PointPlacement(person_id=person.id, grade_id=grade.id, point=point, effective_from=effective_from,
                               reason=reason.strip()[:200])
    db.session.add(placement)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=person, provider_id=person.provider_id,
                 summary=f"Put {person.name} on {grade.code} point {point} ({pounds(amounts[point])} a year) from "
                         f"{long_date(effective_from)}: {placement.reason}")
    return placement


def record_pension_opt_out(person: Person, *, opted_out_on: date, actor) -> PensionOptOut:
    """A person opted out of the workplace pension from a date, audited.

    :raises ContractError: for their own record, a date before they joined, or one already recorded.
    """
    refuse_own(actor, "manage_contracts", person, lambda message: ContractError("opted_out_on", message))
    if opted_out_on < person.joined_on:
        raise ContractError("opted_out_on", f"The date must be on or after they joined, {long_date(person.joined_on)}")
    if db.session.scalar(select(PensionOptOut.id).where(PensionOptOut.person_id == person.id,
                                                        PensionOptOut.opted_out_on == opted_out_on)):
        raise ContractError("opted_out_on", f"{person.name}'s opt-out on {long_date(opted_out_on)} is already recorded")
    opt_out = PensionOptOut(person_id=person.id, opted_out_on=opted_out_on)
    db.session.add(opt_out)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=person, provider_id=person.provider_id,
                 summary=f"{person.name} opted out of the pension from {long_date(opted_out_on)}")
    return opt_out
