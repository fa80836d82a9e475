"""The sign-in limit holds across every web worker when its counts are kept in Redis:
five gunicorn workers allow 20 failed sign-ins a minute from one address, not 100."""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _gunicorn(app, port: int, workers: int, **env) -> subprocess.Popen:
    """The production server as deployed (gunicorn.conf.py), over plain HTTP with no proxy in front."""
    environment = {**os.environ, "SECRET_KEY": "a-real-secret", "FORCE_HTTPS": "0", "PROXY_COUNT": "0",
                   "WEB_CONCURRENCY": str(workers), "BIND": f"127.0.0.1:{port}",
                   "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "TRUSTED_HOSTS": "127.0.0.1,localhost",
                   "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], **env}
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                               cwd=ROOT, env=environment, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/sign-in", timeout=2).status_code == 200:
                return process
        except requests.ConnectionError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("gunicorn did not start")


def _failed_sign_ins(port: int, count: int, headers=lambda i: {}) -> list[int]:
    """``count`` wrong passwords, each on a new connection so they land on different workers."""
    page = requests.get(f"http://127.0.0.1:{port}/sign-in", timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    # The session cookie is Secure (__Host-): sent by hand, as a browser would over HTTPS.
    cookie = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
    statuses = []
    for i in range(count):
        response = requests.post(f"http://127.0.0.1:{port}/sign-in", timeout=10,
                                 data={"csrf_token": token, "email": f"nobody{i}@example.org",
                                       "password": "wrong-wrong"},
                                 headers={"Connection": "close", "Cookie": cookie, **headers(i)})
        statuses.append(response.status_code)
    return statuses


@pytest.fixture
def five_workers(app, redis_url):
    port = _free_port()
    process = _gunicorn(app, port, 5, RATELIMIT_STORAGE_URI=redis_url, SIGN_IN_RATE_LIMIT="20 per minute")
    yield port
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_five_workers_allow_twenty_failed_sign_ins_a_minute_from_one_address(five_workers):
    statuses = _failed_sign_ins(five_workers, 40)
    assert statuses[:20] == [200] * 20
    assert statuses[20:] == [429] * 20


def test_a_forged_forwarded_for_header_does_not_reset_the_count(five_workers):
    """No proxy is trusted here (PROXY_COUNT=0): the header is the client's own invention."""
    statuses = _failed_sign_ins(five_workers, 30, headers=lambda i: {"X-Forwarded-For": f"10.0.{i}.1"})
    assert statuses.count(200) == 20 and statuses[20:] == [429] * 10
