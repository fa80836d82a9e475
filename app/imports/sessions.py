"""Importing delivered sessions, through the same rules as the screen: each facilitator's
hours are submitted with their session. All rows or none."""

import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from app.delivery.services import DeliveryError, record_session
from app.extensions import db
from app.fields import parse_clock
from app.models.delivery import Cohort, Offer
from app.models.people import Area, Person, Provider

from .csvfile import ImportFailed, ImportReport, read_rows
from .services import _audit_import, _date

SESSION_COLUMNS = ["offer", "area", "date", "start", "end", "mode", "venue", "out_of_hours", "facilitators", "leads",
                   "families_attended", "families_new", "families_phase_one", "families_pre_diagnosis", "cohort"]
MODES = {"face_to_face": "face_to_face", "face to face": "face_to_face", "online": "online"}


def _count(row: dict, column: str, problems: list[str]) -> int:
    value = row[column] or "0"
    if not value.isdigit():
        problems.append(f"{column} {row[column]!r} is not a whole number")
        return 0
    return int(value)


def _refs(text: str) -> list[str]:
    return [ref.upper() for ref in re.split(r"[\s;,]+", text or "") if ref]


def import_sessions(text: str, *, provider: Provider, actor, today: date, now: datetime | None = None,
                    **_) -> ImportReport:
    """Record sessions from a CSV; all or nothing.

    :raises ImportFailed: with every bad row and its line number.
    """
    report = ImportReport("sessions")
    rows = read_rows(text, SESSION_COLUMNS, report)
    offers = {o.name.lower(): o for o in db.session.scalars(select(Offer))}
    areas = {a.name.lower(): a for a in db.session.scalars(select(Area))}
    people = {p.ref.upper(): p for p in db.session.scalars(select(Person).where(Person.provider_id == provider.id))}
    cohorts = {c.name.lower(): c for c in db.session.scalars(select(Cohort).where(Cohort.provider_id == provider.id))}
    created = 0
    for line, row in rows:
        problems = []
        offer, area = offers.get(row["offer"].lower()), areas.get(row["area"].lower())
        day, starts, ends = _date(row["date"]), parse_clock(row["start"]), parse_clock(row["end"])
        refs, leads = _refs(row["facilitators"]), set(_refs(row["leads"]))
        for failed, message in (
                (offer is None, f"offer {row['offer']!r} is not one of {', '.join(o.name for o in offers.values())}"),
                (area is None, f"area {row['area']!r} is not an area"),
                (day is None, f"date {row['date']!r} is not a date like 01/04/2026 or 2026-04-01"),
                (day is not None and day > today, "date is in the future"),
                (starts is None, f"start {row['start']!r} is not a time like 10:00"),
                (ends is None, f"end {row['end']!r} is not a time like 12:00"),
                (row["mode"].lower() not in MODES, f"mode {row['mode']!r} is not face_to_face or online"),
                (row["out_of_hours"].lower() not in ("", "yes", "no"), "out_of_hours is not yes, no or empty"),
                (row["cohort"] and row["cohort"].lower() not in cohorts,
                 f"cohort {row['cohort']!r} is not one of yours"),
                *[(ref not in people, f"facilitator {ref!r} is not a person at this provider") for ref in refs]):
            if failed:
                problems.append(message)
        counts = {c: _count(row, c, problems) for c in ("families_attended", "families_new", "families_phase_one",
                                                         "families_pre_diagnosis")}
        if not problems:
            try:
                record_session(provider_id=provider.id, offer=offer, area=area, delivered_on=day, starts_at=starts,
                               ends_at=ends, mode=MODES[row["mode"].lower()], venue=row["venue"],
                               out_of_hours={"yes": True, "no": False}.get(row["out_of_hours"].lower()),
                               facilitators=[(people[ref], ref in leads) for ref in refs],
                               cohort=cohorts.get(row["cohort"].lower()) if row["cohort"] else None, actor=actor,
                               today=today, now=now or datetime.now(UTC), **counts)
                created += 1
            except DeliveryError as error:
                problems.extend(error.problems.values())
        for problem in problems:
            report.error(line, problem)
    if not report.ok:
        raise ImportFailed(report)
    report.created = created
    _audit_import(actor, provider, report)
    return report
