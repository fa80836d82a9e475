"""Each home page is a to-do list: counts within what the user may see, each linking to the list."""

from datetime import UTC, date, datetime, timedelta

from bs4 import BeautifulSoup

from app.extensions import db
from app.hours.services import reject_entry
from app.models.auth import Role

from ..factories import make_hours

NOW = datetime.now(UTC)


def _todo(client) -> list[tuple[str, str]]:
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    return [(li.p.get_text(" ", strip=True), li.a["href"]) for li in soup.select(".pathway-todo__item")]


def test_a_parent_sees_what_was_sent_back_with_the_reason_and_where_to_correct_it(world, sign_in):
    reject_entry(world.entry, reason="The group was on the 6th", actor=world.user(Role.AREA_FACILITATOR), now=NOW)
    make_hours(world.me, worked_on=date.today() - timedelta(days=3), status="draft")
    world.paid_claim.paid_on = date.today() - timedelta(days=2)
    db.session.commit()
    client = sign_in(world.user(Role.VOLUNTEER))
    todo = dict(_todo(client))
    assert todo["Your 2 hours on 5 January 2026 were sent back: The group was on the 6th"] == \
        f"/hours/{world.entry.id}"
    assert "1 entry is saved but not sent for approval" in todo
    paid = [text for text in todo if text.startswith("Your claim of £")]
    assert paid and paid[0].endswith(f"was paid on {world.paid_claim.paid_on:%-d %B %Y}")


def test_a_parent_with_nothing_waiting_is_told_so(world, sign_in):
    world.entry.status = "approved"
    world.claim.status = "approved"
    db.session.commit()
    page = sign_in(world.user(Role.VOLUNTEER)).get("/").get_data(as_text=True)
    assert "Nothing needs you right now" in page
    assert "You are a <strong>" in page


def test_a_facilitator_sees_their_areas_queues_only(world, sign_in):
    make_hours(world.south_person, worked_on=date(2026, 1, 6), status="submitted")  # another area
    make_hours(world.stranger, worked_on=date(2026, 1, 6), status="submitted")  # another provider
    db.session.commit()
    todo = dict(_todo(sign_in(world.user(Role.AREA_FACILITATOR))))
    assert todo["1 hours entry waiting for approval"] == "/approvals/hours"
    assert todo["1 expense claim waiting for a decision"] == "/approvals/expenses"
    assert not any("return" in text for text in todo)  # returns are HR's


def test_hr_sees_the_provider_and_the_return_due(world, sign_in):
    make_hours(world.south_person, worked_on=date(2026, 1, 6), status="submitted")
    db.session.commit()
    todo = dict(_todo(sign_in(world.user(Role.HR))))
    assert "2 hours entries waiting for approval" in todo
    due = [text for text in todo if text.startswith("The workforce return for")]
    assert due and todo[due[0]].startswith("/returns/?from=")


def test_the_coordinator_sees_returns_in_and_missing(world, sign_in):
    todo = dict(_todo(sign_in(world.user(Role.COORDINATOR))))
    assert any(text.endswith("providers have not submitted the return for " + text.split(" for ")[-1])
               for text in todo)
    assert any(" of 2 providers have submitted the return for " in text for text in todo)


def test_the_coordinator_sees_providers_short_on_delivery(app):
    """The demo has West Kent short of its plan: its provider is named, with a link to its delivery."""
    from sqlalchemy import select

    from app.demo import load_demo
    from app.main.todo import todo_for
    from app.models.auth import User

    load_demo(today=date.today())
    db.session.commit()
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    with app.test_request_context():
        todo = {item.text: item.href for item in todo_for(coordinator, today=date.today())}
    short = [text for text in todo if " planned sessions in " in text]
    assert short and todo[short[0]].startswith("/delivery/?provider=")
    assert any(text.startswith("0 of 1 provider has submitted the return") for text in todo)  # one provider
