"""The filters' options are drawn in Python (formatting.select_options and id_options), not by a
template loop: a provider whose name has markup in it is shown as text, every provider the user
sees is offered, and the one chosen stays chosen."""

import pytest

from app.extensions import db
from app.models.auth import Role

from .conftest import page
from .factories import make_person, make_provider


@pytest.fixture
def awkward(world):
    provider = make_provider(name='Kent <b>"Parents"</b> & Carers')
    make_person(provider=provider, area=world.north, first_name="Shown", last_name="Here")
    db.session.commit()
    return provider


def _chosen(soup) -> dict[str, list[str]]:
    return {select["id"]: [o["value"] for o in select.select("option[selected]")] for select in soup.select("select")}


def _offered(soup, select_id: str) -> dict[str, str]:
    return {o["value"]: o.text for o in soup.select(f"select#{select_id} option")}


@pytest.mark.parametrize("path", ["/people?provider={id}&stage=volunteer", "/delivery/?provider={id}",
                                  "/returns/?from=2026-07-01&to=2026-09-30&provider={id}"])
def test_a_provider_s_name_is_text_and_the_chosen_one_stays_chosen(world, awkward, sign_in, path):
    response = sign_in(world.user(Role.COORDINATOR)).get(path.format(id=awkward.id))
    assert response.status_code == 200
    assert "<b>" not in response.get_data(as_text=True)
    soup = page(response)
    offered = _offered(soup, "provider")
    assert offered[str(awkward.id)] == 'Kent <b>"Parents"</b> & Carers'
    assert {str(world.provider.id), str(world.other_provider.id)} <= set(offered)
    assert _chosen(soup)["provider"] == [str(awkward.id)]


def test_the_people_list_keeps_every_filter_chosen(world, awkward, sign_in):
    soup = page(sign_in(world.user(Role.COORDINATOR)).get(f"/people?provider={awkward.id}&stage=volunteer"))
    chosen = _chosen(soup)
    assert chosen["stage"] == ["volunteer"] and chosen["status"] == ["current"]
    assert "Here, Shown" in soup.select_one("table").text


def test_with_no_provider_chosen_none_is_selected(world, awkward, sign_in):
    soup = page(sign_in(world.user(Role.COORDINATOR)).get("/delivery/"))
    assert _chosen(soup)["provider"] == []
    assert _offered(soup, "provider")[""] == "Every provider"
