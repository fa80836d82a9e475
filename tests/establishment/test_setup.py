"""The establishment's set-up screens: posts, grades and pay points, pay awards previewed with
their cost, contract years copied from the last, budget lines and funding. Each change is
audited; each refusal says what to do by its field; nobody changes another provider's."""

from datetime import date
from decimal import Decimal

import pytest

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.establishment import BudgetLine, ContractYear, Funding, Grade, PayPoint, Post

from ..conftest import error_messages, page
from ..factories import make_contract_year, make_grade, make_post


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


@pytest.fixture
def own_grade(world):
    grade = make_grade("P6", mid_pence=2_000_000, effective_from=date(2025, 4, 1))
    grade.provider_id = world.provider.id
    make_post(provider=world.provider, grade=grade, area=world.north, posts=3, fte="1.5")
    db.session.commit()
    return grade


def test_hr_adds_and_changes_a_post_audited(world, sign_in, client, own_grade):
    sign_in(world.user(Role.HR))
    response = client.post("/establishment/posts/new", data={
        "title": "Family Worker", "basis": "sessional", "grade_id": str(own_grade.id), "area_id": str(world.south.id),
        "number_of_posts": "2", "budgeted_fte": "1.2", "starts_on": _day(date(2026, 9, 1))})
    assert response.status_code == 302
    post = db.session.scalar(db.select(Post).where(Post.title == "Family Worker"))
    assert (post.is_sessional, post.number_of_posts, post.budgeted_fte, post.starts_on) == (
        True, 2, Decimal("1.2"), date(2026, 9, 1))
    client.post(f"/establishment/posts/{post.id}", data={
        "title": "Family Worker", "basis": "sessional", "grade_id": str(own_grade.id), "area_id": str(world.south.id),
        "number_of_posts": "2", "budgeted_fte": "2", "ends_on": _day(date(2027, 3, 31))})
    assert db.session.get(Post, post.id).budgeted_fte == 2
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.entity_type == "Post",
                                                          AuditEvent.action == "update"))
    assert "budgeted_fte" in event.summary and event.actor_id == world.user(Role.HR).id


@pytest.mark.parametrize("data,message", [
    ({"basis": "salaried", "grade_id": "", "number_of_posts": "1", "budgeted_fte": "1"},
     "Select the grade the post is paid on"),
    ({"basis": "salaried", "number_of_posts": "2", "budgeted_fte": "2.5"},
     "2 posts can have at most 2 FTE between them"),
    ({"basis": "salaried", "number_of_posts": "two", "budgeted_fte": "1"},
     "Number of posts must be a whole number, like 3"),
    ({"basis": "salaried", "number_of_posts": "1", "budgeted_fte": "1", "starts_on": _day(date(2026, 9, 1)),
      "ends_on": _day(date(2026, 8, 1))}, "The end must be on or after the start"),
])
def test_a_post_that_breaks_a_rule_is_refused_by_the_field(world, sign_in, client, own_grade, data, message):
    sign_in(world.user(Role.HR))
    data = {"title": "Odd post", "grade_id": str(own_grade.id), "area_id": "", **data}
    response = client.post("/establishment/posts/new", data=data)
    assert error_messages(response) == [message]
    assert db.session.scalar(db.select(Post).where(Post.title == "Odd post")) is None


def test_a_pay_award_by_percentage_is_previewed_with_its_cost_then_saved(world, sign_in, client, own_grade):
    sign_in(world.user(Role.HR))
    data = {"effective_from": _day(date(2026, 4, 1)), "how": "percent", "percent": "3.2"}
    preview = client.post("/establishment/pay-award", data=data)
    text = page(preview).get_text(" ")
    # 1.5 FTE at £20,000 with 30% on-costs: a 3.2% award adds £1,248 a year.
    assert "£20,640.00" in text and "£1,248" in text
    assert len(own_grade.pay_points) == 1  # nothing saved by a preview
    assert client.post("/establishment/pay-award", data={**data, "confirm": "1"}).status_code == 302
    points = db.session.scalars(db.select(PayPoint).where(PayPoint.grade_id == own_grade.id)
                                .order_by(PayPoint.effective_from)).all()
    assert [(p.effective_from, p.mid_pence, p.on_cost_bp) for p in points] == [
        (date(2025, 4, 1), 2_000_000, 3000), (date(2026, 4, 1), 2_064_000, 3000)]
    assert db.session.get(Grade, own_grade.id).pay_point_on(date(2026, 3, 31)).mid_pence == 2_000_000
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.summary.contains("Pay award for P6")))


def test_a_pay_award_by_flat_amount_or_table(world, sign_in, client, own_grade):
    sign_in(world.user(Role.HR))
    client.post("/establishment/pay-award", data={"effective_from": _day(date(2026, 4, 1)), "how": "flat",
                                                  "flat": "£1,290", "confirm": "1"})
    assert own_grade.pay_point_on(date(2026, 4, 1)).mid_pence == 2_129_000
    bad = client.post("/establishment/pay-award", data={
        "effective_from": _day(date(2027, 4, 1)), "how": "table", f"min-{own_grade.id}": "21,000",
        f"mid-{own_grade.id}": "lots", f"max-{own_grade.id}": "23,000"})
    assert "Enter P6's new mid salary in pounds, like 27,500" in error_messages(bad)
    client.post("/establishment/pay-award", data={
        "effective_from": _day(date(2027, 4, 1)), "how": "table", f"min-{own_grade.id}": "21,000",
        f"mid-{own_grade.id}": "22,000", f"max-{own_grade.id}": "23,000", "confirm": "1"})
    db.session.expire_all()
    assert db.session.get(Grade, own_grade.id).pay_point_on(date(2027, 4, 1)).mid_pence == 2_200_000


