"""No races, no doubles, on a real threaded server and the suite's database (SQLite or
PostgreSQL): entries sent together never make more than 24 hours in a day, a form sent twice
saves once, and a return sent twice at once is one version."""

import threading
from datetime import date, timedelta

import requests
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.extensions import db
from app.models.auth import Role
from app.models.hours import HoursEntry
from app.models.returns import ReturnSubmission

from ..factories import PASSWORD, activity, app_code

DAY = date.today() - timedelta(days=date.today().weekday() + 7)  # last week's Monday


class Visitor:
    """A browser without the browser: real forms, cookies and CSRF tokens over HTTP."""

    def __init__(self, base: str):
        self.base, self.http = base, requests.Session()

    def form(self, path: str, action: str | None = None) -> dict[str, str]:
        """The hidden fields (CSRF and one-off token) of the form on ``path`` posting to ``action``."""
        soup = BeautifulSoup(self.http.get(self.base + path, timeout=30).text, "html.parser")
        forms = [f for f in soup.find_all("form", method="post")
                 if (action is None or f.get("action", "") == action) and "sign-out" not in f.get("action", "")]
        return {i["name"]: i.get("value", "") for i in forms[0].find_all("input", type="hidden")}

    def sign_in(self, user) -> None:
        fields = self.form("/sign-in")
        response = self.http.post(self.base + "/sign-in", data={**fields, "email": user.email, "password": PASSWORD})
        if "/sign-in/second-step" in response.url:
            fields = self.form("/sign-in/second-step")
            response = self.http.post(self.base + "/sign-in/second-step", data={**fields, "code": app_code(user)})
        assert "/sign-in" not in response.url, "sign-in failed"

    def post_together(self, path: str, bodies: list[dict]) -> list[requests.Response]:
        """Every body posted at the same moment, each on its own connection with this visitor's cookies."""
        barrier, responses = threading.Barrier(len(bodies)), [None] * len(bodies)

        def send(index: int, body: dict) -> None:
            http = requests.Session()
            http.cookies.update(self.http.cookies)
            barrier.wait()
            responses[index] = http.post(self.base + path, data=body, timeout=60)

        threads = [threading.Thread(target=send, args=(i, b)) for i, b in enumerate(bodies)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return responses


def _hours(hours: str, world) -> dict:
    return {"worked_on": [str(DAY.day), str(DAY.month), str(DAY.year)], "hours": hours,
            "activity_id": str(activity().id), "area_id": str(world.north.id), "note": "", "submit": "Submit"}


def _minutes_that_day(person_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.coalesce(func.sum(HoursEntry.minutes), 0))
                             .where(HoursEntry.person_id == person_id, HoursEntry.worked_on == DAY))


def test_entries_sent_together_never_make_more_than_24_hours_a_day(world, server):
    parent = Visitor(server)
    parent.sign_in(world.user(Role.VOLUNTEER))
    path = f"/people/{world.me.id}/hours/new"
    bodies = [{**parent.form(path), **_hours("20", world)} for _ in range(10)]  # each with its own token
    responses = parent.post_together(path, bodies)
    assert all(r.status_code == 200 for r in responses), [r.status_code for r in responses]
    assert _minutes_that_day(world.me.id) == 20 * 60
    refused = [r for r in responses if "/hours/new" in r.url]
    assert len(refused) == 9 and all("24 hours" in r.text for r in refused)


def test_a_form_sent_twice_saves_once(world, server):
    parent = Visitor(server)
    parent.sign_in(world.user(Role.VOLUNTEER))
    path = f"/people/{world.me.id}/hours/new"
    body = {**parent.form(path), **_hours("2.5", world)}
    first, second = parent.post_together(path, [body, body])
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.url == second.url and "/hours/new" not in first.url  # both sent to the week's list
    assert _minutes_that_day(world.me.id) == 150
    assert db.session.scalar(select(func.count()).select_from(HoursEntry)
                             .where(HoursEntry.person_id == world.me.id, HoursEntry.worked_on == DAY)) == 1
    # Sent again later (back, then resend): still one.
    again = parent.http.post(server + path, data=body, timeout=30)
    assert again.status_code == 200 and "already sent" in again.text
    assert _minutes_that_day(world.me.id) == 150


def test_a_form_that_came_back_with_errors_can_be_corrected_and_sent(world, server):
    parent = Visitor(server)
    parent.sign_in(world.user(Role.VOLUNTEER))
    path = f"/people/{world.me.id}/hours/new"
    body = {**parent.form(path), **_hours("", world)}
    refused = parent.http.post(server + path, data=body, timeout=30)
    assert "Enter" in refused.text and _minutes_that_day(world.me.id) == 0
    saved = parent.http.post(server + path, data={**body, "hours": "3"}, timeout=30)
    assert "/hours/new" not in saved.url and _minutes_that_day(world.me.id) == 180


def _return_period() -> dict:
    return {"from": "2026-04-01", "to": "2026-06-30"}


def _versions(world) -> list[int]:
    db.session.rollback()
    return db.session.scalars(select(ReturnSubmission.version).where(
        ReturnSubmission.provider_id == world.provider.id, ReturnSubmission.period_start == date(2026, 4, 1),
        ReturnSubmission.period_end == date(2026, 6, 30)).order_by(ReturnSubmission.version)).all()


def test_a_return_sent_twice_at_once_is_one_version(world, server):
    hr = Visitor(server)
    hr.sign_in(world.user(Role.HR))
    body = {**hr.form("/returns/submit?from=2026-04-01&to=2026-06-30"), **_return_period()}
    before = _versions(world)
    responses = hr.post_together("/returns/submit", [body, body])
    assert [r.status_code for r in responses] == [200, 200]
    assert _versions(world) == [*before, len(before) + 1]


def test_two_people_submitting_at_once_make_two_numbered_versions(world, server):
    """Two deliberate submissions (different forms) are two versions, never the same number twice."""
    hr = Visitor(server)
    hr.sign_in(world.user(Role.HR))
    bodies = [{**hr.form("/returns/submit?from=2026-04-01&to=2026-06-30"), **_return_period()}
              for _ in range(3)]
    before = _versions(world)
    responses = hr.post_together("/returns/submit", bodies)
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert _versions(world) == [*before, *range(len(before) + 1, len(before) + 4)]
