"""session_day, the summary delivery for all providers and the all-provider return read, kept
in step with the raw sessions whatever changes them, in any order: sessions recorded, moved or
removed, facilitators' hours approved, rejected, undone, withdrawn or deleted, a parent's lived
experience answered, each through a service, the ORM or a bulk statement (on SQLite and
PostgreSQL)."""

import threading
import time as time_module
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, func, insert, select, text, update

from app.delivery import summary
from app.delivery.services import DeliveryError, _session_figures, delivery_report, record_session
from app.extensions import db
from app.hours.services import (
    HoursError,
    approve_entries,
    delete_draft,
    reject_entry,
    undo_approval,
    withdraw_entry,
)
from app.models.auth import Role, User
from app.models.delivery import DeliverySession, Mode, Offer, SessionDay, SessionFacilitator
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person, Stage

from ..factories import make_area, make_hours, make_person, make_provider, make_user

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
FIRST = date(2026, 6, 1)
PERIOD = (FIRST, FIRST + timedelta(days=27))


class _Story:
    """Two providers in two fresh areas, with parents and staff, recording sessions in June."""

    def __init__(self, rng):
        self.rng = rng
        self.areas = [make_area(), make_area()]
        self.providers = [make_provider(), make_provider()]
        self.people = {p.id: [make_person(provider=p, area=rng.choice(self.areas), stage=Stage.CO_FACILITATOR,
                                          has_lived_experience=rng.random() < 0.5) for _ in range(3)]
                       for p in self.providers}
        self.staff = {p.id: make_user(Role.HR, provider=p) for p in self.providers}
        self.offers = list(db.session.scalars(select(Offer).order_by(Offer.sort_order)))
        db.session.commit()

    def day(self) -> date:
        return FIRST + timedelta(days=self.rng.randrange(28))

    def _sessions(self) -> list[DeliverySession]:
        return list(db.session.scalars(select(DeliverySession).where(DeliverySession.area_id.in_(
            [a.id for a in self.areas])).order_by(DeliverySession.id)))

    def _entries(self, status: HoursStatus) -> list[HoursEntry]:
        mine = [p.id for people in self.people.values() for p in people]
        return list(db.session.scalars(select(HoursEntry).where(HoursEntry.status == status,
                                                                HoursEntry.person_id.in_(mine))
                                       .order_by(HoursEntry.id)))

    def record(self):
        provider = self.rng.choice(self.providers)
        chosen = self.rng.sample(self.people[provider.id], self.rng.randint(1, 2))
        attended = self.rng.randint(1, 9)
        start = self.rng.choice((9, 13, 18))
        record_session(provider_id=provider.id, offer=self.rng.choice(self.offers), area=self.rng.choice(self.areas),
                       delivered_on=self.day(), starts_at=time(start), ends_at=time(start + self.rng.randint(1, 2)),
                       mode=self.rng.choice(("face_to_face", "online")), venue=None, out_of_hours=None,
                       facilitators=[(p, self.rng.random() < 0.6) for p in chosen], families_attended=attended,
                       families_new=self.rng.randint(0, attended), families_phase_one=0, families_pre_diagnosis=0,
                       cohort=None, actor=self.staff[provider.id], today=date(2026, 6, 30), now=NOW)

    def approve(self):
        waiting = self._entries(HoursStatus.SUBMITTED)
        if waiting:
            entry = self.rng.choice(waiting)
            approve_entries([entry], actor=self.staff[entry.person.provider_id], now=NOW)

    def reject(self):
        waiting = self._entries(HoursStatus.SUBMITTED)
        if waiting:
            entry = self.rng.choice(waiting)
            reject_entry(entry, reason="Not that day", actor=self.staff[entry.person.provider_id], now=NOW)

    def undo(self):
        approved = self._entries(HoursStatus.APPROVED)
        if approved:
            entry = self.rng.choice(approved)
            undo_approval(entry, actor=self.staff[entry.person.provider_id], now=NOW)

    def withdraw(self):
        waiting = self._entries(HoursStatus.SUBMITTED)
        if waiting:
            entry = self.rng.choice(waiting)
            withdraw_entry(entry, actor=self.staff[entry.person.provider_id], now=NOW)

    def delete_draft(self):  # a withdrawn entry deleted: the database empties the facilitator's link to it
        drafts = self._entries(HoursStatus.DRAFT)
        if drafts:
            entry = self.rng.choice(drafts)
            delete_draft(entry, actor=self.staff[entry.person.provider_id])

    def bulk_approve(self):  # a statement, not a flush
        person = self.rng.choice(self.people[self.rng.choice(self.providers).id])
        db.session.execute(update(HoursEntry).where(HoursEntry.person_id == person.id,
                                                    HoursEntry.status == HoursStatus.SUBMITTED)
                           .values(status=HoursStatus.APPROVED))

    def answer_lived_experience(self):
        person = self.rng.choice(self.people[self.rng.choice(self.providers).id])
        person.has_lived_experience = not person.has_lived_experience
        db.session.flush()

    def bulk_lived_experience(self):
        person = self.rng.choice(self.people[self.rng.choice(self.providers).id])
        db.session.execute(update(Person).where(Person.id == person.id)
                           .values(has_lived_experience=~Person.has_lived_experience))

    def remove_session(self):  # through the ORM, its facilitators with it
        sessions = self._sessions()
        if sessions:
            db.session.delete(self.rng.choice(sessions))
            db.session.flush()

    def drop_facilitators(self):  # as undoing an import does: a statement
        sessions = self._sessions()
        if sessions:
            db.session.execute(delete(SessionFacilitator).where(
                SessionFacilitator.session_id == self.rng.choice(sessions).id))

    def move_session(self):  # a statement that moves a session to another day
        sessions = self._sessions()
        if sessions:
            db.session.execute(update(DeliverySession).where(DeliverySession.id == self.rng.choice(sessions).id)
                               .values(delivered_on=self.day()))

    def change_counts(self):  # through the ORM
        sessions = self._sessions()
        if sessions:
            session = self.rng.choice(sessions)
            session.families_attended, session.families_new = session.families_attended + 2, 1
            session.mode = Mode.ONLINE if session.mode == Mode.FACE_TO_FACE else Mode.FACE_TO_FACE
            db.session.flush()

    def insert_rows(self):  # as the demo loader does: an INSERT of many rows
        provider = self.rng.choice(self.providers)
        db.session.execute(insert(DeliverySession), [
            {"provider_id": provider.id, "offer_id": self.rng.choice(self.offers).id,
             "area_id": self.rng.choice(self.areas).id, "delivered_on": self.day(), "starts_at": time(10),
             "ends_at": time(12), "mode": Mode.FACE_TO_FACE, "out_of_hours": False, "families_attended": 4,
             "families_new": 2, "families_phase_one": 1, "families_pre_diagnosis": 0, "created_at": NOW}
            for _ in range(self.rng.randint(1, 3))])


