"""Queries per page are constant in data size: ten times the providers, people and hours make
no more statements on the pages the co-ordinator and HR open most (the return, the home page,
delivery, the FTE page and the budget monitor)."""

from datetime import date

import pytest
from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models.auth import Role
from app.models.establishment import Grade

from .conftest import count_statements
from .factories import make_contract_year, make_grade, make_hours, make_person, make_post, make_provider, pay_line


def _count(client, path: str) -> int:
    return count_statements(client, path)


def _grow(world, providers: int) -> None:
    grade = db.session.scalar(select(Grade).where(Grade.code == "QC6")) or make_grade("QC6")
    for _ in range(providers):
        provider = make_provider()
        make_contract_year(provider)  # and a pay line, priced at the grade and the provider's on-cost rules
        pay_line(provider, [make_post(provider=provider, grade=grade)], "Facilitation")
        for area in (world.north, world.south):
            person = make_person(provider=provider, area=area, joined_on=date(2025, 1, 1))
            for day in (date(2026, 7, 6), date(2026, 8, 10), date(2026, 9, 14)):
                make_hours(person, worked_on=day, hours="2")
    for day in (date(2026, 7, 7), date(2026, 8, 11)):
        make_hours(world.neighbour, worked_on=day, hours="3")
    for _ in range(providers):  # more people waiting in the facilitator's queue, and on the list
        waiting = make_person(provider=world.provider, area=world.north, joined_on=date(2025, 1, 1))
        for day in (date(2026, 9, 7), date(2026, 9, 8), date(2026, 9, 15)):
            make_hours(waiting, worked_on=day, status="submitted")
    db.session.commit()


@pytest.mark.parametrize("role,path", [
    (Role.COORDINATOR, "/returns/?from=2026-07-01&to=2026-09-30&provider=all"),
    (Role.COORDINATOR, "/"),
    (Role.COORDINATOR, "/delivery/?from=2026-07-01&to=2026-09-30"),
    (Role.HR, "/budget/fte"),
    (Role.HR, "/budget/"),
    (Role.HR, "/returns/?from=2026-07-01&to=2026-09-30"),
    # and every other page `make bench` measures
    (Role.COORDINATOR, "/people"),
    (Role.COORDINATOR, "/people?last=1"),
    (Role.COORDINATOR, "/people/{me}"),
    (Role.AREA_FACILITATOR, "/approvals/hours"),
    (Role.HR, "/delivery/"),
    (Role.COORDINATOR, "/delivery/"),
    (Role.COORDINATOR, "/training/compliance"),  # each provider's counts, in SQL
])
def test_queries_do_not_grow_with_the_data(world, sign_in, role, path, monkeypatch):
    # What a page keeps until the data changes (app.generation) is left aside: every request
    # here is worked out in full, as the first after any change is.
    monkeypatch.setattr("app.generation.kept", lambda _key, build: build())
    client = sign_in(world.user(role))
    path = path.format(me=world.me.id)
    _grow(world, 2)
    _count(client, path)  # the first request fills per-process caches
    small = _count(client, path)
    _grow(world, 8)
    assert _count(client, path) == small


@pytest.mark.parametrize("role,path,most", [
    (Role.COORDINATOR, "/delivery/?from=2026-07-01&to=2026-09-30", 2),
    (Role.HR, "/delivery/", 2),
    (Role.HR, "/budget/fte", 2),
    (Role.COORDINATOR, "/returns/?from=2026-07-01&to=2026-09-30&provider=all", 2),
    (Role.HR, "/budget/", 2),
    (Role.AREA_FACILITATOR, "/approvals/hours", 2),
    (Role.COORDINATOR, "/people", 2),
    (Role.COORDINATOR, "/people?last=1", 2),
    (Role.COORDINATOR, "/people/{me}", 2),
    (Role.HR, "/people/{me}", 2),
    (Role.VOLUNTEER, "/people/{me}", 2),
])
def test_a_second_look_reads_the_session_and_the_generation_and_little_else(world, sign_in, role, path, most):
    """What a page works out and the providers and areas its filters offer are kept until the
    data changes (app.generation), and the generation is read once a request: asked again,
    delivery, FTE, the return, the budget monitor (its years, and its lines' names beside their
    figures), the approval queue (its people's waiting entries with the counts) and the people
    list (a page's rows, with the count and the filters' choices) and a person's page (as that
    user may see it, HR's with its pay points, a parent's their own) read the session and the
    generation alone."""
    client = sign_in(world.user(role))
    path = path.format(me=world.me.id)
    _count(client, path)
    assert _count(client, path) <= most


def test_a_provider_or_area_added_is_offered_by_the_next_page(world, sign_in, app):
    from .conftest import sign_in_with
    from .factories import make_area

    def page(client, path: str) -> str:
        g.pop("_login_user", None)  # the test's app context outlives each request
        return client.get(path).get_data(as_text=True)

    coordinator, hr = sign_in(world.user(Role.COORDINATOR)), app.test_client()
    sign_in_with(hr, world.user(Role.HR))
    for client, path in ((coordinator, "/delivery/"), (coordinator, "/returns/?provider=all"), (hr, "/budget/fte"),
                         (hr, "/budget/"), (hr, "/approvals/hours"), (coordinator, "/people")):
        page(client, path)
    make_provider(name="Newly Commissioned Trust")
    make_area("Swale Coast")
    make_contract_year(world.provider, start_year=2031)
    db.session.commit()
    delivery = page(coordinator, "/delivery/")
    assert "Newly Commissioned Trust" in delivery and "Swale Coast" in delivery
    assert "Newly Commissioned Trust" in page(coordinator, "/returns/?provider=all")
    assert "Swale Coast" in page(hr, "/budget/fte")
    assert "Swale Coast" in page(hr, "/approvals/hours")  # HR's queue filters by every area
    people = page(coordinator, "/people")
    assert "Swale Coast" in people and "Newly Commissioned Trust" in people
    assert "2031/32" in page(hr, "/budget/")  # a contract year added is offered at once
