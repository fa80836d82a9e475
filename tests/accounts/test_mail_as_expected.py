"""Mail as people expect: only people with a sign-in are emailed about their records (unless HR
chooses otherwise), the council hears of a submitted return, and links in HTML are links."""

from app.extensions import db
from app.mail import build_message
from app.models.auth import Role
from app.notify import address_for

from ..factories import make_person, make_user


def test_only_people_with_a_sign_in_are_emailed_unless_hr_chooses(world):
    never_invited = make_person(provider=world.provider, area=world.north, email="quiet@example.org")
    db.session.commit()
    assert address_for(never_invited) is None
    never_invited.email_without_account = True
    assert address_for(never_invited) == "quiet@example.org"
    invited = make_person(provider=world.provider, area=world.north, email="asked@example.org")
    account = make_user(Role.VOLUNTEER, provider=world.provider, person=invited, email="asked@example.org")
    assert address_for(invited) == "asked@example.org"
    account.is_enabled = False
    assert address_for(invited) is None


def test_hr_chooses_email_without_an_account_on_the_record(world, sign_in):
    client = sign_in(world.user(Role.HR))
    person = world.neighbour
    data = {"first_name": person.first_name, "last_name": person.last_name, "email": "nina@example.org",
            "phone": "", "area_id": str(person.area_id), "joined_on": ["1", "1", "2024"],
            "left_on": ["", "", ""], "leaving_reason_id": "", "has_lived_experience": "no",
            "email_without_account": "y"}
    assert client.post(f"/people/{person.id}/edit", data=data).status_code == 302
    assert db.session.get(type(person), person.id).email_without_account is True


def test_html_parts_have_real_links():
    message = build_message("a@example.org", "Hi", "Choose here: https://pathway.example.org/account/x?y=1.\n\n"
                            "<b>not bold</b>", sender="Pathway <p@example.org>", service="Pathway")
    html = message.get_body(preferencelist=("html",)).get_content()
    address = "https://pathway.example.org/account/x?y=1"
    assert f'<a href="{address}">{address}</a>.' in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html


def test_the_co_ordinator_is_emailed_when_a_return_is_submitted(world, sign_in, smtp):
    client = sign_in(world.user(Role.HR))
    client.post("/returns/submit", data={"from": "2026-04-01", "to": "2026-06-30"})
    [message] = [m for m in smtp if m["To"] == world.user(Role.COORDINATOR).email]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert message["Subject"] == "Provider A has submitted a workforce return"
    # The world holds version 1 of the period already.
    assert "1 April 2026 to 30 June 2026 (version 2)" in text and "/returns/submitted/" in text
