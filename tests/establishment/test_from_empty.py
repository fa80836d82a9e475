"""A provider set up from an empty database (migrations only, no demo) through the screens
alone: the council's co-ordinator (made on the command line, the one step that is not a
screen) adds the areas, the provider and the council's pay scale; the provider's HR, invited
by email, adds the posts, a contract year with its lines and funding, and a person with a
contract. The establishment then reproduces the council's seed table to the pound."""

import csv
import io
import re
from datetime import date

import pyotp
from sqlalchemy import select

from app.establishment.services import establishment_fill
from app.extensions import db
from app.models.establishment import ContractYear, Grade, Post
from app.models.mail import OutboxMessage
from app.models.people import Area, Person, Provider

from ..conftest import page
from .test_budget import SEED

PASSWORD = "a long council passphrase"
AREAS = ["North Kent", "South Kent", "East Kent", "West Kent"]
# The council's costing: 2021/22 mid-points with 30% on-costs (see ../shared/seeds).
GRADES = [("KR3", "Kent Range 3", "14,942.31"), ("KR6", "Kent Range 6", "21,405.38"),
          ("KR9", "Kent Range 9", "31,723.85"), ("KR11", "Kent Range 11", "43,353.08")]


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def first_sign_in(client, email: str) -> None:
    """Sign in for the first time: the password, then set up an authenticator app."""
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/sign-in/set-up-second-step")
    key = page(client.get("/sign-in/set-up-second-step?method=app")).select_one(".pathway-secret").get_text()
    done = client.post("/sign-in/set-up-second-step?method=app", data={"code": pyotp.TOTP(key.replace(" ", "")).now()})
    assert done.status_code == 200 and client.get("/").status_code == 200


def _ok(response) -> None:
    assert response.status_code == 302, page(response).select(".govuk-error-message")


def _council_and_hr(app):
    """The co-ordinator (made on the command line) adds the areas, the provider and the council's
    pay scale on screens; the provider's HR accepts the emailed invitation. Returns HR's browser."""
    council, hr = app.test_client(), app.test_client()
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "corinne@kent.example", "--name", "Corinne Dale", "--role", "coordinator"],
        input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    first_sign_in(council, "corinne@kent.example")
    for name in AREAS:
        _ok(council.post("/council/areas", data={"name": name}))
    _ok(council.post("/council/providers", data={
        "name": "Kent Parent Pathways CIC", "person_name": "Helen Rowe", "email": "helen@kpp.example", "role": "hr"}))
    for code, name, mid in GRADES:
        _ok(council.post("/establishment/grades/new", data={"code": code, "name": name}))
        grade = db.session.scalar(select(Grade).where(Grade.code == code))
        _ok(council.post(f"/establishment/grades/{grade.id}/pay-points/new", data={
            "effective_from": _day(date(2021, 4, 1)), "minimum": f"£{mid}", "mid_point": mid, "maximum": mid,
            "on_cost": "30"}))
    invitation = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.to == "helen@kpp.example"))
    link = re.search(r"https?://[^/\s]+(/\S+)", invitation).group(1)
    _ok(hr.post(link, data={"password": PASSWORD}))
    first_sign_in(hr, "helen@kpp.example")
    return hr


def _budget_year(hr) -> ContractYear:
    """A contract year priced at the council's 2021 costing, its lines and its funding, on screens."""
    _ok(hr.post("/establishment/years/new", data={
        "starts_on": _day(date(2026, 4, 1)), "ends_on": _day(date(2027, 3, 31)),
        "pay_basis_on": _day(date(2021, 4, 1))}))
    year = db.session.scalar(select(ContractYear))
    posts = {}
    for post in db.session.scalars(select(Post)):
        posts.setdefault(post.title, []).append(str(post.id))
    for kind, name, amount, titles in [
            ("pay", "Service Coordinator", "", "Service Coordinator"),
            ("pay", "Area Facilitator", "", "Area Facilitator"),
            ("pay", "Parent Co-Facilitator", "", "Parent Co-Facilitator"),
            ("volunteer_expenses", "Parent Volunteers", "12,000", "Parent Volunteer"),
            ("pay", "Admin Assistant", "", "Admin Assistant"),
            ("training", "Training & Development", "£30,000", None),
            ("non_pay", "Training materials, room hire, etc.", "26000", None)]:
        _ok(hr.post(f"/establishment/years/{year.id}/lines/new", data={
            "kind": kind, "name": name, "amount": amount, "post_ids": posts[titles] if titles else []}))
    for source, amount in [("Kent County Council", "400,000"), ("NHS (CCG)", "100,000")]:
        _ok(hr.post(f"/establishment/years/{year.id}/funding/new", data={"source": source, "amount": amount}))
    return year


def _assert_seed_table(hr, year: ContractYear) -> None:
    cells = [[c.get_text(strip=True) for c in tr.select("th, td")]
             for tr in page(hr.get(f"/establishment/?year={year.id}")).select("table")[0].select("tbody tr")]
    assert cells[0] == ["1", "1.0", "Service Coordinator", "KR11", "£56,359"]
    assert ["", "", "Total", "", "£475,710"] in cells
    assert ["", "", "Headroom against funding", "", "£24,290"] in cells
    rows = list(csv.reader(io.StringIO(hr.get(f"/establishment/budget.csv?year={year.id}").get_data(as_text=True))))
    assert rows[1:9] == [list(row) for row in SEED]


