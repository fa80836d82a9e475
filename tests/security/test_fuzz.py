"""Every form, fuzzed: long, empty, unicode, HTML and SQL strings, huge and negative
numbers, bad dates. Never a 500, never a partial write, user text always escaped."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models.auth import Role
from app.models.expenses import ExpenseLine
from app.models.hours import HoursEntry
from app.models.people import Person
from app.models.training import Check, Course

from ..factories import category

NASTY = st.sampled_from([
    "", " ", "<script>alert(1)</script>", "'; DROP TABLE person; --", "\" OR 1=1 --", "%", "_", "\\",
    "Zoë Ñúñez 👩‍👧", "\x00", "A" * 5000, "１２", "-1", "99999999999999999999", "1e308", "NaN", "0.1", "31/02/2026",
])
TEXT = st.one_of(NASTY, st.text(max_size=300))
NUMBER = st.one_of(NASTY, st.integers(min_value=-10**12, max_value=10**12).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(str))
DAY = st.one_of(st.tuples(TEXT, TEXT, TEXT), st.tuples(st.integers(-5, 40).map(str), st.integers(-1, 14).map(str),
                                                        st.integers(0, 10000).map(str)),
                # The wrong shape: one value instead of three boxes, none, or too many.
                st.tuples(TEXT), st.just(()), st.tuples(TEXT, TEXT, TEXT, TEXT))
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
PAYLOAD = "<script>alert(1)</script>"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _check(response, model, before: int) -> None:
    assert response.status_code != 500
    body = response.get_data(as_text=True)
    assert PAYLOAD not in body  # shown escaped, never as markup
    if response.status_code == 200:
        assert _count(model) == before  # a form sent back wrote nothing


@FUZZ
@given(first=TEXT, last=TEXT, email=TEXT, phone=TEXT, joined=DAY, lived=TEXT, stage=TEXT, area=NUMBER)
def test_add_person(world, sign_in, first, last, email, phone, joined, lived, stage, area):
    client = sign_in(world.user(Role.HR))
    before = _count(Person)
    response = client.post("/people/new", data={
        "first_name": first, "last_name": last, "email": email, "phone": phone, "area_id": area, "stage": stage,
        "joined_on": list(joined), "left_on": ["", "", ""], "has_lived_experience": lived})
    _check(response, Person, before)


@FUZZ
@given(day=DAY, hours=NUMBER, start=TEXT, end=TEXT, activity=NUMBER, area=NUMBER, note=TEXT)
def test_log_hours(world, sign_in, day, hours, start, end, activity, area, note):
    client = sign_in(world.user(Role.VOLUNTEER))
    before = _count(HoursEntry)
    response = client.post(f"/people/{world.me.id}/hours/new", data={
        "worked_on": list(day), "hours": hours, "start_time": start, "end_time": end, "activity_id": activity,
        "area_id": area, "note": note, "submit": "Submit"})
    _check(response, HoursEntry, before)
    if response.status_code == 302:
        entry = db.session.scalar(select(HoursEntry).order_by(HoursEntry.id.desc()))
        assert entry.minutes % 15 == 0 and 0 < entry.minutes <= 24 * 60 and entry.worked_on <= date.today()


@FUZZ
@given(day=DAY, description=TEXT, amount=NUMBER, miles=NUMBER, vehicle=TEXT, origin=TEXT)
def test_expense_item(world, sign_in, day, description, amount, miles, vehicle, origin):
    client = sign_in(world.user(Role.VOLUNTEER))
    client.post(f"/people/{world.me.id}/expenses/new")
    from app.models.expenses import ExpenseClaim

    claim = db.session.scalar(select(ExpenseClaim).order_by(ExpenseClaim.id.desc()))
    before = _count(ExpenseLine)
    response = client.post(f"/expenses/{claim.id}/items/new", data={
        "category_id": str(category("Mileage").id), "spent_on": list(day), "description": description,
        "amount": amount, "miles": miles, "vehicle": vehicle, "journey_from": origin, "journey_to": origin},
        content_type="multipart/form-data")
    _check(response, ExpenseLine, before)


@FUZZ
@given(name=TEXT, run_by=TEXT, hours=NUMBER, cost=NUMBER, months=NUMBER, stage=TEXT)
def test_course(world, sign_in, name, run_by, hours, cost, months, stage):
    client = sign_in(world.user(Role.HR))
    before = _count(Course)
    response = client.post("/training/courses/new", data={
        "name": name, "provider_name": run_by, "hours": hours, "cost": cost, "validity_months": months,
        "required_for": stage})
    _check(response, Course, before)


@FUZZ
@given(kind=TEXT, checked=DAY, number=TEXT, renew=DAY)
def test_check(world, sign_in, kind, checked, number, renew):
    client = sign_in(world.user(Role.HR))
    before = _count(Check)
    response = client.post(f"/people/{world.me.id}/checks/new", data={
        "kind": kind, "checked_on": list(checked), "reference_number": number, "renew_on": list(renew)})
    _check(response, Check, before)


@FUZZ
@given(reason=TEXT)
def test_reject_reason(world, sign_in, reason):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    response = client.post(f"/hours/{world.entry.id}/reject", data={"reason": reason})
    assert response.status_code in (200, 302, 400)
    assert PAYLOAD not in response.get_data(as_text=True)


HEADER = ["person_ref", "date", "hours", "activity", "area", "status"]


@given(body=st.one_of(TEXT, st.lists(st.lists(TEXT, max_size=7), max_size=5).map(
    lambda rows: "\n".join(",".join(r) for r in [HEADER, *rows]))))
@FUZZ
def test_hours_import_upload(world, sign_in, body):
    import io

    client = sign_in(world.user(Role.HR))
    before = _count(HoursEntry)
    response = client.post("/imports/", data={"kind": "hours", "file": (io.BytesIO(body.encode("utf-8", "replace")),
                                                                         "hours.csv")},
                           content_type="multipart/form-data")
    _check(response, HoursEntry, before)


PAYROLL_HEADER = ["person_ref", "pay_period", "gross_pay", "employer_ni", "employer_pension"]


@given(body=st.one_of(TEXT, st.lists(st.lists(TEXT, max_size=6), max_size=5).map(
    lambda rows: "\n".join(",".join(r) for r in [PAYROLL_HEADER, *rows]))))
@FUZZ
def test_payroll_import_upload(world, sign_in, body):
    import io

    from app.models.payroll import PayrollLine

    client = sign_in(world.user(Role.HR))
    before = _count(PayrollLine)
    response = client.post("/imports/", data={"kind": "payroll",
                                              "file": (io.BytesIO(body.encode("utf-8", "replace")), "pay.csv")},
                           content_type="multipart/form-data")
    _check(response, PayrollLine, before)


@given(period=st.one_of(TEXT, st.sampled_from(["2026-10", "October 2026", "13/2026", "Oct-99"])),
       gross=NUMBER, ni=NUMBER, pension=NUMBER)
@FUZZ
def test_payroll_import_amounts(world, sign_in, period, gross, ni, pension):
    """A real person's row with any period and amounts: imported whole, or refused with a message."""
    import csv
    import io

    from app.models.payroll import PayrollLine

    client = sign_in(world.user(Role.HR))
    text = io.StringIO()
    csv.writer(text).writerows([PAYROLL_HEADER, [world.me.ref, period, gross, ni, pension]])
    before = _count(PayrollLine)
    response = client.post("/imports/", data={"kind": "payroll",
                                              "file": (io.BytesIO(text.getvalue().encode("utf-8", "replace")),
                                                       "pay.csv")},
                           content_type="multipart/form-data")
    assert response.status_code != 500
    assert _count(PayrollLine) in (before, before + 1)
    db.session.execute(delete(PayrollLine))
    db.session.commit()


