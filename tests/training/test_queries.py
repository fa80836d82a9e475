from datetime import date

from app.models.auth import Role
from app.models.people import Stage
from app.models.training import CheckKind, TrainingResult
from app.people.services import record_stage_change
from app.training.queries import compliance, pathway_stats
from app.training.services import record_check, record_training

from ..conftest import page
from ..factories import make_course, make_person

TODAY = date(2026, 11, 23)


def test_pathway_stats_count_moves_time_in_stage_and_training_before(world):
    hr = world.user(Role.HR)
    mover = make_person(provider=world.provider, area=world.north, joined_on=date(2025, 1, 1))
    record_training(mover, world.course, completed_on=date(2025, 3, 1), result=TrainingResult.PASSED,
                    cost_pence=0, actor=hr, today=TODAY)
    record_stage_change(mover, Stage.CO_FACILITATOR, on=date(2026, 1, 1), actor=hr, reason="Ready")
    stats = pathway_stats(hr, start=date(2025, 11, 23), end=TODAY)
    assert stats["moves"] == [(Stage.VOLUNTEER, Stage.CO_FACILITATOR, 1)]
    assert stats["days_in_stage"] == {Stage.VOLUNTEER: 365}
    assert (stats["moved_to_paid"], stats["volunteers"]) == (1, 4)
    assert stats["training_before"] == [("Safeguarding children (level 1)", 1, 1)]


def test_pathway_page_renders_for_the_coordinator(world, sign_in):
    hr = world.user(Role.HR)
    record_stage_change(world.neighbour, Stage.CO_FACILITATOR, on=date(2026, 1, 1), actor=hr, reason="Ready")
    text = page(sign_in(world.user(Role.COORDINATOR)).get("/pathway?from=2025-11-23&to=2026-11-23")).get_text(" ")
    text = " ".join(text.split())
    assert "Parent Volunteer" in text and "1 of 4 who have ever volunteered" in text


def test_compliance_lists_what_is_missing(world):
    hr = world.user(Role.HR)
    make_course("Data protection", validity_months=12, required_for=["volunteer"])
    make_course("Safeguarding level 1 refresher", validity_months=12, required_for=["volunteer"])
    record_check(world.neighbour, kind=CheckKind.DBS, checked_on=date(2025, 1, 1), renew_on=date(2026, 1, 1),
                 actor=hr, today=TODAY)
    rows = {row.person.name: row for row in compliance(world.user(Role.AREA_FACILITATOR), today=TODAY)}
    assert set(rows) == {"Vera Volunteer", "Nina Neighbour"}
    assert rows["Nina Neighbour"].problems == ["Data protection: not done",
                                               "Safeguarding level 1 refresher: not done",
                                               "DBS: Re-check overdue since 1 January 2026"]
    assert not rows["Nina Neighbour"].dbs_ok and not rows["Nina Neighbour"].training_ok
