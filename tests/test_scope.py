"""Records outside a user's scope are not found: other people, areas and providers."""

import pytest

from app.auth.models import Role

from .conftest import page


@pytest.mark.parametrize("role,target,status", [
    (Role.VOLUNTEER, "me", 200),
    (Role.VOLUNTEER, "neighbour", 404),
    (Role.AREA_FACILITATOR, "neighbour", 200),
    (Role.AREA_FACILITATOR, "south_person", 404),
    (Role.AREA_FACILITATOR, "stranger", 404),
    (Role.HR, "south_person", 200),
    (Role.HR, "stranger", 404),
    (Role.ADMIN, "stranger", 404),
    (Role.COORDINATOR, "stranger", 200),
])
def test_person_page_scope(world, sign_in, role, target, status):
    client = sign_in(world.user(role))
    assert client.get(f"/people/{getattr(world, target).id}").status_code == status


@pytest.mark.parametrize("path", ["/people/{id}/edit", "/people/{id}/stage"])
def test_hr_cannot_change_another_providers_person(world, sign_in, path):
    client = sign_in(world.user(Role.HR))
    assert client.get(path.format(id=world.stranger.id)).status_code == 404
    assert client.post(path.format(id=world.stranger.id), data={}).status_code == 404


def test_coordinator_reads_but_cannot_edit(world, sign_in):
    client = sign_in(world.user(Role.COORDINATOR))
    assert client.get(f"/people/{world.stranger.id}").status_code == 200
    assert client.get(f"/people/{world.stranger.id}/edit").status_code == 403


def test_coordinator_does_not_see_contact_details(world, sign_in):
    client = sign_in(world.user(Role.COORDINATOR))
    text = client.get(f"/people/{world.me.id}").get_data(as_text=True)
    assert world.me.email not in text


def _listed_names(response) -> set[str]:
    return {a.get_text(strip=True) for a in page(response).select("tbody a.govuk-link")}


@pytest.mark.parametrize("role,seen,unseen", [
    (Role.AREA_FACILITATOR, {"Volunteer, Vera", "Neighbour, Nina"}, {"South, Sam", "Stranger, Stan"}),
    (Role.HR, {"Volunteer, Vera", "South, Sam"}, {"Stranger, Stan"}),
    (Role.COORDINATOR, {"Volunteer, Vera", "South, Sam", "Stranger, Stan"}, set()),
])
def test_people_list_scope(world, sign_in, role, seen, unseen):
    names = _listed_names(sign_in(world.user(role)).get("/people"))
    assert seen <= names
    assert not unseen & names


def test_csv_export_is_scoped(world, sign_in):
    text = sign_in(world.user(Role.AREA_FACILITATOR)).get("/people/export.csv").get_data(as_text=True)
    assert world.neighbour.ref in text
    assert world.south_person.ref not in text and world.stranger.ref not in text


@pytest.mark.parametrize("role,status", [(Role.HR, 404), (Role.COORDINATOR, 200)])
def test_establishment_of_another_provider(world, sign_in, role, status):
    client = sign_in(world.user(role))
    assert client.get(f"/establishment/?provider={world.other_provider.id}").status_code == status
