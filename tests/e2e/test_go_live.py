"""A new provider's HR, on a phone, sees the go-live checklist first, every task not started,
and ticks tasks off through the screens and an import; nothing scrolls sideways at 375 px."""

from sqlalchemy import select

from app.extensions import db
from app.models.auth import Role
from app.models.people import Person

from ..factories import make_area, make_provider, make_user

PEOPLE = ("person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience\n"
          "GL1,Gwen,Lake,gwen@example.org,North Kent,volunteer,05/01/2026,,yes\n")

def _status(j, key: str) -> str:
    return j.page.inner_text(f"#task-{key}-status").strip()

def test_hr_walks_the_go_live_checklist_on_a_phone(app, server, journey, tmp_path):
    provider = make_provider(name="Go Live CIC")
    make_area("North Kent")
    make_user(Role.HR, provider=provider, email="golive-hr@example.org", password="pathway-demo-2026",
              two_step_method="email")
    db.session.commit()
    hr = journey("go-live-hr", width=375)
    hr.sign_in("golive-hr@example.org")
    assert hr.page.locator("#go-live .govuk-task-list__item").count() == 12
    assert {hr.page.inner_text(f"#go-live li:nth-child({n}) .govuk-task-list__status").strip()
            for n in range(1, 13)} == {"Not yet started"}
    assert hr.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # People, through the import screen.
    hr.click("#go-live a:has-text('People')")
    hr.check("imports")
    hr.page.check("input[value=people]")
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    hr.page.set_input_files("#file", str(path))
    hr.click("button:has-text('Import')")
    hr.check("imported")
    hr.goto("/go-live", "checklist after people")
    assert _status(hr, "people") == "Completed"

    # A parent invited by a printed letter, from their record.
    gwen = db.session.scalar(select(Person).where(Person.ref == "GL1"))
    hr.goto(f"/people/{gwen.id}", "gwen")
    assert hr.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    hr.click("a:has-text('Invite Gwen to sign in')")
    hr.check("invite")
    hr.page.check("input[value=letter]")
    hr.click("button:has-text('Send invitation')")
    hr.check("letter")
    hr.goto("/go-live", "checklist again")
    assert _status(hr, "parents") == "Completed"
    assert _status(hr, "posts") == "Not yet started"
    assert hr.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
