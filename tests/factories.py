"""Small factory functions for test data: make_x(**overrides) -> x, flushed."""

import itertools
from datetime import date
from decimal import Decimal

import pyotp

from app.auth.passwords import hash_password
from app.extensions import db
from app.models.auth import Role, User
from app.models.establishment import (
    BudgetLine,
    BudgetLineKind,
    Contract,
    ContractYear,
    Funding,
    Grade,
    PayPoint,
    Post,
)
from app.models.people import Area, Person, Provider, Stage, StageChange

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_provider(**overrides) -> Provider:
    provider = Provider(name=overrides.pop("name", f"Provider {next(_counter)}"), **overrides)
    db.session.add(provider)
    db.session.flush()
    return provider


def make_area(name: str | None = None) -> Area:
    existing = db.session.scalar(db.select(Area).where(Area.name == name)) if name else None
    if existing is not None:
        return existing
    area = Area(name=name or f"Area {next(_counter)}")
    db.session.add(area)
    db.session.flush()
    return area


def make_person(*, provider: Provider, area: Area, stage: Stage = Stage.VOLUNTEER,
                **overrides) -> Person:
    n = next(_counter)
    values = {"first_name": f"First{n}", "last_name": f"Last{n}",
              "email": f"person{n}@example.org", "joined_on": date(2024, 1, 1),
              "has_lived_experience": True}
    values.update(overrides)
    person = Person(provider_id=provider.id, area_id=area.id, stage=stage, **values)
    person.stage_changes.append(StageChange(changed_on=person.joined_on, from_stage=None,
                                            to_stage=stage, reason="Joined"))
    db.session.add(person)
    db.session.flush()
    return person


def make_user(role: Role, *, provider: Provider | None = None, area: Area | None = None,
              person: Person | None = None, **overrides) -> User:
    """An account; staff have an authenticator app set up (tests pass the step with ``app_code``)."""
    n = next(_counter)
    if role != Role.VOLUNTEER and "two_step_method" not in overrides:
        overrides.update(two_step_method="app", totp_secret=pyotp.random_base32())
    user = User(email=overrides.pop("email", f"{role.value}{n}@example.org"),
                name=overrides.pop("name", f"{role.label} {n}"),
                password_hash=hash_password(overrides.pop("password", PASSWORD)), role=role,
                provider_id=provider.id if provider else None,
                area_id=area.id if area else None, person_id=person.id if person else None,
                **overrides)
    db.session.add(user)
    db.session.flush()
    return user


def app_code(user: User) -> str:
    """The code the account's authenticator app shows now. A test signs in many times a
    minute, so the one-use guard is forgotten first (it has tests of its own)."""
    user.totp_last_counter = None
    db.session.commit()
    return pyotp.TOTP(user.totp_secret).now()


def make_grade(code: str = "KR6", *, mid_pence: int = 2_500_000, on_cost_bp: int = 3000,
               effective_from: date = date(2024, 4, 1), provider: Provider | None = None) -> Grade:
    grade = Grade(code=code, name=f"Grade {code}", provider_id=provider.id if provider else None)
    grade.pay_points.append(PayPoint(financial_year=effective_from.year,
                                     effective_from=effective_from, min_pence=mid_pence,
                                     mid_pence=mid_pence, max_pence=mid_pence,
                                     on_cost_bp=on_cost_bp))
    db.session.add(grade)
    db.session.flush()
    return grade


def make_post(*, provider: Provider, grade: Grade | None, area: Area | None = None,
              title: str = "Parent Co-Facilitator", posts: int = 1, fte: str = "1.0",
              volunteer: bool | None = None) -> Post:
    post = Post(provider_id=provider.id, area_id=area.id if area else None, title=title,
                grade_id=grade.id if grade else None, number_of_posts=posts,
                budgeted_fte=Decimal(fte), is_volunteer=grade is None if volunteer is None else volunteer)
    db.session.add(post)
    db.session.flush()
    return post


def make_contract(*, person: Person, post: Post, hours: str = "18.5",
                  starts_on: date = date(2024, 1, 1), ends_on: date | None = None):
    """A contract; in a volunteer post a volunteer role, ``hours`` the hours they expect to give."""
    if post.is_volunteer:
        from app.models.establishment import VolunteerRole

        role = VolunteerRole(person_id=person.id, post_id=post.id, expected_weekly_hours=Decimal(hours) or None,
                             starts_on=starts_on, ends_on=ends_on)
        db.session.add(role)
        db.session.flush()
        return role
    contract = Contract(person_id=person.id, post_id=post.id, weekly_hours=Decimal(hours),
                        starts_on=starts_on, ends_on=ends_on)
    db.session.add(contract)
    db.session.flush()
    return contract


