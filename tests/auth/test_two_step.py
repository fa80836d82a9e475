"""Two-step sign-in: staff take a second step (an authenticator app's code or one sent by
email), recovery codes work once each, an administrator's reset is audited, and parents may
turn it on. Mail goes to a real SMTP server on a loopback port."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine

from app.auth.services import load_session, start_session
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import RecoveryCode, Role, User, UserSession

from ..conftest import error_messages, page, sign_in_with
from ..factories import PASSWORD, app_code, make_area, make_person, make_provider, make_user


def _password(client, user, **kw):
    return client.post("/sign-in", data={"email": user.email, "password": PASSWORD}, **kw)


def _set_up_app(client, user) -> list[str]:
    """Choose an authenticator app, scan (read) its key, enter its code; returns the recovery codes."""
    assert _password(client, user).headers["Location"].endswith("/sign-in/set-up-second-step")
    choose = client.get("/sign-in/set-up-second-step")
    assert "An authenticator app" in choose.get_data(as_text=True)
    client.post("/sign-in/set-up-second-step", data={"method": "app"})
    shown = page(client.get("/sign-in/set-up-second-step?method=app"))
    assert shown.select_one(".pathway-qr svg") is not None
    secret = shown.select_one(".pathway-secret").get_text().replace(" ", "")
    done = client.post("/sign-in/set-up-second-step?method=app", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    return [code.get_text() for code in page(done).select(".pathway-recovery-codes code")]


def test_a_new_member_of_staff_sets_up_an_app_and_sees_ten_recovery_codes_once(client):
    user = make_user(Role.HR, provider=make_provider(), two_step_method=None)
    db.session.commit()
    codes = _set_up_app(client, user)
    assert len(codes) == len(set(codes)) == 10
    assert client.get("/").status_code == 200  # signed in once the app's code was right
    account = db.session.get(User, user.id)
    assert account.two_step_method == "app" and account.totp_secret
    assert db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.entity_id == user.id, AuditEvent.summary.contains("Set up two-step sign-in")))
    # Only hashes are kept.
    stored = db.session.scalars(db.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}


def test_a_wrong_code_while_setting_up_is_refused_next_to_the_field(client):
    user = make_user(Role.AREA_FACILITATOR, provider=make_provider(), area=make_area(), two_step_method=None)
    db.session.commit()
    _password(client, user)
    client.get("/sign-in/set-up-second-step?method=app")
    response = client.post("/sign-in/set-up-second-step?method=app", data={"code": "000000"})
    assert error_messages(response) == ["That code is not right. Enter the 6-digit code your app shows now"]
    assert client.get("/").status_code == 302
    assert db.session.get(User, user.id).two_step_method is None


def test_recovery_codes_work_once_each(app, client):
    user = make_user(Role.ADMIN, provider=make_provider(), two_step_method=None)
    db.session.commit()
    codes = _set_up_app(client, user)
    client.post("/sign-out")
    _password(client, user)
    assert client.post("/sign-in/second-step", data={"code": codes[0].upper()}).status_code == 302
    assert client.get("/").status_code == 200
    assert "9 of 10" in client.get("/account/two-step").get_data(as_text=True)
    client.post("/sign-out")
    _password(client, user)
    again = client.post("/sign-in/second-step", data={"code": codes[0]})
    assert error_messages(again) == ["That code is not right or has expired. Check it and try again"]
    assert client.post("/sign-in/second-step", data={"code": codes[1]}).status_code == 302
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.summary.contains("recovery code (8 left)")))


def test_an_app_code_works_once(app, client):
    user = make_user(Role.HR, provider=make_provider())
    db.session.commit()
    code = app_code(user)
    _password(client, user)
    assert client.post("/sign-in/second-step", data={"code": code}).status_code == 302
    other = app.test_client()
    _password(other, user)
    assert other.post("/sign-in/second-step", data={"code": code}).status_code == 200  # seen, so refused
    assert other.get("/").status_code == 302


def test_a_code_by_email_arrives_works_once_and_expires(client, smtp):
    user = make_user(Role.HR, provider=make_provider(), two_step_method="email", totp_secret=None)
    db.session.commit()
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False) as clock:
        _password(client, user)
        client.get("/sign-in/second-step")
        [message] = smtp
        code = re.search(r"\d{6}", message["Subject"]).group(0)
        assert message["To"] == user.email
        clock.shift(timedelta(minutes=11))
        assert client.post("/sign-in/second-step", data={"code": code}).status_code == 200  # expired
        client.post("/sign-in/second-step", data={"resend": "1"})
        fresh = re.search(r"\d{6}", smtp[-1]["Subject"]).group(0)
        assert client.post("/sign-in/second-step", data={"code": fresh}).status_code == 302
        assert client.get("/").status_code == 200
        assert db.session.get(User, user.id).email_code_hash is None  # used up
        device = db.session.scalar(db.select(UserSession).where(UserSession.user_id == user.id))
        assert device.second_step == "email"


def test_wrong_codes_count_toward_the_lockout(app, client):
    user = make_user(Role.HR, provider=make_provider())
    db.session.commit()
    _password(client, user)
    for _ in range(app.config["LOCKOUT_AFTER_FAILURES"]):
        client.post("/sign-in/second-step", data={"code": "123456"})
    assert db.session.get(User, user.id).locked_until is not None
    response = client.post("/sign-in/second-step", data={"code": app_code(user)})
    assert "/sign-in" in response.headers["Location"] and client.get("/").status_code == 302


def test_a_password_entered_a_quarter_of_an_hour_ago_no_longer_waits_for_a_code(client):
    user = make_user(Role.HR, provider=make_provider())
    db.session.commit()
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False) as clock:
        _password(client, user)
        clock.shift(timedelta(minutes=16))
        response = client.post("/sign-in/second-step", data={"code": app_code(user)})
    assert response.headers["Location"].endswith("/sign-in")


def test_a_staff_device_that_passed_no_second_step_is_refused(app):
    provider = make_provider()
    hr = make_user(Role.HR, provider=provider)
    parent = make_user(Role.VOLUNTEER, provider=provider, person=make_person(provider=provider, area=make_area()))
    now = datetime.now(UTC)
    staff_device = start_session(hr, user_agent="old", now=now)  # as devices signed in before two steps
    parent_device = start_session(parent, user_agent="phone", now=now)
    db.session.commit()
    assert load_session(staff_device.token, now=now) is None
    assert load_session(parent_device.token, now=now).id == parent.id


def test_an_administrator_resets_a_lost_second_step_audited(app, world, sign_in, client):
    facilitator = world.user(Role.AREA_FACILITATOR)
    phone = app.test_client()
    sign_in_with(phone, facilitator)
    sign_in(world.user(Role.ADMIN))
    response = client.post(f"/accounts/{facilitator.id}/reset-two-step")
    assert response.status_code == 302
    account = db.session.get(User, facilitator.id)
    assert (account.two_step_method, account.totp_secret) == (None, None)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "reset_second_step"))
    assert event.actor_id == world.user(Role.ADMIN).id and event.entity_id == facilitator.id
    assert phone.get("/").status_code == 302  # signed out everywhere
    assert _password(phone, facilitator).headers["Location"].endswith("/sign-in/set-up-second-step")


@pytest.mark.parametrize("role", [Role.HR, Role.AREA_FACILITATOR, Role.VOLUNTEER])
def test_only_an_administrator_resets_a_second_step(world, sign_in, client, role):
    sign_in(world.user(role))
    target = world.user(Role.ADMIN)
    assert client.post(f"/accounts/{target.id}/reset-two-step").status_code == 403
    assert db.session.get(User, target.id).two_step_method == "app"


def test_an_administrator_cannot_reset_their_own_or_another_providers(world, sign_in, client):
    admin = world.user(Role.ADMIN)
    sign_in(admin)
    assert client.post(f"/accounts/{admin.id}/reset-two-step").status_code == 403  # their own
    assert client.post(f"/accounts/{world.other_hr.id}/reset-two-step").status_code == 404
    assert db.session.get(User, world.other_hr.id).two_step_method == "app"


def test_a_provider_can_require_an_app(world, sign_in, client, smtp):
    hr = world.user(Role.HR)
    hr.two_step_method, hr.totp_secret = "email", None
    db.session.commit()
    sign_in(world.user(Role.ADMIN))
    client.post("/admin/sign-in-settings", data={"email_codes": "no"})
    assert db.session.get(type(world.provider), world.provider.id).email_codes_allowed is False
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.summary.contains("may no longer")))
    client.post("/sign-out")
    # Their email codes no longer count: they set up an app, which is the only choice offered.
    assert _password(client, hr).headers["Location"].endswith("/sign-in/set-up-second-step")
    text = client.get("/sign-in/set-up-second-step").get_data(as_text=True)
    assert "Set up your authenticator app" in text and "A code sent by email" not in text
    assert smtp == []


def test_a_parent_may_turn_it_on_and_off(client):
    provider = make_provider()
    parent = make_user(Role.VOLUNTEER, provider=provider, person=make_person(provider=provider, area=make_area()))
    db.session.commit()
    sign_in_with(client, parent)
    assert "Two-step sign-in is off" in client.get("/account/two-step").get_data(as_text=True)
    shown = page(client.get("/account/two-step/set-up?method=app"))
    secret = shown.select_one(".pathway-secret").get_text().replace(" ", "")
    codes = page(client.post("/account/two-step/set-up?method=app", data={"code": pyotp.TOTP(secret).now()}))
    assert len(codes.select(".pathway-recovery-codes code")) == 10
    client.post("/sign-out")
    assert _password(client, parent).headers["Location"].endswith("/sign-in/second-step")
    client.post("/sign-in/second-step", data={"code": app_code(db.session.get(User, parent.id))})
    client.post("/account/two-step", data={"action": "off"})
    assert db.session.get(User, parent.id).two_step_method is None
    client.post("/sign-out")
    assert _password(client, parent).headers["Location"] == "/"


def test_staff_cannot_turn_it_off(client):
    user = make_user(Role.HR, provider=make_provider())
    db.session.commit()
    sign_in_with(client, user)
    assert "Turn off" not in client.get("/account/two-step").get_data(as_text=True)
    client.post("/account/two-step", data={"action": "off"})
    assert db.session.get(User, user.id).two_step_method == "app"
