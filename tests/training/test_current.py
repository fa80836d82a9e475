"""Each training record's ``superseded_on``, kept in step with the records whatever changes them:
after a random run of training recorded, records added, changed and deleted one by one or in
bulk, and imports made and undone, in any order, it matches a fresh stamping, and the record in
force on any day is the latest passed or attended one done by then (of two on a day, the last
entered), worked out here from the records alone (on SQLite and PostgreSQL)."""

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from app.extensions import db
from app.imports.batches import run_import, undo
from app.imports.training import import_training
from app.models.auth import Role
from app.models.certificates import Certificate
from app.models.training import Course, TrainingRecord, TrainingResult
from app.training.current import DEFERRED, differences, in_force, rebuild
from app.training.services import record_training

from ..factories import make_area, make_person, make_provider, make_user

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
DAYS = [date(2025, 3, 1), date(2025, 9, 30), date(2026, 1, 15), date(2026, 6, 30), TODAY]
_names = itertools.count()


# A record with a certificate is not deleted (the certificate names it): an undo deletes both.
_UNCERTIFIED = ~select(Certificate.id).where(Certificate.training_record_id == TrainingRecord.id).exists()


class _Story:
    """Two providers' people, two courses (few, so one course's records often follow each other),
    and HR to record and import their training."""

    def __init__(self, rng):
        self.rng = rng
        self.providers = [make_provider(), make_provider()]
        area = make_area()
        self.people = [make_person(provider=p, area=area, joined_on=date(2025, 1, 1), ref=f"C{p.id}-{i}")
                       for p in self.providers for i in range(2)]
        self.courses = [Course(name=f"Current {next(_names)}", provider_name="Trainer", hours=3,
                               validity_months=self.rng.choice((None, 12))) for _ in range(2)]
        db.session.add_all(self.courses)
        self.hr = {p.id: make_user(Role.HR, provider=p) for p in self.providers}
        db.session.flush()
        self.batches = []

    def _day(self) -> date:  # few days, so two records on one day happen often
        return date(2025, 1, 1) + timedelta(days=self.rng.choice((0, 30, 200, 201, 400, 500, 690)))

    def _records(self, *where) -> list[TrainingRecord]:
        ours = [p.id for p in self.people]
        return list(db.session.scalars(select(TrainingRecord).where(TrainingRecord.person_id.in_(ours), *where)
                                       .order_by(TrainingRecord.id)))

    def record(self):
        person = self.rng.choice(self.people)
        record_training(person, self.rng.choice(self.courses), completed_on=self._day(),
                        result=self.rng.choice(list(TrainingResult)), cost_pence=0,
                        actor=self.hr[person.provider_id], today=TODAY)

    def add(self):
        db.session.add(TrainingRecord(person_id=self.rng.choice(self.people).id,
                                      course_id=self.rng.choice(self.courses).id, completed_on=self._day(),
                                      result=self.rng.choice(list(TrainingResult)), cost_pence=0))
        db.session.flush()

    def change(self):
        records = self._records()
        if records:
            record = self.rng.choice(records)
            field = self.rng.choice(("completed_on", "result", "person_id", "course_id"))
            value = {"completed_on": self._day, "result": lambda: self.rng.choice(list(TrainingResult)),
                     "person_id": lambda: self.rng.choice(self.people).id,
                     "course_id": lambda: self.rng.choice(self.courses).id}[field]()
            setattr(record, field, value)
            if field == "completed_on":
                record.expires_on = None  # an expiry must fall after the day it was done
            db.session.flush()

    def remove(self):
        records = self._records(_UNCERTIFIED)
        if records:
            db.session.delete(self.rng.choice(records))
            db.session.flush()

    def add_in_bulk(self):
        db.session.execute(insert(TrainingRecord), [
            {"person_id": self.rng.choice(self.people).id, "course_id": self.rng.choice(self.courses).id,
             "completed_on": self._day(), "result": self.rng.choice(list(TrainingResult)), "cost_pence": 0}
            for _ in range(self.rng.randint(1, 4))])

    def change_in_bulk(self):
        person = self.rng.choice(self.people)
        db.session.execute(update(TrainingRecord).where(TrainingRecord.person_id == person.id)
                           .values(result=self.rng.choice(list(TrainingResult))),
                           execution_options={"synchronize_session": False})
        db.session.expire_all()

    def remove_in_bulk(self):
        course = self.rng.choice(self.courses)
        db.session.execute(delete(TrainingRecord).where(TrainingRecord.course_id == course.id,
                                                        TrainingRecord.completed_on <= self._day(), _UNCERTIFIED),
                           execution_options={"synchronize_session": False})
        db.session.expire_all()

    def import_file(self):
        provider = self.rng.choice(self.providers)
        people = [p for p in self.people if p.provider_id == provider.id]
        text = "person_ref,course,completed_on\n" + "".join(
            f"{self.rng.choice(people).ref},{self.rng.choice(self.courses).name},{self._day().isoformat()}\n"
            for _ in range(self.rng.randint(1, 3)))
        _report, batch = run_import(import_training, text, kind="training", file_name="training.csv",
                                    data=f"{len(self.batches)}{text}".encode(), provider=provider,
                                    actor=self.hr[provider.id], at=NOW, today=TODAY)
        self.batches.append(batch)

    def undo_import(self):
        if self.batches:
            batch = self.batches.pop(self.rng.randrange(len(self.batches)))
            undo(batch, actor=self.hr[batch.provider_id], now=NOW)


