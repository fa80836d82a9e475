"""About thirty people on the pathway, with stage histories, contracts and sign-ins."""

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.auth.passwords import hash_password
from app.extensions import db
from app.models.auth import Role, User
from app.models.establishment import Contract, Post, VolunteerRole
from app.models.people import Area, LeavingReason, Person, Provider, Stage, StageChange

from .establishment import AREAS

DEMO_PASSWORD = "pathway-demo-2026"

FIRST = ["Amara", "Bethany", "Chloe", "Dawn", "Ellie", "Fatima", "Gemma", "Hannah", "Imogen",
         "Jade", "Kirsty", "Leah", "Maria", "Nadia", "Olivia", "Priya", "Rachel", "Sarah",
         "Tasha", "Uma", "Vicky", "Wendy", "Yasmin", "Zoe", "Adam", "Ben", "Craig", "Daniel",
         "Emeka", "Faisal", "Gareth", "Harry", "Ian", "Jon"]
LAST = ["Ahmed", "Baker", "Clarke", "Davies", "Evans", "Foster", "Green", "Hughes", "Iqbal",
        "Jones", "Khan", "Lewis", "Morgan", "Nowak", "Owen", "Patel", "Quinn", "Roberts",
        "Singh", "Turner", "Usman", "Walker", "Young", "Zielinski"]


def _person(rng, *, provider, area, joined: date, history: list[tuple[date, Stage, str]],
            left_on: date | None = None, lived: bool = True) -> Person:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    person = Person(provider_id=provider.id, area_id=area.id, first_name=first, last_name=last,
                    email=f"{first}.{last}.{rng.randint(10, 99)}@example.org".lower(),
                    phone=f"01632 960{rng.randint(100, 999)}", stage=history[-1][1],
                    joined_on=joined, left_on=left_on, has_lived_experience=lived)
    previous = None
    for on, stage, reason in history:
        person.stage_changes.append(StageChange(changed_on=on, from_stage=previous, to_stage=stage,
                                                reason=reason))
        previous = stage
    db.session.add(person)
    return person


def _contract(person: Person, post: Post, hours: str, starts: date, ends: date | None = None,
              sessional: bool = False) -> Contract | VolunteerRole:
    """A contract, or in a volunteer post a volunteer role with the hours they expect to give."""
    if post.is_volunteer:
        held = VolunteerRole(person=person, post=post, expected_weekly_hours=Decimal(hours), starts_on=starts,
                             ends_on=ends)
    else:
        held = Contract(person=person, post=post, weekly_hours=Decimal(hours), starts_on=starts, ends_on=ends,
                        is_sessional=sessional)
    db.session.add(held)
    return held


def _post(posts, title: str, area: Area | None) -> Post:
    return next(p for p in posts[title] if p.area_id == (area.id if area else None))


JOINED = "Joined the pathway as a Parent Volunteer"
PROGRESSED = "Met the requirements and was recommended by their area facilitator"


