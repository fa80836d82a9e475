"""On a phone, a facilitator approves a person's week from the queue in two taps, and a queue of
24 entries fits in under 2,500 px."""

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.auth import Role
from app.models.hours import HoursEntry, HoursStatus
from app.periods import last_week

from ..factories import make_hours, make_person, make_user


def test_a_persons_week_is_approved_in_two_taps_at_375_px(app, server, journey, world):
    monday = last_week(date.today())[0]
    world.entry.status = HoursStatus.APPROVED  # the world's own entry: out of the way
    people = []
    for n, name in enumerate(("Priya", "Ola", "Sian", "Tom")):
        person = make_person(provider=world.provider, area=world.north, first_name=name, last_name="Parent",
                             joined_on=date(2025, 1, 1))
        people.append(person)
        for day in range(6):
            make_hours(person, worked_on=monday + timedelta(days=day), hours=str(1 + (n + day) % 3 + 0.5),
                       status="submitted")
    make_user(Role.AREA_FACILITATOR, provider=world.provider, area=world.north, email="queue-fac@example.org",
              password="pathway-demo-2026", two_step_method="email")
    db.session.commit()
    facilitator = journey("hours-queue", width=375)
    facilitator.sign_in("queue-fac@example.org")
    taps = 0
    facilitator.click("main a:has-text('Approve hours')")
    taps += 1
    facilitator.check("hours queue")
    height = facilitator.page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, f"the queue of 24 entries is {height} px tall"
    assert facilitator.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    facilitator.click("button[name=week] >> nth=0")
    taps += 1
    facilitator.check("week approved")
    assert taps == 2
    db.session.commit()
    statuses = db.session.execute(select(HoursEntry.person_id, HoursEntry.status).where(
        HoursEntry.person_id.in_([p.id for p in people]))).all()
    approved = {person_id for person_id, status in statuses if status == HoursStatus.APPROVED}
    assert len(approved) == 1 and sum(1 for _, s in statuses if s == HoursStatus.APPROVED) == 6
    assert "Approved" in facilitator.page.inner_text(".govuk-notification-banner")


def test_account_links_sit_in_a_row_on_a_laptop_and_under_your_account_on_a_phone(app, server, journey, world):
    make_user(Role.AREA_FACILITATOR, provider=world.provider, area=world.north, email="menu-fac@example.org",
              password="pathway-demo-2026", two_step_method="email")
    db.session.commit()
    laptop = journey("account-menu-laptop", width=1280)
    laptop.sign_in("menu-fac@example.org")
    laptop.goto("/approvals/hours", "queue on a laptop")
    assert laptop.page.is_visible(".pathway-account__wide a:has-text('Change password')")
    assert not laptop.page.is_visible("summary:has-text('Your account')")
    phone = journey("account-menu-phone", width=375)
    phone.sign_in("menu-fac@example.org")
    assert not phone.page.is_visible(".pathway-account__wide a:has-text('Change password')")
    phone.page.click("summary:has-text('Your account')")
    assert phone.page.is_visible(".pathway-account__menu a:has-text('Change password')")
    assert phone.page.is_visible("button:has-text('Sign out')")
    phone.check("your account open")