STEPS = [name for name in vars(_Story) if not name.startswith("_") and name != "day"]


def _figures(story, provider_ids):
    rows, minutes, parent_led, programmes = _session_figures(provider_ids, [a.id for a in story.areas], *PERIOD)
    return (sorted(tuple(int(v or 0) if i >= 3 else v for i, v in enumerate(r)) for r in rows),
            {a: int(m) for a, m in minutes.items() if m}, {a: int(n) for a, n in parent_led.items() if n},
            programmes)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(STEPS), min_size=4, max_size=25), rng=st.randoms(use_true_random=False),
       commits=st.lists(st.booleans(), min_size=25, max_size=25))
def test_the_summary_matches_a_rebuild_and_the_raw_sessions_whatever_the_order(steps, rng, commits):
    story = _Story(rng)
    for step, commit in zip(["record", "record", *steps], [False, True, *commits], strict=False):
        try:
            getattr(story, step)()
        except (HoursError, DeliveryError, ValueError):  # a rule said no: the step's changes go back
            db.session.rollback()
            continue
        if commit:
            db.session.commit()
    db.session.commit()
    assert summary.differences(db.session.connection()) == [], steps
    # Every provider's figures from the summary are what the raw sessions of every provider give.
    assert _figures(story, None) == _figures(story, [p.id for p in story.providers]), steps