STEPS = [name for name in vars(_Story) if not name.startswith("_")]


def _in_force_by_hand(records: list[TrainingRecord], day: date) -> set[int]:
    """The latest passed or attended record of each person's course done by ``day``."""
    latest: dict[tuple, TrainingRecord] = {}
    for record in records:
        if record.result != TrainingResult.FAILED and record.completed_on <= day:
            key = (record.person_id, record.course_id)
            if key not in latest or (record.completed_on, record.id) > (latest[key].completed_on, latest[key].id):
                latest[key] = record
    return {record.id for record in latest.values()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), steps=st.integers(min_value=5, max_value=25))
def test_superseded_on_matches_a_fresh_stamping_after_changes_in_any_order(rng, steps):
    story = _Story(rng)
    done = [story.record() or "record"]
    for _ in range(steps):
        step = rng.choice(STEPS)
        getattr(story, step)()
        done.append(step)
        assert differences(db.session.connection()) == [], done  # after each: a later step may mend it
    records = story._records()
    ours = [p.id for p in story.people]
    for day in DAYS:
        found = set(db.session.scalars(select(TrainingRecord.id).where(in_force(day),
                                                                        TrainingRecord.person_id.in_(ours))))
        assert found == _in_force_by_hand(records, day), (day, done)
    db.session.rollback()


def test_two_records_on_one_day_the_later_entered_is_in_force_and_a_failed_one_never_is():
    provider = make_provider()
    person = make_person(provider=provider, area=make_area(), joined_on=date(2025, 1, 1))
    course = Course(name=f"Current {next(_names)}", provider_name="Trainer", hours=3)
    db.session.add(course)
    hr = make_user(Role.HR, provider=provider)
    db.session.flush()

    def record(day, result=TrainingResult.PASSED):
        return record_training(person, course, completed_on=day, result=result, cost_pence=0, actor=hr, today=TODAY)

    first, failed, second = (record(date(2025, 3, 1)), record(date(2025, 6, 1), TrainingResult.FAILED),
                             record(date(2026, 2, 1)))
    same_day = TrainingRecord(person_id=person.id, course_id=course.id, completed_on=date(2026, 2, 1),
                              result=TrainingResult.ATTENDED, cost_pence=0)  # entered later, no certificate
    db.session.add(same_day)
    db.session.flush()
    db.session.expire_all()
    assert (first.superseded_on, failed.superseded_on, second.superseded_on, same_day.superseded_on) == (
        date(2026, 2, 1), None, date(2026, 2, 1), None)
    db.session.delete(same_day)
    db.session.flush()
    db.session.expire_all()
    assert (first.superseded_on, second.superseded_on) == (date(2026, 2, 1), None)


def test_a_deferred_load_stamps_nothing_until_it_rebuilds():
    """The scale demo's loader defers the stamping: neither a flush nor a bulk insert stamps
    while the session says so, and its rebuild at the end stamps both."""
    provider = make_provider()
    person = make_person(provider=provider, area=make_area(), joined_on=date(2025, 1, 1))
    course = Course(name=f"Current {next(_names)}", provider_name="Trainer", hours=3)
    db.session.add(course)
    db.session.flush()
    db.session.info[DEFERRED] = True
    try:
        db.session.add(TrainingRecord(person_id=person.id, course_id=course.id, completed_on=date(2025, 2, 1),
                                      result=TrainingResult.PASSED, cost_pence=0))
        db.session.flush()
        db.session.execute(insert(TrainingRecord), [
            {"person_id": person.id, "course_id": course.id, "completed_on": date(2025, 5, 1),
             "result": TrainingResult.PASSED, "cost_pence": 0}])
        assert differences(db.session.connection()) != []
    finally:
        db.session.info.pop(DEFERRED, None)
    rebuild(db.session.connection())
    assert differences(db.session.connection()) == []
    assert list(db.session.scalars(select(TrainingRecord.superseded_on).where(TrainingRecord.person_id == person.id)
                                   .order_by(TrainingRecord.completed_on))) == [date(2025, 5, 1), None]


def test_summaries_check_finds_a_record_out_of_step_and_rebuild_mends_it(app):
    provider = make_provider()
    person = make_person(provider=provider, area=make_area(), joined_on=date(2025, 1, 1))
    course = Course(name=f"Current {next(_names)}", provider_name="Trainer", hours=3)
    db.session.add(course)
    db.session.flush()
    for day in (date(2025, 2, 1), date(2025, 5, 1)):
        db.session.add(TrainingRecord(person_id=person.id, course_id=course.id, completed_on=day,
                                      result=TrainingResult.PASSED, cost_pence=0))
    db.session.commit()
    assert "match" in app.test_cli_runner().invoke(args=["summaries", "check"]).output
    table = TrainingRecord.__table__  # on the connection, past the session's listeners, as a fault would
    db.session.connection().execute(update(table).where(table.c.person_id == person.id).values(superseded_on=None))
    db.session.commit()
    checked = app.test_cli_runner().invoke(args=["summaries", "check"])
    assert checked.exit_code == 1 and "1 summary rows differ" in checked.output
    assert app.test_cli_runner().invoke(args=["summaries", "rebuild"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(TrainingRecord.superseded_on).where(
        TrainingRecord.person_id == person.id, TrainingRecord.completed_on == date(2025, 2, 1))) == date(2025, 5, 1)
