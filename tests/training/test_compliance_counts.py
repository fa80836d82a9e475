"""The council's compliance figures (each provider's people, training current, DBS cleared) and
the return's are counted in SQL; HR's page applies the rule to each person in Python. Whatever
the records, checks, courses and requirements, on any day (month ends and leap days included),
the counts are the people the per-person rule passes: one rule, two ways of applying it (on
SQLite and PostgreSQL)."""

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models.auth import Role
from app.models.people import Person, Stage
from app.models.training import (
    Check,
    CheckKind,
    Course,
    CourseStageRow,
    StageRequirement,
    TrainingRecord,
    TrainingResult,
)
from app.training.queries import compliance, compliance_by_provider, compliance_counts

from ..factories import make_area, make_person, make_provider

DAYS = [date(2026, 2, 28), date(2026, 8, 31), date(2026, 12, 4), date(2028, 2, 29), date(2027, 3, 1)]
_names = itertools.count()


def _around(rng, today: date) -> date:
    """A day on or before ``today``: often a month end a year or three back, the edge of a re-check."""
    picks = [today, today - timedelta(days=rng.randrange(1, 1200)),
             date(today.year - rng.choice((1, 3)), today.month, 1) - timedelta(days=rng.randrange(0, 3)),
             date(today.year - rng.choice((1, 3)), 2, 28), date(2024, 2, 29), date(2023, 8, 31)]
    return min(rng.choice(picks), today)


def _after(first: date, day: date | None) -> date | None:
    """``day`` if it is after ``first`` (as the database requires), else none."""
    return day if day is not None and day > first else None


def _story(rng, today: date):
    providers = [make_provider(), make_provider()]
    areas = [make_area(), make_area()]
    for stage in Stage:  # the stage's own rule on the children's barred list, sometimes waived
        requirement = db.session.scalar(select(StageRequirement).where(StageRequirement.stage == stage))
        if requirement is not None and rng.random() < 0.3:
            requirement.needs_barred_list = not requirement.needs_barred_list
    courses = []
    for _ in range(rng.randint(1, 4)):
        course = Course(name=f"Course {next(_names)}", provider_name="Trainer", hours=3,
                        validity_months=rng.choice((None, 12, 36)), is_active=rng.random() < 0.85,
                        provider_id=rng.choice((None, None, providers[0].id, providers[1].id)))
        course.required_rows = [CourseStageRow(stage=s) for s in Stage if rng.random() < 0.5]
        db.session.add(course)
        courses.append(course)
    db.session.flush()
    for provider in providers:
        for _ in range(rng.randint(1, 5)):
            joined = today - timedelta(days=rng.randrange(0, 900))
            left = rng.choice((None, None, today, today - timedelta(days=1), today + timedelta(days=30)))
            person = make_person(provider=provider, area=rng.choice(areas), stage=rng.choice(list(Stage)),
                                 joined_on=joined)
            person.left_on = left if left is None or left >= joined else None
            for _ in range(rng.randint(0, 4)):
                done = _around(rng, today)
                db.session.add(TrainingRecord(
                    person_id=person.id, course_id=rng.choice(courses).id, completed_on=done,
                    result=rng.choice(list(TrainingResult)),
                    expires_on=_after(done, rng.choice((None, today, today + timedelta(days=1),
                                                        today - timedelta(days=1), done + timedelta(days=365))))))
            for _ in range(rng.randint(0, 3)):
                checked = _around(rng, today)
                db.session.add(Check(person_id=person.id, kind=rng.choice((CheckKind.DBS, CheckKind.DBS,
                                                                          CheckKind.RIGHT_TO_WORK)),
                                     checked_on=checked, barred_list=rng.random() < 0.7,
                                     for_paid_role=rng.random() < 0.6,
                                     renew_on=_after(checked, rng.choice((None, None, today, today + timedelta(days=1),
                                                                          checked + timedelta(days=400))))))
    db.session.flush()
    return providers