# (title, grade, area or None for county-wide, posts, FTE, basis), as the seed's table lists them.
POSTS = [("Service Coordinator", "KR11", None, 1, "1.0", "salaried")] + [
    row for area in AREAS for row in (("Area Facilitator", "KR9", area, 1, "1.0", "salaried"),
                                      ("Parent Co-Facilitator", "KR6", area, 3, "1.5", "salaried"),
                                      ("Parent Volunteer", None, area, 3, "0.75", "volunteer"))] + [
    ("Admin Assistant", "KR3", None, 1, "1.0", "salaried")]


def test_a_provider_set_up_through_the_screens_reproduces_the_seed_table(app):
    hr = _council_and_hr(app)
    grades = {g.code: g.id for g in db.session.scalars(select(Grade))}
    areas = {a.name: a.id for a in db.session.scalars(select(Area))}
    for title, grade, area, count, fte, basis in POSTS:
        _ok(hr.post("/establishment/posts/new", data={
            "title": title, "basis": basis, "grade_id": str(grades[grade]) if grade else "",
            "area_id": str(areas[area]) if area else "", "number_of_posts": str(count), "budgeted_fte": fte}))
    year = _budget_year(hr)
    _assert_seed_table(hr, year)

    # A person, with a contract, counts in their post.
    _ok(hr.post("/people/new", data={
        "first_name": "Priya", "last_name": "Patel", "email": "", "phone": "", "area_id": str(areas["North Kent"]),
        "stage": "co_facilitator", "joined_on": _day(date(2026, 4, 6)), "has_lived_experience": "yes"}))
    person = db.session.scalar(select(Person).where(Person.last_name == "Patel"))
    north_cofac = db.session.scalar(select(Post).where(Post.title == "Parent Co-Facilitator",
                                                       Post.area_id == areas["North Kent"]))
    _ok(hr.post(f"/people/{person.id}/contracts/new", data={
        "post_id": str(north_cofac.id), "basis": "salaried", "weekly_hours": "18.5",
        "starts_on": _day(date(2026, 4, 6))}))
    provider = db.session.scalar(select(Provider))
    [fill] = [f for f in establishment_fill(provider.id, date(2026, 5, 1)) if f.post.id == north_cofac.id]
    assert (fill.people, float(fill.contracted_fte), float(fill.vacant_fte)) == (1, 0.5, 1.0)


def _upload(hr, kind: str, name: str, data: bytes) -> None:
    response = hr.post("/imports/", data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")
    assert response.status_code == 302, page(response).select("table td")


def test_the_same_set_up_by_import_gives_the_same_page(app):
    from openpyxl import Workbook

    hr = _council_and_hr(app)
    book = Workbook()
    book.active.append(["title", "basis", "grade", "area", "number_of_posts", "budgeted_fte", "starts_on", "ends_on"])
    for title, grade, area, count, fte, basis in POSTS:
        book.active.append([title, basis, grade or "", area or "County-wide", count, float(fte), None, None])
    workbook = io.BytesIO()
    book.save(workbook)
    _upload(hr, "posts", "establishment.xlsx", workbook.getvalue())
    _upload(hr, "people", "people.csv", (
        b"person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience\n"
        b"KP0001,Priya,Patel,,North Kent,co_facilitator,2026-04-06,,yes\n"
        b"KP0002,Sam,Stone,,South Kent,volunteer,2026-04-06,,no\n"))
    _upload(hr, "contracts", "contracts.csv", (
        b"person_ref,post_title,post_area,basis,weekly_hours,starts_on\n"
        b"KP0001,Parent Co-Facilitator,North Kent,salaried,18.5,2026-04-06\n"
        b"KP0002,Parent Volunteer,South Kent,sessional,,2026-04-06\n"))
    _upload(hr, "checks", "checks.csv", (
        b"person_ref,kind,checked_on,reference_number,barred_list,for_paid_role,renew_on\n"
        b"KP0001,dbs,2026-03-20,001234567890,yes,yes,\n"))
    year = _budget_year(hr)
    _assert_seed_table(hr, year)
    provider = db.session.scalar(select(Provider))
    fills = {(f.post.title, f.post.area.name if f.post.area else None): f
             for f in establishment_fill(provider.id, date(2026, 5, 1))}
    assert float(fills[("Parent Co-Facilitator", "North Kent")].contracted_fte) == 0.5
    assert fills[("Parent Volunteer", "South Kent")].people == 1
    from app.models.training import Check

    [check] = db.session.scalars(select(Check)).all()
    assert (check.checked_on, check.barred_list, check.for_paid_role) == (date(2026, 3, 20), True, True)


def test_a_bad_import_row_changes_nothing_and_says_where(app):
    hr = _council_and_hr(app)
    response = hr.post("/imports/", data={"kind": "posts", "file": (io.BytesIO(
        b"title,basis,grade,area,number_of_posts,budgeted_fte,starts_on,ends_on\n"
        b"Area Facilitator,salaried,KR9,North Kent,1,1.0,,\n"
        b"Area Facilitator,salaried,KR99,Mars,1,2.0,someday,\n"), "posts.csv")},
        content_type="multipart/form-data")
    problems = [[c.get_text(strip=True) for c in tr.select("td")] for tr in page(response).select("table tbody tr")]
    assert ["3", "grade 'KR99' is not a grade in Pathway"] in problems
    assert ["3", "area 'Mars' is not an area (or leave it empty for county-wide)"] in problems
    assert ["3", "starts_on 'someday' is not a date like 01/04/2026 or 2026-04-01"] in problems
    assert db.session.scalar(select(Post)) is None
