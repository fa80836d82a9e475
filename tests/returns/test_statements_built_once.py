"""The return's statements are built once (``app.statements``) and run with the period and the
provider as values: a return worked out again, for another period or another provider, builds
next to no statements, and its figures are those of statements built afresh for each."""

from datetime import date

import pytest
from sqlalchemy.sql import selectable

from app import generation
from app.extensions import db
from app.models.establishment import Grade
from app.returns.services import build_return

from ..factories import make_contract_year, make_grade, make_hours, make_person, make_post, pay_line


@pytest.fixture
def built(monkeypatch):
    """How many SELECT statements are built while the fixture's counter is on."""
    count = {"on": False, "n": 0}
    original = selectable.Select.__init__

    def counting(self, *args, **kwargs):
        if count["on"]:
            count["n"] += 1
        original(self, *args, **kwargs)

    monkeypatch.setattr(selectable.Select, "__init__", counting)
    monkeypatch.setattr(generation, "kept", lambda _key, build: build())  # worked out in full each time
    return count


def _data(world):
    grade = db.session.scalar(db.select(Grade).where(Grade.code == "QC6")) or make_grade("QC6")
    post = make_post(provider=world.provider, grade=grade)
    for year in (2025, 2026):
        pay_line(world.provider, [post], "Facilitation", start_year=year)
    for area in (world.north, world.south):
        person = make_person(provider=world.provider, area=area, joined_on=date(2025, 1, 1))
        for day in (date(2026, 3, 16), date(2026, 4, 20), date(2026, 7, 6)):
            make_hours(person, worked_on=day, hours="2")
    db.session.commit()


def test_a_return_worked_out_again_builds_next_to_no_statements(world, built):
    make_contract_year(world.provider, start_year=2025)
    _data(world)
    for provider in (None, world.provider):  # the first of each kind builds its statements
        build_return(start=date(2026, 7, 1), end=date(2026, 9, 30), provider=provider)
    built["on"] = True
    figures = {}
    for provider in (None, world.provider, world.stranger.provider):
        # Another period, across 1 April with part months at either end: the same statements.
        figures[provider] = build_return(start=date(2026, 2, 10), end=date(2026, 5, 17), provider=provider)
    built["on"] = False
    # The few left are small reference reads (area names, the delivery plan, the offers), not
    # the measures: before, each return built some seventy.
    assert built["n"] <= 3 * 10, built["n"]
    for provider, hours in ((None, 8), (world.provider, 8), (world.stranger.provider, None)):
        assert figures[provider].value("hours", "Peer support group") == hours
