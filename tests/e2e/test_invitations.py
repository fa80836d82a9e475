"""A fresh demo's administrator invites two new parents, one by email and one
by a printed letter; each chooses a password, signs in and logs hours, in a real browser."""

import re
from datetime import date

from sqlalchemy import func, select

from app.demo import load_demo
from app.extensions import db
from app.models.hours import HoursEntry
from app.models.people import Area, Person, Provider
from app.periods import last_week

from ..conftest import text_of
from ..factories import make_person

PASSWORD = "five brown owls at dusk"


def _log_two_hours(j) -> None:
    j.click("a.govuk-button--start")
    j.page.fill("#hours", "2")
    j.page.check("input[name=activity_id] >> nth=0")
    j.click("[name=submit]")
    j.check("hours logged")


def test_invited_parents_choose_a_password_sign_in_and_log_hours(smtp, server, journey):
    load_demo(today=date.today())
    provider = db.session.scalar(select(Provider).order_by(Provider.id))
    north = db.session.scalar(select(Area).where(Area.name == "North Kent"))
    by_email = make_person(provider=provider, area=north, first_name="Erin", last_name="Email",
                           email="erin@example.org", joined_on=date(2025, 1, 6))
    by_letter = make_person(provider=provider, area=north, first_name="Lou", last_name="Letter", email=None,
                            joined_on=date(2025, 1, 6))
    db.session.commit()

    admin = journey("invitations-admin")
    admin.sign_in("admin@example.org")
    admin.goto(f"/people/{by_email.id}/invite", "invite by email")
    admin.click("button:has-text('Send invitation')")
    admin.check("invitation sent")
    admin.goto(f"/people/{by_letter.id}/invite", "invite by letter")
    admin.page.check("label:has-text('A printed letter')")
    admin.click("button:has-text('Send invitation')")
    admin.check("printable letter")
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", admin.page.inner_text("main")).group(0)

    [message] = [m for m in smtp if "invited" in m["Subject"]]
    link = re.search(r"https?://\S+", text_of(message)).group(0)
    erin = journey("invitations-email", width=375)
    erin.page.goto(link)
    erin.check("choose a password")
    erin.page.fill("#password", PASSWORD)
    erin.click("button:has-text('Save password')")
    erin.check("signed in")  # choosing a password signs a parent straight in
    assert "you are signed in" in erin.page.inner_text("main")
    seen = [erin.page.inner_text("body")]
    # Her first whole week, in one form: it opens on last week and takes a 37-hour week's day, 7.4.
    erin.goto(f"/people/{by_email.id}/hours/week", "last week in one form")
    seen.append(erin.page.inner_text("body"))
    assert f"Hours for the week of {last_week(date.today())[0]:%-d %B %Y}" in seen[-1]
    for n, hours in enumerate(("7.4", "2", "3.5")):
        erin.page.fill(f"input[id^='hours-'] >> nth={n}", hours)
        erin.page.select_option(f"select[id^='activity-'] >> nth={n}", index=1)
    erin.click("button:has-text('Send the week for approval')")
    erin.check("last week sent")
    seen.append(erin.page.inner_text("body"))
    assert not erin.page.locator(".govuk-error-summary").count()
    assert "3 days of hours sent for approval" in seen[-1]
    erin.goto("/", "home")
    _log_two_hours(erin)
    seen.append(erin.page.inner_text("body"))
    assert not [text for text in seen if "Rejected" in text]

    lou = journey("invitations-letter", width=375)
    lou.goto("/account/letter-code", "code from the letter")
    lou.page.fill("#code", code.lower())
    lou.page.fill("#password", PASSWORD)
    lou.click("button:has-text('Save password')")
    lou.check("signed in from the letter")
    lou.click("button:has-text('Sign out')")
    lou.page.fill("#email", by_letter.ref)
    lou.page.fill("#password", PASSWORD)
    lou.click("button:has-text('Sign in')")
    lou.check("signed in with a reference")
    _log_two_hours(lou)

    logged = dict(db.session.execute(select(HoursEntry.person_id, func.sum(HoursEntry.minutes))
                                     .where(HoursEntry.person_id.in_([by_email.id, by_letter.id]))
                                     .group_by(HoursEntry.person_id)).all())
    # Erin: 2 hours, then 7.4 (444 minutes), 2 and 3.5 in her week; Lou: 2 hours.
    assert logged == {by_email.id: 120 + 444 + 120 + 210, by_letter.id: 120}
    assert db.session.get(Person, by_letter.id).email is None
