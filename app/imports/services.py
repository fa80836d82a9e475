"""Imports of people and hours: every row checked first, then all written or none.

Reference data (areas, activities, people) is loaded once into dictionaries and
rows are bulk inserted, so a 100,000-row file is one pass, not a query a row.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, insert, select

from app.audit import services as audit
from app.certificates.services import award_milestones
from app.establishment.contracts import ContractError, start_contract
from app.extensions import db
from app.hours.rules import entry_problems, minutes_from_hours, recorded_minutes
from app.models.establishment import Post
from app.models.hours import MINUTES_IN_A_DAY, Activity, HoursEntry, HoursStatus
from app.models.people import Area, Person, Provider, Stage, StageChange, new_person_ref
from app.validators import email_problem

from .csvfile import ImportFailed, ImportReport, read_rows

PEOPLE_COLUMNS = ["person_ref", "first_name", "last_name", "email", "area", "stage", "joined_on",
                  "left_on", "lived_experience"]
# HR's one spreadsheet may carry each person's post too: a contract is made for them from it.
PEOPLE_OPTIONAL = ("post", "basis", "hours_a_week", "start")
HOURS_COLUMNS = ["person_ref", "date", "hours", "activity", "area", "status"]


UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _date(value: str) -> date | None:
    """A date as HR teams write it: 05/10/2026 (day first, as in the UK), 5.10.2026, or 2026-10-05."""
    value = (value or "").strip()
    try:
        if len(value) == 10 and value[4] == "-":
            return date.fromisoformat(value)
        match = UK_DATE.fullmatch(value)
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1))) if match else None
    except ValueError:
        return None


STAGE_WORDS = {"volunteer": Stage.VOLUNTEER, "parent volunteer": Stage.VOLUNTEER,
               "co_facilitator": Stage.CO_FACILITATOR, "co-facilitator": Stage.CO_FACILITATOR,
               "co facilitator": Stage.CO_FACILITATOR, "cofacilitator": Stage.CO_FACILITATOR,
               "parent co-facilitator": Stage.CO_FACILITATOR, "employee": Stage.EMPLOYEE}


def stage_from(value: str) -> Stage | None:
    """A stage in any letter case, by its code or its name."""
    return STAGE_WORDS.get(" ".join((value or "").lower().split()))


def _by_name(model, provider_id: int | None = None) -> dict[str, int]:
    """Names to ids; for settings with an owner, the council-wide ones and the provider's own."""
    query = select(model.id, model.name)
    if hasattr(model, "provider_id"):
        query = query.where(model.provider_id.is_(None) | (model.provider_id == provider_id))
    return {name.lower(): id_ for id_, name in db.session.execute(query)}


def import_people(text: str, *, provider: Provider, actor, today: date,
                  allow_duplicates: bool = False) -> ImportReport:
    """Add people from a CSV; all or nothing. A row that matches someone already at the provider
    (the same email, or the same name and date joined) is skipped as a probable duplicate, unless
    ``allow_duplicates`` (HR ticked that they are different people).

    :raises ImportFailed: with every bad row and its line number.
    """
    report = ImportReport("people")
    rows = read_rows(text, PEOPLE_COLUMNS, report, optional=PEOPLE_OPTIONAL)
    areas = _by_name(Area)
    posts = _posts_by_name(provider.id)
    terms: dict[str, tuple[int, dict]] = {}
    existing = set(db.session.scalars(select(Person.ref)))
    known = _known_people(provider.id)
    seen: set[str] = set()
    people = []
    for line, row in rows:
        person = _person_from_row(line, row, report, areas=areas, taken=existing | seen, today=today)
        if person is None:
            continue
        match = None if allow_duplicates else _probable_duplicate(person, known)
        if match is not None:
            report.skipped.append((line, f"{person['first_name']} {person['last_name']} looks like {match}, "
                                         "already on your records: skipped"))
            continue
        seen.add(person["ref"])
        people.append(person)
        contract = _contract_terms(line, row, report, posts=posts, person=person)
        if contract is not None:
            terms[person["ref"]] = (line, contract)
    if not report.ok:
        raise ImportFailed(report)
    for values in people:
        person = Person(provider_id=provider.id, **values)
        person.stage_changes.append(StageChange(
            changed_on=person.joined_on, from_stage=None, to_stage=person.stage,
            changed_by_id=actor.id if actor else None, reason="Imported"))
        db.session.add(person)
        db.session.flush()
        if person.ref in terms:
            _start_contract(person, *terms[person.ref], report=report, actor=actor)
    if not report.ok:
        raise ImportFailed(report)
    report.created = len(people)
    _audit_import(actor, provider, report)
    return report


