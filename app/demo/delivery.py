"""A year of delivered sessions for the demo: close to the plan in three areas and short in
West Kent (fewer workshops and programme sessions), with each facilitator's approved hours.
Counts of families only."""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select

from app.extensions import db
from app.models.delivery import Cohort, DeliverySession, Mode, Offer, SessionFacilitator
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Area, Person, Provider, Stage
from app.periods import weeks_before

SHORT_AREA = "West Kent"
# (offer, weekday, start, end, families who come, first-time families per session on average)
WEEK = [
    ("Peer support group", 0, time(10), time(12), 12, 2.0),
    ("1:1 family advice", 2, time(13), time(14), 2, 0.25),
    ("1:1 family advice", 4, time(18), time(19), 2, 0.25),
    ("Workshop", 3, time(18, 30), time(20), 12, 6.0),
    ("Evidence-based programme", 1, time(9, 30), time(12)),
    ("Evidence-based programme", 3, time(9, 30), time(12)),
]


def load_delivery(provider: Provider, today: date) -> int:
    """Sessions for the 52 weeks to last Sunday; returns how many (none if there are some already)."""
    if db.session.scalar(select(DeliverySession.id).where(DeliverySession.provider_id == provider.id).limit(1)):
        return 0
    rng = random.Random(564)
    offers = {o.name: o for o in db.session.scalars(select(Offer))}
    now = datetime.now(UTC)
    first_monday = weeks_before(today, 52)[0]
    sessions, facilitators, hours = [], [], []
    for area in db.session.scalars(select(Area).order_by(Area.name)):
        team = db.session.scalars(select(Person).where(
            Person.provider_id == provider.id, Person.area_id == area.id, Person.left_on.is_(None),
            Person.stage.in_([Stage.CO_FACILITATOR, Stage.EMPLOYEE]))).all()
        if not team:
            continue
        cohort = None
        for week in range(52):
            monday = first_monday + timedelta(weeks=week)
            if week % 3 == 0:  # a programme cohort of six sessions, twice a week
                cohort = Cohort(provider_id=provider.id, offer_id=offers["Evidence-based programme"].id,
                                area_id=area.id, name=f"{'Cygnet' if week % 2 else 'EarlyBird'} {area.name} "
                                f"{monday:%B %Y}", programme="Cygnet" if week % 2 else "EarlyBird",
                                starts_on=monday + timedelta(days=1), sessions_planned=6)
                db.session.add(cohort)
                db.session.flush()
            for index, (name, weekday, start, end, *families) in enumerate(WEEK):
                short = area.name == SHORT_AREA and (
                    (name == "Workshop" and week % 2) or (name == "Evidence-based programme" and weekday == 3)
                    or (name == "Peer support group" and week % 4 == 3))
                if short or rng.random() < 0.04:  # the short area, and the odd cancelled session
                    continue
                day = monday + timedelta(days=weekday)
                programme = name == "Evidence-based programme"
                attended = max(1, (12 if programme else families[0]) - rng.choice([0, 0, 1, 2, 3]))
                new = (attended if programme and day == cohort.starts_on else 0) if programme else min(
                    attended, int(families[1]) + (1 if rng.random() < families[1] % 1 else 0))
                people = rng.sample(team, min(len(team), 2 if name != "1:1 family advice" else 1))
                sessions.append({
                    "provider_id": provider.id, "offer_id": offers[name].id, "area_id": area.id,
                    "cohort_id": cohort.id if programme else None, "delivered_on": day, "starts_at": start,
                    "ends_at": end, "mode": Mode.ONLINE if (name == "1:1 family advice" and index == 2)
                    or rng.random() < 0.15 else Mode.FACE_TO_FACE,
                    "venue": None, "out_of_hours": end > time(17, 30) or day.weekday() >= 5,
                    "families_attended": attended, "families_new": new,
                    "families_phase_one": rng.randint(0, attended // 2), "families_pre_diagnosis":
                        rng.randint(0, attended // 3), "created_at": now})
                minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
                for lead, person in enumerate(people):
                    facilitators.append((len(sessions) - 1, person.id, lead == 0))
                    hours.append({"person_id": person.id, "area_id": area.id, "worked_on": day,
                                  "activity_id": offers[name].activity_id, "minutes": minutes,
                                  "status": HoursStatus.APPROVED, "note": f"{name} session", "is_on_behalf": False,
                                  "created_at": now, "submitted_at": now, "decided_at": now})
    if not sessions:
        return 0
    session_ids = list(db.session.scalars(
        insert(DeliverySession).returning(DeliverySession.id, sort_by_parameter_order=True), sessions))
    entry_ids = list(db.session.scalars(
        insert(HoursEntry).returning(HoursEntry.id, sort_by_parameter_order=True), hours))
    db.session.execute(insert(SessionFacilitator), [
        {"session_id": session_ids[index], "person_id": person_id, "leads": leads, "hours_entry_id": entry_id}
        for (index, person_id, leads), entry_id in zip(facilitators, entry_ids, strict=True)])
    return len(sessions)
