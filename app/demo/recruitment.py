"""A year of parents saying "I'd like to help" in each area: most still on their way in, some
withdrawn for the usual reasons, a few started (their records are the demo's newest volunteers'
own story, so no person is made here)."""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.people import Area, Provider
from app.models.recruitment import HEARD_FROM, Applicant
from app.recruitment.services import stages_for

FIRST = ("Amira", "Beth", "Chloe", "Dan", "Ella", "Femi", "Grace", "Hannah", "Imran", "Jade", "Kasia", "Leah",
         "Mo", "Nadia", "Olu", "Pippa", "Rosa", "Sade", "Tariq", "Uma")
LAST = ("Ahmed", "Brown", "Clarke", "Davies", "Evans", "Green", "Hughes", "Iqbal", "Jones", "Khan", "Lewis", "Mills")
WITHDRAWALS = ("not_right_time", "not_right_time", "no_response", "no_response", "paid_work", "not_suitable")


def load_applicants(provider: Provider, areas: dict[str, Area], today: date) -> int:
    """About a dozen applicants an area over the last year; returns how many were added."""
    if db.session.scalar(select(Applicant.id).where(Applicant.provider_id == provider.id).limit(1)):
        return 0
    rng = random.Random(41)
    stages = stages_for(provider.id)
    added = 0
    for area in sorted(areas.values(), key=lambda a: a.name):
        for _ in range(12):
            when = today - timedelta(days=rng.randrange(5, 360))
            at = datetime.combine(when, time(19, rng.randrange(60)), tzinfo=UTC)
            applicant = Applicant(
                provider_id=provider.id, area_id=area.id, first_name=rng.choice(FIRST), last_name=rng.choice(LAST),
                contact_by=rng.choice(("email", "email", "phone", "group")), heard_from=rng.choice(list(HEARD_FROM)),
                interests=rng.choice(("", "Helping at the peer support group", "Making the tea and welcoming people",
                                      "I'd like to run a workshop one day")),
                consented_at=at, created_at=at, is_new=when > today - timedelta(days=10))
            applicant.email = (f"{applicant.first_name}.{applicant.last_name}{added}@example.org".lower()
                               if applicant.contact_by == "email" else None)
            applicant.phone = "01632 960 0" + f"{added:02d}" if applicant.contact_by == "phone" else None
            # Older interest has gone further, or fallen away.
            reach = min(len(stages) - 1, int((today - when).days / 40 * rng.random() * 2))
            applicant.stage_id = stages[reach].id
            applicant.last_activity_at = datetime.combine(min(today, when + timedelta(days=reach * 12)), time(10),
                                                          tzinfo=UTC)
            if (today - when).days > 60 and rng.random() < 0.35:
                applicant.withdrawn_on = applicant.last_activity_at.date()
                applicant.withdrawn_reason = rng.choice(WITHDRAWALS)
            db.session.add(applicant)
            added += 1
    db.session.flush()
    return added
