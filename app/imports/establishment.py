"""Importing the establishment and what HR holds on people: posts, contracts and checks.
Each row goes through the same rules as its screen; all rows or none."""

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.establishment.contracts import ContractError, end_contract, end_role, start_contract
from app.establishment.setup import SetupError, save_post
from app.extensions import db
from app.models.establishment import Grade, Post, VolunteerRole
from app.models.people import Area, Person, Provider
from app.models.training import CheckKind
from app.training.services import TrainingError, record_check

from .csvfile import ImportFailed, ImportReport, read_rows
from .services import _audit_import, _date

POST_COLUMNS = ["title", "basis", "grade", "area", "number_of_posts", "budgeted_fte", "starts_on", "ends_on"]
CONTRACT_COLUMNS = ["person_ref", "post_title", "post_area", "basis", "weekly_hours", "starts_on"]
CONTRACT_OPTIONAL = ("ends_on", "pay_point")
CHECK_COLUMNS = ["person_ref", "kind", "checked_on", "reference_number", "barred_list", "for_paid_role",
                 "renew_on"]
BASES = {"salaried", "sessional", "volunteer"}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


def _number(value: str, kind=Decimal):
    try:
        return kind(value.replace(",", "")) if value else None
    except (InvalidOperation, ValueError):
        return None


def _optional_date(row: dict, column: str, problems: list[str]) -> date | None:
    if not row[column]:
        return None
    day = _date(row[column])
    if day is None:
        problems.append(f"{column} {row[column]!r} is not a date like 01/04/2026 or 2026-04-01")
    return day


def _finish(report: ImportReport, created: int, actor, provider: Provider) -> ImportReport:
    if not report.ok:
        raise ImportFailed(report)
    report.created = created
    _audit_import(actor, provider, report)
    return report


def _areas() -> dict[str, Area]:
    return {a.name.lower(): a for a in db.session.scalars(select(Area))}


def import_posts(text: str, *, provider: Provider, actor, **_) -> ImportReport:
    """Add posts to the establishment from a CSV; all or nothing.

    :raises ImportFailed: with every bad row and its line number.
    """
    report = ImportReport("posts")
    rows = read_rows(text, POST_COLUMNS, report)
    grades = {g.code.lower(): g for g in db.session.scalars(select(Grade).where(
        Grade.provider_id.is_(None) | (Grade.provider_id == provider.id)))}  # the council's and its own
    areas, created = _areas(), 0
    for line, row in rows:
        problems = []
        basis = row["basis"].lower()
        grade = grades.get(row["grade"].lower()) if row["grade"] else None
        area = areas.get(row["area"].lower()) if row["area"] and row["area"].lower() != "county-wide" else None
        posts, fte = _number(row["number_of_posts"], int), _number(row["budgeted_fte"])
        for failed, message in (
                (not row["title"], "title is empty"),
                (basis not in BASES, f"basis {row['basis']!r} is not salaried, sessional or volunteer"),
                (row["grade"] and grade is None, f"grade {row['grade']!r} is not a grade in Pathway"),
                (row["area"] and row["area"].lower() != "county-wide" and area is None,
                 f"area {row['area']!r} is not an area (or leave it empty for county-wide)"),
                (posts is None or posts < 0, f"number_of_posts {row['number_of_posts']!r} is not a whole number"),
                (fte is None or fte < 0, f"budgeted_fte {row['budgeted_fte']!r} is not a number like 1.5")):
            if failed:
                problems.append(message)
        starts_on, ends_on = _optional_date(row, "starts_on", problems), _optional_date(row, "ends_on", problems)
        if not problems:
            try:
                save_post(None, provider_id=provider.id, title=row["title"], basis=basis, grade=grade,
                          area_id=area.id if area else None, number_of_posts=posts, budgeted_fte=fte,
                          starts_on=starts_on, ends_on=ends_on, actor=actor)
                created += 1
            except SetupError as error:
                problems.append(error.args[1])
        for problem in problems:
            report.error(line, problem)
    return _finish(report, created, actor, provider)