def test_every_provider_reads_the_hand_counted_figures_from_the_summary():
    """One session led by a parent with lived experience and one by a worker: the all-provider
    report (from the summary) counts both, their families and their hours."""
    provider, area = make_provider(), make_area()
    parent = make_person(provider=provider, area=area, has_lived_experience=True)
    worker = make_person(provider=provider, area=area, has_lived_experience=False)
    staff = make_user(Role.HR, provider=provider)
    offer = db.session.scalar(select(Offer).order_by(Offer.sort_order))
    for lead, day, (start, end) in ((parent, date(2026, 6, 2), (10, 12)), (worker, date(2026, 6, 3), (18, 19))):
        record_session(provider_id=provider.id, offer=offer, area=area, delivered_on=day, starts_at=time(start),
                       ends_at=time(end), mode="online" if lead is worker else "face_to_face", venue=None,
                       out_of_hours=None, facilitators=[(lead, True)], families_attended=6, families_new=2,
                       families_phase_one=0, families_pre_diagnosis=0, cohort=None, actor=staff,
                       today=date(2026, 6, 30), now=NOW)
    db.session.commit()
    assert len(db.session.scalars(select(SessionDay)).all()) == 2
    report = delivery_report(provider_ids=None, areas=[area], start=PERIOD[0], end=PERIOD[1])
    assert (report.sessions, report.families_attended, report.families_new) == (2, 12, 4)
    assert (report.minutes, report.parent_led, report.face_to_face, report.out_of_hours) == (180, 1, 1, 1)
    # Rejected hours are not counted; the summary moves in the same transaction.
    entry = db.session.scalar(select(HoursEntry).where(HoursEntry.person_id == worker.id))
    reject_entry(entry, reason="Wrong day", actor=staff, now=NOW)
    assert db.session.scalar(select(SessionDay.minutes).where(SessionDay.delivered_on == date(2026, 6, 3))) == 0


def test_summaries_check_finds_a_difference_and_rebuild_mends_it(app):
    provider, area = make_provider(), make_area()
    person = make_person(provider=provider, area=area)
    record_session(provider_id=provider.id, offer=db.session.scalar(select(Offer).limit(1)), area=area,
                   delivered_on=date(2026, 6, 2), starts_at=time(10), ends_at=time(12), mode="face_to_face",
                   venue=None, out_of_hours=None, facilitators=[(person, True)], families_attended=3,
                   families_new=1, families_phase_one=0, families_pre_diagnosis=0, cohort=None,
                   actor=make_user(Role.HR, provider=provider), today=date(2026, 6, 30), now=NOW)
    db.session.commit()
    assert "match" in app.test_cli_runner().invoke(args=["summaries", "check"]).output
    db.session.execute(update(SessionDay).values(sessions=99))
    db.session.commit()
    checked = app.test_cli_runner().invoke(args=["summaries", "check"])
    assert checked.exit_code == 1 and "1 summary rows differ" in checked.output
    assert app.test_cli_runner().invoke(args=["summaries", "rebuild"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(SessionDay.sessions)) == 1


def test_an_entry_whose_session_was_moved_counts_on_the_session_s_day():
    """Hypothesis found it: a session moved to another day keeps its facilitators' entries on
    the old day; rejecting one afterwards must take its minutes off the session's new day."""
    provider, area = make_provider(), make_area()
    person = make_person(provider=provider, area=area, stage=Stage.CO_FACILITATOR)
    staff = make_user(Role.HR, provider=provider)
    session = record_session(provider_id=provider.id, offer=db.session.scalar(select(Offer).limit(1)), area=area,
                             delivered_on=date(2026, 6, 2), starts_at=time(10), ends_at=time(11),
                             mode="face_to_face", venue=None, out_of_hours=None, facilitators=[(person, True)],
                             families_attended=3, families_new=1, families_phase_one=0, families_pre_diagnosis=0,
                             cohort=None, actor=staff, today=date(2026, 6, 30), now=NOW)
    db.session.commit()
    db.session.execute(update(DeliverySession).where(DeliverySession.id == session.id)
                       .values(delivered_on=date(2026, 6, 9)))
    db.session.commit()
    assert db.session.scalar(select(SessionDay.minutes).where(SessionDay.delivered_on == date(2026, 6, 9))) == 60
    entry = db.session.scalar(select(HoursEntry).where(HoursEntry.person_id == person.id))
    assert entry.worked_on == date(2026, 6, 2)
    reject_entry(entry, reason="Not that day", actor=staff, now=NOW)
    db.session.commit()
    assert db.session.scalar(select(SessionDay.minutes).where(SessionDay.delivered_on == date(2026, 6, 9))) == 0
    assert summary.differences(db.session.connection()) == []


def test_an_hours_entry_in_no_session_counts_no_day_again():
    """Hours not linked to a session change no day's figures: approving them does not touch the
    summary (on PostgreSQL, it would wait on other transactions' days for nothing)."""
    provider, area = make_provider(), make_area()
    person = make_person(provider=provider, area=area, stage=Stage.CO_FACILITATOR)
    staff = make_user(Role.HR, provider=provider)
    entry = make_hours(person, worked_on=date(2026, 6, 2), status="submitted")
    db.session.commit()
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_):
        seen.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        approve_entries([entry], actor=staff, now=NOW)
        db.session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert any("hours_entry" in s for s in seen)
    assert not [s for s in seen if "session_day" in s]


