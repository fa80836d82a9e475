"""Signing in and out: sessions, lockout, throttling, CSRF, passwords."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import session

from app.auth.passwords import password_problem, verify_password
from app.extensions import db, limiter
from app.factory import create_app
from app.models.auth import Role, User

from ..conftest import error_messages, sign_in_with
from ..factories import PASSWORD, make_provider, make_user


def _user():
    user = make_user(Role.HR, provider=make_provider())
    db.session.commit()
    return user


def test_sign_in_and_out_ends_the_session(client):
    user = _user()
    sign_in_with(client, user)
    assert client.get("/").status_code == 200
    cookie = client.get_cookie("session").value

    assert client.post("/sign-out").status_code == 302
    assert client.get("/").status_code == 302
    # Replaying the signed-in cookie after sign-out no longer works.
    client.set_cookie("session", cookie)
    response = client.get("/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_sign_in_starts_a_new_session(client):
    user = _user()
    token_before = user.session_token
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    sign_in_with(client, user)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] not in (token_before, None)  # a new device session, not the old token


def test_wrong_password_is_refused_with_a_message(client):
    user = _user()
    response = client.post("/sign-in", data={"email": user.email, "password": "wrong password"})
    assert response.status_code == 200
    assert error_messages(response) == ["Enter a correct email address and password"]
    assert db.session.get(User, user.id).failed_sign_ins == 1


def test_unknown_email_gets_the_same_message(client):
    response = client.post("/sign-in", data={"email": "nobody@example.org", "password": "x" * 10})
    assert error_messages(response) == ["Enter a correct email address and password"]


def test_empty_form_says_what_is_missing(client):
    response = client.post("/sign-in", data={})
    assert error_messages(response) == ["Enter your email address", "Enter your password"]
    assert "Error: Sign in" in response.get_data(as_text=True)


def test_lockout_after_repeated_failures_holds_even_with_the_right_password(client, app):
    user = _user()
    for _ in range(app.config["LOCKOUT_AFTER_FAILURES"]):
        client.post("/sign-in", data={"email": user.email, "password": "guess-guess"})
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    # The same words as any refusal: a reply never says an account exists or is locked.
    assert error_messages(response) == ["Enter a correct email address and password"]
    locked_until = db.session.get(User, user.id).locked_until
    assert locked_until is not None


def test_a_browser_that_signed_in_before_is_not_locked_out_by_someone_elses_guesses(app, client):
    """Guessing at a colleague's address from elsewhere locks out new browsers, not theirs."""
    user = _user()
    sign_in_with(client, user)
    client.post("/sign-out")
    attacker = app.test_client()
    for _ in range(app.config["LOCKOUT_AFTER_FAILURES"]):
        attacker.post("/sign-in", data={"email": user.email, "password": "guess-guess"})
    assert attacker.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert sign_in_with(client, user).status_code == 302