def import_contracts(text: str, *, provider: Provider, actor, **_) -> ImportReport:
    """Give people posts and contracts from a CSV; all or nothing.

    :raises ImportFailed: with every bad row and its line number.
    """
    report = ImportReport("contracts")
    rows = read_rows(text, CONTRACT_COLUMNS, report, optional=CONTRACT_OPTIONAL)
    people = {p.ref.upper(): p for p in db.session.scalars(select(Person).where(Person.provider_id == provider.id))}
    posts = {(p.title.lower(), (p.area.name.lower() if p.area else "")): p
             for p in db.session.scalars(select(Post).where(Post.provider_id == provider.id))}
    created = 0
    for line, row in rows:
        problems = []
        person = people.get(row["person_ref"].upper())
        area = row["post_area"].lower() if row["post_area"].lower() != "county-wide" else ""
        post = posts.get((row["post_title"].lower(), area))
        basis, hours, starts_on = row["basis"].lower(), _number(row["weekly_hours"]), _date(row["starts_on"])
        ends_on = _optional_date(row, "ends_on", problems)
        point = _number(row["pay_point"], int) if row["pay_point"] else None
        for failed, message in (
                (row["pay_point"] and point is None, f"pay_point {row['pay_point']!r} is not a whole number"),
                (ends_on is not None and starts_on is not None and ends_on < starts_on, "ends_on is before starts_on"),
                (person is None, f"person_ref {row['person_ref']!r} is not a person at this provider"),
                (post is None, f"there is no post {row['post_title']!r} in {row['post_area'] or 'county-wide'}"),
                (basis not in ("salaried", "sessional"), f"basis {row['basis']!r} is not salaried or sessional"),
                (row["weekly_hours"] and hours is None, f"weekly_hours {row['weekly_hours']!r} is not a number"),
                (starts_on is None, f"starts_on {row['starts_on']!r} is not a date like 01/04/2026 or 2026-04-01")):
            if failed:
                problems.append(message)
        if not problems:
            try:
                contract = start_contract(person, post=post, weekly_hours=hours, is_sessional=basis == "sessional",
                                          starts_on=starts_on, actor=actor, point=point)
                if ends_on is not None and (contract.ends_on is None or ends_on < contract.ends_on):
                    ending = end_role if isinstance(contract, VolunteerRole) else end_contract
                    ending(contract, ends_on=ends_on, actor=actor)
                created += 1
            except ContractError as error:
                problems.append(error.args[1])
        for problem in problems:
            report.error(line, problem)
    return _finish(report, created, actor, provider)


def _flag(row: dict, column: str, problems: list[str]) -> bool:
    value = row[column].lower()
    if value not in YES | NO:
        problems.append(f"{column} {row[column]!r} is not yes or no")
    return value in YES


def import_checks(text: str, *, provider: Provider, actor, today: date, **_) -> ImportReport:
    """Record DBS, right to work and reference checks from a CSV; all or nothing.

    :raises ImportFailed: with every bad row and its line number.
    """
    report = ImportReport("checks")
    rows = read_rows(text, CHECK_COLUMNS, report)
    people = {p.ref.upper(): p for p in db.session.scalars(select(Person).where(Person.provider_id == provider.id))}
    kinds = {k.value: k for k in CheckKind}
    created = 0
    for line, row in rows:
        problems = []
        person, kind, checked_on = people.get(row["person_ref"].upper()), kinds.get(row["kind"].lower()), \
            _date(row["checked_on"])
        for failed, message in (
                (person is None, f"person_ref {row['person_ref']!r} is not a person at this provider"),
                (kind is None, f"kind {row['kind']!r} is not one of {', '.join(kinds)}"),
                (checked_on is None, f"checked_on {row['checked_on']!r} is not a date like 01/04/2026 or 2026-04-01")):
            if failed:
                problems.append(message)
        flags = {column: _flag(row, column, problems) for column in ("barred_list", "for_paid_role")}
        renew_on = _optional_date(row, "renew_on", problems)
        if not problems:
            try:
                record_check(person, kind=kind, checked_on=checked_on, actor=actor, today=today,
                             reference_number=row["reference_number"][:40] or None, renew_on=renew_on, **flags)
                created += 1
            except TrainingError as error:
                problems.extend(error.problems.values())
        for problem in problems:
            report.error(line, problem)
    return _finish(report, created, actor, provider)