def _posts_by_name(provider_id: int) -> dict[tuple[str, int | None], Post]:
    return {(p.title.lower(), p.area_id): p for p in db.session.scalars(select(Post).where(
        Post.provider_id == provider_id))}


def _contract_terms(line: int, row: dict, report: ImportReport, *, posts, person: dict) -> dict | None:
    """The contract a people row asks for in its optional post columns, or None (none asked, or bad)."""
    if not row["post"]:
        for column in ("basis", "hours_a_week", "start"):
            if row[column]:
                report.error(line, f"{column} is filled in but post is empty")
        return None
    post = posts.get((row["post"].lower(), person["area_id"])) or posts.get((row["post"].lower(), None))
    basis = row["basis"].lower()
    hours = _hours_a_week(row["hours_a_week"])
    start = _date(row["start"]) if row["start"] else person["joined_on"]
    problems = [message for failed, message in (
        (post is None, f"post {row['post']!r} is not one of your posts in their area or county-wide"),
        (basis not in ("salaried", "sessional"), f"basis {row['basis']!r} is not salaried or sessional"),
        (basis == "salaried" and not hours, "hours_a_week is needed for a salaried post, like 18.5"),
        (row["hours_a_week"] and hours is None, f"hours_a_week {row['hours_a_week']!r} is not a number"),
        (start is None, f"start {row['start']!r} is not a date like 01/04/2026 or 2026-04-01")) if failed]
    for problem in problems:
        report.error(line, problem)
    return None if problems else {"post": post, "weekly_hours": hours, "is_sessional": basis == "sessional",
                                  "starts_on": start}


def _hours_a_week(value: str) -> Decimal | None:
    try:
        hours = Decimal(value) if value else None
    except InvalidOperation:
        return None
    return hours if hours is None or 0 < hours <= 48 else None


def _start_contract(person: Person, line: int, terms: dict, *, report: ImportReport, actor) -> None:
    try:
        start_contract(person, actor=actor, **terms)
    except ContractError as error:
        report.error(line, error.args[1])


def _known_people(provider_id: int) -> dict[tuple, str]:
    """The provider's people by email and by (name, date joined), for spotting a second import."""
    known = {}
    for ref, first, last, email, joined in db.session.execute(select(
            Person.ref, Person.first_name, Person.last_name, Person.email, Person.joined_on)
            .where(Person.provider_id == provider_id, Person.anonymised_at.is_(None))):
        label = f"{first} {last} ({ref})"
        if email:
            known[("email", email.lower())] = label
        known[("name", first.lower(), last.lower(), joined)] = label
    return known


def _probable_duplicate(person: dict, known: dict[tuple, str]) -> str | None:
    by_email = known.get(("email", person["email"].lower())) if person["email"] else None
    return by_email or known.get(("name", person["first_name"].lower(), person["last_name"].lower(),
                                  person["joined_on"]))


def _ref_and_name_problems(row: dict, ref: str, taken: set[str]) -> list[str]:
    problems = []
    if len(ref) > 20:
        problems.append("person_ref must be 20 characters or fewer")
    elif ref in taken:
        problems.append(f"person_ref {ref} is already in use")
    for column in ("first_name", "last_name"):
        if not row[column]:
            problems.append(f"{column} is empty")
        elif len(row[column]) > 80:
            problems.append(f"{column} must be 80 characters or fewer")
    if row["email"] and (len(row["email"]) > 254 or email_problem(row["email"])):
        problems.append(f"email {row['email']!r} is not an email address, like name@example.com")
    return problems


