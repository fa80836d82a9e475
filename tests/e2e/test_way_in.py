"""On a phone, a parent finds the "I'd like to help" page from the sign-in page and sends it; HR
asks a referee, who answers from the link emailed to a real SMTP server; HR moves them through
DBS and induction, recording the DBS check and the induction course on the application, and
starts them as a Parent Volunteer, whose record shows the application and the training. The
parent answers one optional equality question, which goes with them. Every page passes axe and
the parent's fit 375 px."""

import re
from datetime import date

from sqlalchemy import select

from app.equality import services as equality
from app.extensions import db
from app.models.auth import Role
from app.models.people import Person, Stage
from app.models.recruitment import Applicant
from app.models.training import Check

from ..conftest import text_of
from ..factories import make_course, make_user


def test_a_parent_says_they_would_like_to_help_on_a_phone_and_hr_starts_them(app, smtp, server, journey, world):
    parent = journey("way-in-parent", width=375)
    parent.goto("/sign-in", "sign in")
    parent.click("a:has-text('Tell us you are interested')")
    parent.click(f"a:has-text('{world.provider.name}')")
    parent.check("the form")
    parent.click("button:has-text('Send')")  # nothing filled in: every box says what it needs
    parent.check("the form with its errors")
    assert "Enter your first name" in parent.page.inner_text(".govuk-error-summary")
    parent.page.fill("#first_name", "Priya")
    parent.page.fill("#last_name", "Patel")
    parent.page.check("input[name=contact_by][value=email]")
    parent.page.fill("#email", "priya@example.org")
    parent.page.select_option("#area_id", str(world.north.id))
    parent.page.check("input[name=heard_from][value=peer_group]")
    parent.page.click("summary:has-text('Questions about you (optional)')")
    parent.page.check("input[name=age_band][value=prefer_not]")
    parent.page.check("input[name=caring][value=up_to_19]")
    parent.check("the optional questions")
    parent.page.check("#consent")
    parent.click("button:has-text('Send')")
    parent.check("thank you")
    assert "will be in touch" in parent.page.inner_text("main")
    assert parent.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    applicant = db.session.scalar(select(Applicant))
    assert applicant.name == "Priya Patel"

    make_user(Role.HR, provider=world.provider, email="way-in-hr@example.org", password="pathway-demo-2026",
              two_step_method="email")
    make_course("Volunteer induction", validity_months=None)
    db.session.commit()
    hr = journey("way-in-hr", width=375)
    hr.sign_in("way-in-hr@example.org")
    hr.click("main a:has-text('Get in touch')")
    hr.check("the way in")
    hr.click("a:has-text('Priya Patel')")
    hr.check("Priya")
    hr.page.fill("#referee_name", "Rita Referee")
    hr.page.fill("#referee_email", "rita@example.org")
    hr.click("button:has-text('Email them the reference form')")
    hr.check("reference asked for")
    [message] = [m for m in smtp if m["To"] == "rita@example.org"]
    link = re.search(r"https?://\S+/reference/\S+", text_of(message)).group(0)
    referee = journey("way-in-referee", width=375)
    referee.page.goto(server + "/reference/" + link.split("/reference/", 1)[1])
    referee.check("the reference form")
    referee.page.fill("#known_for", "Her neighbour for six years")
    referee.page.check("input[name=recommends][value=yes]")
    referee.page.fill("#comments", "Kind and reliable")
    referee.click("button:has-text('Send the reference')")
    referee.check("reference sent")
    today = date.today()

    def fill_date(field: str) -> None:
        for part, value in (("day", today.day), ("month", today.month), ("year", today.year)):
            hr.page.fill(f"#{field}-{part}", str(value))

    for stage in ("DBS applied", "DBS cleared", "Induction training"):
        hr.page.select_option("#stage_id", label=stage)
        hr.click("button:has-text('Move')")
        if stage == "DBS cleared":
            hr.page.click("summary:has-text('Record a check')")
            hr.page.check("input[name=kind][value=dbs]")
            fill_date("checked_on")
            hr.page.fill("#reference_number", "001234567890")
            hr.page.check("#barred_list")
            hr.click("button:has-text('Record check')")
        if stage == "Induction training":
            hr.page.click("summary:has-text('Record training')")
            hr.page.select_option("#course_id", label="Volunteer induction")
            fill_date("done_on")
            hr.page.check("input[name=result][value=passed]")
            hr.click("button:has-text('Record training')")
    hr.check("ready after induction")
    assert "Volunteer induction" in hr.page.inner_text("#way-in-records")
    assert "Kind and reliable" in hr.page.inner_text("main")
    fill_date("started_on")
    hr.click("button:has-text('Start them as a Parent Volunteer')")
    hr.check("her record")
    db.session.expire_all()
    person = db.session.scalar(select(Person).where(Person.first_name == "Priya"))
    assert person is not None and person.stage == Stage.VOLUNTEER
    assert f"/people/{person.id}" in hr.page.url
    assert "Came in through the way in" in hr.page.inner_text("main")
    assert "Volunteer induction" in hr.page.inner_text("main")  # the training came with them
    assert db.session.scalar(select(Check).where(Check.person_id == person.id)).reference_number == "001234567890"
    answers = equality.answers_for(person=person)
    assert (answers.age_band, answers.caring, answers.sex) == ("prefer_not", "up_to_19", None)


def test_a_parent_answers_the_equality_questions_and_hr_reads_the_report(app, smtp, server, journey, world):
    """A parent's own equality questions on a phone, then HR's report: axe on both, no sideways scroll."""
    make_user(Role.VOLUNTEER, provider=world.provider, person=world.neighbour, email="eq-parent@example.org",
              password="pathway-demo-2026")
    make_user(Role.HR, provider=world.provider, email="eq-hr@example.org", password="pathway-demo-2026",
              two_step_method="email")
    db.session.commit()
    parent = journey("equality-parent", width=375)
    parent.sign_in("eq-parent@example.org")
    parent.goto("/account/equality", "the equality questions")
    parent.page.check("input[name=sex][value=prefer_not]")
    parent.page.check("input[name=lived_experience][value=yes]")
    parent.click("button:has-text('Save my answers')")
    parent.check("saved")
    assert "Your answers are saved" in parent.page.inner_text("main")
    assert parent.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    answers = equality.answers_for(person=world.neighbour)
    assert (answers.sex, answers.lived_experience, answers.age_band) == ("prefer_not", "yes", None)
    hr = journey("equality-hr", width=375)
    hr.sign_in("eq-hr@example.org")
    hr.goto("/equality/", "the equality report")
    assert "Equality monitoring" in hr.page.inner_text("h1")
    assert hr.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