def make_contract_year(provider: Provider, *, start_year: int = 2026,
                       pay_basis_on: date | None = None) -> ContractYear:
    year = ContractYear(provider_id=provider.id, label=f"{start_year}/{(start_year + 1) % 100}",
                        starts_on=date(start_year, 4, 1), ends_on=date(start_year + 1, 3, 31),
                        pay_basis_on=pay_basis_on or date(start_year, 4, 1))
    year.budget_lines.append(BudgetLine(kind=BudgetLineKind.NON_PAY, name="Room hire",
                                        amount_pence=100_000, sort_order=1))
    year.funding.append(Funding(source="Council", amount_pence=200_000))
    db.session.add(year)
    db.session.flush()
    return year


def activity(name: str = "Peer support group"):
    from app.models.hours import Activity

    found = db.session.scalar(db.select(Activity).where(Activity.name == name))
    if found is None:
        found = Activity(name=name)
        db.session.add(found)
        db.session.flush()
    return found


def make_hours(person: Person, *, worked_on: date, hours: str = "2", status: str = "approved",
               area: Area | None = None, activity_name: str = "Peer support group", **overrides):
    from app.models.hours import HoursEntry, HoursStatus

    entry = HoursEntry(person_id=person.id, area_id=(area or person.area).id,
                       activity_id=activity(activity_name).id, worked_on=worked_on,
                       minutes=int(Decimal(hours) * 60), status=HoursStatus(status), **overrides)
    db.session.add(entry)
    db.session.flush()
    return entry


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS"
       b"\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def category(name: str = "Parking"):
    from app.models.expenses import ExpenseCategory

    return db.session.scalar(db.select(ExpenseCategory).where(ExpenseCategory.name == name))


def make_claim(person: Person, *, status: str = "submitted", lines: list[dict] | None = None, actor=None):
    """A claim with lines given as {"category": name, "amount": pence, ...}; receipts are real files."""
    from app.expenses.receipts import store_receipt
    from app.models.expenses import ClaimStatus, ExpenseClaim, ExpenseLine, LineStatus

    claim = ExpenseClaim(person_id=person.id, status=ClaimStatus(status), is_on_behalf=False,
                         paid_on=date(2026, 3, 1) if status == "paid" else None,
                         payment_reference="REF" if status == "paid" else None)
    for spec in lines or [{"category": "Parking", "amount": 350}]:
        cat = category(spec.get("category", "Parking"))
        receipt = store_receipt(PNG, "receipt.png", actor=actor) if cat.needs_receipt else None
        line_status = spec.get("status", "approved" if status in ("approved", "paid") else "pending")
        claim.lines.append(ExpenseLine(
            category_id=cat.id, spent_on=spec.get("spent_on", date(2026, 1, 5)),
            description=spec.get("description", "Car park"), amount_pence=spec.get("amount", 350),
            miles=spec.get("miles"), vehicle=spec.get("vehicle"), receipt=receipt,
            status=LineStatus(line_status),
            decision_reason="No" if line_status == "rejected" else None))
    db.session.add(claim)
    db.session.flush()
    return claim


def make_course(name: str = "Safeguarding", *, validity_months: int | None = 12, cost_pence: int = 5000,
                required_for: list[str] | None = None):
    from app.models.training import Course, CourseStageRow

    existing = db.session.scalar(db.select(Course).where(Course.name == name))
    if existing is not None:
        return existing
    course = Course(name=name, provider_name="Kent Safeguarding Partnership", hours=3, cost_pence=cost_pence,
                    validity_months=validity_months)
    course.required_rows = [CourseStageRow(stage=Stage(s)) for s in required_for or []]
    db.session.add(course)
    db.session.flush()
    return course


def pay_line(provider: Provider, posts: list[Post], name: str, *, start_year: int = 2026) -> ContractYear:
    """A pay line on ``posts`` in the provider's contract year from 1 April ``start_year`` (made if
    the provider has none yet); the year is returned, committed."""
    from sqlalchemy import select

    year = db.session.scalar(select(ContractYear).where(ContractYear.provider_id == provider.id,
                                                        ContractYear.starts_on == date(start_year, 4, 1)))
    if year is None:
        year = ContractYear(provider_id=provider.id, label=f"{start_year}/{(start_year + 1) % 100}",
                            starts_on=date(start_year, 4, 1), ends_on=date(start_year + 1, 3, 31),
                            pay_basis_on=date(start_year, 4, 1))
        db.session.add(year)
    line = BudgetLine(kind=BudgetLineKind.PAY, name=name, sort_order=0)
    line.posts = list(posts)
    year.budget_lines.append(line)
    db.session.commit()
    return year