def _person_date_problems(row: dict, joined: date | None, left: date | None, today: date) -> list[str]:
    problems = []
    if joined is None:
        problems.append(f"joined_on {row['joined_on']!r} is not a date like 01/04/2026 or 2026-04-01")
    elif joined > today:
        problems.append("joined_on is in the future")
    if row["left_on"] and left is None:
        problems.append(f"left_on {row['left_on']!r} is not a date like 01/04/2026 or 2026-04-01")
    elif left and joined and left < joined:
        problems.append("left_on is before joined_on")
    return problems


def _choice_problems(row: dict, areas: dict[str, int]) -> list[str]:
    problems = []
    if row["area"].lower() not in areas:
        names = ", ".join(sorted(a.title() for a in areas))
        problems.append(f"area {row['area']!r} is not one of: {names}")
    if stage_from(row["stage"]) is None:
        problems.append(f"stage {row['stage']!r} must be volunteer, co-facilitator or employee")
    if row["lived_experience"].lower() not in ("yes", "no"):
        problems.append("lived_experience must be yes or no")
    return problems


def _person_from_row(line: int, row: dict, report: ImportReport, *, areas, taken, today) -> dict | None:
    ref = row["person_ref"] or new_person_ref()
    joined, left = _date(row["joined_on"]), _date(row["left_on"]) if row["left_on"] else None
    problems = (_ref_and_name_problems(row, ref, taken) + _choice_problems(row, areas)
                + _person_date_problems(row, joined, left, today))
    for problem in problems:
        report.error(line, problem)
    if problems:
        return None
    return {"ref": ref, "first_name": row["first_name"], "last_name": row["last_name"],
            "email": row["email"] or None, "area_id": areas[row["area"].lower()],
            "stage": stage_from(row["stage"]), "joined_on": joined, "left_on": left,
            "has_lived_experience": row["lived_experience"].lower() == "yes"}


def import_hours(text: str, *, provider: Provider, actor, today: date, now: datetime) -> ImportReport:
    """Add hours from a CSV; all or nothing.

    :raises ImportFailed: with every bad row and its line number.
    """
    report = ImportReport("hours")
    rows = read_rows(text, HOURS_COLUMNS, report)
    people = {ref: (pid, joined, left) for pid, ref, joined, left in db.session.execute(
        select(Person.id, Person.ref, Person.joined_on, Person.left_on)
        .where(Person.provider_id == provider.id))}
    context = {"people": people, "areas": _by_name(Area), "activities": _by_name(Activity, provider.id),
               "today": today, "day_totals": {}, "round_to_quarter": provider.round_hours_to_quarter,
               "own_person_id": actor.person_id if actor else None}
    entries = []
    for line, row in rows:
        entry = _hours_from_row(line, row, report, context)
        if entry is not None:
            entries.append(entry)
    if entries and report.ok:
        _check_day_totals(entries, context["day_totals"], report)
    if not report.ok:
        raise ImportFailed(report)
    actor_id = actor.id if actor else None
    batch_id = db.session.info.get("import batch being written")  # app.imports.batches.CURRENT
    for entry in entries:
        entry.pop("line")
        entry.update(import_batch_id=batch_id, entered_by_id=actor_id, is_on_behalf=True, created_at=now,
                     submitted_at=now,
                     decided_at=now if entry["status"] == HoursStatus.APPROVED else None,
                     decided_by_id=actor_id if entry["status"] == HoursStatus.APPROVED else None)
    for start in range(0, len(entries), 5000):
        db.session.execute(insert(HoursEntry), entries[start:start + 5000])
    report.created = len(entries)
    _audit_import(actor, provider, report)
    award_milestones({e["person_id"] for e in entries if e["status"] == HoursStatus.APPROVED},
                     today=today, actor=actor)
    return report


