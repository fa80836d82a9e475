"""The three controls an outside test broke: second-step codes guessed without limit, old links
switching an account back on, and production trusting a request's Host for emailed links."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.auth.services import change_password
from app.extensions import db
from app.factory import create_app
from app.models.auth import AccountToken, Role, TokenKind, User

from ..factories import PASSWORD, app_code, make_provider, make_user


def _password(client, user):
    return client.post("/sign-in", data={"email": user.email, "password": PASSWORD})


def test_typing_the_password_again_between_wrong_codes_still_locks_the_account(app, client):
    user = make_user(Role.HR, provider=make_provider())
    db.session.commit()
    statuses = []
    for attempt in range(20):
        if attempt % 4 == 0:
            statuses.append(_password(client, user).headers.get("Location", ""))
        client.post("/sign-in/second-step", data={"code": "000000"})
    account = db.session.get(User, user.id)
    assert account.locked_until is not None
    # Once locked, the password no longer leads to a code, and a right code does not let anyone in.
    assert _password(client, user).status_code == 200
    client.post("/sign-in/second-step", data={"code": app_code(user)})
    assert client.get("/").status_code == 302
    assert any("Account locked after 5 wrong sign-in codes" in e.summary for e in _audit(user))


def test_the_fifth_wrong_code_ends_the_pending_sign_in(app, client):
    user = make_user(Role.HR, provider=make_provider())
    db.session.commit()
    _password(client, user)
    for _ in range(4):
        assert client.post("/sign-in/second-step", data={"code": "000000"}).status_code == 200
    assert db.session.get(User, user.id).failed_codes == 4
    ended = client.post("/sign-in/second-step", data={"code": "000000"})
    assert ended.status_code == 302 and ended.headers["Location"].endswith("/sign-in")


def test_a_passed_second_step_resets_the_code_count_and_a_password_does_not(app, client):
    user = make_user(Role.HR, provider=make_provider())
    db.session.commit()
    _password(client, user)
    for _ in range(3):
        client.post("/sign-in/second-step", data={"code": "000000"})
    _password(client, user)
    assert db.session.get(User, user.id).failed_codes == 3
    client.post("/sign-in/second-step", data={"code": app_code(user)})
    assert db.session.get(User, user.id).failed_codes == 0


def _audit(user):
    from app.models.audit import AuditEvent

    return db.session.scalars(select(AuditEvent).where(AuditEvent.entity_id == user.id)).all()


def _reset_link(user) -> str:
    _, raw = accounts.reset_token_for(user.email, now=datetime.now(UTC))
    db.session.commit()
    return raw


def test_a_reset_link_issued_before_a_switch_off_cannot_switch_it_on_or_set_a_password(client):
    hr = make_user(Role.HR, provider=make_provider())
    user = make_user(Role.ADMIN, provider=hr.provider)
    db.session.commit()
    raw = _reset_link(user)
    accounts.set_enabled(user, False, actor=hr, reason="left")
    db.session.commit()
    response = client.post(f"/account/set-password/{raw}", data={"password": "a brand new passphrase here"})
    assert response.status_code == 200  # the page says the link no longer works
    account = db.session.get(User, user.id)
    assert account.is_enabled is False
    assert client.post("/sign-in", data={"email": user.email, "password": "a brand new passphrase here"}
                       ).status_code == 200
    assert all(t.used_at is not None for t in db.session.scalars(
        select(AccountToken).where(AccountToken.user_id == user.id)))


def test_a_token_never_switches_an_account_on_even_if_it_were_still_live(client):
    user = make_user(Role.ADMIN, provider=make_provider())
    raw = accounts.issue_token(user, TokenKind.RESET, actor=None, now=datetime.now(UTC))
    user.is_enabled = False  # switched off by hand, the token left alive
    db.session.commit()
    token = accounts.find_token(raw, (TokenKind.RESET,), now=datetime.now(UTC))
    with pytest.raises(accounts.AccountError):
        accounts.use_token(token, password="a brand new passphrase here", now=datetime.now(UTC))
    assert db.session.get(User, user.id).is_enabled is False


def test_a_leaver_switched_off_by_the_daily_job_loses_their_links(client):
    from datetime import date

    from ..factories import make_area, make_person

    provider = make_provider()
    person = make_person(provider=provider, area=make_area("North Kent"), left_on=date(2026, 1, 31))
    user = make_user(Role.VOLUNTEER, provider=provider, person=person)
    raw = accounts.issue_token(user, TokenKind.INVITE, actor=None, now=datetime.now(UTC))
    db.session.commit()
    assert accounts.switch_off_leavers(today=date(2026, 2, 2), now=datetime.now(UTC)) == 1
    db.session.commit()
    assert accounts.find_token(raw, (TokenKind.INVITE,), now=datetime.now(UTC)) is None


def test_changing_the_password_on_the_account_page_ends_every_outstanding_link(client):
    user = make_user(Role.ADMIN, provider=make_provider())
    db.session.commit()
    raw = _reset_link(user)
    change_password(user, current=PASSWORD, new="a different long passphrase")
    db.session.commit()
    assert accounts.find_token(raw, (TokenKind.RESET,), now=datetime.now(UTC)) is None
    response = client.post(f"/account/set-password/{raw}", data={"password": "the attacker's passphrase"})
    assert response.status_code == 200
    assert client.post("/sign-in", data={"email": user.email, "password": "a different long passphrase"}
                       ).status_code == 302


@pytest.fixture
def production(monkeypatch):
    import config

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    return config.ProductionConfig


@pytest.mark.parametrize("missing", ["PUBLIC_BASE_URL", "TRUSTED_HOSTS"])
def test_production_refuses_to_start_without_its_public_address(production, monkeypatch, missing):
    settings = {"PUBLIC_BASE_URL": "https://pathway.example.org", "TRUSTED_HOSTS": ["pathway.example.org"]}
    for name, value in settings.items():
        monkeypatch.setattr(production, name, None if name == missing else value)
    with pytest.raises(RuntimeError, match=missing):
        create_app("production", RATELIMIT_STORAGE_URI="memory://")


def test_production_trusts_no_proxy_unless_told(production):
    assert production.PROXY_COUNT == 0
