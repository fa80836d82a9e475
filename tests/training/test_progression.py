"""Progression is blocked by each unmet requirement, allowed when all are met,
and an override is recorded with its reason."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.certificates import Certificate, CertificateKind
from app.models.establishment import Contract, VolunteerRole
from app.models.people import Stage
from app.models.training import CheckKind, TrainingResult
from app.training.progression import checklist, progress
from app.training.services import TrainingError, recommend, record_check, record_training

from ..factories import (
    make_area,
    make_contract,
    make_course,
    make_hours,
    make_person,
    make_post,
    make_provider,
    make_user,
)

TODAY = date(2026, 11, 23)


@pytest.fixture
def ready():
    """A volunteer who meets every requirement for co-facilitator."""
    provider, area = make_provider(), make_area("North Kent")
    hr = make_user(Role.HR, provider=provider)
    person = make_person(provider=provider, area=area, joined_on=date(2025, 1, 6))
    volunteer_post = make_post(provider=provider, grade=None, area=area, title="Parent Volunteer")
    make_contract(person=person, post=volunteer_post, hours="9.25", starts_on=date(2025, 1, 6))
    paid_post = make_post(provider=provider, grade=None, area=area, title="Parent Co-Facilitator", volunteer=False)
    course = make_course("Safeguarding children", validity_months=12, required_for=["co_facilitator"])
    for week in range(4):
        make_hours(person, worked_on=date(2026, 10, 5) + timedelta(days=7 * week), hours="8")
    record_training(person, course, completed_on=date(2026, 6, 1), result=TrainingResult.PASSED,
                    cost_pence=None, actor=hr, today=TODAY)
    record_check(person, kind=CheckKind.DBS, checked_on=date(2026, 9, 1), for_paid_role=True, barred_list=True,
                 renew_on=date(2029, 9, 1), actor=hr, today=TODAY)
    recommend(person, Stage.CO_FACILITATOR, on=date(2026, 11, 1), note=None, actor=hr)
    record_check(person, kind=CheckKind.RIGHT_TO_WORK, checked_on=date(2026, 9, 1), actor=hr, today=TODAY)
    return person, hr, paid_post, course


def _unmet(person):
    return [(i.label, i.detail) for i in checklist(person, TODAY)[1] if not i.met]


def _move(person, hr, post, override=None):
    return progress(person, post=post, weekly_hours=Decimal("18.5"), is_sessional=False,
                    on=TODAY, actor=hr, today=TODAY, override_reason=override)


def test_all_met_moves_them_on_with_new_contract_and_certificate(ready):
    person, hr, post, _ = ready
    assert _unmet(person) == []
    change = _move(person, hr, post)
    assert (person.stage, change.reason, change.changed_by_id) == (Stage.CO_FACILITATOR, "Met every requirement", hr.id)
    contracts = db.session.scalars(select(Contract).where(Contract.person_id == person.id)
                                   .order_by(Contract.starts_on)).all()
    assert [(c.post_id, c.ends_on) for c in contracts] == [(post.id, None)]  # their first contract
    role = db.session.scalar(select(VolunteerRole).where(VolunteerRole.person_id == person.id))
    assert role.ends_on == TODAY - timedelta(days=1)  # the volunteer role ends the day before
    stage_cert = db.session.scalar(select(Certificate).where(Certificate.kind == CertificateKind.STAGE))
    assert stage_cert.title == "Became a Parent Co-Facilitator"


def test_blocked_by_too_few_hours(ready):
    person, hr, post, _ = ready
    from app.models.hours import HoursEntry

    db.session.execute(HoursEntry.__table__.delete().where(HoursEntry.person_id == person.id))
    assert _unmet(person) == [("At least 30 approved hours as a Parent Volunteer", "0 of 30 hours")]
    with pytest.raises(TrainingError, match="At least 30 approved hours"):
        _move(person, hr, post)
    assert person.stage == Stage.VOLUNTEER


def test_blocked_by_expired_training(ready):
    person, hr, post, course = ready
    record_training(person, make_course("Data protection", validity_months=12, required_for=["co_facilitator"]),
                    completed_on=date(2025, 5, 3), result=TrainingResult.PASSED, cost_pence=0, actor=hr,
                    today=TODAY)
    assert _unmet(person) == [("Data protection", "Data protection expired 3 May 2026")]
    with pytest.raises(TrainingError):
        _move(person, hr, post)


def test_blocked_by_missing_training(ready):
    person, hr, post, _ = ready
    make_course("First aid", validity_months=36, required_for=["co_facilitator"])
    assert _unmet(person) == [("First aid", "Not done yet")]


def test_a_volunteers_dbs_does_not_cover_a_paid_role(ready):
    person, hr, post, _ = ready
    from app.models.training import Check

    db.session.execute(Check.__table__.delete().where(Check.person_id == person.id, Check.kind == CheckKind.DBS))
    record_check(person, kind=CheckKind.DBS, checked_on=date(2025, 1, 6), for_paid_role=False, barred_list=True,
                 renew_on=date(2028, 1, 6), actor=hr, today=TODAY)
    assert _unmet(person) == [("Enhanced DBS check for a paid role",
                               "A new check is needed: a volunteer's DBS check does not cover paid work")]
    with pytest.raises(TrainingError):
        _move(person, hr, post)


def test_blocked_without_a_recommendation(ready):
    person, hr, post, _ = ready
    from app.models.training import Recommendation

    db.session.execute(Recommendation.__table__.delete())
    assert _unmet(person) == [("Recommendation from their area facilitator", "Not yet recommended")]


def test_override_is_recorded_with_its_reason(ready):
    person, hr, post, _ = ready
    from app.models.training import Recommendation

    db.session.execute(Recommendation.__table__.delete())
    change = _move(person, hr, post, override="Facilitator on leave; recommended by email, attached to HR file")
    assert change.reason.startswith("Override: Facilitator on leave")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "override"))
    assert "Recommendation from their area facilitator" in event.summary
    assert "Facilitator on leave" in event.summary


def test_employee_needs_right_to_work_and_references(ready):
    person, hr, post, _ = ready
    _move(person, hr, post)
    labels = {label for label, _ in _unmet(person)}
    assert "2 references" in labels
    # Their right to work was checked before the paid sessional role; it still stands.
    assert "Right to work check" in {i.label for i in checklist(person, TODAY)[1] if i.met}


def _only_dbs(person, hr, **check):
    from app.models.training import Check

    db.session.execute(Check.__table__.delete().where(Check.person_id == person.id))
    if check:
        record_check(person, kind=CheckKind.DBS, actor=hr, today=TODAY, **check)


@pytest.mark.parametrize("check,problem", [
    ({}, "No enhanced DBS check recorded"),
    ({"checked_on": date(2025, 1, 6), "for_paid_role": False, "barred_list": True},
     "a volunteer's DBS check does not cover paid work"),
    ({"checked_on": date(2026, 1, 6), "for_paid_role": True, "barred_list": False},
     "did not include the children's barred list"),
    # No next-check date: due 3 years after issue, and then overdue, not "a volunteer's check".
    ({"checked_on": date(2023, 6, 1), "for_paid_role": True, "barred_list": True},
     "Re-check overdue since 1 June 2026"),
])
def test_no_override_moves_anyone_into_a_paid_role_without_a_valid_dbs_check(ready, check, problem):
    person, hr, post, _ = ready
    _only_dbs(person, hr, **check)
    with pytest.raises(TrainingError, match="cannot be waived") as refused:
        _move(person, hr, post, override="cover")
    assert problem in str(refused.value)
    assert person.stage == Stage.VOLUNTEER
    assert [c.to_stage for c in person.stage_changes] == [Stage.VOLUNTEER]


def test_no_override_skips_right_to_work_or_references_into_employment(ready):
    person, hr, post, _ = ready
    from app.models.training import Check

    db.session.execute(Check.__table__.delete().where(Check.kind == CheckKind.RIGHT_TO_WORK))
    with pytest.raises(TrainingError, match="skipped"):
        progress(person, post=post, weekly_hours=Decimal("37"), is_sessional=False, on=TODAY, actor=hr,
                 today=TODAY, override_reason="cover", to_stage=Stage.EMPLOYEE)
    with pytest.raises(TrainingError, match="cannot be waived") as refused:
        progress(person, post=post, weekly_hours=Decimal("37"), is_sessional=False, on=TODAY, actor=hr,
                 today=TODAY, override_reason="cover", to_stage=Stage.EMPLOYEE, skip_reason="Appointed")
    assert "Right to work check" in str(refused.value) and "2 references" in str(refused.value)
    assert person.stage == Stage.VOLUNTEER


def test_skipping_a_stage_is_allowed_with_a_reason_when_the_hard_gates_hold(ready):
    person, hr, post, _ = ready
    for _ in range(2):
        record_check(person, kind=CheckKind.REFERENCE, checked_on=date(2026, 9, 1), actor=hr, today=TODAY)
    record_check(person, kind=CheckKind.RIGHT_TO_WORK, checked_on=date(2026, 9, 1), actor=hr, today=TODAY)
    change = progress(person, post=post, weekly_hours=Decimal("37"), is_sessional=False, on=TODAY, actor=hr,
                      today=TODAY, override_reason="Recommended in writing", to_stage=Stage.EMPLOYEE,
                      skip_reason="Appointed to an advertised post")
    assert person.stage == Stage.EMPLOYEE
    assert "Skipped Parent Co-Facilitator: Appointed to an advertised post" in change.reason


def test_a_wrong_stage_change_is_corrected_as_its_own_audited_action(ready):
    from datetime import UTC, datetime

    from app.training.progression import correct_last_stage_change

    person, hr, post, _ = ready
    _move(person, hr, post)
    correct_last_stage_change(person, reason="Recorded against the wrong person", actor=hr,
                              now=datetime(2026, 11, 23, tzinfo=UTC))
    assert person.stage == Stage.VOLUNTEER
    assert [c.to_stage for c in person.stage_changes] == [Stage.VOLUNTEER]
    assert db.session.scalars(select(Contract).where(Contract.person_id == person.id)).all() == []
    roles = db.session.scalars(select(VolunteerRole).where(VolunteerRole.person_id == person.id)).all()
    assert [(r.post.title, r.ends_on) for r in roles] == [("Parent Volunteer", None)]  # their role runs on
    cert = db.session.scalar(select(Certificate).where(Certificate.kind == CertificateKind.STAGE))
    assert cert.revoked_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "correct_stage"))
    assert "from Parent Volunteer to Parent Co-Facilitator" in event.summary
    assert "Recorded against the wrong person" in event.summary


def test_a_paid_sessional_role_needs_a_right_to_work_check_whatever_the_override(ready):
    person, hr, post, _ = ready
    from app.models.training import Check

    db.session.execute(Check.__table__.delete().where(Check.person_id == person.id,
                                                      Check.kind == CheckKind.RIGHT_TO_WORK))
    assert ("Right to work check", "No check recorded") in _unmet(person)
    with pytest.raises(TrainingError, match="cannot be waived") as refused:
        _move(person, hr, post, override="short of cover")
    assert "Right to work check" in str(refused.value)
    assert person.stage == Stage.VOLUNTEER


def test_a_providers_own_requirement_blocks_a_move_and_never_loosens_the_councils(ready):
    person, hr, post, _ = ready
    from app.models.training import ProviderRequirement, StageRequirement

    db.session.add(ProviderRequirement(provider_id=person.provider_id, stage=Stage.CO_FACILITATOR, min_hours=40,
                                       references_needed=1, needs_dbs=False, needs_recommendation=False,
                                       needs_right_to_work=False))
    db.session.flush()
    council = db.session.scalar(select(StageRequirement).where(StageRequirement.stage == Stage.CO_FACILITATOR))
    unmet = _unmet(person)
    assert ("1 references", "0 of 1 received") in unmet
    assert any(label.startswith("At least 40 approved hours") for label, _ in unmet)
    # The council's recommendation still counts although the provider's row leaves it out.
    labels = [i.label for i in checklist(person, TODAY)[1]]
    assert "Recommendation from their area facilitator" in labels or not council.needs_recommendation
    with pytest.raises(TrainingError):
        _move(person, hr, post, override="cover")
    assert person.stage == Stage.VOLUNTEER
    # Another provider's own requirement changes nothing here.
    other = make_provider()
    db.session.execute(ProviderRequirement.__table__.update().values(provider_id=other.id))
    assert all(not label.startswith("At least 40") for label, _ in _unmet(person))


def test_moving_on_never_makes_a_salaried_contract_of_no_hours(ready):
    """Progression starts the new post through the establishment's one contract service, so its
    rules hold here too: a salaried contract needs hours, and nothing changes when one is refused."""
    person, hr, post, _ = ready
    with pytest.raises(TrainingError) as refused:
        progress(person, post=post, weekly_hours=Decimal("0"), is_sessional=False, on=TODAY, actor=hr, today=TODAY)
    assert refused.value.problems == {"weekly_hours": "Enter the contracted hours a week, or choose sessional"}
    assert db.session.scalars(select(Contract).where(Contract.person_id == person.id)).all() == []
    roles = db.session.scalars(select(VolunteerRole).where(VolunteerRole.person_id == person.id)).all()
    assert [(r.expected_weekly_hours, r.ends_on) for r in roles] == [(Decimal("9.25"), None)]  # still running
    assert person.stage == Stage.VOLUNTEER


def test_moving_on_ends_the_old_contract_and_starts_the_new_one_with_their_history(ready):
    person, hr, post, _ = ready
    _move(person, hr, post)
    summaries = db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.entity_type.in_(["Contract", "VolunteerRole"])).order_by(AuditEvent.id)).all()
    assert any(s.startswith(f"Ended {person.name}'s volunteer role as") for s in summaries), summaries
    assert any(s.startswith(f"Gave {person.name} a contract as {post.label}, 18.5 hours a week") for s in summaries)
