from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask import g
from sqlalchemy import event, func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.hours import HoursEntry, HoursStatus
from app.periods import last_week  # noqa: E402

from ..conftest import error_messages, page
from ..factories import activity, make_contract, make_hours, make_person, make_post, make_user

# The clock is set for every test here, so "last week" means the same to the test and the app
# whatever the hour the suite runs (a run that crossed midnight into Monday used to disagree).
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
LAST_MONDAY = last_week(NOW.date())[0]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW):
        yield


def _form(**overrides):
    day = LAST_MONDAY
    data = {"worked_on": [str(day.day), str(day.month), str(day.year)], "hours": "2.5",
            "activity_id": str(activity().id), "area_id": "", "note": "", "submit": "Submit"}
    data.update(overrides)
    return data


def test_volunteer_logs_and_submits_their_hours(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    response = client.post(f"/people/{world.me.id}/hours/new", data=_form(area_id=str(world.north.id)))
    assert response.status_code == 302
    entry = db.session.scalar(select(HoursEntry).where(HoursEntry.worked_on == LAST_MONDAY))
    assert (entry.minutes, entry.status, entry.is_on_behalf) == (150, HoursStatus.SUBMITTED, False)
    week = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2.5 hours on" in week and "sent for approval" in week


def test_save_as_draft_then_submit_the_week(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    data = _form(area_id=str(world.north.id), save_draft="Save as draft")
    del data["submit"]
    client.post(f"/people/{world.me.id}/hours/new", data=data)
    entry = db.session.scalar(select(HoursEntry).where(HoursEntry.worked_on == LAST_MONDAY))
    assert entry.status == HoursStatus.DRAFT
    client.post(f"/people/{world.me.id}/hours/submit", data={"week": LAST_MONDAY.isoformat()})
    assert db.session.get(HoursEntry, entry.id).status == HoursStatus.SUBMITTED


def test_start_and_end_times_give_the_duration(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    client.post(f"/people/{world.me.id}/hours/new",
                data=_form(area_id=str(world.north.id), hours="", start_time="09:30", end_time="12:15"))
    entry = db.session.scalar(select(HoursEntry).where(HoursEntry.worked_on == LAST_MONDAY))
    assert entry.minutes == 165


def test_log_errors_say_what_to_fix_and_write_nothing(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    before = db.session.scalar(select(func.count(HoursEntry.id)))
    tomorrow = date.today() + timedelta(days=1)
    response = client.post(f"/people/{world.me.id}/hours/new", data=_form(
        area_id=str(world.north.id), hours="25",
        worked_on=[str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]))
    assert response.status_code == 200
    assert error_messages(response) == ["The date you worked must be today or in the past",
                                        "Hours must be more than 0 and no more than 24 a day"]
    response = client.post(f"/people/{world.me.id}/hours/new", data=_form(
        area_id=str(world.north.id), hours="", activity_id=""))
    assert error_messages(response) == ["Enter how many hours you worked", "Select an activity"]
    assert db.session.scalar(select(func.count(HoursEntry.id))) == before


def test_a_volunteer_cannot_log_for_someone_else(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    assert client.get(f"/people/{world.neighbour.id}/hours/new").status_code == 404


def test_facilitator_logs_on_behalf_and_the_person_sees_it(world, sign_in, client):
    sign_in(world.user(Role.AREA_FACILITATOR))
    client.post(f"/people/{world.me.id}/hours/new", data=_form(area_id=str(world.north.id)))
    entry = db.session.scalar(select(HoursEntry).where(HoursEntry.worked_on == LAST_MONDAY))
    assert entry.is_on_behalf and entry.entered_by_id == world.user(Role.AREA_FACILITATOR).id
    client.post("/sign-out")
    sign_in(world.user(Role.VOLUNTEER))
    text = client.get(f"/people/{world.me.id}/hours?week={LAST_MONDAY}").get_data(as_text=True)
    assert "on your behalf" in text


def test_facilitator_can_only_log_in_their_area(world, sign_in):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    assert client.get(f"/people/{world.south_person.id}/hours/new").status_code == 404


def test_approval_queue_is_the_facilitators_area_only(world, sign_in, client):
    theirs = make_hours(world.south_person, worked_on=LAST_MONDAY, status="submitted")
    db.session.commit()
    sign_in(world.user(Role.AREA_FACILITATOR))
    queue = page(client.get("/approvals/hours"))
    assert [i["value"] for i in queue.select("input[name=entry]")] == [str(world.entry.id)]
    # Posting another area's entry id approves nothing.
    client.post("/approvals/hours", data={"entry": [str(theirs.id), str(world.entry.id)]})
    assert db.session.get(HoursEntry, theirs.id).status == HoursStatus.SUBMITTED
    assert db.session.get(HoursEntry, world.entry.id).status == HoursStatus.APPROVED
    assert client.post(f"/hours/{theirs.id}/reject", data={"reason": "x"}).status_code == 404


def test_rejection_reason_reaches_the_person(world, sign_in, client):
    sign_in(world.user(Role.AREA_FACILITATOR))
    response = client.post(f"/hours/{world.entry.id}/reject", data={"reason": ""})
    assert error_messages(response) == ["Enter the reason, so they know what to correct"]
    client.post(f"/hours/{world.entry.id}/reject", data={"reason": "That session was cancelled"})
    assert db.session.get(HoursEntry, world.entry.id).status == HoursStatus.REJECTED
    client.post("/sign-out")
    sign_in(world.user(Role.VOLUNTEER))
    text = client.get(f"/people/{world.me.id}/hours?week=2026-01-05").get_data(as_text=True)
    assert "That session was cancelled" in text and "Correct and resubmit" in text


def test_approved_hours_cannot_be_edited_only_corrected(world, sign_in, client):
    entry = make_hours(world.me, worked_on=LAST_MONDAY, hours="4", status="approved")
    db.session.commit()
    sign_in(world.user(Role.VOLUNTEER))
    client.post(f"/hours/{entry.id}/edit", data=_form(area_id=str(world.north.id), hours="9"))
    assert db.session.get(HoursEntry, entry.id).minutes == 240
    client.post("/sign-out")
    sign_in(world.user(Role.AREA_FACILITATOR))
    response = client.post(f"/hours/{entry.id}/correct", data={"hours": "3", "reason": "Left early"})
    assert response.status_code == 302
    correction = db.session.scalar(select(HoursEntry).where(HoursEntry.corrects_id == entry.id))
    assert (correction.minutes, correction.status) == (-60, HoursStatus.APPROVED)
    text = client.get(f"/hours/{entry.id}").get_data(as_text=True)
    assert "Left early" in text and "Corrected to 3 hours" in text


def test_session_register_saves_one_approved_entry_each(world, sign_in):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    day = LAST_MONDAY
    base = {"worked_on": [str(day.day), str(day.month), str(day.year)],
            "activity_id": str(activity("Workshop").id), "area_id": str(world.north.id), "save": "1"}
    bad = client.post("/hours/register", data={**base, f"worked-{world.me.id}": "1",
                                               f"hours-{world.me.id}": "lots"})
    assert "Enter Vera Volunteer's hours as a number more than 0" in page(bad).get_text()
    response = client.post("/hours/register", data={
        **base, f"worked-{world.me.id}": "1", f"hours-{world.me.id}": "2",
        f"worked-{world.neighbour.id}": "1", f"hours-{world.neighbour.id}": "1.5"})
    assert response.status_code == 302
    rows = db.session.execute(select(HoursEntry.person_id, HoursEntry.minutes, HoursEntry.status)
                              .where(HoursEntry.worked_on == day).order_by(HoursEntry.person_id)).all()
    assert rows == [(world.me.id, 120, HoursStatus.APPROVED),
                    (world.neighbour.id, 90, HoursStatus.APPROVED)]


def test_reminders_list_and_send(world, sign_in, app, caplog):
    post = make_post(provider=world.provider, grade=None, area=world.north, title="Parent Volunteer")
    make_contract(person=world.neighbour, post=post, hours="9.25", starts_on=date(2024, 1, 1))
    make_contract(person=world.me, post=post, hours="9.25", starts_on=date(2024, 1, 1))
    make_hours(world.me, worked_on=LAST_MONDAY, status="approved")
    db.session.commit()
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    names = [a.get_text(strip=True) for a in page(client.get("/hours/reminders")).select("tbody td a")]
    assert "Nina Neighbour" in names and "Vera Volunteer" not in names
    client.post(f"/hours/reminders/{world.neighbour.id}")
    from app.models.mail import OutboxMessage  # no SMTP server in this test: the message is kept

    kept = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to == world.neighbour.email))
    assert "log your hours" in kept.subject
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "remind"))


def _count_queries(client, path):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    g.pop("_login_user", None)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_queue_and_week_pages_run_a_fixed_number_of_queries(world, sign_in):
    client = sign_in(world.user(Role.HR))
    paths = ["/approvals/hours", f"/people/{world.me.id}/hours?week={LAST_MONDAY}"]
    small = [_count_queries(client, p) for p in paths]
    helper = make_user(Role.VOLUNTEER, provider=world.provider, person=world.neighbour)
    for n in range(15):
        make_hours(world.me, worked_on=LAST_MONDAY + timedelta(days=n % 7), hours="0.25",
                   status="submitted", entered_by_id=helper.id, is_on_behalf=True)
        make_hours(make_person(provider=world.provider, area=world.north), worked_on=LAST_MONDAY,
                   status="submitted")
    db.session.commit()
    assert [_count_queries(client, p) for p in paths] == small


def test_hr_adds_and_retires_an_activity(world, sign_in):
    from app.models.hours import Activity

    client = sign_in(world.user(Role.HR))
    assert client.post("/hours/activities", data={"name": "Drop-in cafe"}).status_code == 302
    cafe = db.session.scalar(select(Activity).where(Activity.name == "Drop-in cafe"))
    assert cafe.is_active
    duplicate = client.post("/hours/activities", data={"name": "drop-in CAFE"})
    assert "There is already an activity with that name" in duplicate.get_data(as_text=True)
    client.post(f"/hours/activities/{cafe.id}/toggle")
    assert not db.session.get(Activity, cafe.id).is_active
    db.session.delete(db.session.get(Activity, cafe.id))
    db.session.commit()


def test_person_page_shows_expected_against_worked_hours_for_a_volunteer(world, sign_in):
    """A volunteer's role is never a contract: its hours are what was expected, with no FTE."""
    post = make_post(provider=world.provider, grade=None, area=world.north, title="Parent Volunteer")
    make_contract(person=world.me, post=post, hours="18.5", starts_on=date(2024, 1, 1))
    for offset in range(4):
        make_hours(world.me, worked_on=LAST_MONDAY - timedelta(days=7 * offset), hours="9.25")
    db.session.commit()
    text = " ".join(page(sign_in(world.user(Role.VOLUNTEER)).get(f"/people/{world.me.id}")).get_text(" ").split())
    assert "a volunteer role, not a contract (about 18.5 hours a week expected)" in text
    assert "0.5 FTE" not in text
    assert "0.25 FTE (37 approved hours" in text


@pytest.mark.parametrize("query", ["person_id=2", "endpoint=main.home", "_method=DELETE", "week=2026-11-16"])
def test_my_hours_ignores_arguments_that_are_not_the_week(world, sign_in, query):
    response = sign_in(world.user(Role.VOLUNTEER)).get(f"/hours?{query}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/people/{world.me.id}/hours")


@pytest.mark.parametrize(("start", "end", "minutes"), [
    ("9.30am", "12pm", 150), ("9:30", "12:00", 150), ("09.30", "12.00", 150), ("2pm", "4.15pm", 135),
    ("9.30 am", "11.30 a.m.", 120),
])
def test_times_are_understood_as_people_type_them(world, sign_in, start, end, minutes):
    client = sign_in(world.user(Role.VOLUNTEER))
    response = client.post(f"/people/{world.me.id}/hours/new", data=_form(
        hours="", start_time=start, end_time=end, area_id=str(world.north.id)))
    assert response.status_code == 302, error_messages(response)
    assert db.session.scalar(select(HoursEntry.minutes).where(HoursEntry.worked_on == LAST_MONDAY)) == minutes


@pytest.mark.parametrize(("field", "value", "message"), [
    ("start_time", "half nine", "Enter a start and end time like 9:30am, or the number of hours"),
    ("hours", "two", "Enter the hours as a number, like 2.5"),
])
def test_what_is_not_a_time_or_number_says_what_to_type(world, sign_in, field, value, message):
    client = sign_in(world.user(Role.VOLUNTEER))
    data = _form(hours="", area_id=str(world.north.id), end_time="11am")
    data[field] = value
    response = client.post(f"/people/{world.me.id}/hours/new", data=data)
    assert response.status_code == 200 and message in error_messages(response)
    assert "Not a valid" not in response.get_data(as_text=True)


def test_a_37_hour_weeks_day_is_kept_to_the_minute_unless_the_provider_rounds(world, sign_in):
    """7.4 hours is 7 hours 24 minutes; HR may choose quarter hours, audited, for entries from then on."""
    client = sign_in(world.user(Role.VOLUNTEER))
    client.post(f"/people/{world.me.id}/hours/new", data=_form(area_id=str(world.north.id), hours="7.4"))
    entry = db.session.scalar(select(HoursEntry).where(HoursEntry.worked_on == LAST_MONDAY))
    assert entry.minutes == 444
    assert "7.4 hours on" in page(client.get(f"/hours/{entry.id}")).get_text()

    client.post("/sign-out")
    hr = sign_in(world.user(Role.HR))
    assert hr.post("/hours/settings", data={"rounding": "quarter"}).status_code == 302
    db.session.refresh(world.provider)
    assert world.provider.round_hours_to_quarter is True
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.summary.like("Hours are now recorded%"))) == "Hours are now recorded to the nearest quarter hour"
    hr.post("/sign-out")
    client = sign_in(world.user(Role.VOLUNTEER))
    tuesday = LAST_MONDAY + timedelta(days=1)
    client.post(f"/people/{world.me.id}/hours/new", data=_form(
        area_id=str(world.north.id), hours="7.4", worked_on=[str(tuesday.day), str(tuesday.month), str(tuesday.year)]))
    assert 450 in db.session.scalars(select(HoursEntry.minutes)).all()
    assert entry.minutes == 444  # what was recorded before stays as it was


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.ADMIN, Role.COORDINATOR])
def test_only_hr_chooses_how_hours_are_recorded(world, sign_in, role):
    client = sign_in(world.user(role))
    assert client.post("/hours/settings", data={"rounding": "quarter"}).status_code == 403
    assert world.provider.round_hours_to_quarter is False
