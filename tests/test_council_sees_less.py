"""The council's co-ordinator sees what they need and no more: no named person's answer on lived
experience, no parent's unsent drafts, and compliance as a summary per provider."""

from datetime import date

from app.extensions import db
from app.models.auth import Role

from .factories import make_hours


def test_the_coordinator_sees_no_named_lived_experience_answer(world, sign_in):
    world.me.has_lived_experience = True
    db.session.commit()
    coordinator = sign_in(world.user(Role.COORDINATOR))
    page = coordinator.get(f"/people/{world.me.id}").get_data(as_text=True)
    assert "Counted in the totals only" in page
    rows = coordinator.get("/people/export.csv").get_data(as_text=True).splitlines()
    vera = next(row for row in rows if world.me.ref in row)
    assert vera.endswith(",")  # the lived_experience column is left empty


def test_hr_still_sees_the_answer(world, sign_in):
    world.me.has_lived_experience = True
    db.session.commit()
    page = sign_in(world.user(Role.HR)).get(f"/people/{world.me.id}").get_data(as_text=True)
    assert "Counted in the totals only" not in page


def test_the_coordinator_sees_no_drafts(world, sign_in):
    draft = make_hours(world.me, worked_on=date(2026, 1, 6), hours="7", status="draft", note="NOT-SENT-YET")
    db.session.commit()
    coordinator = sign_in(world.user(Role.COORDINATOR))
    week = coordinator.get(f"/people/{world.me.id}/hours?week=2026-01-05").get_data(as_text=True)
    assert "NOT-SENT-YET" not in week and "7 hours" not in week
    assert coordinator.get(f"/hours/{draft.id}").status_code == 404
    coordinator.post("/sign-out")
    parent = sign_in(world.user(Role.VOLUNTEER))
    assert "NOT-SENT-YET" in parent.get(f"/people/{world.me.id}/hours?week=2026-01-05").get_data(as_text=True)


def test_compliance_for_the_coordinator_is_a_summary_per_provider(world, sign_in):
    page = sign_in(world.user(Role.COORDINATOR)).get("/training/compliance").get_data(as_text=True)
    assert "By provider" in page and "Provider A" in page
    assert world.me.last_name not in page and world.neighbour.last_name not in page
