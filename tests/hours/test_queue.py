"""The hours queue as approvers work it: a card a person, a week at a time, each week approved in
one press, everything on the page in another, and any entry sent back with a reason."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models.auth import Role
from app.models.hours import HoursEntry, HoursStatus
from app.periods import last_week

from ..conftest import page
from ..factories import make_hours, make_person

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LAST_MONDAY = last_week(NOW.date())[0]
WEEK_BEFORE = LAST_MONDAY - timedelta(days=7)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW):
        yield


@pytest.fixture
def queue(world):
    """Priya with two days last week and one the week before; Nina with one day last week."""
    priya = make_person(provider=world.provider, area=world.north, first_name="Priya", last_name="Patel",
                        joined_on=date(2025, 1, 1))
    entries = {
        "priya_mon": make_hours(priya, worked_on=LAST_MONDAY, hours="2.5", status="submitted"),
        "priya_tue": make_hours(priya, worked_on=LAST_MONDAY + timedelta(days=1), hours="7.4", status="submitted"),
        "priya_old": make_hours(priya, worked_on=WEEK_BEFORE, hours="1", status="submitted"),
        "nina": make_hours(world.neighbour, worked_on=LAST_MONDAY, hours="3", status="submitted"),
    }
    db.session.commit()
    return priya, entries


def _status(entry) -> HoursStatus:
    return db.session.scalar(select(HoursEntry.status).where(HoursEntry.id == entry.id))


def test_the_queue_is_a_card_a_person_a_week_at_a_time(world, queue, sign_in):
    priya, entries = queue
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    soup = page(client.get("/approvals/hours"))
    cards = soup.select(".pathway-queue-card")
    names = [card.select_one("h2").get_text(strip=True) for card in cards]
    # Priya has waited longest (the week before last); the world's own volunteer's entry is from January.
    assert names.index("Priya Patel") < names.index("Nina Neighbour")
    priya_card = cards[names.index("Priya Patel")]
    assert priya_card.select_one("a")["href"] == f"/people/{priya.id}/hours"
    weeks = [h.get_text(" ", strip=True) for h in priya_card.select("h3")]
    assert weeks == [f"Week of {WEEK_BEFORE:%-d %b %Y}: 1 hours", f"Week of {LAST_MONDAY:%-d %b %Y}: 9.9 hours"]
    assert len(priya_card.select("button[name=week]")) == 2
    assert "Send back" in priya_card.get_text()


def test_approve_week_approves_that_persons_week_and_nothing_else(world, queue, sign_in):
    priya, entries = queue
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    response = client.post("/approvals/hours", data={"week": f"{priya.id}:{LAST_MONDAY.isoformat()}"})
    assert response.status_code == 302
    assert [_status(entries[k]) for k in ("priya_mon", "priya_tue", "priya_old", "nina")] == [
        HoursStatus.APPROVED, HoursStatus.APPROVED, HoursStatus.SUBMITTED, HoursStatus.SUBMITTED]
    assert "Approved Priya Patel's 2 entries, 9.9 hours" in page(client.get("/approvals/hours")).get_text()


def test_approve_everything_on_the_page(world, queue, sign_in):
    _, entries = queue
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    shown = [i["value"] for i in page(client.get("/approvals/hours")).select("input[name=shown]")]
    client.post("/approvals/hours", data={"all": "1", "shown": shown})
    assert all(_status(e) == HoursStatus.APPROVED for e in entries.values())
    assert _status(world.entry) == HoursStatus.APPROVED


def test_a_week_out_of_the_approvers_reach_approves_nothing(world, queue, sign_in):
    """Another area's person named in the button's value: the queue's own scope decides."""
    theirs = make_hours(world.south_person, worked_on=LAST_MONDAY, status="submitted")
    db.session.commit()
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    client.post("/approvals/hours", data={"week": f"{world.south_person.id}:{LAST_MONDAY.isoformat()}"})
    assert _status(theirs) == HoursStatus.SUBMITTED
    client.post("/approvals/hours", data={"week": "nonsense"})
    client.post("/approvals/hours", data={"week": f"{world.south_person.id}:not-a-date"})
    assert _status(theirs) == HoursStatus.SUBMITTED


def test_the_queue_pages_by_person(world, sign_in):
    for n in range(23):
        person = make_person(provider=world.provider, area=world.north, first_name=f"P{n:02d}", last_name="Q")
        make_hours(person, worked_on=LAST_MONDAY - timedelta(days=n), status="submitted")
    for outside in (world.stranger, world.south_person):  # another provider's, another area's: not counted
        make_hours(outside, worked_on=LAST_MONDAY - timedelta(days=40), status="submitted")
    db.session.commit()
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    first = page(client.get("/approvals/hours"))
    assert len(first.select(".pathway-queue-card")) == 10
    assert "24 entries from 24 people waiting, longest first" in first.get_text()
    last = page(client.get("/approvals/hours?page=3"))
    assert len(last.select(".pathway-queue-card")) == 4
    shown = [c.h2.get_text(strip=True) for n in (1, 2, 3)
             for c in page(client.get(f"/approvals/hours?page={n}")).select(".pathway-queue-card")]
    assert len(shown) == len(set(shown)) == 24  # every person once, across the pages


