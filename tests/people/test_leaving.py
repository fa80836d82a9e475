"""Why people leave: HR records it from a list kept as data; leaving for paid work or
training counts as the pathway working, on the pathway page and in the return."""

from datetime import date

from app.extensions import db
from app.models.auth import Role
from app.models.people import LeavingReason, Person
from app.returns.services import build_return

from ..conftest import error_messages, page
from ..factories import make_person


def _edit(client, person, **overrides):
    data = {"first_name": person.first_name, "last_name": person.last_name, "email": person.email or "",
            "phone": "", "area_id": str(person.area_id), "joined_on": ["1", "1", "2024"],
            "left_on": ["30", "6", "2026"], "has_lived_experience": "yes", **overrides}
    return client.post(f"/people/{person.id}/edit", data=data)


def test_hr_records_why_someone_left_and_the_return_counts_moving_on(world, sign_in, client):
    leaver = make_person(provider=world.provider, area=world.north, joined_on=date(2024, 1, 1))
    db.session.commit()
    sign_in(world.user(Role.HR))
    assert error_messages(_edit(client, leaver)) == ["Choose why they left, or Not known"]
    paid = db.session.scalar(db.select(LeavingReason).where(LeavingReason.code == "paid_work"))
    assert _edit(client, leaver, leaving_reason_id=str(paid.id)).status_code == 302
    assert db.session.get(Person, leaver.id).leaving_reason_id == paid.id
    assert "Paid work elsewhere" in page(client.get(f"/people/{leaver.id}")).get_text(" ")
    figures = build_return(start=date(2026, 4, 1), end=date(2026, 6, 30), provider=world.provider)
    assert figures.value("leavers_by_reason", "paid_work") == 1
    assert figures.value("into_work_or_training") == 1
    text = page(client.get("/pathway?from=2026-04-01&to=2026-06-30")).get_text(" ")
    assert "1 person left for paid work, education or training" in text
