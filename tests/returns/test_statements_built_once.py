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


def test_the_lived_experience_split_is_of_the_headcount_s_people(world):
    """Read in the headcount's statement, the split counts the people the headcount does: not
    someone in post on the day whose every stage change is dated after it (as an import can
    leave a person), who has no stage that day."""
    provider = world.stranger.provider
    for lived in (True, False):
        for _ in range(5):
            make_person(provider=provider, area=world.north, has_lived_experience=lived)
    early = make_person(provider=provider, area=world.north, joined_on=date(2026, 1, 1))
    early.stage_changes[0].changed_on = date(2026, 10, 1)  # in post from January, no stage until October
    db.session.commit()
    figures = build_return(start=date(2026, 7, 1), end=date(2026, 9, 30), provider=provider)
    headcount = sum(f.value for f in figures.figures if f.measure == "headcount" and f.area == "All")
    split = {f.breakdown: f.value for f in figures.figures
             if f.measure == "headcount_lived_experience" and f.area == "All"}
    assert headcount == 11  # the stranger and the ten above; not the person with no stage yet
    assert split == {"yes": 6, "no": 5}
    assert figures.value("lived_experience_pct") == round(6 * 100 / 11, 1)
