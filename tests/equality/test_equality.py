"""Equality monitoring: optional answers a parent gives on the public form or from their
account, kept apart from the person record; HR's report; the return's Equality section."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.equality import services as equality
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.equality import EqualityAnswers
from app.models.people import Stage, StageChange
from app.models.recruitment import Applicant
from app.recruitment.services import express_interest, start_as_volunteer
from app.returns.outputs import to_csv
from app.returns.services import build_return
from tests.factories import make_area, make_person, make_provider

pytestmark = pytest.mark.usefixtures("app")
ANSWERS = {"age_band": "25_34", "sex": "female", "gender_same": "yes", "ethnic_group": "black_caribbean",
           "disability": "prefer_not", "caring": "up_to_19", "lived_experience": "yes"}


def _interest(provider, area, *, on: datetime, answers=None, name="Ann"):
    from flask import current_app

    with current_app.test_request_context():
        return express_interest(provider, first_name=name, last_name="Applicant", email=None, phone="01632 960 001",
                                contact_by="phone", area=area, heard_from="friend", interests="", now=on,
                                equality_answers=answers)


def test_a_parent_answers_from_their_account_and_can_change_them(world, sign_in, client):
    sign_in(world.user(Role.VOLUNTEER))
    page = client.get("/account/equality")
    assert page.status_code == 200 and "Prefer not to say" in page.text
    response = client.post("/account/equality", data={"sex": "female", "ethnic_group": "white_irish",
                                                      "age_band": "prefer_not"})
    assert response.status_code == 302
    row = db.session.scalar(select(EqualityAnswers).where(EqualityAnswers.person_id == world.me.id))
    assert (row.sex, row.ethnic_group, row.age_band, row.disability) == ("female", "white_irish", "prefer_not", None)
    again = client.get("/account/equality").text
    assert 'value="white_irish" checked' in again.replace("\n", " ") or 'checked value="white_irish"' in again
    client.post("/account/equality", data={"sex": "male"})
    db.session.refresh(row)
    assert (row.sex, row.ethnic_group) == ("male", None)
    # The history says they answered, never what.
    summaries = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.entity_type == "EqualityAnswers")).all()
    assert summaries and all("answers not shown" in s and "male" not in s.lower() for s in summaries)


def test_an_answer_that_is_not_offered_is_refused_with_a_message(world, sign_in, client):
    sign_in(world.user(Role.VOLUNTEER))
    response = client.post("/account/equality", data={"sex": "unicorn"})
    assert response.status_code == 200 and "Not a valid choice" in response.text
    assert db.session.scalar(select(EqualityAnswers).where(EqualityAnswers.person_id == world.me.id)) is None


def test_answers_given_on_the_public_form_go_with_the_parent_when_they_start(world, client):
    form = client.get(f"/join/{world.provider.id}").text
    assert "Questions about you (optional)" in form
    response = client.post(f"/join/{world.provider.id}", data={
        "first_name": "Pat", "last_name": "Parent", "contact_by": "group", "area_id": world.north.id,
        "heard_from": "school", "consent": "y", **ANSWERS})
    assert response.status_code == 302
    applicant = db.session.scalar(select(Applicant).where(Applicant.first_name == "Pat"))
    row = equality.answers_for(applicant=applicant)
    assert row.ethnic_group == "black_caribbean" and row.person_id is None
    person = start_as_volunteer(applicant, on=date.today(), actor=world.user(Role.HR), now=datetime.now(UTC))
    db.session.commit()
    assert equality.answers_for(person=person).id == row.id


def test_a_parent_who_answers_nothing_leaves_no_answers(world, client):
    client.post(f"/join/{world.provider.id}", data={
        "first_name": "Quinn", "last_name": "Parent", "contact_by": "group", "area_id": world.north.id,
        "heard_from": "school", "consent": "y"})
    applicant = db.session.scalar(select(Applicant).where(Applicant.first_name == "Quinn"))
    assert applicant is not None and equality.answers_for(applicant=applicant) is None


def _small_world():
    """Provider P in two areas, a year of 2026/27: interests and starts, with answers.

    North: 7 women and 2 men said they would like to help; 6 women and 1 man started.
    South: 5 women, nobody else. One more man in North answered nothing.
    """
    provider = make_provider(name="Equal Provider")
    north, south = make_area("Equal North"), make_area("Equal South")
    when = datetime(2026, 5, 1, 10, tzinfo=UTC)
    for i, sex in enumerate(["female"] * 7 + ["male"] * 2):
        _interest(provider, north, on=when, answers={"sex": sex}, name=f"N{i}")
    _interest(provider, north, on=when, name="Silent")
    for i in range(5):
        _interest(provider, south, on=when, answers={"sex": "female"}, name=f"S{i}")
    for sex in ["female"] * 6 + ["male"]:
        person = make_person(provider=provider, area=north, joined_on=date(2026, 6, 1))
        equality.save_answers({"sex": sex}, person=person)
    db.session.commit()
    return provider, north, south


def test_report_counts_shares_and_conversion_checked_by_hand(world, sign_in, client):
    provider, north, south = _small_world()
    tables = equality.build_tables(date(2026, 4, 1), date(2027, 3, 31))
    p = provider.id
    # Interested: 12 women, 2 men, 1 not answered (15); started: 6 women, 1 man (7).
    assert tables.total("interested", p) == 15 and tables.total("started", p) == 7
    assert tables.cell("sex", "interested", "female", p) == 12
    assert tables.cell("sex", "started", "female", p) == 6
    # 2 men and 1 not answered are under 5: hidden; then no other cell in the column is small but
    # the prefer-not row (0) closes it.
    assert tables.cell("sex", "interested", "male", p) is None
    assert tables.cell("sex", "interested", "not_answered", p) is None
    assert tables.cell("sex", "started", "male", p) is None
    # Shares and conversion: 12 of 15 = 80.0%; women started 6 of 12 = 50.0%.
    assert tables.share("sex", "interested", "female", p) == 80.0
    assert tables.conversion("sex", "interested", "started", "female", p) == 50.0
    assert tables.conversion("sex", "interested", "started", "male", p) is None
    # South: 5 women shown; North's women (7) shown, men hidden.
    assert tables.cell("sex", "interested", "female", (p, south.id)) == 5
    assert tables.cell("sex", "interested", "female", (p, north.id)) == 7


def test_hr_reads_the_report_page_and_csv(world, sign_in, client):
    provider, north, south = _small_world()
    from tests.factories import make_user

    hr = make_user(Role.HR, provider=provider)
    db.session.commit()
    sign_in(hr)
    page = client.get("/equality/?year=2026")
    assert page.status_code == 200
    assert "Equality monitoring" in page.text and "Said they would like to help in the year: 15" in page.text
    rows = list(csv.DictReader(io.StringIO(client.get("/equality/report.csv?year=2026").text)))
    women = next(r for r in rows if r["question"] == "Sex" and r["group"] == "Female" and r["stage"] == "Interested")
    men = next(r for r in rows if r["question"] == "Sex" and r["group"] == "Male" and r["stage"] == "Interested")
    assert (women["count"], women["share_pct"]) == ("12", "80.0")
    assert men["count"] == "c"
    south_rows = list(csv.DictReader(io.StringIO(
        client.get(f"/equality/report.csv?year=2026&area={south.id}").text)))
    assert next(r for r in south_rows if r["question"] == "Sex" and r["group"] == "Female"
                and r["stage"] == "Interested")["count"] == "5"


def test_the_return_has_an_equality_section_in_page_csv_and_workbook(world, sign_in, client):
    provider, north, south = _small_world()
    ret = build_return(start=date(2026, 7, 1), end=date(2026, 9, 30), provider=provider)
    assert ret.value("eq_sex_interested", "female") == 12
    assert ret.value("eq_sex_interested", "male") is None
    assert ret.value("eq_sex_interested", "female", area="Equal South") == 5
    rows = list(csv.reader(io.StringIO(to_csv(ret))))
    assert ["2026-07-01", "2026-09-30", "Equal Provider", "All", "eq_sex_interested", "female", "12"] in rows
    assert not any(r[3] in ("All", "Equal North") and r[4] == "eq_sex_interested" and r[5] == "male"
                   for r in rows)  # hidden cells are left out
    from openpyxl import load_workbook

    from app.returns.outputs import to_xlsx

    book = load_workbook(io.BytesIO(to_xlsx(ret)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Sex: Interested" in cells
    # The co-ordinator's all-provider return shows the totals only, never areas.
    everyone = build_return(start=date(2026, 7, 1), end=date(2026, 9, 30), provider=None)
    assert everyone.value("eq_sex_interested", "female") >= 12
    assert {f.area for f in everyone.figures if f.measure.startswith("eq_")} == {"All"}
    sign_in(world.user(Role.COORDINATOR))
    page = client.get(f"/returns/?from=2026-07-01&to=2026-09-30&provider={provider.id}")
    assert page.status_code == 200 and "Sex: Interested" in page.text


def test_any_two_periods_in_a_year_show_the_same_tables():
    provider, north, south = _small_world()
    first = build_return(start=date(2026, 4, 1), end=date(2026, 6, 30), provider=provider)
    third = build_return(start=date(2026, 10, 1), end=date(2026, 12, 31), provider=provider)
    odd = build_return(start=date(2026, 5, 17), end=date(2027, 2, 3), provider=provider)

    def eq(ret):
        return sorted((f.area, f.measure, f.breakdown, f.value) for f in ret.figures if f.measure.startswith("eq_"))

    # A period across 1 April (January to June) shows the year it ends in, never a mix of two.
    across = build_return(start=date(2026, 1, 1), end=date(2026, 6, 30), provider=provider)
    assert eq(first) == eq(third) == eq(odd) == eq(across)
    earlier = build_return(start=date(2026, 1, 1), end=date(2026, 3, 31), provider=provider)
    assert all(f.value in (0, None) for f in earlier.figures if f.measure.startswith("eq_"))


def test_a_stage_move_counts_in_the_year_it_happens():
    provider, north, _ = _small_world()
    person = make_person(provider=provider, area=north, joined_on=date(2025, 6, 1))
    person.stage_changes.append(StageChange(changed_on=date(2026, 8, 1), from_stage=Stage.VOLUNTEER,
                                            to_stage=Stage.CO_FACILITATOR, reason="Moved on"))
    db.session.commit()
    tables = equality.build_tables(date(2026, 4, 1), date(2027, 3, 31))
    assert tables.total("co_facilitator", provider.id) == 1
    assert tables.total("started", provider.id) == 7  # joined in 2025: not a start this year
