"""Limits that hold across workers: production refuses counts kept in one process's memory
when it runs several, and only the configured number of proxies is believed about who is asking."""

import os
import subprocess
from pathlib import Path

import pytest

from app.extensions import limiter
from app.factory import create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production(monkeypatch):
    import config

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "a-real-secret")
    monkeypatch.setattr(config.ProductionConfig, "PUBLIC_BASE_URL", "https://pathway.example.org")
    monkeypatch.setattr(config.ProductionConfig, "TRUSTED_HOSTS", ["pathway.example.org"])
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    return config.ProductionConfig


def test_production_refuses_in_memory_limits_with_several_workers(production, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app("production", RATELIMIT_STORAGE_URI="memory://")


def test_production_refuses_in_memory_limits_when_the_worker_count_is_not_said(production):
    with pytest.raises(RuntimeError, match="WEB_CONCURRENCY=1"):
        create_app("production", RATELIMIT_STORAGE_URI="memory://")


def test_production_starts_with_shared_limits_or_one_process(production, monkeypatch, app):
    # The extensions are shared with the test app: nothing here may leave HTTPS forced on it.
    settings = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "FORCE_HTTPS": False}
    try:
        assert create_app("production", RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", **settings)
        monkeypatch.setenv("WEB_CONCURRENCY", "1")
        assert create_app("production", RATELIMIT_STORAGE_URI="memory://", **settings)
    finally:
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
        # The extensions put back as the test app has them.
        create_app("test", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])


def test_gunicorn_refuses_more_workers_than_in_memory_limits_allow(app):
    """WEB_CONCURRENCY says one, the command line asks for three: the server does not start."""
    env = {**os.environ, "SECRET_KEY": "a-real-secret", "WEB_CONCURRENCY": "1", "FORCE_HTTPS": "0",
           "RATELIMIT_STORAGE_URI": "memory://", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "BIND": "127.0.0.1:0", "PUBLIC_BASE_URL": "https://pathway.example.org",
           "TRUSTED_HOSTS": "pathway.example.org"}
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", "3",
                             "wsgi:app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "RATELIMIT_STORAGE_URI" in result.stderr


def _limited(app, **config):
    return create_app("test", RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="3 per minute",
                      SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **config)


def _statuses(client, headers) -> list[int]:
    return [client.post("/sign-in", data={"email": f"x{i}@example.org", "password": "nope-nope"},
                        headers=headers(i)).status_code for i in range(5)]


@pytest.mark.parametrize(("proxies", "headers"), [
    # No proxy trusted: whatever the client says about itself is ignored.
    (0, lambda i: {"X-Forwarded-For": f"10.0.{i}.1"}),
    # One proxy that appends the address it saw (nginx's $proxy_add_x_forwarded_for): the
    # client's forged entries come first and only the last one, the proxy's, is believed.
    (1, lambda i: {"X-Forwarded-For": f"10.0.{i}.1, 203.0.113.9"}),
])
def test_a_forged_forwarded_for_does_not_reset_the_sign_in_limit(app, proxies, headers):
    client = _limited(app, PROXY_COUNT=proxies).test_client()
    try:
        statuses = _statuses(client, headers)
    finally:
        limiter.reset()
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
    assert statuses == [200, 200, 200, 429, 429]


def test_behind_a_proxy_each_real_address_has_its_own_count(app):
    client = _limited(app, PROXY_COUNT=1).test_client()
    try:
        first = _statuses(client, lambda i: {"X-Forwarded-For": "203.0.113.9"})
        second = _statuses(client, lambda i: {"X-Forwarded-For": "198.51.100.7"})
    finally:
        limiter.reset()
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
    assert first == second == [200, 200, 200, 429, 429]
