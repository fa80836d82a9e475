"""HR's one spreadsheet: people with their posts (a contract each), contracts with an end date,
rejected historic claims, claims outside someone's time refused as on the screen, and templates
as workbooks with drop-downs that never carry another provider's area."""

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.imports.csvfile import ImportFailed
from app.imports.establishment import import_contracts
from app.imports.expenses import import_expenses
from app.imports.services import import_people
from app.models.auth import Role
from app.models.establishment import Contract
from app.models.expenses import ClaimStatus, ExpenseClaim
from app.models.people import Person

from ..factories import make_post

TODAY = date(2026, 11, 23)


def test_people_with_their_posts_get_a_contract_each(world):
    make_post(provider=world.provider, grade=None, area=world.north, title="Parent Co-Facilitator", volunteer=False)
    text = ("person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience,post,basis,"
            "hours_a_week,start\n"
            "OS1,Olu,Stone,,North Kent,co-facilitator,2025-04-01,,yes,Parent Co-Facilitator,salaried,18.5,\n"
            "OS2,Pam,Stone,,North Kent,volunteer,2025-04-01,,yes,,,,\n")
    report = import_people(text, provider=world.provider, actor=world.user(Role.HR), today=TODAY)
    assert report.created == 2
    olu = db.session.scalar(select(Person).where(Person.ref == "OS1"))
    [contract] = db.session.scalars(select(Contract).where(Contract.person_id == olu.id)).all()
    assert (float(contract.weekly_hours), contract.starts_on, contract.is_sessional) == (18.5, date(2025, 4, 1), False)


def test_a_people_row_with_a_post_that_is_not_there_writes_nothing(world):
    text = ("person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience,post,basis,"
            "hours_a_week,start\n"
            "OS3,Quin,Stone,,North Kent,employee,2025-04-01,,no,Chief Cook,salaried,,\n")
    with pytest.raises(ImportFailed) as failed:
        import_people(text, provider=world.provider, actor=world.user(Role.HR), today=TODAY)
    messages = [message for _, message in failed.value.report.errors]
    assert "post 'Chief Cook' is not one of your posts in their area or county-wide" in messages
    assert "hours_a_week is needed for a salaried post, like 18.5" in messages


def test_contracts_take_an_end_date(world):
    make_post(provider=world.provider, grade=None, area=world.north, title="Parent Co-Facilitator", volunteer=False)
    text = ("person_ref,post_title,post_area,basis,weekly_hours,starts_on,ends_on\n"
            f"{world.neighbour.ref},Parent Co-Facilitator,North Kent,sessional,,01/04/2025,31/03/2026\n")
    import_contracts(text, provider=world.provider, actor=world.user(Role.HR))
    [contract] = db.session.scalars(select(Contract).where(Contract.person_id == world.neighbour.id)).all()
    assert (contract.starts_on, contract.ends_on) == (date(2025, 4, 1), date(2026, 3, 31))


def test_historic_rejected_claims_come_in_and_dates_outside_their_time_are_refused(world):
    text = ("person_ref,date,category,amount,miles,vehicle,status\n"
            f"{world.neighbour.ref},2026-02-02,Parking,3.50,,,rejected\n")
    import_expenses(text, provider=world.provider, actor=world.user(Role.HR), today=TODAY, now=datetime.now(UTC))
    claim = db.session.scalar(select(ExpenseClaim).where(ExpenseClaim.person_id == world.neighbour.id))
    assert claim.status == ClaimStatus.REJECTED and claim.lines[0].decision_reason
    before = f"{world.neighbour.ref},2023-12-01,Parking,3.50,,,paid\n"
    with pytest.raises(ImportFailed) as failed:
        import_expenses("person_ref,date,category,amount,miles,vehicle,status\n" + before, provider=world.provider,
                        actor=world.user(Role.HR), today=TODAY, now=datetime.now(UTC))
    assert failed.value.report.errors[0][1].startswith("date must be on or after the day they joined, 01/01/2024")


def test_templates_come_as_workbooks_with_drop_downs_and_no_other_providers_area(world, sign_in):
    client = sign_in(world.user(Role.HR))
    response = client.get("/imports/template/people.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Import"]
    assert [c.value for c in sheet[1]] == ["person_ref", "first_name", "last_name", "email", "area", "stage",
                                          "joined_on", "left_on", "lived_experience"]
    assert sheet["E2"].value == "Your area"  # the world's provider holds no lot: no other provider's area
    formulas = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert "=Lists!$E$1:$E$2" in formulas  # the areas
    assert [c.value for c in book["Lists"]["F"] if c.value] == ["volunteer", "co-facilitator", "employee"]
    assert b"Kent" not in client.get("/imports/template/hours.csv").data


def test_a_contracts_row_for_a_volunteer_post_makes_a_volunteer_role_with_its_end(world):
    from app.models.establishment import VolunteerRole

    make_post(provider=world.provider, grade=None, area=world.north, title="Parent Volunteer")
    text = ("person_ref,post_title,post_area,basis,weekly_hours,starts_on,ends_on\n"
            f"{world.neighbour.ref},Parent Volunteer,North Kent,salaried,4,01/04/2025,31/03/2026\n")
    import_contracts(text, provider=world.provider, actor=world.user(Role.HR))
    assert db.session.scalars(select(Contract).where(Contract.person_id == world.neighbour.id)).all() == []
    [role] = db.session.scalars(select(VolunteerRole).where(VolunteerRole.person_id == world.neighbour.id)).all()
    assert (role.expected_weekly_hours, role.starts_on, role.ends_on) == (4, date(2025, 4, 1), date(2026, 3, 31))
