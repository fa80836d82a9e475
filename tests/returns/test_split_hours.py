"""The return's hours, FTE used and value of volunteer time come from minutes added up whole
and turned into hours, FTE and pounds once: whatever order the summary's rows come in (it
differs between databases and plans), every figure is the same, each area's value is its exact
value to the penny (a half penny up), and the total is the sum of the areas'."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.hours.rules import fte_of_minutes
from app.models.people import Stage
from app.models.returns import VolunteerHourValue
from app.returns import measures as m
from app.returns.services import ALL, _Builder

START, END = date(2025, 1, 1), date(2026, 12, 31)

rows = st.lists(st.tuples(st.sampled_from([1, 2, 3, None]), st.sampled_from([*Stage, None]),
                          st.sampled_from(["Sessions", "Training", "Admin"]), st.sampled_from([2025, 2026]),
                          st.integers(1, 12), st.integers(1, 200_000)), max_size=40)


def _rate_on(day: date) -> int:
    rates = db.session.execute(select(VolunteerHourValue.effective_from, VolunteerHourValue.pence_per_hour)
                               .order_by(VolunteerHourValue.effective_from)).all()
    return next((p for d, p in reversed(rates) if d <= day), rates[0][1])


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows, order=st.randoms(use_true_random=False))
def test_the_figures_do_not_depend_on_the_order_of_the_rows(rows, order):
    shuffled = list(rows)
    order.shuffle(shuffled)
    assert m.split_hours(shuffled, START, END) == m.split_hours(rows, START, END)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows)
def test_each_figure_is_its_exact_value_and_the_total_the_sum_of_the_areas(rows):
    fte, hours, value = m.split_hours(rows, START, END)
    for area in {r[0] for r in rows}:
        mine = [r for r in rows if r[0] == area]
        pence_minutes = sum(r[5] * _rate_on(date(r[3], r[4], 1)) for r in mine if r[1] == Stage.VOLUNTEER)
        exact = (Decimal(pence_minutes) / 6000).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert value.get(area, {}).get("", 0) == float(exact)
        for stage in Stage:
            minutes = sum(r[5] for r in mine if r[1] == stage)
            assert fte.get(area, {}).get(stage.value, 0) == (float(fte_of_minutes(minutes, START, END)) if minutes
                                                             else 0)
        for activity in {r[2] for r in mine}:
            assert hours[area][activity] == sum(r[5] for r in mine if r[2] == activity) / 60
    build = _Builder({1: "North", 2: "South", 3: "East"})
    build.add("volunteer_hours_value", value)
    figures = {f.area: f.value for f in build.figures}
    if figures:
        assert figures[ALL] == round(sum(v for area, v in figures.items() if area != ALL)
                                     + value.get(None, {}).get("", 0), 2)
