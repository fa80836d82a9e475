from datetime import date

import pytest

from app.training.rules import add_months, expiry_date, training_status

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("expires_on,status", [
    (None, "current"),
    (date(2026, 11, 22), "expired"),
    (date(2026, 11, 23), "expired"),  # expires on its expiry day
    (date(2026, 11, 24), "expiring"),
    (date(2027, 1, 22), "expiring"),  # exactly 60 days ahead
    (date(2027, 1, 23), "current"),  # 61 days ahead
])
def test_expiry_and_expiring_soon_boundaries(expires_on, status):
    assert training_status(expires_on, TODAY) == status


def test_expiry_date_from_validity():
    assert expiry_date(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert expiry_date(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert expiry_date(date(2025, 3, 3), 36) == date(2028, 3, 3)
    assert expiry_date(date(2025, 3, 3), None) is None
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
