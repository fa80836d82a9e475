"""Mileage has one rule, whatever the way in: the screen, an import, a later import, or a
re-pricing. A line is priced against the car miles of the lines before it in its tax year."""

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.expenses.services import add_line, create_claim, decide_line, reprice_mileage, submit_claim
from app.extensions import db
from app.imports.csvfile import ImportFailed
from app.imports.expenses import import_expenses
from app.models.auth import Role
from app.models.expenses import ExpenseClaim, ExpenseLine, LineStatus, MileageRate, Vehicle

from ..factories import category

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
HEADER = "person_ref,date,category,amount,miles,vehicle,status\n"


def _low_threshold() -> None:
    """45p for the first 1,000 car miles of a tax year, then 25p (small numbers, same shape)."""
    db.session.add(MileageRate(vehicle=Vehicle.CAR, effective_from=date(2026, 4, 6), pence_per_mile=45,
                               threshold_miles=1000, pence_after_threshold=25))
    db.session.flush()


def _import(world, rows: list[str]):
    return import_expenses(HEADER + "".join(f"{row}\n" for row in rows), provider=world.provider,
                           actor=world.user(Role.HR), today=TODAY, now=NOW)


def _amounts(person_id: int) -> list[int]:
    return list(db.session.scalars(
        select(ExpenseLine.amount_pence).join(ExpenseClaim)
        .where(ExpenseClaim.person_id == person_id, ExpenseLine.miles.is_not(None))
        .order_by(ExpenseLine.spent_on, ExpenseLine.id)))


def _on_screen(world, days_and_miles) -> list[int]:
    parent = world.user(Role.VOLUNTEER)
    claim = create_claim(world.me, actor=parent)
    for day, miles in days_and_miles:
        add_line(claim, category=category("Mileage"), spent_on=day, description="Group visit",
                 amount_pence=None, miles=Decimal(miles), vehicle=Vehicle.CAR, journey_from="Home",
                 journey_to="Hall", receipt=None, actor=parent, today=TODAY)
    submit_claim(claim, actor=parent, now=NOW)
    return [line.amount_pence for line in sorted(claim.lines, key=lambda ln: (ln.spent_on, ln.id))]


def test_three_800_mile_lines_imported_are_priced_as_the_screen_prices_them(world):
    _low_threshold()
    _import(world, [f"{world.me.ref},2026-05-0{d},Mileage,,800,car,approved" for d in (1, 2, 3)])
    imported = _amounts(world.me.id)
    db.session.rollback()
    _low_threshold()
    assert imported == _on_screen(world, [(date(2026, 5, d), "800") for d in (1, 2, 3)])
    assert imported == [36_000, 200 * 45 + 600 * 25, 800 * 25]


def test_an_earlier_import_is_priced_before_the_miles_that_came_after_it(world):
    """A file of last spring's journeys, imported after this summer's approved ones, is priced
    first in the year (as the screen would have), not after them."""
    _low_threshold()
    _import(world, [f"{world.me.ref},2026-08-01,Mileage,,900,car,approved"])
    _import(world, [f"{world.me.ref},2026-05-01,Mileage,,800,car,paid"])
    assert _amounts(world.me.id) == [800 * 45, 900 * 45]  # the approved August line keeps its amount


def test_repricing_never_changes_an_approved_amount(world):
    _low_threshold()
    _import(world, [f"{world.me.ref},2026-05-0{d},Mileage,,800,car,approved" for d in (1, 2, 3)])
    before = _amounts(world.me.id)
    reprice_mileage(world.me.id, date(2026, 5, 1))
    db.session.flush()
    assert _amounts(world.me.id) == before == [36_000, 24_000, 20_000]


def test_a_rejected_earlier_line_lets_a_pending_later_one_be_repriced(world):
    _low_threshold()
    _import(world, [f"{world.me.ref},2026-05-01,Mileage,,900,car,submitted",
                    f"{world.me.ref},2026-05-02,Mileage,,200,car,submitted"])
    assert _amounts(world.me.id) == [900 * 45, 100 * 45 + 100 * 25]
    first = db.session.scalar(select(ExpenseLine).where(ExpenseLine.spent_on == date(2026, 5, 1)))
    decide_line(first, approve=False, reason="Not a business journey", actor=world.user(Role.AREA_FACILITATOR),
                now=NOW)
    assert _amounts(world.me.id)[1] == 200 * 45


