from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.hours.services import (
    HoursError,
    approve_entries,
    correct_entry,
    delete_draft,
    log_hours,
    record_register,
    reject_entry,
    submit_entries,
    update_entry,
)
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.hours import HoursEntry, HoursStatus

from ..factories import activity, make_area, make_hours, make_person, make_provider, make_user

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture
def people():
    provider, area = make_provider(), make_area("North Kent")
    person = make_person(provider=provider, area=area, joined_on=date(2025, 1, 1))
    parent = make_user(Role.VOLUNTEER, provider=provider, person=person)
    facilitator = make_user(Role.AREA_FACILITATOR, provider=provider, area=area)
    return person, parent, facilitator


def _log(person, actor, *, minutes=120, submit=False, worked_on=date(2026, 11, 20)):
    return log_hours(person, worked_on=worked_on, minutes=minutes, activity=activity(),
                     area_id=person.area_id, note=None, actor=actor, today=TODAY, submit=submit,
                     now=NOW)


def _audit_actions(entry):
    return [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "HoursEntry", AuditEvent.entity_id == entry.id)
        .order_by(AuditEvent.id))]


def test_log_submit_approve_locks_and_audits(people):
    person, parent, facilitator = people
    entry = _log(person, parent)
    assert entry.status == HoursStatus.DRAFT and not entry.is_on_behalf
    assert submit_entries([entry], actor=parent, now=NOW) == 1
    assert approve_entries([entry], actor=facilitator, now=NOW) == 1
    assert (entry.status, entry.decided_by_id) == (HoursStatus.APPROVED, facilitator.id)
    with pytest.raises(HoursError, match="approved and cannot be changed"):
        update_entry(entry, worked_on=entry.worked_on, minutes=60, activity=activity(),
                     area_id=entry.area_id, note=None, actor=parent, today=TODAY)
    assert _audit_actions(entry) == ["create", "submit", "approve"]


def test_no_more_than_24_hours_across_entries(people):
    person, parent, _ = people
    _log(person, parent, minutes=20 * 60)
    with pytest.raises(HoursError) as error:
        _log(person, parent, minutes=5 * 60)
    assert error.value.problems == {
        "hours": "That would be more than 24 hours on one day. You can add up to 4 more"}


def test_rejected_hours_do_not_count_toward_the_day(people):
    person, parent, facilitator = people
    entry = _log(person, parent, minutes=20 * 60, submit=True)
    reject_entry(entry, reason="Too many hours", actor=facilitator, now=NOW)
    assert _log(person, parent, minutes=5 * 60).minutes == 300


def test_reject_needs_a_reason_then_person_corrects_and_resubmits(people):
    person, parent, facilitator = people
    entry = _log(person, parent, submit=True)
    with pytest.raises(HoursError):
        reject_entry(entry, reason=" ", actor=facilitator, now=NOW)
    reject_entry(entry, reason="That was a Tuesday", actor=facilitator, now=NOW)
    assert entry.rejection_reason == "That was a Tuesday"
    update_entry(entry, worked_on=date(2026, 11, 17), minutes=120, activity=activity(),
                 area_id=entry.area_id, note=None, actor=parent, today=TODAY)
    submit_entries([entry], actor=parent, now=NOW)
    assert (entry.status, entry.rejection_reason) == (HoursStatus.SUBMITTED, None)


def test_on_behalf_entries_are_marked(people):
    person, _, facilitator = people
    entry = _log(person, facilitator, submit=True)
    assert entry.is_on_behalf and entry.entered_by_id == facilitator.id


def test_correction_is_a_linked_entry_and_totals_use_both(people):
    person, _, facilitator = people
    original = make_hours(person, worked_on=date(2026, 11, 2), hours="4")
    correction = correct_entry(original, correct_minutes=180, reason="Left early", actor=facilitator,
                               now=NOW, approve=True)
    assert (correction.minutes, correction.corrects_id, correction.status) == (
        -60, original.id, HoursStatus.APPROVED)
    assert original.minutes == 240  # never overwritten
    total = db.session.scalar(select(func.sum(HoursEntry.minutes)).where(
        HoursEntry.person_id == person.id, HoursEntry.status == HoursStatus.APPROVED))
    assert total == 180
    # A second correction is relative to the corrected figure.
    again = correct_entry(original, correct_minutes=210, reason="Checked the register",
                          actor=facilitator, now=NOW, approve=True)
    assert again.minutes == 30
    with pytest.raises(HoursError, match="already recorded"):
        correct_entry(original, correct_minutes=210, reason="x", actor=facilitator, now=NOW,
                      approve=True)


def test_register_saves_all_or_nothing(people):
    person, _, facilitator = people
    late = make_person(provider=person.provider, area=person.area, joined_on=date(2026, 11, 22))
    with pytest.raises(HoursError) as error:
        record_register([(person, 120), (late, 120)], worked_on=date(2026, 11, 20),
                        activity=activity(), area_id=person.area_id, actor=facilitator,
                        today=TODAY, now=NOW)
    assert list(error.value.problems) == [f"person-{late.id}"]
    assert db.session.scalar(select(func.count(HoursEntry.id))) == 0
    entries = record_register([(person, 120)], worked_on=date(2026, 11, 20), activity=activity(),
                              area_id=person.area_id, actor=facilitator, today=TODAY, now=NOW)
    assert [(e.status, e.is_on_behalf) for e in entries] == [(HoursStatus.APPROVED, True)]


def test_only_drafts_can_be_deleted(people):
    person, parent, _ = people
    draft = _log(person, parent)
    delete_draft(draft, actor=parent)
    assert db.session.get(HoursEntry, draft.id) is None
    submitted = _log(person, parent, submit=True)
    with pytest.raises(HoursError):
        delete_draft(submitted, actor=parent)
