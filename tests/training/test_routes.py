from datetime import date, timedelta

from sqlalchemy import select

from app.budget.services import build_monitor
from app.establishment.services import load_contract_year
from app.extensions import db
from app.models.auth import Role
from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear
from app.models.people import Person, Stage
from app.models.training import Check, TrainingRecord

from ..conftest import error_messages, page
from ..factories import make_post

YESTERDAY = date.today() - timedelta(days=1)


def _day(d):
    return [str(d.day), str(d.month), str(d.year)]


def test_facilitator_records_a_sessions_attendance_in_their_area(world, sign_in):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    response = client.post("/training/attendance", data={
        "course_id": str(world.course.id), "completed_on": _day(YESTERDAY), "area_id": str(world.north.id),
        "save": "1", f"attended-{world.me.id}": "1", f"attended-{world.neighbour.id}": "1",
        f"attended-{world.south_person.id}": "1"})
    assert response.status_code == 302
    people = set(db.session.scalars(select(TrainingRecord.person_id).where(TrainingRecord.completed_on == YESTERDAY)))
    assert people == {world.me.id, world.neighbour.id}  # the South Kent tick is ignored


def test_hr_records_a_check_with_validation(world, sign_in):
    client = sign_in(world.user(Role.HR))
    bad = client.post(f"/people/{world.me.id}/checks/new", data={
        "kind": "dbs", "checked_on": _day(YESTERDAY), "renew_on": _day(YESTERDAY - timedelta(days=3))})
    assert error_messages(bad) == ["The next check must be after this one"]
    client.post(f"/people/{world.me.id}/checks/new", data={
        "kind": "dbs", "checked_on": _day(YESTERDAY), "for_paid_role": "y", "reference_number": "001234567890"})
    check = db.session.scalar(select(Check).where(Check.person_id == world.me.id))
    assert (check.for_paid_role, check.reference_number) == (True, "001234567890")


def test_progress_page_needs_an_override_reason_when_requirements_are_unmet(world, sign_in):
    post = make_post(provider=world.provider, grade=None, area=world.north, title="Parent Co-Facilitator")
    post.is_volunteer = False
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    data = {"post_id": str(post.id), "weekly_hours": "18.5", "changed_on": _day(date.today())}
    # No DBS check valid for paid work: no override opens that gate.
    response = client.post(f"/people/{world.me.id}/progress", data={**data, "override_reason": "Agreed at panel"})
    assert error_messages(response)[0].startswith("These cannot be waived: Enhanced DBS check for a paid role")
    assert db.session.get(Person, world.me.id).stage == Stage.VOLUNTEER
    from app.models.training import CheckKind
    from app.training.services import record_check

    record_check(db.session.get(Person, world.me.id), kind=CheckKind.DBS, checked_on=date.today(),
                 for_paid_role=True, barred_list=True, actor=world.user(Role.HR), today=date.today())
    db.session.commit()
    # Nor does any override open the right-to-work gate for paid sessional work.
    response = client.post(f"/people/{world.me.id}/progress", data={**data, "override_reason": "Agreed at panel"})
    assert error_messages(response)[0].startswith("These cannot be waived: Right to work check")
    record_check(db.session.get(Person, world.me.id), kind=CheckKind.RIGHT_TO_WORK, checked_on=date.today(),
                 actor=world.user(Role.HR), today=date.today())
    db.session.commit()
    response = client.post(f"/people/{world.me.id}/progress", data=data)
    assert error_messages(response)[0].startswith("Not every requirement is met:")
    assert db.session.get(Person, world.me.id).stage == Stage.VOLUNTEER
    question = client.post(f"/people/{world.me.id}/progress", data={**data, "override_reason": "Agreed at panel"})
    text = " ".join(page(question).get_text(" ").split())
    assert "Move Vera to Parent Co-Facilitator?" in text
    assert "a certificate for becoming a Parent Co-Facilitator" in text
    db.session.expire_all()
    assert db.session.get(Person, world.me.id).stage == Stage.VOLUNTEER  # asking changed nothing
    confirm = {i["name"]: i.get("value", "") for i in page(question).select("main form input[type=hidden]")}
    confirm["changed_on"] = [i["value"] for i in page(question).select("input[name=changed_on]")]
    assert client.post(f"/people/{world.me.id}/progress", data=confirm).status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, world.me.id).stage == Stage.CO_FACILITATOR
    text = page(client.get(f"/people/{world.me.id}/pathway")).get_text(" ")
    assert "Became a Parent Co-Facilitator" in text


def test_a_volunteer_sees_progress_worded_as_an_opportunity(world, sign_in):
    response = sign_in(world.user(Role.VOLUNTEER)).get(f"/people/{world.me.id}/pathway")
    text = " ".join(page(response).get_text(" ").split())
    assert "is an opportunity open to you" in text and "It is not a promise of paid work" in text


def test_training_spend_counts_against_training_and_development(world):
    year = ContractYear(provider_id=world.provider.id, label="2025/26", starts_on=date(2025, 4, 1),
                        ends_on=date(2026, 3, 31), pay_basis_on=date(2025, 4, 1))
    year.budget_lines.append(BudgetLine(kind=BudgetLineKind.TRAINING, name="Training & Development",
                                        amount_pence=3_000_000, sort_order=1))
    db.session.add(year)
    db.session.commit()
    line = build_monitor(load_contract_year(year.id), today=date(2026, 3, 31)).lines[0]
    # The world's safeguarding course (£50) was completed on 1 February 2026.
    assert line.by_month == {date(2026, 2, 1): 5000}


def test_hr_can_choose_to_skip_a_stage_only_with_a_reason(world, sign_in):
    post = make_post(provider=world.provider, grade=None, area=world.north, title="Admin Assistant")
    post.is_volunteer = False
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    blocked = page(client.get(f"/people/{world.me.id}/progress"))  # no DBS check yet: the way to the others
    assert [a["href"] for a in blocked.select("a[href*='to_stage=']")] == [
        f"/people/{world.me.id}/progress?to_stage=employee"]
    assert "Move to Employee" in page(client.get(f"/people/{world.me.id}/progress?to_stage=employee")).get_text()
    response = client.post(f"/people/{world.me.id}/progress", data={
        "to_stage": "employee", "post_id": str(post.id), "weekly_hours": "37", "changed_on": _day(date.today()),
        "override_reason": "Appointed"})
    assert error_messages(response)[0] == "Enter why Parent Co-Facilitator is being skipped"
    assert db.session.get(Person, world.me.id).stage == Stage.VOLUNTEER


def test_the_move_on_page_lists_each_missing_requirement_with_the_way_to_record_it(world, sign_in):
    """A blocked move shows what is missing, a line each with a link to put it right, and no form."""
    client = sign_in(world.user(Role.HR))
    response = client.get(f"/people/{world.me.id}/progress")
    assert response.status_code == 200
    soup = page(response)
    rows = {row.find("dt").get_text(" ", strip=True): row for row in soup.select(".govuk-summary-list__row")}
    dbs = next(row for label, row in rows.items() if "DBS" in label)
    assert dbs.find("a")["href"] == f"/people/{world.me.id}/checks/new?kind=dbs"
    assert soup.find(attrs={"name": "post_id"}) is None  # nothing to submit while a check blocks the move
    form = page(client.get(dbs.find("a")["href"])).find(attrs={"name": "kind", "value": "dbs"})
    assert form.has_attr("checked")