@FUZZ
@given(email=TEXT, password=TEXT)
def test_sign_in(world, client, email, password):
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code in (200, 400) and PAYLOAD not in response.get_data(as_text=True)


def test_nul_bytes_are_refused_not_stored(world, sign_in):
    client = sign_in(world.user(Role.HR))
    before = _count(Person)
    response = client.post("/people/new", data={"first_name": "A\x00B", "last_name": "C"})
    assert response.status_code == 400 and _count(Person) == before
    assert client.get("/people?q=%00").status_code == 400


def test_stored_html_is_escaped_when_shown(world, sign_in):
    client = sign_in(world.user(Role.HR))
    client.post(f"/people/{world.me.id}/edit", data={
        "first_name": PAYLOAD, "last_name": "X", "email": world.me.email, "phone": "", "area_id": str(world.north.id),
        "joined_on": ["1", "1", "2024"], "left_on": ["", "", ""], "has_lived_experience": "yes"})
    assert db.session.get(Person, world.me.id).first_name == PAYLOAD
    for url in (f"/people/{world.me.id}", "/people", f"/people/{world.me.id}/pathway", "/audit"):
        body = client.get(url).get_data(as_text=True)
        assert PAYLOAD not in body, url
        assert "&lt;script&gt;" in body or url == "/audit", url


def test_a_course_required_for_an_empty_stage_is_refused_not_a_500(world, sign_in):
    """Found by fuzzing: an empty stage slipped past the choice check into Stage('')."""
    client = sign_in(world.user(Role.HR))
    before = _count(Course)
    response = client.post("/training/courses/new", data={
        "name": "Odd course", "provider_name": "Us", "hours": "2", "cost": "0", "required_for": ""})
    assert response.status_code == 200 and _count(Course) == before


# Query-string names the app reads, and the names url_for reads for itself.
QUERY_KEYS = st.sampled_from(["page", "q", "area", "provider", "year", "from", "to", "kind", "status", "offer",
                              "person", "person_id", "stage", "month", "week", "next", "format", "sort", "show",
                              "endpoint", "values", "_method", "_external", "_anchor", "_scheme", "filename"])
QUERY = st.lists(st.tuples(QUERY_KEYS, TEXT), max_size=6)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), role=st.sampled_from([Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.HR, Role.ADMIN,
                                              Role.COORDINATOR]))
def test_any_query_string_on_any_page(world, app, client, data, role):
    """Every page without ids in its address, for each role, with any query string: never a 500."""
    from ..conftest import sign_in_with

    routes = sorted(rule.rule for rule in app.url_map.iter_rules()
                    if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(("/static", "/_")))
    path = data.draw(st.sampled_from(routes))
    query = data.draw(QUERY)
    with client.session_transaction() as session:
        session.clear()
    sign_in_with(client, world.user(role))
    response = client.get(path, query_string=query)
    assert response.status_code != 500, (path, query)
    assert PAYLOAD not in response.get_data(as_text=True), (path, query)
