"""The dated rates the whole contract uses, kept by the co-ordinator: a new rate applies from
its date; figures before it do not change."""

from datetime import date

import pytest

from app.expenses.services import rate_on
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.expenses import MileageRate, Vehicle
from app.models.returns import VolunteerHourValue

from ..conftest import error_messages


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def test_a_new_volunteer_hour_value_from_a_date(world, sign_in, client):
    sign_in(world.user(Role.COORDINATOR))
    response = client.post("/council/rates", data={"which": "hour", "hour-effective_from": _day(date(2027, 4, 1)),
                                                   "hour-amount": "£12.86", "hour-source": "National Living Wage 2027"})
    assert response.status_code == 302
    value = db.session.scalar(db.select(VolunteerHourValue).where(
        VolunteerHourValue.effective_from == date(2027, 4, 1)))
    assert value.pence_per_hour == 1286
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.summary.contains("£12.86"))).is_council_setting


def test_a_new_mileage_rate_applies_from_its_date_only(world, sign_in, client):
    before = rate_on(Vehicle.CAR, date(2027, 5, 31))
    sign_in(world.user(Role.COORDINATOR))
    client.post("/council/rates", data={
        "which": "mileage", "mileage-vehicle": "car", "mileage-effective_from": _day(date(2027, 6, 1)),
        "mileage-pence_per_mile": "50", "mileage-threshold_miles": "10000", "mileage-pence_after_threshold": "25"})
    assert rate_on(Vehicle.CAR, date(2027, 6, 1)).pence_per_mile == 50
    assert rate_on(Vehicle.CAR, date(2027, 5, 31)).pence_per_mile == before.pence_per_mile
    half = client.post("/council/rates", data={"which": "mileage", "mileage-vehicle": "car",
                                               "mileage-effective_from": _day(date(2027, 7, 1)),
                                               "mileage-pence_per_mile": "50", "mileage-threshold_miles": "10000"})
    assert error_messages(half) == ["Enter both the miles and the rate after them, or neither"]
    assert db.session.scalar(db.select(MileageRate).where(MileageRate.effective_from == date(2027, 7, 1))) is None


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN, Role.AREA_FACILITATOR, Role.VOLUNTEER])
def test_only_the_co_ordinator_keeps_the_rates(world, sign_in, client, role):
    sign_in(world.user(role))
    assert client.post("/council/rates", data={"which": "hour"}).status_code == 403