def load_people(provider: Provider, areas: dict[str, Area], posts, today: date) -> dict[str, Person]:
    """Create the demo workforce; returns the people the sign-ins are linked to."""
    rng = random.Random(2021)
    named: dict[str, Person] = {}
    first_day = date(2022, 9, 1)

    coordinator = _person(rng, provider=provider, area=areas["North Kent"], joined=first_day,
                          history=[(first_day, Stage.EMPLOYEE, "Appointed Service Coordinator")],
                          lived=False)
    _contract(coordinator, _post(posts, "Service Coordinator", None), "37", first_day)
    admin = _person(rng, provider=provider, area=areas["North Kent"], joined=first_day,
                    history=[(first_day, Stage.EMPLOYEE, "Appointed Admin Assistant")], lived=True)
    _contract(admin, _post(posts, "Admin Assistant", None), "37", first_day)

    for index, name in enumerate(AREAS):
        area = areas[name]
        joined = first_day + timedelta(days=7 * index)
        if index == 0:
            # North Kent's facilitator came all the way along the pathway.
            progressed, employed = joined + timedelta(days=300), joined + timedelta(days=700)
            facilitator = _person(rng, provider=provider, area=area, joined=joined, history=[
                (joined, Stage.VOLUNTEER, JOINED),
                (progressed, Stage.CO_FACILITATOR, PROGRESSED),
                (employed, Stage.EMPLOYEE, "Appointed Area Facilitator after interview")])
            _contract(facilitator, _post(posts, "Parent Volunteer", area), "9.25", joined,
                      progressed - timedelta(days=1))
            _contract(facilitator, _post(posts, "Parent Co-Facilitator", area), "18.5", progressed,
                      employed - timedelta(days=1))
            _contract(facilitator, _post(posts, "Area Facilitator", area), "37", employed)
            named["facilitator"] = facilitator
        else:
            facilitator = _person(rng, provider=provider, area=area, joined=joined, history=[
                (joined, Stage.EMPLOYEE, "Appointed Area Facilitator")], lived=index % 2 == 0)
            _contract(facilitator, _post(posts, "Area Facilitator", area), "37", joined)

        for slot in range(3):
            start = date(2023, 1, 9) + timedelta(days=30 * slot + 11 * index)
            moved = start + timedelta(days=240 + 20 * slot)
            cofac = _person(rng, provider=provider, area=area, joined=start, history=[
                (start, Stage.VOLUNTEER, JOINED), (moved, Stage.CO_FACILITATOR, PROGRESSED)])
            _contract(cofac, _post(posts, "Parent Volunteer", area), "9.25", start,
                      moved - timedelta(days=1))
            _contract(cofac, _post(posts, "Parent Co-Facilitator", area),
                      "0" if slot == 2 else "18.5", moved, sessional=slot == 2)
            if index == 0 and slot == 0:
                named["co_facilitator"] = cofac

        for slot in range(3):
            start = date(2024, 9, 2) + timedelta(days=45 * slot + 9 * index)
            volunteer = _person(rng, provider=provider, area=area, joined=start,
                                history=[(start, Stage.VOLUNTEER, JOINED)], lived=slot != 1)
            _contract(volunteer, _post(posts, "Parent Volunteer", area), "9.25", start)
            if index == 0 and slot == 0:
                named["volunteer"] = volunteer

    # Two leavers, so the lists and returns have someone who has left: one to paid work elsewhere.
    reasons = {r.code: r.id for r in db.session.scalars(select(LeavingReason))}
    for area_name, left, why in (("South Kent", date(2025, 7, 31), "paid_work"),
                                 ("West Kent", date(2026, 2, 27), "caring")):
        start = date(2024, 1, 15)
        leaver = _person(rng, provider=provider, area=areas[area_name], joined=start, left_on=left,
                         history=[(start, Stage.VOLUNTEER, JOINED)])
        leaver.leaving_reason_id = reasons.get(why)
        _contract(leaver, _post(posts, "Parent Volunteer", areas[area_name]), "9.25", start, left)
    db.session.flush()
    return named


def load_users(provider: Provider, areas: dict[str, Area], named: dict[str, Person]) -> list[tuple]:
    """One sign-in per role; returns (role label, email, password) for printing."""
    password_hash = hash_password(DEMO_PASSWORD)
    accounts = [
        ("volunteer@example.org", Role.VOLUNTEER, named["volunteer"], None),
        ("cofacilitator@example.org", Role.VOLUNTEER, named["co_facilitator"], None),
        ("facilitator@example.org", Role.AREA_FACILITATOR, named["facilitator"], areas["North Kent"]),
        ("hr@example.org", Role.HR, None, None),
        ("admin@example.org", Role.ADMIN, None, None),
        ("coordinator@example.org", Role.COORDINATOR, None, None),
    ]
    names = {"hr@example.org": "Helen Rowe (HR)", "admin@example.org": "Alex Adeyemi (admin)",
             "coordinator@example.org": "Corinne Dale (KCC)"}
    for email, role, person, area in accounts:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, role=role, password_hash=password_hash,
                        name=person.name if person else names[email],
                        provider_id=None if role == Role.COORDINATOR else provider.id,
                        area_id=area.id if area else None, person_id=person.id if person else None)
            db.session.add(user)
        if role != Role.VOLUNTEER and user.two_step_method is None:
            # Staff take a second step. The demo's codes come by email, which without a
            # mail server the worker prints in the terminal (and keeps in the outbox).
            user.two_step_method = "email"
    db.session.flush()
    return [(role.label + (f" ({person.stage.label})" if person else ""), email, DEMO_PASSWORD)
            for email, role, person, _ in accounts]
