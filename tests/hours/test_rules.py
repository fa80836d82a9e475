from datetime import date
from decimal import Decimal

import pytest

from app.hours.rules import (
    entry_problems,
    fte_used,
    minutes_between,
    minutes_from_hours,
    recorded_minutes,
    week_start,
)

TODAY = date(2026, 11, 23)


def problems(**overrides):
    values = dict(worked_on=date(2026, 11, 20), minutes=120, today=TODAY, joined_on=date(2025, 1, 1),
                  left_on=None, minutes_already_that_day=0)
    values.update(overrides)
    return entry_problems(**values)


def test_a_good_entry_has_no_problems():
    assert problems() == {}


@pytest.mark.parametrize("overrides,field,message", [
    ({"worked_on": date(2026, 11, 24)}, "worked_on", "The date you worked must be today or in the past"),
    ({"worked_on": date(2024, 12, 31)}, "worked_on",
     "The date must be on or after the day they joined (1 January 2025)"),
    ({"left_on": date(2026, 11, 19)}, "worked_on",
     "The date must be on or before the day they left (19 November 2026)"),
    ({"minutes": 0}, "hours", "Hours must be more than 0 and no more than 24 a day"),
    ({"minutes": -60}, "hours", "Hours must be more than 0 and no more than 24 a day"),
    ({"minutes": 120, "minutes_already_that_day": 23 * 60}, "hours",
     "That would be more than 24 hours on one day. You can add up to 1 more"),
])
def test_entry_problems(overrides, field, message):
    assert problems(**overrides) == {field: message}


def test_today_and_exactly_24_hours_are_allowed():
    assert problems(worked_on=TODAY, minutes=60, minutes_already_that_day=23 * 60) == {}


def test_fte_used_is_hours_over_37_times_weeks():
    # 74 hours in two weeks is one FTE; 18.5 hours in one week is half.
    assert fte_used(74 * 60, date(2026, 11, 2), date(2026, 11, 15)) == Decimal("1.000")
    assert fte_used(int(18.5 * 60), date(2026, 11, 2), date(2026, 11, 8)) == Decimal("0.500")


@pytest.mark.parametrize("hours,minutes", [
    (Decimal("1.25"), 75), (Decimal("2.5"), 150), (Decimal("0.1"), 6), (Decimal("1.3"), 78),
    # A 37-hour week's day: 7.4 hours is 7 hours 24 minutes.
    (Decimal("7.4"), 444), ("7.4", 444), ("7,4", 444), ("1.333", 80), ("abc", None), ("NaN", None),
    ("1e308", None), ("-1e308", None),
])
def test_minutes_from_hours_is_to_the_nearest_minute(hours, minutes):
    assert minutes_from_hours(hours) == minutes


@pytest.mark.parametrize("minutes,quarter,kept", [
    (444, False, 444), (444, True, 450), (437, True, 435), (5, True, 15), (-70, True, -75), (0, True, 0),
])
def test_recorded_minutes_rounds_to_quarter_hours_only_when_the_provider_does(minutes, quarter, kept):
    assert recorded_minutes(minutes, to_quarter_hours=quarter) == kept


def test_70_minutes_is_a_good_entry():
    assert problems(minutes=70) == {}


def test_minutes_between_and_week_start():
    assert minutes_between("09:30", "12:00") == 150
    assert minutes_between("22:00", "01:00") == 180
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN"])
def test_minutes_from_non_finite_hours_is_none(value):
    assert minutes_from_hours(Decimal(value)) is None
