"""The rest of the second hardening round: the device cookie carries no address, the
co-ordinator's search never matches on contact details, and recommending again is one
recommendation."""

import base64
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import KnownDevice, Role
from app.models.people import Stage
from app.models.training import Recommendation
from app.training.services import recommend

from ..conftest import page
from ..factories import PASSWORD


def test_the_device_cookie_is_a_random_id_and_the_addresses_stay_on_the_server(world, client, sign_in):
    user = world.user(Role.VOLUNTEER)
    sign_in(user)
    cookie = client.get_cookie("pathway_device").value
    padded = cookie + "=" * (-len(cookie) % 4)
    assert user.email not in cookie and user.email.encode() not in base64.urlsafe_b64decode(padded)
    assert db.session.scalar(select(func.count(KnownDevice.id)).where(KnownDevice.user_id == user.id)) == 1
    # The same browser, known: a stranger's guesses have locked the account for new browsers only.
    client.post("/sign-out")
    user.failed_sign_ins, user.locked_until = 0, None
    db.session.commit()
    for _ in range(6):
        client.set_cookie("pathway_device", "a-forged-device-id-that-was-never-issued")
        client.post("/sign-in", data={"email": user.email, "password": "wrong wrong wrong"})
    client.set_cookie("pathway_device", cookie)
    assert client.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_the_co_ordinator_finds_people_by_name_or_reference_never_by_contact_details(world, sign_in):
    client = sign_in(world.user(Role.COORDINATOR))
    person = world.neighbour
    person.phone = "01632 960 001"
    db.session.commit()

    def found(q):
        return [a.get_text(strip=True) for a in page(client.get("/people", query_string={"q": q})).select("tbody a")]

    listed = f"{person.last_name}, {person.first_name}"
    assert listed in found(person.last_name) and listed in found(person.ref)
    for contact in (person.email, person.email.split("@")[0], "example.org", person.phone, "960"):
        assert found(contact) == [], contact
    text = client.get("/people/export.csv", query_string={"q": person.email}).get_data(as_text=True)
    assert person.last_name not in text
    # HR, who may see contact details, still finds them by email.
    client.post("/sign-out")
    hr = sign_in(world.user(Role.HR))
    assert listed in [a.get_text(strip=True) for a in page(hr.get("/people", query_string={
        "q": person.email})).select("tbody a")]


def test_recommending_again_and_again_is_one_recommendation_and_one_line(world):
    hr = world.user(Role.HR)
    for _ in range(10):
        recommend(world.neighbour, Stage.CO_FACILITATOR, on=date(2026, 11, 1), note="Ready", actor=hr)
    db.session.commit()
    assert db.session.scalar(select(func.count(Recommendation.id))) == 1
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "recommend")) == 1
    recommend(world.neighbour, Stage.CO_FACILITATOR, on=date(2026, 11, 20), note="Still ready", actor=hr)
    assert db.session.scalar(select(Recommendation.note)) == "Still ready"