def _one_session(day: date):
    """A provider's session on ``day`` led by one co-facilitator, whose hours wait to be approved."""
    provider, area = make_provider(), make_area()
    person = make_person(provider=provider, area=area, stage=Stage.CO_FACILITATOR)
    staff = make_user(Role.HR, provider=provider)
    record_session(provider_id=provider.id, offer=db.session.scalar(select(Offer).order_by(Offer.sort_order)),
                   area=area, delivered_on=day, starts_at=time(10), ends_at=time(12), mode="face_to_face",
                   venue=None, out_of_hours=None, facilitators=[(person, True)], families_attended=3,
                   families_new=1, families_phase_one=0, families_pre_diagnosis=0, cohort=None, actor=staff,
                   today=date(2026, 6, 30), now=NOW)
    entry = db.session.scalar(select(HoursEntry).where(HoursEntry.person_id == person.id))
    return staff.id, entry.id


def _reject(app, staff_id: int, entry_id: int, *, hold: threading.Event | None = None, timeout_ms: int = 0):
    with app.app_context():
        if timeout_ms:
            db.session.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
        staff = db.session.get(User, staff_id)
        reject_entry(db.session.get(HoursEntry, entry_id), reason="Not that day", actor=staff, now=NOW)
        if hold is not None:
            hold.set()
            time_module.sleep(0.6)  # the other change starts while this one is not yet committed
        db.session.commit()


def _while_held(app, first, then) -> None:
    """Reject ``first``'s entry in another thread and hold its transaction open while ``then`` runs."""
    flushed, errors = threading.Event(), []

    def hold_first():
        try:
            _reject(app, *first, hold=flushed)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
            flushed.set()

    holder = threading.Thread(target=hold_first)
    holder.start()
    flushed.wait(10)
    try:
        then()
    finally:
        holder.join()
    assert errors == []


def test_two_providers_changing_one_day_at_once_both_count(app):
    """The second transaction's count of the day waits for the first to commit, then counts its
    change too (on PostgreSQL, without the wait it counted from a snapshot missing the first)."""
    first, second = _one_session(date(2026, 6, 2)), _one_session(date(2026, 6, 2))
    db.session.commit()
    _while_held(app, first, lambda: _reject(app, *second))
    db.session.expire_all()
    assert summary.differences(db.session.connection()) == []
    assert db.session.scalar(select(func.sum(SessionDay.minutes)).where(
        SessionDay.delivered_on == date(2026, 6, 2))) == 0


def test_a_change_on_another_day_does_not_wait(app):
    """On PostgreSQL, days are counted under a lock each: a provider changing one day does not
    wait for another provider's change on another day to commit."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    first, second = _one_session(date(2026, 6, 2)), _one_session(date(2026, 6, 3))
    db.session.commit()
    _while_held(app, first, lambda: _reject(app, *second, timeout_ms=300))  # waiting would fail here
    db.session.expire_all()
    assert summary.differences(db.session.connection()) == []
