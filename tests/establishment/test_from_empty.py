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

from app.establishment.models import ContractYear, Grade, Post
from app.establishment.services import establishment_fill
from app.extensions import db
from app.mail.models import OutboxMessage
from app.people.models import Area, Person, Provider

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


def test_a_provider_set_up_through_the_screens_reproduces_the_seed_table(app):
    council, hr = app.test_client(), app.test_client()
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "corinne@kent.example", "--name", "Corinne Dale", "--role", "coordinator"],
        input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output

    # The council: areas, the provider with its first member of staff, the pay scale.
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

    # The provider's HR: the invitation, then the establishment.
    invitation = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.to == "helen@kpp.example"))
    link = re.search(r"https?://[^/\s]+(/\S+)", invitation).group(1)
    _ok(hr.post(link, data={"password": PASSWORD}))
    first_sign_in(hr, "helen@kpp.example")
    grades = {g.code: g.id for g in db.session.scalars(select(Grade))}
    areas = {a.name: a.id for a in db.session.scalars(select(Area))}

    def add_post(title, grade, area, posts, fte, basis="salaried"):
        _ok(hr.post("/establishment/posts/new", data={
            "title": title, "basis": basis, "grade_id": str(grades[grade]) if grade else "",
            "area_id": str(areas[area]) if area else "", "number_of_posts": str(posts), "budgeted_fte": fte}))

    add_post("Service Coordinator", "KR11", None, 1, "1.0")
    for area in AREAS:
        add_post("Area Facilitator", "KR9", area, 1, "1.0")
        add_post("Parent Co-Facilitator", "KR6", area, 3, "1.5")
        add_post("Parent Volunteer", None, area, 3, "0.75", basis="volunteer")
    add_post("Admin Assistant", "KR3", None, 1, "1.0")

    _ok(hr.post("/establishment/years/new", data={
        "starts_on": _day(date(2026, 4, 1)), "ends_on": _day(date(2027, 3, 31)),
        "pay_basis_on": _day(date(2021, 4, 1))}))
    provider = db.session.scalar(select(Provider))
    year = db.session.scalar(select(ContractYear).where(ContractYear.provider_id == provider.id))
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

    # The seed table, to the pound, on the page and in the CSV.
    cells = [[c.get_text(strip=True) for c in tr.select("th, td")]
             for tr in page(hr.get(f"/establishment/?year={year.id}")).select("table")[0].select("tbody tr")]
    assert cells[0] == ["1", "1.0", "Service Coordinator", "KR11", "£56,359"]
    assert ["", "", "Total", "", "£475,710"] in cells
    assert ["", "", "Headroom against funding", "", "£24,290"] in cells
    rows = list(csv.reader(io.StringIO(hr.get(f"/establishment/budget.csv?year={year.id}").get_data(as_text=True))))
    assert rows[1:9] == [list(row) for row in SEED]

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
    [fill] = [f for f in establishment_fill(provider.id, date(2026, 5, 1)) if f.post.id == north_cofac.id]
    assert (fill.people, float(fill.contracted_fte), float(fill.vacant_fte)) == (1, 0.5, 1.0)
