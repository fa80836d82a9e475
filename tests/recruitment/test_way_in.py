"""The way in: a parent says "I'd like to help" on the public page (no sign-in), the provider is
told by email and on the to-do, and HR or the area's facilitator move them through the stages to
a first day as a Parent Volunteer, or record why they withdrew."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.people import Person, Stage
from app.models.recruitment import Applicant, RecruitmentStage

from ..conftest import error_messages, page, text_of

PARENT = {"first_name": "Priya", "last_name": "Patel", "contact_by": "email", "email": "priya@example.org",
          "phone": "", "heard_from": "peer_group", "interests": "Making the tea at the Tuesday group",
          "consent": "y"}


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def _interest(client, world, **changes):
    return client.post(f"/join/{world.provider.id}", data={**PARENT, "area_id": str(world.north.id), **changes})


def _todo(client) -> dict[str, str]:
    soup = page(client.get("/"))
    return {li.p.get_text(" ", strip=True): li.a["href"] for li in soup.select(".pathway-todo__item")}


def test_a_parent_says_they_would_like_to_help_without_signing_in(world, client, smtp, sign_in):
    assert "Tell us you are interested" in client.get("/sign-in").get_data(as_text=True)
    assert world.provider.name in client.get("/join").get_data(as_text=True)
    form = client.get(f"/join/{world.provider.id}").get_data(as_text=True)
    assert "What we keep" in form and "6 months" in form
    response = _interest(client, world)
    assert response.status_code == 302 and response.headers["Location"].endswith("/thank-you")
    applicant = db.session.scalar(select(Applicant))
    assert (applicant.name, applicant.area_id, applicant.heard_from, applicant.stage.name) == (
        "Priya Patel", world.north.id, "peer_group", "Interested")
    told = {m["To"] for m in smtp if m["Subject"] == "A parent would like to help"}
    # HR and the North Kent facilitator are told; nobody at another provider.
    assert told == {world.user(Role.HR).email, world.user(Role.AREA_FACILITATOR).email}
    message = next(m for m in smtp if m["To"] == world.user(Role.HR).email)
    assert f"/recruitment/{applicant.id}" in text_of(message)
    hr = sign_in(world.user(Role.HR))
    assert _todo(hr)["1 parent has said they would like to help"] == "/recruitment/"
    hr.get(f"/recruitment/{applicant.id}")  # opened: no longer new
    assert not any("would like to help" in text for text in _todo(hr))


@pytest.mark.parametrize("changes, message", [
    ({"first_name": ""}, "Enter your first name"),
    ({"contact_by": "email", "email": ""}, "Enter your email address, or choose another way to get in touch"),
    ({"contact_by": "phone", "phone": ""}, "Enter your phone number, or choose another way to get in touch"),
    ({"email": "not an address"}, "Enter an email address like name@example.com"),
    ({"consent": ""}, "Tick the box to say we may contact you"),
    ({"heard_from": ""}, "Select how you heard about us"),
])
def test_each_mistake_on_the_public_form_has_its_own_message_and_nothing_is_kept(world, client, changes, message):
    response = _interest(client, world, **changes)
    assert response.status_code == 200
    assert message in error_messages(response)
    assert "Error:" in page(response).title.get_text()
    assert db.session.scalar(select(func.count(Applicant.id))) == 0


def test_a_bot_that_fills_in_the_hidden_box_is_thanked_and_nothing_is_kept(world, client):
    response = _interest(client, world, website="https://spam.example")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Applicant.id))) == 0


def test_someone_asking_to_be_rung_needs_no_email(world, client):
    assert _interest(client, world, contact_by="phone", email="", phone="01632 960 001").status_code == 302
    assert db.session.scalar(select(Applicant.phone)) == "01632 960 001"


def test_hr_moves_a_parent_through_the_stages_and_starts_them_as_a_volunteer(world, client, sign_in):
    _interest(client, world)
    applicant = db.session.scalar(select(Applicant))
    hr = sign_in(world.user(Role.HR))
    board = hr.get("/recruitment/").get_data(as_text=True)
    assert "The way in: 1 parent" in board and "Priya Patel" in board
    references = db.session.scalar(select(RecruitmentStage).where(RecruitmentStage.name == "References"))
    assert hr.post(f"/recruitment/{applicant.id}/stage", data={"stage_id": str(references.id)}).status_code == 302
    assert db.session.get(Applicant, applicant.id).stage.name == "References"
    response = hr.post(f"/recruitment/{applicant.id}/start", data={"started_on": _day(date(2026, 1, 5))})
    assert "on or after they expressed an interest" in " ".join(error_messages(response))
    today = date.today()
    response = hr.post(f"/recruitment/{applicant.id}/start", data={"started_on": _day(date(today.year + 1, 1, 1))})
    assert "Their first day must be today or in the past" in error_messages(response)
    response = hr.post(f"/recruitment/{applicant.id}/start", data={"started_on": _day(today)})
    assert response.status_code == 302
    person_page = hr.get(response.headers["Location"]).get_data(as_text=True)
    assert person_page.count("Priya Patel is a Parent Volunteer") == 1  # one message, not two
    person = db.session.scalar(select(Person).where(Person.first_name == "Priya"))
    assert (person.stage, person.area_id, person.email, person.joined_on) == (Stage.VOLUNTEER, world.north.id,
                                                                              "priya@example.org", today)
    applicant = db.session.get(Applicant, applicant.id)
    assert (applicant.person_id, applicant.started_on, applicant.status) == (person.id, today, "Started")
    assert response.headers["Location"].endswith(f"/people/{person.id}")
    summaries = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.entity_type == "Applicant")).all()
    assert any("Moved Priya Patel from Interested to References" in s for s in summaries)
    # Started is the end of the way in: nothing more can be done to the application.
    refused = hr.post(f"/recruitment/{applicant.id}/stage", data={"stage_id": str(references.id)})
    assert "Priya Patel has started as a Parent Volunteer" in page(refused).select_one(".govuk-error-summary").text
    assert db.session.get(Applicant, applicant.id).stage.name == "Ready to start"


def test_a_withdrawal_needs_a_reason_and_closes_the_application(world, client, sign_in):
    _interest(client, world)
    applicant = db.session.scalar(select(Applicant))
    facilitator = sign_in(world.user(Role.AREA_FACILITATOR))  # North Kent's, where Priya lives
    response = facilitator.post(f"/recruitment/{applicant.id}/withdraw",
                                data={"reason": "other", "note": "", "withdrawn_on": _day(date.today())})
    assert "Say what the other reason was" in error_messages(response)
    response = facilitator.post(f"/recruitment/{applicant.id}/withdraw",
                                data={"reason": "paid_work", "withdrawn_on": _day(date.today())})
    assert response.status_code == 302
    assert db.session.get(Applicant, applicant.id).status == "Withdrawn: Chose paid work"
    listed = " ".join(s.get_text(" ") for s in page(facilitator.get("/recruitment/")).select(".pathway-board-stage"))
    assert "Priya Patel" not in listed
    withdrawn = page(facilitator.get("/recruitment/?show=withdrawn")).select(".pathway-board-stage")
    assert "Priya Patel" in " ".join(s.get_text(" ") for s in withdrawn)


def test_nobody_else_sees_an_applicant(world, client, sign_in):
    _interest(client, world, area_id=str(world.south.id))
    applicant = db.session.scalar(select(Applicant))
    north = sign_in(world.user(Role.AREA_FACILITATOR))  # another area's facilitator
    assert north.get(f"/recruitment/{applicant.id}").status_code == 404
    assert "Priya" not in north.get("/recruitment/").get_data(as_text=True)
    north.post("/sign-out")
    other = sign_in(world.other_hr)  # another provider's HR
    assert other.get(f"/recruitment/{applicant.id}").status_code == 404
    assert other.post(f"/recruitment/{applicant.id}/start", data={"started_on": _day(date.today())}).status_code == 404
    other.post("/sign-out")
    for role in (Role.VOLUNTEER, Role.ADMIN, Role.COORDINATOR):
        user = sign_in(world.user(role))
        assert user.get(f"/recruitment/{applicant.id}").status_code == 403
        assert user.get("/recruitment/").status_code == 403
        user.post("/sign-out")


def test_the_poster_carries_the_pages_address_as_a_qr_code(world, client):
    shown = client.get(f"/join/{world.provider.id}/poster").get_data(as_text=True)
    assert f"/join/{world.provider.id}" in shown and "<svg" in shown and 'aria-label="QR code for' in shown
    assert client.get("/join/999999").status_code == 404


def test_the_daily_job_anonymises_an_applicant_six_months_after_their_last_activity(world, client):
    from datetime import UTC, datetime, timedelta

    from app.recruitment.tasks import anonymise_applicants_daily

    _interest(client, world)
    _interest(client, world, first_name="Quinn", email="quinn@example.org")
    old, recent = db.session.scalars(select(Applicant).order_by(Applicant.id)).all()
    old.last_activity_at = datetime.now(UTC) - timedelta(days=190)
    recent.last_activity_at = datetime.now(UTC) - timedelta(days=170)
    db.session.commit()
    counts_before = db.session.execute(select(Applicant.area_id, Applicant.heard_from, func.count())
                                       .group_by(Applicant.area_id, Applicant.heard_from)).all()
    anonymise_applicants_daily()
    db.session.expire_all()
    old, recent = db.session.get(Applicant, old.id), db.session.get(Applicant, recent.id)
    assert (old.name, old.email, old.interests, old.anonymised_at is not None) == ("Anonymised applicant", None, "",
                                                                                   True)
    assert recent.name == "Quinn Patel" and recent.anonymised_at is None
    summaries = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.entity_type == "Applicant",
                                                                    AuditEvent.entity_id == old.id)).all()
    assert summaries and not any("Priya" in s for s in summaries)
    # What the way-in figures count does not change.
    assert db.session.execute(select(Applicant.area_id, Applicant.heard_from, func.count())
                              .group_by(Applicant.area_id, Applicant.heard_from)).all() == counts_before


def test_the_public_page_is_rate_limited_per_address(app, world):
    from app.extensions import limiter
    from app.factory import create_app

    limited = create_app("test", RATELIMIT_ENABLED=True, INTEREST_RATE_LIMIT="2 per hour",
                         SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    client = limited.test_client()
    try:
        statuses = [client.post(f"/join/{world.provider.id}", data={
            **PARENT, "area_id": str(world.north.id), "first_name": f"P{i}"}).status_code for i in range(3)]
    finally:
        limiter.reset()
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
    assert statuses == [302, 302, 429]
    assert db.session.scalar(select(func.count(Applicant.id))) == 2


def _link(message) -> str:
    import re

    return re.search(r"https?://[^\s]+/reference/[A-Za-z0-9_-]+", text_of(message)).group(0).split("/reference/", 1)[1]


def test_a_referee_answers_once_from_the_emailed_link_and_only_hr_reads_it(world, client, smtp, sign_in):
    from app.models.recruitment import ApplicantReference

    _interest(client, world)
    applicant = db.session.scalar(select(Applicant))
    facilitator = sign_in(world.user(Role.AREA_FACILITATOR))
    response = facilitator.post(f"/recruitment/{applicant.id}/references",
                                data={"referee_name": "Rita Referee", "referee_email": "not an address"})
    assert "Enter an email address like name@example.com" in error_messages(response)
    assert facilitator.post(f"/recruitment/{applicant.id}/references", data={
        "referee_name": "Rita Referee", "referee_email": "rita@example.org"}).status_code == 302
    [message] = [m for m in smtp if m["To"] == "rita@example.org"]
    assert message["Subject"] == "A reference for Priya Patel"
    token = _link(message)
    stored = db.session.scalar(select(ApplicantReference))
    assert stored.token_hash != token and token not in str(stored.token_hash)  # only its hash is kept
    facilitator.post("/sign-out")
    referee = client  # signed out: the referee has no account
    form = referee.get(f"/reference/{token}").get_data(as_text=True)
    assert "A reference for Priya Patel" in form and "priya@example.org" not in form  # nothing else about her
    response = referee.post(f"/reference/{token}", data={"known_for": "", "recommends": ""})
    assert "Say how you know them, and for how long" in error_messages(response)
    response = referee.post(f"/reference/{token}", data={
        "known_for": "Her neighbour for six years", "recommends": "yes", "comments": "Kind and reliable"})
    assert "Your reference has been sent" in response.get_data(as_text=True)
    again = referee.post(f"/reference/{token}", data={"known_for": "Someone else", "recommends": "no"})
    assert "has been given already" in again.get_data(as_text=True)
    stored = db.session.get(ApplicantReference, stored.id)
    assert (stored.known_for, stored.recommends) == ("Her neighbour for six years", "yes")
    hr = sign_in(world.user(Role.HR))
    assert "Kind and reliable" in hr.get(f"/recruitment/{applicant.id}").get_data(as_text=True)
    hr.post("/sign-out")
    facilitator = sign_in(world.user(Role.AREA_FACILITATOR))
    shown = facilitator.get(f"/recruitment/{applicant.id}").get_data(as_text=True)
    assert "Rita Referee" in shown and "Kind and reliable" not in shown  # HR reads what referees say


def test_a_reference_link_expires_after_14_days(world, client, smtp, sign_in):
    from datetime import UTC, datetime, timedelta

    from app.models.recruitment import ApplicantReference

    _interest(client, world)
    applicant = db.session.scalar(select(Applicant))
    hr = sign_in(world.user(Role.HR))
    hr.post(f"/recruitment/{applicant.id}/references",
            data={"referee_name": "Rita", "referee_email": "rita@example.org"})
    token = _link(next(m for m in smtp if m["To"] == "rita@example.org"))
    reference = db.session.scalar(select(ApplicantReference))
    reference.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    hr.post("/sign-out")
    shown = client.get(f"/reference/{token}").get_data(as_text=True)
    assert "This link has expired" in shown and "How do you know them" not in shown
    assert "not one we sent" in client.get("/reference/made-up-token").get_data(as_text=True)


def test_a_volunteer_who_came_in_this_way_has_their_application_in_their_data_export(world, client, sign_in):
    import csv
    import io
    import zipfile

    _interest(client, world)
    applicant = db.session.scalar(select(Applicant))
    hr = sign_in(world.user(Role.HR))
    hr.post(f"/recruitment/{applicant.id}/start", data={"started_on": _day(date.today())})
    person = db.session.scalar(select(Person).where(Person.first_name == "Priya"))
    archive = zipfile.ZipFile(io.BytesIO(hr.get(f"/people/{person.id}/export.zip").data))
    [row] = list(csv.DictReader(io.StringIO(archive.read("way-in.csv").decode())))
    assert (row["How they heard"], row["What they might like to do"], row["Email"]) == (
        "A peer support group", "Making the tea at the Tuesday group", "priya@example.org")
    assert "way-in.csv" in archive.read("README.txt").decode()


def test_hr_renames_and_adds_stages_and_nobody_else_may(world, sign_in):
    hr = sign_in(world.user(Role.HR))
    assert "Application" in hr.get("/recruitment/stages").get_data(as_text=True)
    application = db.session.scalar(select(RecruitmentStage).where(RecruitmentStage.name == "Application",
                                                                   RecruitmentStage.provider_id == world.provider.id))
    response = hr.post(f"/recruitment/stages/{application.id}", data={"name": "References"})
    assert "There is already a stage called References" in error_messages(response)
    assert hr.post(f"/recruitment/stages/{application.id}", data={"name": "Application form"}).status_code == 302
    assert hr.post("/recruitment/stages", data={"name": "Shadowing a group"}).status_code == 302
    names = [s.name for s in db.session.scalars(select(RecruitmentStage).where(
        RecruitmentStage.provider_id == world.provider.id).order_by(RecruitmentStage.sort_order))]
    assert names[2] == "Application form" and names[-2:] == ["Shadowing a group", "Ready to start"]
    hr.post("/sign-out")
    other = sign_in(world.other_hr)
    assert other.post(f"/recruitment/stages/{application.id}", data={"name": "Theirs"}).status_code == 404
    other.post("/sign-out")
    facilitator = sign_in(world.user(Role.AREA_FACILITATOR))
    assert facilitator.get("/recruitment/stages").status_code == 403


def test_the_privacy_page_lists_applications_due_to_be_anonymised(world, client, sign_in):
    from datetime import UTC, datetime, timedelta

    _interest(client, world)
    _interest(client, world, first_name="Quinn", email="quinn@example.org")
    due, fresh = db.session.scalars(select(Applicant).order_by(Applicant.id)).all()
    due.last_activity_at = datetime.now(UTC) - timedelta(days=170)
    db.session.commit()
    hr = sign_in(world.user(Role.HR))
    text = hr.get("/privacy").get_data(as_text=True)
    assert "Parents on the way in" in text and "6 months after the last thing" in text
    assert "Priya Patel" in text and "Quinn Patel" not in text
    assert "0 applications have been anonymised" in text
