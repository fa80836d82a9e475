"""The return's stage on a day is each person's stage now, unless it changed after that day,
when it is their latest change by then (only those few people's changes are ranked). Whatever
the histories (several changes, two on one day, changes after the day, leavers), the return's
headcount and leavers by stage are the people ``Person.stage_on`` puts in each stage, on SQLite
and PostgreSQL."""

from collections import Counter
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models.auth import Role
from app.models.people import Person, Stage
from app.people.services import record_stage_change
from app.returns import measures as m

from ..factories import make_area, make_person, make_provider, make_user

START = date(2025, 1, 1)


def _histories(rng):
    provider, areas = make_provider(), [make_area(), make_area()]
    actor = make_user(Role.HR, provider=provider)
    for _ in range(rng.randint(1, 8)):
        joined = START + timedelta(days=rng.randrange(0, 500))
        person = make_person(provider=provider, area=rng.choice(areas), stage=rng.choice(list(Stage)),
                             joined_on=joined)
        on = joined
        for _ in range(rng.randint(0, 3)):
            on += timedelta(days=rng.choice((0, 0, 1, 30, 200)))  # two changes on one day, sometimes
            record_stage_change(person, rng.choice([s for s in Stage if s != person.stage]), on=on, actor=actor,
                                reason="Progressed")
        if rng.random() < 0.3:
            person.left_on = on + timedelta(days=rng.randrange(0, 200))
    db.session.flush()
    return provider


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), offset=st.integers(min_value=0, max_value=900))
def test_headcount_and_leavers_by_stage_are_each_person_s_stage_on_the_day(rng, offset):
    provider = _histories(rng)
    mine = Person.provider_id == provider.id
    people = list(db.session.scalars(select(Person).where(mine)))
    # Often the day before, of or after someone's change or leaving: the edges.
    edges = [p.left_on for p in people if p.left_on] + [c.changed_on for p in people for c in p.stage_changes]
    day = START + timedelta(days=offset)
    if rng.random() < 0.6:
        day = rng.choice(edges) + timedelta(days=rng.choice((-1, 0, 1)))
    in_post = Counter((p.area_id, p.stage_on(day).value) for p in people
                      if p.joined_on <= day and (p.left_on is None or p.left_on >= day))
    start = day - timedelta(days=90)
    left = Counter((p.area_id, p.stage_on(day).value) for p in people
                   if p.left_on is not None and start <= p.left_on <= day)

    def flat(values):
        return Counter({(area, stage): n for area, stages in values.items() for stage, n in stages.items() if n})

    assert flat(m.headcount(provider.id, day)) == in_post
    assert flat(m.leavers(provider.id, start, day)) == left
    db.session.rollback()