def test_locked_unknown_and_wrong_answer_alike_in_words_and_time(app):
    """The same text, and about the same time (one password check each), for all three."""
    import time

    user = _user()
    locked = make_user(Role.HR, provider=user.provider, locked_until=datetime.now(UTC) + timedelta(hours=1))
    db.session.commit()
    cases = {"unknown": "nobody@example.org", "wrong": user.email, "locked": locked.email}
    texts, timings = {}, {name: [] for name in cases}
    for _ in range(7):
        for name, email in cases.items():
            client = app.test_client()
            started = time.perf_counter()
            response = client.post("/sign-in", data={"email": email, "password": "not the password"})
            timings[name].append(time.perf_counter() - started)
            texts[name] = (response.status_code, error_messages(response))
    assert len(set(map(str, texts.values()))) == 1
    medians = {name: sorted(t)[len(t) // 2] for name, t in timings.items()}
    assert max(medians.values()) - min(medians.values()) < 0.05, medians


def test_lockout_expires(client):
    user = _user()
    user.locked_until = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    assert client.post("/sign-in", data={"email": user.email.upper(), "password": PASSWORD}).status_code == 302


def test_next_redirect_only_to_our_own_paths(client):
    user = _user()
    response = sign_in_with(client, user, path="/sign-in?next=https://evil.example/x")
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = sign_in_with(client, user, path="/sign-in?next=/people")
    assert response.headers["Location"] == "/people"


def test_disabled_account_cannot_sign_in(client):
    user = _user()
    user.is_enabled = False
    db.session.commit()
    assert client.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize("password,problem", [
    ("short", "Password must be 12 characters or more"),
    ("elevenchars", "Password must be 12 characters or more"),
    ("qwerty123456", "That password is too common. Choose one that is harder to guess"),
    ("x" * 129, "Password must be 128 characters or fewer"),
    ("a sensible passphrase", None),
    ("p" * 64 + "!", None),
])
def test_password_rules(password, problem):
    assert password_problem(password) == problem


def test_change_password_signs_out_other_devices_and_keeps_this_one(app, client):
    user = _user()
    laptop = app.test_client()
    sign_in_with(laptop, user)
    sign_in_with(client, user)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase"})
    assert response.status_code == 302
    assert verify_password(db.session.get(User, user.id).password_hash, "a brand new passphrase")
    assert client.get("/").status_code == 200  # this session carries on
    assert laptop.get("/").status_code == 302  # the other one is signed out


def test_two_devices_stay_signed_in_until_sign_out_everywhere(app, client):
    user = _user()
    phone = app.test_client()
    sign_in_with(client, user)
    sign_in_with(phone, user)
    assert client.get("/").status_code == 200 and phone.get("/").status_code == 200
    phone.post("/sign-out")
    assert client.get("/").status_code == 200 and phone.get("/").status_code == 302
    sign_in_with(phone, user)
    assert "this device" in client.get("/account/devices").get_data(as_text=True)
    client.post("/account/devices", data={"everywhere": "1"})
    assert client.get("/").status_code == 302 and phone.get("/").status_code == 302


@pytest.mark.parametrize("role,minutes,kept", [
    (Role.HR, 29, True), (Role.HR, 31, False), (Role.VOLUNTEER, 7 * 60, True), (Role.VOLUNTEER, 8 * 60 + 1, False),
])
def test_an_idle_session_ends(client, role, minutes, kept):
    import time_machine

    from ..factories import make_area, make_person

    provider = make_provider()
    person = make_person(provider=provider, area=make_area()) if role == Role.VOLUNTEER else None
    user = make_user(role, provider=provider, person=person)
    db.session.commit()
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), tick=False) as clock:
        sign_in_with(client, user)
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=minutes))
        response = client.get("/")
    assert (response.status_code == 200) is kept


def test_change_password_rejects_a_common_one(client):
    user = _user()
    sign_in_with(client, user)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "qwerty123456"})
    assert error_messages(response) == [
        "That password is too common. Choose one that is harder to guess"]


def test_production_hashing_uses_argon2id_at_owasp_strength_or_more(app):
    from argon2 import extract_parameters

    prod = create_app("test", ARGON2_TIME_COST=3, ARGON2_MEMORY_COST=65536,
                      ARGON2_PARALLELISM=4, SQLALCHEMY_DATABASE_URI="sqlite://")
    with prod.app_context():
        from app.auth.passwords import hash_password

        params = extract_parameters(hash_password("a sensible passphrase"))
    assert params.type.name == "ID"
    assert params.memory_cost >= 19456 and params.time_cost >= 2


def test_csrf_token_is_required_on_every_post(app):
    strict = create_app("test", WTF_CSRF_ENABLED=True,
                        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    user = make_user(Role.HR, provider=make_provider())
    db.session.commit()
    client = strict.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Your session has expired" in response.get_data(as_text=True)


def test_sign_in_is_throttled_by_ip(app):
    limited = create_app("test", RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="3 per minute",
                         SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    client = limited.test_client()
    try:
        statuses = [client.post("/sign-in", data={"email": f"x{i}@example.org",
                                                  "password": "nope-nope"}).status_code
                    for i in range(5)]
    finally:
        # The limiter is one shared extension: put it back as the test app had it.
        limiter.reset()
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


def test_security_headers(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    import config

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_cookie_settings():
    import config

    assert config.ProductionConfig.SESSION_COOKIE_NAME == "__Host-session"
    assert config.ProductionConfig.SESSION_COOKIE_SECURE is True
    assert config.ProductionConfig.DEBUG is False


def test_session_is_cleared_on_sign_out(client):
    user = _user()
    sign_in_with(client, user)
    client.post("/sign-out")
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
    assert session is not None
