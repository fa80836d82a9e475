"""hours_month, the summary the return reads, kept in step with the raw hours whatever changes
them: after a randomised run of approvals, corrections, undos, imports, moves and
anonymisations, it matches a fresh rebuild from the raw rows (on SQLite and PostgreSQL)."""

import random
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from app.extensions import db
from app.hours.services import (
    HoursError,
    approve_entries,
    correct_entry,
    delete_draft,
    log_hours,
    reject_entry,
    undo_approval,
)
from app.hours.summary import DEFERRED, differences, quarter_months, rebuild
from app.imports.services import ImportFailed, import_hours
from app.models.auth import Role, User
from app.models.hours import HoursAreaMonth, HoursEntry, HoursMonth, HoursStatus
from app.models.people import Person, Stage
from app.people.services import PersonError, record_stage_change, update_person
from app.privacy.services import anonymise
from app.returns.services import build_return

from ..factories import activity, make_area, make_hours, make_person, make_provider, make_user

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
ACTIVITIES = ("Peer support group", "Workshop", "Training")


def _rows() -> dict:
    return {(r.provider_id, r.area_id, r.stage, r.activity_id, r.month): (r.minutes, r.entries)
            for r in db.session.scalars(select(HoursMonth))}


class _Story:
    """Two providers, two areas, a dozen people and the staff who act on their hours."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.areas = [make_area("North Kent"), make_area("West Kent")]
        self.providers = [make_provider(), make_provider()]
        self.people = [make_person(provider=p, area=rng.choice(self.areas), joined_on=date(2025, 1, 1),
                                   ref=f"R{p.id}{i:03d}") for p in self.providers for i in range(6)]
        self.staff = {p.id: make_user(Role.HR, provider=p) for p in self.providers}
        for name in ACTIVITIES:
            activity(name)
        db.session.commit()  # a refused step rolls back to here at most

    def day(self) -> date:
        return date(2025, 6, 1) + timedelta(days=self.rng.randrange(520))

    def person(self) -> Person:
        return self.rng.choice([p for p in self.people if p.left_on is None] or self.people)

    def entries(self, status: HoursStatus) -> list[HoursEntry]:
        return list(db.session.scalars(select(HoursEntry).where(HoursEntry.status == status)
                                       .order_by(HoursEntry.id)))

    # Each step is something the service does; a refusal (a rule) is part of the story too.
    def log(self):
        person = self.person()
        log_hours(person, worked_on=max(self.day(), person.joined_on), minutes=self.rng.choice((60, 90, 150)),
                  activity=activity(self.rng.choice(ACTIVITIES)), area_id=person.area_id, note=None,
                  actor=self.staff[person.provider_id], today=TODAY, submit=self.rng.random() < 0.8, now=NOW)

    def approve(self):
        waiting = self.entries(HoursStatus.SUBMITTED)
        if waiting:
            chosen = self.rng.sample(waiting, self.rng.randint(1, len(waiting)))
            for provider_id in {e.person.provider_id for e in chosen}:
                approve_entries([e for e in chosen if e.person.provider_id == provider_id],
                                actor=self.staff[provider_id], now=NOW)

    def reject(self):
        waiting = self.entries(HoursStatus.SUBMITTED)
        if waiting:
            entry = self.rng.choice(waiting)
            reject_entry(entry, reason="Not that day", actor=self.staff[entry.person.provider_id], now=NOW)

    def correct(self):
        approved = [e for e in self.entries(HoursStatus.APPROVED) if e.corrects_id is None]
        if approved:
            entry = self.rng.choice(approved)
            correct_entry(entry, correct_minutes=self.rng.choice((0, 30, 45, 240)), reason="Register says so",
                          actor=self.staff[entry.person.provider_id], now=NOW, approve=self.rng.random() < 0.7)

    def undo(self):
        approved = self.entries(HoursStatus.APPROVED)
        if approved:
            entry = self.rng.choice(approved)
            undo_approval(entry, actor=self.staff[entry.person.provider_id], now=NOW)

    def delete(self):
        drafts = self.entries(HoursStatus.DRAFT)
        if drafts:
            entry = self.rng.choice(drafts)
            delete_draft(entry, actor=self.staff[entry.person.provider_id])

    def direct(self):  # rows written straight through the ORM, as the demo and factories do
        make_hours(self.person(), worked_on=self.day(), hours=self.rng.choice(("1", "2.5")),
                   activity_name=self.rng.choice(ACTIVITIES))

    def bulk_status(self):  # a statement, not a flush: every draft of one person submitted and approved
        person = self.person()
        db.session.execute(update(HoursEntry).where(HoursEntry.person_id == person.id,
                                                    HoursEntry.status == HoursStatus.DRAFT)
                           .values(status=HoursStatus.APPROVED))

    def import_(self):
        provider = self.rng.choice(self.providers)
        mine = [p for p in self.people if p.provider_id == provider.id]
        lines = ["person_ref,date,hours,activity,area,status"]
        for _ in range(self.rng.randint(1, 12)):
            person = self.rng.choice(mine)
            day = max(self.day(), person.joined_on)
            if person.left_on:
                day = min(day, person.left_on)
            lines.append(f"{person.ref},{day:%d/%m/%Y},1.5,{self.rng.choice(ACTIVITIES)},North Kent,"
                         f"{self.rng.choice(('approved', 'approved', 'submitted'))}")
        import_hours("\n".join(lines), provider=provider, actor=self.staff[provider.id], today=TODAY, now=NOW)

    def move_on(self):
        person = self.person()
        if person.stage == Stage.VOLUNTEER:
            record_stage_change(person, Stage.CO_FACILITATOR, on=self.day() if self.rng.random() < 0.5 else TODAY,
                                actor=self.staff[person.provider_id], reason="Met the requirements")

    def move_area(self):
        person = self.person()
        other = next(a for a in self.areas if a.id != person.area_id)
        update_person(person, actor=self.staff[person.provider_id], area_id=other.id)

    def leave_and_anonymise(self):
        person = self.person()
        update_person(person, actor=self.staff[person.provider_id], left_on=TODAY - timedelta(days=1))
        anonymise(person, actor=self.staff[person.provider_id], now=NOW)


_REFUSALS = (HoursError, ValueError, ImportFailed, PersonError)
STEPS = [name for name in vars(_Story) if not name.startswith("_") and name not in ("day", "person", "entries")]


@pytest.mark.parametrize("seed", range(8))
def test_the_summary_matches_a_rebuild_after_a_random_story(seed):
    rng = random.Random(seed)
    story = _Story(rng)
    done = []
    for _ in range(60):
        step = rng.choice(STEPS)
        try:
            getattr(story, step)()
            done.append(step)
        except _REFUSALS:  # a rule said no: the step's changes go back
            db.session.rollback()
            continue
        if rng.random() < 0.3:
            db.session.commit()
    db.session.commit()
    assert db.session.scalar(select(HoursMonth.minutes).limit(1)) is not None, "the story approved nothing"
    assert differences(db.session.connection()) == [], f"seed {seed} after {done}"
    kept = _rows()
    rebuild(db.session.connection())
    assert _rows() == kept


def test_every_kind_of_change_moves_the_summary_in_the_same_transaction():
    provider, area = make_provider(), make_area("North Kent")
    person = make_person(provider=provider, area=area, joined_on=date(2025, 1, 1), ref="R1")
    hr = make_user(Role.HR, provider=provider)
    key = (provider.id, area.id, Stage.VOLUNTEER, activity().id, 202609)

    entry = make_hours(person, worked_on=date(2026, 9, 10), hours="2", status="submitted")
    assert key not in _rows()  # submitted hours are not counted
    approve_entries([entry], actor=hr, now=NOW)
    assert _rows()[key] == (120, 1)
    correct_entry(entry, correct_minutes=90, reason="Register", actor=hr, now=NOW, approve=True)
    assert _rows()[key] == (90, 2)
    import_hours("person_ref,date,hours,activity,area,status\nR1,12/09/2026,1,Peer support group,North Kent,approved",
                 provider=provider, actor=hr, today=TODAY, now=NOW)
    assert _rows()[key] == (150, 3)
    record_stage_change(person, Stage.CO_FACILITATOR, on=TODAY, actor=hr, reason="Met the requirements")
    assert key not in _rows()
    assert _rows()[(provider.id, area.id, Stage.CO_FACILITATOR, activity().id, 202609)] == (150, 3)
    db.session.rollback()  # nothing was committed: the summary goes back with the hours
    assert _rows() == {}


def test_a_deferred_load_counts_nothing_until_it_rebuilds():
    """A bulk loader (the scale demo) defers the counting: neither a flush nor a bulk insert
    recounts while the session says so, and its rebuild at the end counts both."""
    provider, area = make_provider(), make_area("North Kent")
    person = make_person(provider=provider, area=area, joined_on=date(2025, 1, 1))
    key = (provider.id, area.id, Stage.VOLUNTEER, activity().id, 202609)
    db.session.info[DEFERRED] = True
    try:
        make_hours(person, worked_on=date(2026, 9, 10), hours="2")
        db.session.execute(insert(HoursEntry), [
            {"person_id": person.id, "area_id": area.id, "activity_id": activity().id, "worked_on": date(2026, 9, 11),
             "minutes": 60, "status": HoursStatus.APPROVED, "is_on_behalf": False, "created_at": NOW}])
        assert _rows() == {}
        assert differences(db.session.connection()) != []
    finally:
        db.session.info.pop(DEFERRED, None)
    rebuild(db.session.connection())
    assert _rows() == {key: (180, 2)}
    assert differences(db.session.connection()) == []


def test_the_return_reads_whole_months_from_the_summary_and_part_months_from_the_raw_rows():
    provider, area = make_provider(), make_area("North Kent")
    person = make_person(provider=provider, area=area, joined_on=date(2025, 1, 1))
    make_hours(person, worked_on=date(2026, 7, 1), hours="2")
    make_hours(person, worked_on=date(2026, 8, 15), hours="3")
    make_hours(person, worked_on=date(2026, 9, 30), hours="4")
    db.session.commit()
    # A summary that disagrees with the raw rows shows which is read for what.
    db.session.execute(update(HoursMonth).where(HoursMonth.month == 202608).values(minutes=600))
    whole = build_return(start=date(2026, 7, 1), end=date(2026, 9, 30), provider=provider)
    assert whole.value("hours", "Peer support group") == 2 + 10 + 4
    part = build_return(start=date(2026, 7, 2), end=date(2026, 8, 31), provider=provider)
    assert part.value("hours", "Peer support group") == 10  # July read raw (nothing after the 1st)
    edges = build_return(start=date(2026, 8, 2), end=date(2026, 9, 30), provider=provider)
    assert edges.value("hours", "Peer support group") == 3 + 4  # August raw, September summarised


def test_quarter_months_splits_whole_months_from_edges():
    assert quarter_months(date(2026, 7, 1), date(2026, 9, 30)) == ([202607, 202608, 202609], [])
    assert quarter_months(date(2026, 11, 15), date(2027, 2, 10)) == (
        [202612, 202701], [(date(2026, 11, 15), date(2026, 11, 30)), (date(2027, 2, 1), date(2027, 2, 10))])
    assert quarter_months(date(2026, 2, 3), date(2026, 2, 20)) == ([], [(date(2026, 2, 3), date(2026, 2, 20))])


def test_summaries_check_finds_a_difference_and_rebuild_mends_it(app):
    provider, area = make_provider(), make_area("North Kent")
    make_hours(make_person(provider=provider, area=area), worked_on=date(2026, 9, 10), hours="2")
    db.session.commit()
    assert "match" in app.test_cli_runner().invoke(args=["summaries", "check"]).output
    db.session.execute(update(HoursMonth).values(minutes=1))
    db.session.commit()
    checked = app.test_cli_runner().invoke(args=["summaries", "check"])
    assert checked.exit_code == 1 and "1 summary rows differ" in checked.output
    assert app.test_cli_runner().invoke(args=["summaries", "rebuild"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(HoursMonth.minutes)) == 120


def _approve_at_once(app, first: tuple[int, int], second: tuple[int, int]) -> list[Exception]:
    """Approve two entries (entry id, approver's user id) in two transactions at once: the second
    starts while the first has flushed but not committed. The errors either raised."""
    flushed, errors = threading.Event(), []

    def approve(entry_id: int, user_id: int, *, hold: bool) -> None:
        try:
            with app.app_context():
                actor = db.session.get(User, user_id)
                approve_entries([db.session.get(HoursEntry, entry_id)], actor=actor, now=NOW)
                if hold:
                    flushed.set()
                    time.sleep(0.5)  # the other approval starts while this one is not yet committed
                db.session.commit()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
            flushed.set()

    holder = threading.Thread(target=approve, args=first, kwargs={"hold": True})
    holder.start()
    flushed.wait(10)
    approve(*second, hold=False)
    holder.join()
    return errors


def test_two_approvals_in_one_group_at_once_both_count(app):
    """The second transaction's recount waits for the first to commit, then counts its change too
    (on PostgreSQL, without the wait it counted from a snapshot missing the first approval)."""
    provider, area = make_provider(), make_area("North Kent")
    person, other = (make_person(provider=provider, area=area, joined_on=date(2025, 1, 1)) for _ in range(2))
    hr = make_user(Role.HR, provider=provider).id
    first = make_hours(person, worked_on=date(2026, 9, 10), hours="2", status="submitted").id
    second = make_hours(other, worked_on=date(2026, 9, 11), hours="3", status="submitted").id
    db.session.commit()
    assert _approve_at_once(app, (first, hr), (second, hr)) == []
    db.session.expire_all()
    assert differences(db.session.connection()) == []
    assert sum(r.minutes for r in db.session.scalars(select(HoursMonth))) == 300


def test_two_providers_approving_in_one_area_at_once_both_count_in_the_area_summary(app):
    """hours_area_month has no provider in its key: two providers' approvals in one area and
    month, at once, each add their own part (the second waits on the row for the first to
    commit), so the area's row holds both (recounting it from a snapshot would lose one)."""
    area = make_area("North Kent")
    approvals = []
    for hours in ("2", "3"):
        provider = make_provider()
        person = make_person(provider=provider, area=area, joined_on=date(2025, 1, 1))
        approvals.append((make_hours(person, worked_on=date(2026, 9, 10), hours=hours, status="submitted").id,
                          make_user(Role.HR, provider=provider).id))
    db.session.commit()
    assert _approve_at_once(app, *approvals) == []
    db.session.expire_all()
    assert differences(db.session.connection()) == []
    assert [(r.minutes, r.entries) for r in db.session.scalars(select(HoursAreaMonth))] == [(300, 2)]


@pytest.mark.parametrize("seed", [11])
def test_a_group_too_large_to_list_is_recounted_through_a_subquery(seed, monkeypatch):
    import app.hours.summary as summary

    monkeypatch.setattr(summary, "LIST_AT_MOST", 1)  # every group of two or more people is "large"
    test_the_summary_matches_a_rebuild_after_a_random_story(seed)