def _hours_date_problems(row: dict, person, worked_on: date | None, today: date) -> list[str]:
    """The screens' rule for the day worked (hours.rules.entry_problems), in the import's words."""
    if worked_on is None:
        return [f"date {row['date']!r} is not a date like 01/04/2026 or 2026-04-01"]
    joined, left = (person[1], person[2]) if person else (worked_on, None)
    problems = entry_problems(worked_on=worked_on, minutes=None, today=today, joined_on=joined, left_on=left,
                              minutes_already_that_day=0)
    return [f"date: {message}" for message in problems.values()]


def _hours_minutes(value: str, *, to_quarter_hours: bool) -> int | None:
    minutes = minutes_from_hours(value)
    if minutes is not None:
        minutes = recorded_minutes(minutes, to_quarter_hours=to_quarter_hours)
    return minutes if minutes is not None and 0 < minutes <= MINUTES_IN_A_DAY else None


def _hours_from_row(line: int, row: dict, report: ImportReport, context: dict) -> dict | None:
    person = context["people"].get(row["person_ref"])
    worked_on = _date(row["date"])
    minutes = _hours_minutes(row["hours"], to_quarter_hours=context["round_to_quarter"])
    activity_id = context["activities"].get(row["activity"].lower())
    area_id = context["areas"].get(row["area"].lower())
    problems = [message for failed, message in (
        (person is None, f"person_ref {row['person_ref']!r} is not a person at this provider"),
        (minutes is None, f"hours {row['hours']!r} must be a number more than 0 and no more than 24, "
                          "like 1.5 or 7.4"),
        (activity_id is None, f"activity {row['activity']!r} is not one of the activities in Pathway"),
        (area_id is None, f"area {row['area']!r} is not one of the areas in Pathway"),
        (row["status"] not in ("submitted", "approved"), "status must be submitted or approved"),
        # Nobody approves their own hours, by import either.
        (person is not None and row["status"] == "approved" and person[0] == context["own_person_id"],
         "these are your own hours: import them as submitted, for someone else to approve"),
    ) if failed] + _hours_date_problems(row, person, worked_on, context["today"])
    for problem in problems:
        report.error(line, problem)
    if problems:
        return None
    return {"line": line, "person_id": person[0], "worked_on": worked_on, "minutes": minutes,
            "activity_id": activity_id, "area_id": area_id, "status": HoursStatus(row["status"])}


def _check_day_totals(entries: list[dict], totals: dict, report: ImportReport) -> None:
    """No more than 24 hours on one day, counting what is already recorded."""
    people = {e["person_id"] for e in entries}
    first, last = min(e["worked_on"] for e in entries), max(e["worked_on"] for e in entries)
    for person_id, day, minutes in db.session.execute(
            select(HoursEntry.person_id, HoursEntry.worked_on, func.sum(HoursEntry.minutes))
            .where(HoursEntry.person_id.in_(people), HoursEntry.worked_on.between(first, last),
                   HoursEntry.status != HoursStatus.REJECTED)
            .group_by(HoursEntry.person_id, HoursEntry.worked_on)):
        totals[(person_id, day)] = int(minutes)
    for entry in entries:
        key = (entry["person_id"], entry["worked_on"])
        problems = entry_problems(worked_on=None, minutes=entry["minutes"], today=entry["worked_on"],
                                  joined_on=entry["worked_on"], left_on=None,
                                  minutes_already_that_day=totals.get(key, 0))
        totals[key] = totals.get(key, 0) + entry["minutes"]
        for message in problems.values():
            report.error(entry["line"], f"hours: {message}")


def _audit_import(actor, provider: Provider, report: ImportReport) -> None:
    audit.record(actor=actor, action="import", entity=provider, provider_id=provider.id,
                 summary=f"Imported {report.created} {report.kind} rows")


def find_provider(name: str | None) -> Provider:
    """The provider named, or the only one.

    :raises LookupError: if the name is unknown, or missing when there are several.
    """
    providers = db.session.scalars(select(Provider).order_by(Provider.name)).all()
    if name is None:
        if len(providers) == 1:
            return providers[0]
        raise LookupError("There is more than one provider: choose one with --provider "
                          f"({', '.join(p.name for p in providers)})")
    for provider in providers:
        if provider.name.lower() == name.lower():
            return provider
    raise LookupError(f"No provider called {name!r}")
