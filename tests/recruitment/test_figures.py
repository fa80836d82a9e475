"""How the way in is doing, in the return: interests received, starts and withdrawals, the
conversion and the median days to start, checked by hand for a small made-up set of applicants,
on the page, in the CSV and in the workbook; and anonymising an applicant changes none of them."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models.auth import Role
from app.models.recruitment import Applicant
from app.recruitment.services import anonymise_stale
from app.returns.outputs import to_csv, to_xlsx
from app.returns.services import build_return

START, END = date(2026, 4, 1), date(2026, 6, 30)


def _applicant(world, area, heard_from, created, *, started=None, withdrawn=None, reason=None):
    at = datetime.combine(created, datetime.min.time().replace(hour=19), tzinfo=UTC)
    db.session.add(Applicant(provider_id=world.provider.id, area_id=area.id, first_name="A", last_name=heard_from,
                             contact_by="group", heard_from=heard_from, interests="", consented_at=at, created_at=at,
                             last_activity_at=at, started_on=started, withdrawn_on=withdrawn,
                             withdrawn_reason=reason))


@pytest.fixture
def applicants(world):
    north, south = world.north, world.south
    _applicant(world, north, "peer_group", date(2026, 4, 10), started=date(2026, 5, 20))  # 40 days
    _applicant(world, north, "school", date(2026, 4, 15), started=date(2026, 6, 14))  # 60 days
    _applicant(world, south, "peer_group", date(2026, 5, 1), withdrawn=date(2026, 6, 1), reason="paid_work")
    _applicant(world, south, "friend", date(2026, 6, 20))  # still on their way in
    _applicant(world, north, "friend", date(2026, 3, 1), started=date(2026, 4, 11))  # 41 days, interest before
    _applicant(world, north, "friend", date(2026, 7, 1))  # after the period
    db.session.commit()
    return world


def test_the_way_in_figures_match_a_hand_count(applicants):
    r = build_return(start=START, end=END, provider=applicants.provider)
    v = r.value
    # Interests received in the quarter: 4 (2 from a peer support group, 1 school, 1 a friend).
    assert (v("interests_received", "peer_group"), v("interests_received", "school"),
            v("interests_received", "friend")) == (2, 1, 1)
    assert (v("interests_received", "peer_group", "North Kent"), v("interests_received", "friend", "South Kent")) == (
        1, 1)
    # Started in the quarter: 3, one of them from an interest before it.
    assert (v("interests_started", "peer_group"), v("interests_started", "school"),
            v("interests_started", "friend")) == (1, 1, 1)
    assert v("interests_withdrawn", "paid_work", "South Kent") == 1
    # 3 started against 4 received = 75%; South Kent 0 of 2.
    assert v("interest_conversion_pct") == 75.0 and v("interest_conversion_pct", area="South Kent") == 0.0
    # Days from interest to first day: 40, 60 and 41: the median is 41.
    assert v("days_to_start_median") == 41 and v("days_to_start_median", area="North Kent") == 41


def test_the_way_in_is_in_the_page_the_csv_and_the_workbook(applicants, sign_in):
    r = build_return(start=START, end=END, provider=applicants.provider)
    rows = list(csv.DictReader(io.StringIO(to_csv(r))))
    received = [row for row in rows if row.get("measure") == "interests_received" and row.get("area") == "All"]
    assert received, rows[:3]
    sheet = load_workbook(io.BytesIO(to_xlsx(r)))["Recruitment"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Parents who said they would like to help" in cells and "A peer support group" in cells
    hr = sign_in(applicants.user(Role.HR))
    page = hr.get(f"/returns/?from={START.isoformat()}&to={END.isoformat()}").get_data(as_text=True)
    assert "Median days from interest to first day" in page


def test_anonymising_applicants_changes_no_figure(applicants):
    before = build_return(start=START, end=END, provider=applicants.provider).figures
    anonymised = anonymise_stale(now=datetime(2027, 6, 1, tzinfo=UTC), months=6)
    assert anonymised >= 2
    assert build_return(start=START, end=END, provider=applicants.provider).figures == before


def test_the_pathway_page_shows_the_way_in_by_area_and_source_checked_by_hand(applicants, sign_in):
    from app.returns.services import way_in

    found = way_in(applicants.provider.id, START, END)
    north = next(r for r in found.by_area if r.label == "North Kent")
    south = next(r for r in found.by_area if r.label == "South Kent")
    # North: 2 received (peer group, school), 3 started (40, 60 and 41 days: median 41), none withdrew.
    assert (north.received, north.started, north.withdrawn, north.median_days, north.conversion) == (
        2, 3, 0, 41, 150.0)
    # South: 2 received, none started, 1 withdrew for paid work.
    assert (south.received, south.started, south.withdrawn, south.median_days, south.conversion) == (
        2, 0, 1, None, 0.0)
    assert (found.total.received, found.total.started, found.total.conversion) == (4, 3, 75.0)
    peer = next(r for r in found.by_source if r.label == "A peer support group")
    assert (peer.received, peer.started, peer.median_days) == (2, 1, 40)
    assert found.withdrawals == [("Chose paid work", 1)]
    for role in (Role.HR, Role.COORDINATOR):
        client = sign_in(applicants.user(role))
        page = client.get(f"/pathway?from={START.isoformat()}&to={END.isoformat()}").get_data(as_text=True)
        assert "The way in" in page and "Withdrew: Chose paid work" in page and "75.0%" in page
        assert "A peer support group" in page
        client.post("/sign-out")