def test_the_councils_pay_scale_is_the_co_ordinators(world, sign_in, client):
    council = make_grade("KRX")
    db.session.commit()
    sign_in(world.user(Role.HR))
    assert client.post(f"/establishment/grades/{council.id}/pay-points/new", data={
        "effective_from": _day(date(2026, 4, 1)), "minimum": "1", "mid_point": "2", "maximum": "3",
        "on_cost": "30"}).status_code == 403
    client.post("/sign-out")
    sign_in(world.user(Role.COORDINATOR))
    assert client.post(f"/establishment/grades/{council.id}/pay-points/new", data={
        "effective_from": _day(date(2026, 4, 1)), "minimum": "£25,000", "mid_point": "26,000.50",
        "maximum": "27000", "on_cost": "30"}).status_code == 302
    assert db.session.get(Grade, council.id).pay_point_on(date(2026, 4, 1)).mid_pence == 2_600_050


def test_pay_figures_out_of_order_or_on_a_taken_date_are_refused(world, sign_in, client, own_grade):
    sign_in(world.user(Role.HR))
    url = f"/establishment/grades/{own_grade.id}/pay-points/new"
    wrong = client.post(url, data={"effective_from": _day(date(2026, 4, 1)), "minimum": "30,000",
                                   "mid_point": "20,000", "maximum": "40,000", "on_cost": "30"})
    assert error_messages(wrong) == ["The minimum, mid-point and maximum must go up in that order"]
    taken = client.post(url, data={"effective_from": _day(date(2025, 4, 1)), "minimum": "1", "mid_point": "2",
                                   "maximum": "3", "on_cost": "30"})
    assert error_messages(taken) == ["P6 already has figures from 1 April 2025"]
    assert len(db.session.get(Grade, own_grade.id).pay_points) == 1


def test_a_new_contract_year_starts_as_a_copy_of_the_last(world, sign_in, client, own_grade):
    sign_in(world.user(Role.HR))
    last = db.session.scalar(db.select(ContractYear).where(ContractYear.provider_id == world.provider.id)
                             .order_by(ContractYear.starts_on.desc()))
    if last is None:
        last = make_contract_year(world.provider)
        db.session.commit()
    form = page(client.get("/establishment/years/new"))
    start = last.ends_on.replace(day=last.ends_on.day)
    assert form.select_one("#starts_on-year")["value"] == str(start.year)
    nxt = date(last.ends_on.year, 4, 1)
    response = client.post("/establishment/years/new", data={
        "starts_on": _day(nxt), "ends_on": _day(date(nxt.year + 1, 3, 31)), "pay_basis_on": _day(nxt)})
    assert response.status_code == 302
    new = db.session.scalar(db.select(ContractYear).where(ContractYear.provider_id == world.provider.id,
                                                          ContractYear.starts_on == nxt))
    assert [(line.kind, line.name, line.amount_pence) for line in new.budget_lines] == [
        (line.kind, line.name, line.amount_pence) for line in last.budget_lines]
    assert [(f.source, f.amount_pence) for f in new.funding] == [(f.source, f.amount_pence) for f in last.funding]
    overlap = client.post("/establishment/years/new", data={
        "starts_on": _day(nxt), "ends_on": _day(date(nxt.year + 1, 3, 31)), "pay_basis_on": _day(nxt)})
    assert error_messages(overlap)[0].startswith("It overlaps")


def test_budget_lines_and_funding_change_audited(world, sign_in, client):
    year = make_contract_year(world.provider, start_year=2030)
    db.session.commit()
    sign_in(world.user(Role.HR))
    no_amount = client.post(f"/establishment/years/{year.id}/lines/new", data={"kind": "non_pay", "name": "Room hire"})
    assert error_messages(no_amount) == ["Enter the line's annual amount"]
    no_posts = client.post(f"/establishment/years/{year.id}/lines/new", data={"kind": "pay", "name": "Workers"})
    assert error_messages(no_posts) == ["Choose the posts this pay line pays for"]
    client.post(f"/establishment/years/{year.id}/lines/new", data={"kind": "non_pay", "name": "Venues",
                                                                  "amount": "£4,500.50"})
    line = db.session.scalar(db.select(BudgetLine).where(BudgetLine.name == "Venues"))
    assert line.amount_pence == 450_050
    funding = year.funding[0]
    client.post(f"/establishment/funding/{funding.id}", data={"source": "Kent County Council", "amount": "250,000"})
    assert db.session.get(Funding, funding.id).amount_pence == 25_000_000
    summaries = db.session.scalars(db.select(AuditEvent.summary)).all()
    assert "Added the 2030/31 budget line Venues: £4,501 a year" in summaries or any(
        "budget line Venues" in s for s in summaries)
    assert any("funding from Kent County Council: £250,000" in s for s in summaries)


@pytest.mark.parametrize("role", [Role.AREA_FACILITATOR, Role.ADMIN, Role.COORDINATOR, Role.VOLUNTEER])
def test_only_hr_sets_up_posts_and_budgets(world, sign_in, client, role):
    sign_in(world.user(role))
    assert client.post("/establishment/posts/new", data={"title": "X", "basis": "volunteer", "number_of_posts": "1",
                                                         "budgeted_fte": "1"}).status_code == 403
    assert client.post("/establishment/years/new", data={}).status_code == 403
    assert db.session.scalar(db.select(Post).where(Post.title == "X")) is None
