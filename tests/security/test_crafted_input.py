"""Crafted input gets a clear 400 or a field error, never a 500."""

import pytest

from app.models.auth import Role

CRAFTED_QUERIES = ["person_id=1", "person_id=abc", "endpoint=hours.log", "endpoint=static", "_method=POST",
                   "filename=x", "page=-1", "page=99999999999999999999", "from=2026-13-45", "area=%00",
                   "_external=1", "_anchor=x", "_scheme=javascript"]


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.HR])
@pytest.mark.parametrize("query", CRAFTED_QUERIES)
def test_url_building_arguments_in_the_query_string_are_not_a_500(world, sign_in, role, query):
    client = sign_in(world.user(role))
    for path in ("/hours", "/approvals/hours", "/people", "/expenses", "/delivery/", "/budget/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 302, 400, 403, 404), f"{path}?{query}: {response.status_code}"


def test_a_nul_byte_in_an_import_is_a_line_error(world, sign_in):
    import io

    from sqlalchemy import func, select

    from app.extensions import db
    from app.models.people import Person

    client = sign_in(world.user(Role.HR))
    before = db.session.scalar(select(func.count()).select_from(Person))
    data = (b"person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience\n"
            b",Ann\x00a,Smith,,North Kent,volunteer,2026-01-05,,\n")
    response = client.post("/imports/", data={"kind": "people", "file": (io.BytesIO(data), "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "NUL byte" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Person)) == before


@pytest.mark.parametrize("email", ["ann@example.org\nBcc: everyone@example.org", "ann @example.org",
                                   "ann@exam\rple.org", "ann@@example.org", "ann@"])
def test_an_email_address_with_a_line_break_is_refused_by_the_import(world, sign_in, email):
    """The same check as the forms, in the function the screen and the command line both use."""
    from datetime import date

    from app.imports.csvfile import ImportFailed
    from app.imports.services import import_people

    text = ("person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience\n"
            f",Ann,Smith,\"{email}\",North Kent,volunteer,2026-01-05,,\n")
    with pytest.raises(ImportFailed) as failed:
        import_people(text, provider=world.provider, actor=world.user(Role.HR), today=date(2026, 11, 24))
    assert any("is not an email address" in message for _, message in failed.value.report.errors)


def test_a_reminder_to_an_address_stored_with_a_line_break_says_so_instead_of_failing(world, sign_in):
    """An address stored before addresses were checked: the reminder says what to do."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models.mail import OutboxMessage

    world.neighbour.email = "nina@example.org\nBcc: all@example.org"
    db.session.commit()
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    response = client.post(f"/hours/reminders/{world.neighbour.id}", follow_redirects=True)
    assert response.status_code == 200
    assert "has an email address mail cannot be sent to" in response.get_data(as_text=True)
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.to.like("nina%"))) is None


def test_the_error_page_is_shown_when_the_database_is_down(app, world, sign_in, tmp_path):
    """A signed-in request when the database cannot be reached: a plain error page, not an empty response."""
    from app.factory import create_app

    signed_in = sign_in(world.user(Role.HR))
    cookie = signed_in.get_cookie("session")
    down = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/pathway.db",
                      PROPAGATE_EXCEPTIONS=False)
    client = down.test_client()
    client.set_cookie("session", cookie.value)
    with down.app_context():
        response = client.get("/people")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in body and "Nothing you entered has been saved" in body
    assert response.headers["Cache-Control"] == "no-store"


def test_the_error_page_is_shown_after_a_failed_statement(app, world, sign_in, monkeypatch):
    """A statement fails under a view (the session is left needing a rollback): the 500 page still renders."""
    from sqlalchemy import text

    from app.extensions import db
    from app.people import routes

    def broken(*args, **kwargs):
        db.session.execute(text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(routes, "render_template", broken)
    client = sign_in(world.user(Role.HR))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/people")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)


def test_the_command_line_refuses_an_email_address_the_forms_would_refuse(app):
    from sqlalchemy import select

    from app.extensions import db
    from app.models.auth import User

    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "corinne@kent.example\nBcc: x@y.z", "--name", "Corinne Dale",
        "--role", "coordinator", "--password", "a long enough pass phrase"])
    assert result.exit_code == 2 and "correct format" in result.output
    assert db.session.scalar(select(User).where(User.name == "Corinne Dale")) is None