def _per_person(providers, today: date) -> dict:
    """The per-person rule (HR's page), added up by provider: people, training current, DBS cleared."""
    counted: dict[int, list[int]] = {}
    for row in compliance(None, today=today, scope=Person.provider_id.in_([p.id for p in providers])):
        counts = counted.setdefault(row.person.provider_id, [0, 0, 0])
        counts[0] += 1
        counts[1] += row.training_ok
        counts[2] += row.dbs_ok
    return counted


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), today=st.sampled_from(DAYS))
def test_the_counts_in_sql_are_the_people_the_per_person_rule_passes(rng, today):
    providers = _story(rng, today)
    ours = Person.provider_id.in_([p.id for p in providers])
    expected = _per_person(providers, today)
    training, dbs = compliance_counts(ours, today, by=Person.provider_id)
    assert {pid: [n, training.get(pid, 0), dbs.get(pid, 0)] for pid, (n, _t, _d) in expected.items()} == expected
    assert set(training) | set(dbs) <= set(expected)
    db.session.rollback()


def test_the_council_sees_each_provider_s_counts_and_no_names(world, sign_in):
    """The co-ordinator's compliance page: a row a provider, with its counts, and nobody's name."""
    client = sign_in(world.user(Role.COORDINATOR))
    text = client.get("/training/compliance").get_data(as_text=True)
    rows = dict(compliance_by_provider(world.user(Role.COORDINATOR), today=date.today()))
    assert set(rows) >= {world.provider.name, world.other_provider.name}
    people = rows[world.provider.name][0]
    assert people == len(compliance(None, today=date.today(), scope=Person.provider_id == world.provider.id))
    assert f"<th scope=\"row\" class=\"govuk-table__header\">{world.provider.name}</th>" in text
    assert world.me.name not in text and world.south_person.name not in text


def test_hr_still_sees_names_and_only_their_own(world, sign_in):
    client = sign_in(world.user(Role.HR))
    text = client.get("/training/compliance").get_data(as_text=True)
    assert world.me.name in text and world.other_provider.name not in text


def test_a_past_day_counts_the_records_done_by_then_and_no_later_one():
    """A return for a past quarter: a record done after its last day neither counts nor hides the
    record that was current then (the per-person rule above is for today, so this is told apart
    by hand)."""
    provider, area = make_provider(), make_area()
    course = Course(name=f"Course {next(_names)}", provider_name="Trainer", hours=3, validity_months=12)
    course.required_rows = [CourseStageRow(stage=Stage.VOLUNTEER)]
    db.session.add(course)
    superseded = make_person(provider=provider, area=area, stage=Stage.VOLUNTEER, joined_on=date(2024, 1, 1))
    late = make_person(provider=provider, area=area, stage=Stage.VOLUNTEER, joined_on=date(2024, 1, 1))
    db.session.flush()
    db.session.add_all([
        # Current on 30 September; the record after it (done, then run out, in October) is the latest in November.
        TrainingRecord(person_id=superseded.id, course_id=course.id, completed_on=date(2026, 1, 5),
                       expires_on=date(2027, 1, 5), result=TrainingResult.PASSED),
        TrainingRecord(person_id=superseded.id, course_id=course.id, completed_on=date(2026, 10, 1),
                       expires_on=date(2026, 10, 2), result=TrainingResult.PASSED),
        # Done first in October.
        TrainingRecord(person_id=late.id, course_id=course.id, completed_on=date(2026, 10, 20),
                       expires_on=date(2027, 10, 20), result=TrainingResult.ATTENDED),
    ])
    db.session.flush()
    ours = Person.provider_id == provider.id
    assert compliance_counts(ours, date(2026, 9, 30), by=Person.id)[0] == {superseded.id: 1}
    assert compliance_counts(ours, date(2026, 11, 30), by=Person.id)[0] == {late.id: 1}
