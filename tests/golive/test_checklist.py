"""The go-live checklist: for an empty provider every task is not started; each ticks off as the
screens or imports fill it; a return built while history is missing says what is missing."""

import io
from datetime import date

from app.council import services as council
from app.extensions import db
from app.golive.services import DONE, NOT_STARTED, checklist, missing_history
from app.models.auth import Role
from app.models.training import CheckKind, TrainingResult
from app.training.services import record_check, record_training

from ..conftest import page
from ..factories import (
    make_area,
    make_contract,
    make_contract_year,
    make_course,
    make_grade,
    make_hours,
    make_person,
    make_post,
    make_provider,
    make_user,
)

TODAY = date(2026, 11, 23)


def _statuses(provider) -> dict[str, str]:
    return {task.key: task.status for task in checklist(provider.id, today=TODAY)}


def test_an_empty_provider_has_every_task_not_started_and_each_ticks_off_as_it_is_done():
    provider, north = make_provider(name="New CIC"), make_area("North Kent")
    hr = make_user(Role.HR, provider=provider)
    db.session.commit()
    assert set(_statuses(provider).values()) == {NOT_STARTED}
    assert len(_statuses(provider)) == 12
    steps = []

    def done(key):
        db.session.flush()
        steps.append(key)
        statuses = _statuses(provider)
        assert statuses[key] == DONE, (key, statuses)
        assert {k for k, s in statuses.items() if s == DONE} >= set(steps)

    commission = council.set_up_commission(name="Supporting Parents", starts_on=date(2026, 4, 1),
                                           term="three_years", extension_years_allowed=0, actor=None,
                                           council="Kent County Council")
    council.add_lot(commission, name="Lot 2", provider=provider, areas=[north], offers="All",
                    first_year_on=commission.starts_on, last_year_on=None, actor=None)
    done("lot")
    done("plan")  # the council's plan for the lot's areas
    grade = make_grade("KR6")
    done("grades")
    post = make_post(provider=provider, grade=grade, area=north)
    done("posts")
    make_contract_year(provider, start_year=2026)
    done("budget")
    person = make_person(provider=provider, area=north, joined_on=date(2024, 5, 1))
    done("people")
    from app.models.people import Stage

    person.stage = Stage.CO_FACILITATOR
    db.session.flush()
    assert _statuses(provider)["contracts"] == NOT_STARTED
    make_contract(person=person, post=post, starts_on=date(2024, 5, 1))
    done("contracts")
    record_check(person, kind=CheckKind.DBS, checked_on=date(2024, 4, 1), barred_list=True, for_paid_role=True,
                 actor=hr, today=TODAY)
    done("checks")
    record_training(person, make_course("Safeguarding"), completed_on=date(2025, 6, 1),
                    result=TrainingResult.PASSED, cost_pence=None, actor=hr, today=TODAY)
    done("training")
    make_hours(person, worked_on=date(2026, 5, 4))
    done("hours")
    facilitator = make_person(provider=provider, area=north, stage=Stage.EMPLOYEE)
    make_contract(person=facilitator, post=post)
    make_user(Role.AREA_FACILITATOR, provider=provider, area=north, person=facilitator)
    done("staff")
    make_user(Role.VOLUNTEER, provider=provider, person=person)
    assert _statuses(provider)["parents"] == "In progress"  # 2 of 2 people; the facilitator's is staff
    assert set(_statuses(provider).values()) <= {DONE, "In progress"}


def test_a_return_built_while_history_is_missing_says_what_is_missing(world, sign_in):
    client = sign_in(world.user(Role.HR))
    missing = {task.key for task in missing_history(world.provider.id, today=TODAY)}
    assert {"checks", "hours"} <= missing
    text = " ".join(page(client.get("/returns/?from=2026-04-01&to=2026-06-30")).get_text(" ").split())
    assert "Some history is not loaded yet" in text
    assert "DBS compliance will read 0% until past checks are loaded" in text
    confirm = " ".join(page(client.get("/returns/submit?from=2026-04-01&to=2026-06-30")).get_text(" ").split())
    assert "Past DBS and right to work checks" in confirm


def test_hr_sees_the_checklist_first_and_an_import_ticks_people_off(world, sign_in):
    provider = make_provider(name="Fresh Start CIC")
    hr = make_user(Role.HR, provider=provider)
    db.session.commit()
    client = sign_in(hr)
    home = page(client.get("/"))
    assert len(home.select("#go-live .govuk-task-list__item")) == 12
    assert home.select_one("#task-people-status").get_text(strip=True) == NOT_STARTED
    people = (b"person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience\n"
              b"FS1,Fay,Short,,North Kent,volunteer,2026-01-05,,yes\n")
    client.post("/imports/", data={"kind": "people", "file": (io.BytesIO(people), "people.csv")},
                content_type="multipart/form-data")
    checklist_page = page(client.get("/go-live"))
    assert checklist_page.select_one("#task-people-status").get_text(strip=True) == DONE


def test_only_hr_and_administrators_see_the_checklist(world, sign_in):
    for role, status in ((Role.VOLUNTEER, 403), (Role.AREA_FACILITATOR, 403), (Role.COORDINATOR, 403),
                         (Role.ADMIN, 200), (Role.HR, 200)):
        client = sign_in(world.user(role))
        assert client.get("/go-live").status_code == status, role
        client.post("/sign-out")