def test_a_mileage_line_with_no_rate_on_its_day_is_a_row_error(world):
    db.session.execute(MileageRate.__table__.delete().where(MileageRate.vehicle == Vehicle.MOTORCYCLE))
    try:
        _import(world, [f"{world.me.ref},2026-05-01,Mileage,,10,motorcycle,paid"])
    except ImportFailed as failed:
        assert "there is no mileage rate for motorcycle on 01/05/2026" in str(failed.report.errors)
    else:
        raise AssertionError("the import should have failed")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(journeys=st.lists(st.tuples(st.integers(1, 60), st.integers(1, 700)), min_size=1, max_size=6),
       order=st.randoms(use_true_random=False), split=st.integers(0, 6))
def test_the_order_lines_arrive_in_never_changes_their_prices(world, journeys, order, split):
    """Imported in any row order, in one file or two, the year is priced as the screen prices it."""
    db.session.begin_nested()
    try:
        _low_threshold()
        rows = [(date(2026, 5, 1).toordinal() + offset, miles) for offset, miles in journeys]
        lines = [f"{world.me.ref},{date.fromordinal(day):%Y-%m-%d},Mileage,,{miles},car,submitted"
                 for day, miles in rows]
        order.shuffle(lines)
        for part in (lines[:split], lines[split:]):
            if part:
                _import(world, part)
        imported = sorted(_amounts(world.me.id))
        miles_by_order = [m for _, m in sorted(rows, key=lambda r: r[0])]
        expected, so_far = [], 0
        for miles in miles_by_order:
            at_full = max(0, min(miles, 1000 - so_far))
            expected.append(at_full * 45 + (miles - at_full) * 25)
            so_far += miles
        assert sum(imported) == sum(expected)
        assert imported == sorted(expected) or _same_days(rows)
    finally:
        db.session.rollback()


def _same_days(rows) -> bool:
    """Two lines on one day are ordered by arrival; their total is still fixed."""
    days = [day for day, _ in rows]
    return len(days) != len(set(days))


def _paid_for_the_year(person_id: int) -> int:
    """What the approved mileage lines and their adjustments add up to."""
    originals = db.session.scalars(select(ExpenseLine.id).join(ExpenseClaim).where(
        ExpenseClaim.person_id == person_id, ExpenseLine.miles.is_not(None),
        ExpenseLine.status == LineStatus.APPROVED)).all()
    return sum(db.session.scalars(select(ExpenseLine.amount_pence).where(
        ExpenseLine.status == LineStatus.APPROVED,
        (ExpenseLine.id.in_(originals)) | (ExpenseLine.adjusts_id.in_(originals)))))


def _hmrc(miles_in_date_order: list[int]) -> int:
    total, so_far = 0, 0
    for miles in miles_in_date_order:
        at_full = max(0, min(miles, 1000 - so_far))
        total += at_full * 45 + (miles - at_full) * 25
        so_far += miles
    return total


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(journeys=st.lists(st.tuples(st.integers(0, 90), st.integers(50, 700), st.booleans()), min_size=2,
                         max_size=5), order=st.randoms(use_true_random=False))
def test_the_order_of_decisions_never_changes_what_the_year_pays(world, journeys, order):
    """Each journey on a claim of its own, approved or rejected in any order: the year pays HMRC's
    rule for its approved miles in date order (an approved line is put right by an adjusting line)."""
    db.session.begin_nested()
    try:
        _low_threshold()
        parent, facilitator = world.user(Role.VOLUNTEER), world.user(Role.AREA_FACILITATOR)
        lines = []
        for offset, miles, approve in journeys:
            claim = create_claim(world.me, actor=parent)
            line = add_line(claim, category=category("Mileage"), spent_on=date.fromordinal(
                date(2026, 5, 1).toordinal() + offset), description="Group visit", amount_pence=None,
                miles=Decimal(miles), vehicle=Vehicle.CAR, journey_from="Home", journey_to="Hall", receipt=None,
                actor=parent, today=TODAY)
            submit_claim(claim, actor=parent, now=NOW)
            lines.append((line, miles, approve))
        order.shuffle(lines)
        for line, _miles, approve in lines:
            decide_line(line, approve=approve, reason=None if approve else "Not a business journey",
                        actor=facilitator, now=NOW)
        approved = sorted((line.spent_on, line.id, miles) for line, miles, approve in lines if approve)
        assert _paid_for_the_year(world.me.id) == _hmrc([miles for _, _, miles in approved])
    finally:
        db.session.rollback()
