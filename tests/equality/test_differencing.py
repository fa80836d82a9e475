"""Every differencing of the equality tables a return publishes recovers no hidden count: within
a table (groups to the stage's total), across areas (to their provider), across providers (to
all providers), and across two periods. Built from the returns themselves, for random
providers, areas, answers and stage moves."""

import random
from datetime import UTC, date, datetime

import pytest

from app.equality import services as equality
from app.extensions import db
from app.models.equality import QUESTIONS, reported_groups
from app.models.people import Stage, StageChange
from app.recruitment.services import express_interest
from app.returns.services import build_return
from tests.equality.test_suppression import determined
from tests.factories import make_area, make_person, make_provider

pytestmark = pytest.mark.usefixtures("app")


def _answers(rng: random.Random) -> dict:
    answers = {}
    for question, spec in QUESTIONS.items():
        roll = rng.random()
        if roll < 0.15:
            continue  # not answered
        answers[question] = "prefer_not" if roll < 0.25 else rng.choice(list(spec["answers"]))
    return answers


def _populate(rng: random.Random):
    from flask import current_app

    areas = [make_area(f"Diff {name}") for name in ("North", "South", "West")]
    providers = [make_provider(name=f"Diff {i}") for i in range(2)]
    layout = {providers[0]: areas[:2], providers[1]: [areas[0], areas[2]]}
    for provider, its_areas in layout.items():
        for _ in range(rng.randint(25, 45)):
            area = rng.choice(its_areas)
            year = rng.choice([2025, 2026, 2026])
            with current_app.test_request_context():
                express_interest(provider, first_name="A", last_name="B", email=None, phone=None, contact_by="group",
                                 area=area, heard_from="friend", interests="",
                                 now=datetime(year, rng.randint(4, 12), rng.randint(1, 28), tzinfo=UTC),
                                 equality_answers=_answers(rng))
        for _ in range(rng.randint(20, 40)):
            joined = date(rng.choice([2025, 2026]), rng.randint(4, 12), rng.randint(1, 28))
            person = make_person(provider=provider, area=rng.choice(its_areas), joined_on=joined)
            if rng.random() < 0.8:
                equality.save_answers(_answers(rng), person=person)
            if rng.random() < 0.4:
                person.stage_changes.append(StageChange(changed_on=date(2026, 12, 1), from_stage=Stage.VOLUNTEER,
                                                        to_stage=Stage.CO_FACILITATOR, reason="Moved on"))
                if rng.random() < 0.4:
                    person.stage_changes.append(StageChange(
                        changed_on=date(2027, 1, 5), from_stage=Stage.CO_FACILITATOR, to_stage=Stage.EMPLOYEE,
                        reason="Moved on"))
    db.session.commit()
    return providers


def _published(returns: dict) -> dict:
    """{measure: {(group, unit): value or None}} from a return per provider and one for all."""
    cells: dict = {}
    for provider, ret in returns.items():
        for f in ret.figures:
            if f.measure.startswith("eq_"):
                unit = "all" if provider is None else (provider if f.area == "All" else (provider, f.area))
                cells.setdefault(f.measure, {})[(f.breakdown, unit)] = f.value
    return cells


def _check(cells: dict, providers: list) -> int:
    hidden_total = 0
    for measure, block in cells.items():
        question = next(q for q in QUESTIONS if measure.startswith(f"eq_{q}_"))
        groups = list(reported_groups(question))
        parent = {"all": None} | {p.id: "all" for p in providers}
        parent |= {unit: unit[0] for _, unit in block if isinstance(unit, tuple)}
        hidden = {key for key, value in block.items() if value is None}
        hidden_total += len(hidden)
        # Single differencing, line by line: never exactly one hidden cell in a sum.
        for unit in parent:  # groups add up to the unit's total
            assert sum((g, unit) in hidden for g in groups) != 1, (measure, unit)
        for up in {u for u in parent.values() if u is not None}:  # areas to provider, providers to all
            for g in groups:
                line = [(g, up)] + [(g, c) for c, above in parent.items() if above == up]
                assert sum(key in hidden for key in line) != 1, (measure, g, up)
        # And every combination of sums at once: exact linear algebra.
        assert not determined(hidden, groups, parent), measure
    return hidden_total


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_differencing_recovers_a_hidden_count(seed):
    providers = _populate(random.Random(seed))

    def returns(start, end):
        found = {p.id: build_return(start=start, end=end, provider=p) for p in providers}
        found[None] = build_return(start=start, end=end, provider=None)
        return found

    first_quarter = returns(date(2026, 4, 1), date(2026, 6, 30))
    cells = _published(first_quarter)
    assert _check(cells, providers) > 0  # there is something hidden to find
    # A second period in the same year publishes the same tables: nothing new to subtract.
    assert _published(returns(date(2026, 9, 14), date(2027, 1, 31))) == cells
    # A period in the year before publishes that year's own tables, themselves safe; no return
    # publishes a table for the two years together, so none subtracts from another.
    earlier = _published(returns(date(2025, 10, 1), date(2025, 12, 31)))
    assert earlier != cells
    _check(earlier, providers)
