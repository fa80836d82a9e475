"""About a year of hours for the demo workforce, in the pattern each post works."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from app.extensions import db
from app.models.establishment import Contract, VolunteerRole
from app.models.hours import Activity, HoursEntry, HoursStatus
from app.models.people import Person, Provider
from app.periods import following_week, last_week, week_start

# Which activities each post mostly does, most common first.
PATTERNS = {
    "Parent Volunteer": ["Peer support group", "Workshop", "Preparation and admin", "Training"],
    "Parent Co-Facilitator": ["Peer support group", "1:1 family advice", "Evidence-based programme",
                              "Workshop", "Preparation and admin", "Supervision", "Travel"],
}
STAFF = ["Preparation and admin", "Supervision", "Peer support group", "Workshop", "Training", "Travel"]


def _sessions(weekly_hours: Decimal, sessional: bool, rng: random.Random) -> list[int]:
    """Minutes for each session worked in a week, in quarter hours."""
    if sessional:
        return [rng.choice([120, 150, 180]) for _ in range(rng.randint(1, 3))]
    target = int(weekly_hours * 60)
    days = 5 if target >= 30 * 60 else 3 if target >= 15 * 60 else 2
    each = target // days // 15 * 15
    sessions = [each] * days
    sessions[-1] += (target - each * days) // 15 * 15
    return [max(15, s + rng.choice([-30, -15, 0, 0, 0, 15])) for s in sessions]


def _weekly(held):
    """A contract's hours a week, or the hours a volunteer expects to give."""
    return held.expected_weekly_hours or 0 if isinstance(held, VolunteerRole) else held.weekly_hours


def load_hours(provider: Provider, today: date) -> int:
    """Create a year of hours up to last week; returns how many entries."""
    exists = db.session.scalar(select(HoursEntry.id).join(Person).where(
        Person.provider_id == provider.id).limit(1))
    if exists:
        return 0
    rng = random.Random(37)
    activities = {a.name: a.id for a in db.session.scalars(select(Activity))}
    contracts = [*db.session.scalars(select(Contract).join(Person).where(Person.provider_id == provider.id)),
                 *db.session.scalars(select(VolunteerRole).join(Person).where(Person.provider_id == provider.id))]
    first = today - timedelta(days=364)
    recent = last_week(today)[0]
    now = datetime.now(UTC)
    rows = []
    for contract in contracts:
        person = contract.person
        names = PATTERNS.get(contract.post.title, STAFF)
        start = max(first, contract.starts_on)
        end = min(d for d in (today - timedelta(days=1), contract.ends_on, person.left_on) if d)
        week = week_start(start)
        while week <= end:
            if rng.random() < 0.08:  # holidays and weeks off
                week = following_week(week)
                continue
            for offset, minutes in enumerate(_sessions(_weekly(contract), contract.is_sessional, rng)):
                day = week + timedelta(days=offset * (2 if offset < 3 else 1))
                if not start <= day <= end:
                    continue
                status = HoursStatus.APPROVED if day < recent else rng.choice(
                    [HoursStatus.SUBMITTED, HoursStatus.SUBMITTED, HoursStatus.DRAFT])
                rows.append({
                    "person_id": person.id, "area_id": person.area_id,
                    "activity_id": activities[names[min(int(rng.expovariate(1.2)), len(names) - 1)]],
                    "worked_on": day, "minutes": minutes, "status": status,
                    "entered_by_id": None, "is_on_behalf": False, "created_at": now,
                    "submitted_at": now if status != HoursStatus.DRAFT else None,
                    "decided_at": now if status == HoursStatus.APPROVED else None})
            week = following_week(week)
    if rows:
        db.session.execute(insert(HoursEntry), rows)
    _add_a_rejection_and_a_correction(provider, recent, now)
    return len(rows)


def _add_a_rejection_and_a_correction(provider: Provider, recent: date, now: datetime) -> None:
    """So the demo shows both: one rejected entry and one corrected approved entry."""
    base = select(HoursEntry).join(Person).where(Person.provider_id == provider.id)
    submitted = db.session.scalar(base.where(HoursEntry.status == HoursStatus.SUBMITTED)
                                  .order_by(HoursEntry.id).limit(1))
    if submitted is not None:
        submitted.status = HoursStatus.REJECTED
        submitted.rejection_reason = ("The peer support group that day was cancelled. "
                                      "Was this another session?")
        submitted.decided_at = now
    approved = db.session.scalar(base.where(HoursEntry.status == HoursStatus.APPROVED,
                                            HoursEntry.minutes >= 120)
                                 .order_by(HoursEntry.worked_on.desc()).limit(1))
    if approved is not None:
        db.session.add(HoursEntry(
            person_id=approved.person_id, area_id=approved.area_id, activity_id=approved.activity_id,
            worked_on=approved.worked_on, minutes=-60, status=HoursStatus.APPROVED,
            corrects_id=approved.id, correction_reason="Session finished an hour early",
            submitted_at=now, decided_at=now))
    db.session.flush()
