"""Concurrent requests against a real server on a loopback port: each action happens once."""

import threading

import pytest
import requests
from bs4 import BeautifulSoup
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.expenses import ClaimStatus, ExpenseClaim
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person

from ..factories import PASSWORD, app_code, make_claim, make_user


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


def _session(base: str, user) -> requests.Session:
    session = requests.Session()
    response = session.post(f"{base}/sign-in", data={"email": user.email, "password": PASSWORD},
                            allow_redirects=False, timeout=30)
    assert response.status_code == 302
    if response.headers["Location"].endswith("/sign-in/second-step"):
        response = session.post(f"{base}/sign-in/second-step", data={"code": app_code(user)},
                                allow_redirects=False, timeout=30)
        assert response.status_code == 302
    return session


def _at_once(*calls):
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _events(action: str, entity_type: str, entity_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id))


def test_two_approvers_approving_the_same_entry(world, server):
    facilitator = _session(server, world.user(Role.AREA_FACILITATOR))
    hr = _session(server, world.user(Role.HR))
    data = {"entry": str(world.entry.id)}
    results = _at_once(lambda: facilitator.post(f"{server}/approvals/hours", data=data, timeout=30),
                       lambda: hr.post(f"{server}/approvals/hours", data=data, timeout=30))
    assert [r.status_code for r in results] == [200, 200]  # both land back on the queue
    db.session.expire_all()
    assert db.session.get(HoursEntry, world.entry.id).status == HoursStatus.APPROVED
    assert _events("approve", "HoursEntry", world.entry.id) == 1


def test_a_double_submitted_claim_is_submitted_once(world, server):
    claim = make_claim(world.me, status="draft")
    db.session.commit()
    url = f"{server}/expenses/{claim.id}/submit"  # read in this thread: ORM objects stay here
    parent = _session(server, world.user(Role.VOLUNTEER))
    results = _at_once(*[lambda: parent.post(url, timeout=30)] * 2)
    assert all(r.status_code == 200 for r in results)
    db.session.expire_all()
    assert db.session.get(ExpenseClaim, claim.id).status == ClaimStatus.SUBMITTED
    assert _events("submit", "ExpenseClaim", claim.id) == 1


def _upload(session, base, kind, text):
    return session.post(f"{base}/imports/", data={"kind": kind}, files={"file": ("data.csv", text.encode())},
                        timeout=60)


def test_two_imports_at_once(world, server):
    second_hr = make_user(Role.HR, provider=world.provider, email="hr-b@example.org")
    db.session.commit()
    hr_a, hr_b = _session(server, world.user(Role.HR)), _session(server, second_hr)
    header = "person_ref,date,hours,activity,area,status\n"
    first = header + "".join(f"{world.me.ref},2026-03-{d:02d},1,Workshop,North Kent,approved\n" for d in range(1, 11))
    second = header + "".join(f"{world.neighbour.ref},2026-03-{d:02d},2,Workshop,North Kent,approved\n"
                              for d in range(1, 6))
    before = db.session.scalar(select(func.count(HoursEntry.id)))
    _at_once(lambda: _upload(hr_a, server, "hours", first), lambda: _upload(hr_b, server, "hours", second))
    db.session.expire_all()
    assert db.session.scalar(select(func.count(HoursEntry.id))) == before + 15
    people = "person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience\n" + "".join(
        f"RACE{n},Ann,Smith{n},,North Kent,volunteer,2025-01-01,,yes\n" for n in range(5))
    results = _at_once(lambda: _upload(hr_a, server, "people", people), lambda: _upload(hr_b, server, "people", people))
    assert all(r.status_code == 200 for r in results)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Person.id)).where(Person.ref.like("RACE%"))) == 5
    assert sum("Nothing was imported" in BeautifulSoup(r.text, "html.parser").get_text() for r in results) == 1


