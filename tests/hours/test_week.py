"""A week at a time: a row a day (or last week copied), sent together, all or nothing."""

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.auth import Role
from app.models.hours import HoursEntry, HoursStatus

from ..conftest import error_messages
from ..factories import activity, make_hours

MONDAY = date.today() - timedelta(days=date.today().weekday() + 7)  # last week's


def _week(world, **days) -> dict:
    data = {}
    for offset, (hours, activity_name) in days.items():
        day = (MONDAY + timedelta(days=int(offset[1:]))).isoformat()
        data[f"hours-{day}"] = hours
        data[f"activity-{day}"] = str(activity(activity_name).id) if activity_name else ""
    return data


def _mine(world):
    db.session.expire_all()
    return db.session.scalars(select(HoursEntry).where(
        HoursEntry.person_id == world.me.id, HoursEntry.worked_on.between(MONDAY, MONDAY + timedelta(days=6)))
        .order_by(HoursEntry.worked_on)).all()


def test_a_parent_logs_a_week_in_one_form(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    page = client.get(f"/people/{world.me.id}/hours/week?week={MONDAY}").get_data(as_text=True)
    assert f"{MONDAY:%A %-d %B}" in page and "Copy last week" in page
    response = client.post(f"/people/{world.me.id}/hours/week?week={MONDAY}",
                           data=_week(world, d0=("2.5", "Peer support group"), d2=("3", "Peer support group")))
    assert response.status_code == 302
    entries = _mine(world)
    assert [(e.worked_on, e.minutes, e.status) for e in entries] == [
        (MONDAY, 150, HoursStatus.SUBMITTED), (MONDAY + timedelta(days=2), 180, HoursStatus.SUBMITTED)]


def test_a_day_with_a_problem_names_the_day_and_saves_nothing(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    response = client.post(f"/people/{world.me.id}/hours/week?week={MONDAY}",
                           data=_week(world, d0=("2.5", "Peer support group"), d1=("two", "Peer support group"),
                                      d3=("1", None)))
    assert response.status_code == 200
    errors = error_messages(response)
    assert f"{MONDAY + timedelta(days=1):%A %-d %B}: enter the hours as a number in quarter hours, like 2.5" in errors
    assert f"{MONDAY + timedelta(days=3):%A %-d %B}: select what you did" in errors
    assert _mine(world) == []
    assert response.get_data(as_text=True).split("<title>")[1].strip().startswith("Error: ")


def test_more_than_24_hours_in_a_day_is_refused_for_that_day(world, sign_in):
    make_hours(world.me, worked_on=MONDAY, hours="20", status="approved")
    db.session.commit()
    client = sign_in(world.user(Role.VOLUNTEER))
    response = client.post(f"/people/{world.me.id}/hours/week?week={MONDAY}",
                           data=_week(world, d0=("5", "Peer support group"), d1=("1", "Peer support group")))
    assert response.status_code == 200
    assert any(m.startswith(f"{MONDAY:%A %-d %B}:") and "24 hours" in m for m in error_messages(response))
    assert [e.minutes for e in _mine(world)] == [1200]


def test_copy_last_week_fills_the_days_to_adjust(world, sign_in):
    make_hours(world.me, worked_on=MONDAY - timedelta(days=7), hours="2", status="approved")
    make_hours(world.me, worked_on=MONDAY - timedelta(days=7), hours="1.5", status="approved")
    make_hours(world.me, worked_on=MONDAY - timedelta(days=4), hours="3", status="rejected",
               rejection_reason="Wrong day")
    db.session.commit()
    client = sign_in(world.user(Role.VOLUNTEER))
    page = client.get(f"/people/{world.me.id}/hours/week?week={MONDAY}&copy=1").get_data(as_text=True)
    assert f'name="hours-{MONDAY}" type="text" inputmode="decimal" value="3.5"' in page
    assert f'name="hours-{MONDAY + timedelta(days=3)}" type="text" inputmode="decimal" value=""' in page
