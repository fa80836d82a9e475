"""Inputs an outside test turned into server errors: each now gets a field error or a 404."""

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models.auth import Role
from app.models.jobs import Job, JobStatus

from ..conftest import error_messages
from ..test_access import _contract_of, _establishment

HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", [
    f"/people?area={HUGE}", f"/accounts?area={HUGE}", f"/people/{HUGE}", f"/hours/{HUGE}",
    f"/people/{HUGE}/pathway", f"/expenses/{HUGE}", f"/certificates/{HUGE}", f"/jobs/{HUGE}",
    f"/hours/register?area_id={HUGE}", f"/training/attendance?area_id={HUGE}", f"/people?page={HUGE}",
    f"/people?after={HUGE}", f"/people?before={HUGE}",
])
def test_numbers_past_64_bits_are_never_a_server_error(world, sign_in, path):
    for role in (Role.HR, Role.ADMIN):
        client = sign_in(world.user(role))
        assert client.get(path).status_code in (200, 302, 403, 404), (role, path)
        client.post("/sign-out")


def test_an_approvals_form_with_a_huge_entry_id_is_not_an_error(world, sign_in):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    assert client.post("/approvals/hours", data={"entry": [HUGE, str(world.entry.id)]}).status_code == 302


def test_a_percentage_out_of_range_gets_a_message(world, sign_in):
    client = sign_in(world.user(Role.COORDINATOR))
    response = client.post("/establishment/on-costs/new", data={
        "effective_from": ["1", "4", "2026"], "method": "statutory", "ni_rate": "150", "ni_threshold": "5000",
        "pension_rate": "500"})
    assert response.status_code == 200
    assert "Between 0% and 50%" in error_messages(response), error_messages(response)


@pytest.mark.parametrize("what", ["end_contract", "contract_year", "check"])
def test_a_date_left_blank_in_every_box_says_enter_the_date(world, sign_in, what):
    client = sign_in(world.user(Role.HR))
    if what == "end_contract":
        response = client.post(f"/contracts/{_contract_of(world.neighbour)}/end", data={"ends_on": ["", "", ""]})
    elif what == "contract_year":
        response = client.post("/establishment/years/new", data={
            "starts_on": ["", "", ""], "ends_on": ["", "", ""], "pay_basis_on": ["", "", ""]})
    else:
        response = client.post(f"/people/{world.neighbour.id}/checks/new", data={
            "kind": "dbs", "checked_on": ["", "", ""]})
    assert response.status_code == 200
    assert any(message.startswith("Enter the") for message in error_messages(response)), error_messages(response)


def test_the_same_post_twice_on_a_budget_line_is_one_post(world, sign_in):
    ids = _establishment(world)
    client = sign_in(world.user(Role.HR))
    response = client.post(f"/establishment/lines/{ids.budget_line_id}", data={
        "kind": "pay", "name": "Pay", "amount": "", "post_ids": [str(ids.post_id), str(ids.post_id)]})
    assert response.status_code in (200, 302)


def test_a_finished_job_whose_file_is_gone_says_make_it_again(world, sign_in):
    job = Job(kind="certificates", requested_by_id=world.user(Role.HR).id, provider_id=world.provider.id,
              status=JobStatus.DONE, total=1, done=1, result_file="gone-file", result_name="c.zip",
              content_type="application/zip", finished_at=datetime.now(UTC))
    db.session.add(job)
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    response = client.get(f"/jobs/{job.id}/download")
    assert response.status_code == 410
    assert "This download has expired: make it again" in response.get_data(as_text=True)
