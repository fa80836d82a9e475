"""Reminders to log last week's hours: everyone listed in one click, or everyone by the worker
each Monday; each person at most once a week, whichever way it is sent."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.hours.reminders import weekly_reminders
from app.models.audit import AuditEvent
from app.models.auth import Role

from ..conftest import text_of
from ..factories import make_contract, make_post


def _quiet(world):
    post = make_post(provider=world.provider, grade=None, area=world.north, title="Parent Volunteer")
    for person in (world.me, world.neighbour, world.south_person):
        make_contract(person=person, post=post, hours="9.25", starts_on=date(2024, 1, 1))
    db.session.commit()


def _reminded(person) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "remind", AuditEvent.entity_type == "Person", AuditEvent.entity_id == person.id))


def test_everyone_listed_is_reminded_in_one_click_once_a_week(world, sign_in, smtp):
    _quiet(world)
    client = sign_in(world.user(Role.HR))
    page = client.get("/hours/reminders").get_data(as_text=True)
    assert "Remind all 3 people" in page
    response = client.post("/hours/reminders", follow_redirects=True)
    assert "Reminders sent to 3 people" in response.get_data(as_text=True)
    assert sorted(m["To"] for m in smtp) == sorted(p.email for p in (world.me, world.neighbour, world.south_person))
    assert "log your hours" in text_of(smtp[0]).lower() or "add them here" in text_of(smtp[0])
    again = client.post("/hours/reminders", follow_redirects=True).get_data(as_text=True)
    assert "were already reminded this week" in again and len(smtp) == 3
    one = client.post(f"/hours/reminders/{world.me.id}", follow_redirects=True).get_data(as_text=True)
    assert "was already reminded this week" in one and _reminded(world.me) == 1


def test_the_worker_reminds_everyone_each_monday_once(world, app, smtp):
    _quiet(world)
    now = datetime.now(UTC)
    assert weekly_reminders(today=date.today(), now=now) == 3
    assert len(smtp) == 3 and all("/hours" in text_of(m) for m in smtp)
    assert weekly_reminders(today=date.today(), now=now + timedelta(hours=1)) == 0  # once a week
    assert db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "remind")).endswith(
        "(the weekly reminder)")
    assert weekly_reminders(today=date.today(), now=now + timedelta(days=8)) == 3  # and again next week
