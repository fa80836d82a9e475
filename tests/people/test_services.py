from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.people import Stage
from app.people.services import (
    PersonError,
    create_person,
    record_stage_change,
    stage_history_consistent,
    update_person,
)

from ..factories import make_area, make_person, make_provider, make_user


@pytest.fixture
def hr():
    return make_user(Role.HR, provider=make_provider())


def _details(area, **overrides):
    values = dict(first_name="Asha", last_name="Khan", email="asha@example.org", phone=None,
                  area_id=area.id, joined_on=date(2025, 5, 1), left_on=None,
                  has_lived_experience=True)
    values.update(overrides)
    return values


def test_create_person_records_joining_and_audits(hr):
    area = make_area()
    person = create_person(provider_id=hr.provider_id, stage=Stage.VOLUNTEER, actor=hr,
                           **_details(area))
    assert [(c.from_stage, c.to_stage, c.changed_on) for c in person.stage_changes] == [
        (None, Stage.VOLUNTEER, date(2025, 5, 1))]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_id == person.id))
    assert event.action == "create" and event.actor_id == hr.id
    assert event.changes["first_name"] == [None, "Asha"]
    assert person.ref.startswith("P") and len(person.ref) == 7


def test_email_must_be_unique_within_provider(hr):
    area = make_area()
    create_person(provider_id=hr.provider_id, stage=Stage.VOLUNTEER, actor=hr, **_details(area))
    with pytest.raises(PersonError) as error:
        create_person(provider_id=hr.provider_id, stage=Stage.VOLUNTEER, actor=hr,
                      **_details(area, email="ASHA@example.org"))
    assert error.value.args[0] == "email"


def test_update_person_audits_only_what_changed(hr):
    person = make_person(provider=hr.provider, area=make_area(), first_name="Old")
    changes = update_person(person, actor=hr, first_name="New", last_name=person.last_name)
    assert changes == {"first_name": ["Old", "New"]}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update"))
    assert event.changes == {"first_name": ["Old", "New"]}


def test_update_rejects_leaving_before_joining(hr):
    person = make_person(provider=hr.provider, area=make_area(), joined_on=date(2024, 1, 1))
    with pytest.raises(PersonError, match="on or after the date they joined"):
        update_person(person, actor=hr, left_on=date(2023, 12, 31))


def test_stage_change_keeps_history_and_current_stage_in_step(hr):
    person = make_person(provider=hr.provider, area=make_area(), joined_on=date(2024, 1, 1))
    change = record_stage_change(person, Stage.CO_FACILITATOR, on=date(2025, 1, 6), actor=hr,
                                 reason="Met the requirements")
    assert person.stage == Stage.CO_FACILITATOR
    assert (change.from_stage, change.to_stage, change.changed_by_id) == (
        Stage.VOLUNTEER, Stage.CO_FACILITATOR, hr.id)
    assert stage_history_consistent(person)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "stage_change"))


@pytest.mark.parametrize("to_stage,on,reason,field", [
    (Stage.VOLUNTEER, date(2025, 1, 1), "x", "to_stage"),
    (Stage.EMPLOYEE, date(2023, 1, 1), "x", "changed_on"),
    (Stage.EMPLOYEE, date(2025, 1, 1), "  ", "reason"),
])
def test_stage_change_rules(hr, to_stage, on, reason, field):
    person = make_person(provider=hr.provider, area=make_area(), joined_on=date(2024, 1, 1))
    with pytest.raises(PersonError) as error:
        record_stage_change(person, to_stage, on=on, actor=hr, reason=reason)
    assert error.value.args[0] == field
    assert person.stage == Stage.VOLUNTEER and len(person.stage_changes) == 1
