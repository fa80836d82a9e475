"""Small-number suppression cannot be undone by differencing: try to recover every
suppressed lived-experience cell from everything the return publishes, and fail."""

import itertools
from datetime import date

import pytest

from app.extensions import db
from app.returns.services import ALL, build_return

from ..factories import make_area, make_person, make_provider

DAY = date(2026, 6, 30)


def _people(provider, counts: dict[str, tuple[int, int]]) -> None:
    for name, (yes, no) in counts.items():
        area = make_area(name)
        for lived, n in ((True, yes), (False, no)):
            for _ in range(n):
                make_person(provider=provider, area=area, joined_on=date(2025, 1, 1), has_lived_experience=lived)
    db.session.commit()


def _solutions(ret) -> tuple[list[str], list[dict[tuple[str, str], int]]]:
    """Every assignment of the lived-experience table consistent with what is published."""
    areas = [a for a in ret.areas() if a != ALL]
    headcount = {a: sum(f.value for f in ret.figures if f.measure == "headcount" and f.area == a)
                 for a in [*areas, ALL]}
    published = {(f.area, f.breakdown): f.value for f in ret.figures if f.measure == "headcount_lived_experience"}
    share = {f.area: f.value for f in ret.figures if f.measure == "lived_experience_pct" and f.value is not None}

    def consistent(area, yes):
        no = headcount[area] - yes
        if published.get((area, "yes")) not in (None, yes) or published.get((area, "no")) not in (None, no):
            return False
        return area not in share or round(yes * 100 / headcount[area], 1) == share[area]

    options = [[y for y in range(headcount[a] + 1) if consistent(a, y)] for a in areas]
    found = []
    for choice in itertools.product(*options):
        total_yes = sum(choice)
        if consistent(ALL, total_yes):
            cells = {}
            for area, yes in zip(areas, choice, strict=True):
                cells[(area, "yes")], cells[(area, "no")] = yes, headcount[area] - yes
            cells[(ALL, "yes")], cells[(ALL, "no")] = total_yes, headcount[ALL] - total_yes
            found.append(cells)
    return areas, found


@pytest.mark.parametrize("counts", [
    {"North Kent": (10, 3), "South Kent": (8, 7), "East Kent": (6, 6), "West Kent": (12, 9)},
    {"North Kent": (2, 9)},  # one area: the All row is the area
    {"North Kent": (4, 8), "South Kent": (9, 1), "East Kent": (7, 7)},
])
def test_no_suppressed_cell_can_be_recovered_from_the_published_figures(counts):
    _people(make_provider(name="Suppression CIC"), counts)
    ret = build_return(start=date(2026, 4, 1), end=DAY, provider=None)
    suppressed = [(f.area, f.breakdown) for f in ret.figures
                  if f.measure == "headcount_lived_experience" and f.value is None]
    assert suppressed, "the fixture has small cells"
    _, solutions = _solutions(ret)
    assert solutions, "the real figures are one solution"
    recovered = [cell for cell in suppressed if len({s[cell] for s in solutions}) == 1]
    assert recovered == []


def test_the_returns_dbs_compliance_uses_the_same_rule_as_the_pathway(world):
    """A check with no next-check date is overdue after 3 years; one without the children's
    barred list does not clear a role that needs it: in the return as on a person's page."""
    from app.models.auth import Role
    from app.models.training import CheckKind
    from app.training.progression import clearance
    from app.training.services import record_check

    hr = world.user(Role.HR)
    checks = {world.me: dict(checked_on=date(2025, 1, 6), barred_list=True),
              world.neighbour: dict(checked_on=date(2022, 1, 6), barred_list=True),  # overdue since January 2025
              world.south_person: dict(checked_on=date(2025, 1, 6), barred_list=False)}
    for person, check in checks.items():
        record_check(person, kind=CheckKind.DBS, actor=hr, today=DAY, **check)
    db.session.commit()
    ret = build_return(start=date(2026, 4, 1), end=DAY, provider=world.provider)
    cleared = [clearance(person, DAY).met for person in checks]
    assert cleared == [True, False, False]
    assert ret.value("dbs_compliance_pct") == round(100 / 3, 1)
