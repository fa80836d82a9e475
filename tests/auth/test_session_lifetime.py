"""Sessions with an end: however active a device is, staff are signed out 12 hours after signing
in and parents after 30 days (both configurable); the page tells the timeout warning when."""

from datetime import UTC, datetime, timedelta

import time_machine

from app.models.auth import Role

from ..conftest import page
from ..factories import make_provider, make_user


def _active_for(client, hours: float, *, every_minutes: int = 10) -> list[int]:
    """Use the device every few minutes for ``hours``; the status codes of the last requests."""
    statuses = []
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(int(hours * 60 / every_minutes)):
            clock.shift(timedelta(minutes=every_minutes))
            statuses.append(client.get("/").status_code)
    return statuses


def test_staff_are_signed_out_twelve_hours_after_signing_in_however_active(world, sign_in):
    client = sign_in(world.user(Role.HR))
    statuses = _active_for(client, 13)
    assert statuses[:60] == [200] * 60  # busy all day: never idle
    assert statuses[-1] == 302  # and still signed out at the end


def test_parents_stay_signed_in_for_days_but_not_past_thirty(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        for _ in range(29 * 4):  # every six hours, within a parent's idle limit
            clock.shift(timedelta(hours=6))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(days=1, hours=1))
        assert client.get("/").status_code == 302


def test_the_lifetime_is_configurable(app, sign_in):
    user = make_user(Role.ADMIN, provider=make_provider())
    saved = app.config["SESSION_HOURS_STAFF"]
    app.config["SESSION_HOURS_STAFF"] = 1
    try:
        client = sign_in(user)
        statuses = _active_for(client, 1.5)
    finally:
        app.config["SESSION_HOURS_STAFF"] = saved
    assert statuses[0] == 200 and statuses[-1] == 302


def test_the_page_tells_the_timeout_warning_when_the_session_ends(world, sign_in):
    client = sign_in(world.user(Role.HR))
    dialog = page(client.get("/")).select_one("#timeout-warning")
    assert 12 * 3600 - 120 < int(dialog["data-ends-in-seconds"]) <= 12 * 3600