@pytest.mark.parametrize("number", ["-1", "0", "abc"])
def test_a_page_number_below_one_shows_the_first_page(world, queue, sign_in, number):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    first = [c.h2.get_text(strip=True) for c in page(client.get("/approvals/hours")).select(".pathway-queue-card")]
    other = [c.h2.get_text(strip=True)
             for c in page(client.get(f"/approvals/hours?page={number}")).select(".pathway-queue-card")]
    assert other == first and first


def test_the_queue_keeps_who_is_waiting_until_someone_approves(world, queue, sign_in):
    """Asked again, the queue does not count or page its people again; a week approved takes the
    person off at once, and an HR user's queue is their own (not the facilitator's kept page)."""
    from sqlalchemy import event

    priya, _entries = queue
    client = sign_in(world.user(Role.AREA_FACILITATOR))

    def names(statements=None):
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        if statements is not None:
            event.listen(db.engine, "before_cursor_execute", listener)
        try:
            soup = page(client.get("/approvals/hours"))
        finally:
            if statements is not None:
                event.remove(db.engine, "before_cursor_execute", listener)
        return [card.select_one("h2").get_text(strip=True) for card in soup.select(".pathway-queue-card")]

    before = names()
    statements: list[str] = []
    assert names(statements) == before and "Priya Patel" in before
    assert not [s for s in statements if "count(" in s.lower()]  # kept: the people and counts
    for week in (WEEK_BEFORE, LAST_MONDAY):
        client.post("/approvals/hours", data={"week": f"{priya.id}:{week.isoformat()}"})
    assert "Priya Patel" not in names() and "Nina Neighbour" in names()
    hr = sign_in(world.user(Role.HR))
    assert "Nina Neighbour" in [card.select_one("h2").get_text(strip=True)
                                for card in page(hr.get("/approvals/hours")).select(".pathway-queue-card")]


def test_each_entry_says_what_it_is_and_links_to_its_own_send_back_page(world, queue, sign_in):
    """The queue reads plain values for its entries and builds its links from one pattern: each
    line still names its activity, says when it is a correction or was entered for the person,
    shows the note (or the reason for a correction), and sends back that entry and no other."""
    priya, entries = queue
    corrected = make_hours(priya, worked_on=WEEK_BEFORE, hours="-0.5", status="submitted",
                           corrects_id=entries["priya_old"].id, correction_reason="Left early")
    on_behalf = make_hours(priya, worked_on=LAST_MONDAY + timedelta(days=2), hours="1", status="submitted",
                           is_on_behalf=True, note="Phoned in", activity_name="Training")
    db.session.commit()
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    soup = page(client.get("/approvals/hours"))
    lines = {int(item.select_one("input[name=entry]")["value"]): item for item in soup.select("li")
             if item.select_one("input[name=entry]")}
    assert "(correction)" in lines[corrected.id].get_text() and "Left early" in lines[corrected.id].get_text()
    assert "(correction)" not in lines[entries["priya_old"].id].get_text()
    text = lines[on_behalf.id].get_text(" ", strip=True)
    assert "(entered for them)" in text and "Phoned in" in text and "Training" in text
    assert "(entered for them)" not in lines[entries["priya_mon"].id].get_text()
    assert "Peer support group" in lines[entries["priya_mon"].id].get_text()
    for entry_id, item in lines.items():
        assert item.select_one("a")["href"] == f"/hours/{entry_id}/reject"
    assert client.get(lines[on_behalf.id].select_one("a")["href"]).status_code == 200


def test_the_kept_queue_shows_a_change_at_the_next_request(world, queue, app):
    """The queue's page is kept until the data changes: an entry sent in, corrected in its note
    or approved elsewhere shows (or goes) at the next request, with no stale line left."""
    from flask import g

    from ..conftest import sign_in_with

    priya, entries = queue
    client = app.test_client()
    sign_in_with(client, world.user(Role.AREA_FACILITATOR))

    def lines() -> dict[int, str]:
        g.pop("_login_user", None)
        soup = page(client.get("/approvals/hours"))
        return {int(i.select_one("input[name=entry]")["value"]): i.get_text(" ", strip=True)
                for i in soup.select("li") if i.select_one("input[name=entry]")}

    assert set(entries.values()) and {e.id for e in entries.values()} <= set(lines())
    added = make_hours(priya, worked_on=LAST_MONDAY + timedelta(days=3), hours="2", status="submitted")
    db.session.commit()
    assert added.id in lines()
    db.session.get(HoursEntry, entries["priya_mon"].id).note = "Ran the crèche"
    db.session.commit()
    assert "Ran the crèche" in lines()[entries["priya_mon"].id]
    db.session.get(HoursEntry, entries["nina"].id).status = HoursStatus.APPROVED
    db.session.commit()
    assert entries["nina"].id not in lines()
