"""A week at a time: a row a day (or last week copied), sent together, all or nothing."""

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.auth import Role
from app.models.hours import HoursEntry, HoursStatus
from app.periods import last_week

from ..conftest import error_messages
from ..factories import activity, make_hours


def _monday() -> date:
    """Last week's Monday, asked when a test runs (never when the module is read)."""
    return last_week(date.today())[0]


def _week(world, **days) -> dict:
    data = {}
    for offset, (hours, activity_name) in days.items():
        day = (_monday() + timedelta(days=int(offset[1:]))).isoformat()
        data[f"hours-{day}"] = hours
        data[f"activity-{day}"] = str(activity(activity_name).id) if activity_name else ""
    return data


def _mine(world):
    db.session.expire_all()
    return db.session.scalars(select(HoursEntry).where(
        HoursEntry.person_id == world.me.id, HoursEntry.worked_on.between(_monday(), _monday() + timedelta(days=6)))
        .order_by(HoursEntry.worked_on)).all()


def test_a_parent_logs_a_week_in_one_form(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    page = client.get(f"/people/{world.me.id}/hours/week?week={_monday()}").get_data(as_text=True)
    assert f"{_monday():%A %-d %B}" in page and "Copy last week" in page
    response = client.post(f"/people/{world.me.id}/hours/week?week={_monday()}",
                           data=_week(world, d0=("2.5", "Peer support group"), d2=("3", "Peer support group")))
    assert response.status_code == 302
    entries = _mine(world)
    assert [(e.worked_on, e.minutes, e.status) for e in entries] == [
        (_monday(), 150, HoursStatus.SUBMITTED), (_monday() + timedelta(days=2), 180, HoursStatus.SUBMITTED)]


def test_a_day_with_a_problem_names_the_day_and_saves_nothing(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    response = client.post(f"/people/{world.me.id}/hours/week?week={_monday()}",
                           data=_week(world, d0=("2.5", "Peer support group"), d1=("two", "Peer support group"),
                                      d3=("1", None)))
    assert response.status_code == 200
    errors = error_messages(response)
    assert f"{_monday() + timedelta(days=1):%A %-d %B}: enter the hours as a number, like 2.5" in errors
    assert f"{_monday() + timedelta(days=3):%A %-d %B}: select what you did" in errors
    assert _mine(world) == []
    assert response.get_data(as_text=True).split("<title>")[1].strip().startswith("Error: ")


def test_more_than_24_hours_in_a_day_is_refused_for_that_day(world, sign_in):
    make_hours(world.me, worked_on=_monday(), hours="20", status="approved")
    db.session.commit()
    client = sign_in(world.user(Role.VOLUNTEER))
    response = client.post(f"/people/{world.me.id}/hours/week?week={_monday()}",
                           data=_week(world, d0=("5", "Peer support group"), d1=("1", "Peer support group")))
    assert response.status_code == 200
    assert any(m.startswith(f"{_monday():%A %-d %B}:") and "24 hours" in m for m in error_messages(response))
    assert [e.minutes for e in _mine(world)] == [1200]


def test_copy_last_week_fills_the_days_to_adjust(world, sign_in):
    make_hours(world.me, worked_on=_monday() - timedelta(days=7), hours="2", status="approved")
    make_hours(world.me, worked_on=_monday() - timedelta(days=7), hours="1.5", status="approved")
    make_hours(world.me, worked_on=_monday() - timedelta(days=4), hours="3", status="rejected",
               rejection_reason="Wrong day")
    db.session.commit()
    client = sign_in(world.user(Role.VOLUNTEER))
    page = client.get(f"/people/{world.me.id}/hours/week?week={_monday()}&copy=1").get_data(as_text=True)
    assert f'name="hours-{_monday()}" type="text" inputmode="decimal" value="3.5"' in page
    assert f'name="hours-{_monday() + timedelta(days=3)}" type="text" inputmode="decimal" value=""' in page


def test_the_week_form_opens_on_last_week_until_this_week_has_hours(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    page = client.get(f"/people/{world.me.id}/hours/week").get_data(as_text=True)
    assert f"Hours for the week of {_monday():%-d %B %Y}" in page
    make_hours(world.me, worked_on=date.today(), hours="1", status="submitted")
    db.session.commit()
    page = client.get(f"/people/{world.me.id}/hours/week").get_data(as_text=True)
    assert f"Hours for the week of {_monday() + timedelta(days=7):%-d %B %Y}" in page


def test_the_week_form_offers_only_days_on_the_pathway(world, sign_in):
    world.me.joined_on = _monday() + timedelta(days=3)
    db.session.commit()
    page = sign_in(world.user(Role.VOLUNTEER)).get(f"/people/{world.me.id}/hours/week?week={_monday()}")
    text = page.get_data(as_text=True)
    assert f'name="hours-{_monday().isoformat()}"' not in text
    assert f'name="hours-{(_monday() + timedelta(days=3)).isoformat()}"' in text
    assert f"Before you joined on {world.me.joined_on:%-d %B %Y}" in text


def test_thirty_hours_in_a_day_is_refused_by_the_rule_not_called_a_bad_number(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    response = client.post(f"/people/{world.me.id}/hours/week?week={_monday()}",
                           data=_week(world, d0=("30", "Peer support group")))
    assert f"{_monday():%A %-d %B}: hours must be more than 0 and no more than 24 a day" in error_messages(response)
