"""Each home page is a to-do list: counts within what the user may see, each linking to the list."""

from datetime import UTC, date, datetime, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.budget.county import county_budget, current_year
from app.budget.tasks import forecasts_now
from app.extensions import db
from app.hours.services import reject_entry
from app.models.auth import Role
from app.models.establishment import ProviderForecast

from ..conftest import count_statements
from ..factories import make_hours

NOW = datetime.now(UTC)


def _todo(client) -> list[tuple[str, str]]:
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    return [(li.p.get_text(" ", strip=True), li.a["href"]) for li in soup.select(".pathway-todo__item")]


def test_a_parent_sees_what_was_sent_back_with_the_reason_and_where_to_correct_it(world, sign_in):
    reject_entry(world.entry, reason="The group was on the 6th", actor=world.user(Role.AREA_FACILITATOR), now=NOW)
    make_hours(world.me, worked_on=date.today() - timedelta(days=3), status="draft")
    world.paid_claim.paid_on = date.today() - timedelta(days=2)
    db.session.commit()
    client = sign_in(world.user(Role.VOLUNTEER))
    todo = dict(_todo(client))
    assert todo["Your 2 hours on 5 January 2026 were sent back: The group was on the 6th"] == \
        f"/hours/{world.entry.id}"
    assert "1 entry is saved but not sent for approval" in todo
    paid = [text for text in todo if text.startswith("Your claim of £")]
    assert paid and paid[0].endswith(f"was paid on {world.paid_claim.paid_on:%-d %B %Y}")


def test_a_parent_with_nothing_waiting_is_told_so(world, sign_in):
    world.entry.status = "approved"
    world.claim.status = "approved"
    db.session.commit()
    page = sign_in(world.user(Role.VOLUNTEER)).get("/").get_data(as_text=True)
    assert "Nothing needs you right now" in page
    assert "You are a <strong>" in page


def test_a_facilitator_sees_their_areas_queues_only(world, sign_in):
    make_hours(world.south_person, worked_on=date(2026, 1, 6), status="submitted")  # another area
    make_hours(world.stranger, worked_on=date(2026, 1, 6), status="submitted")  # another provider
    db.session.commit()
    todo = dict(_todo(sign_in(world.user(Role.AREA_FACILITATOR))))
    assert todo["1 entry of hours waiting for approval"] == "/approvals/hours"
    assert todo["1 expense claim waiting for a decision"] == "/approvals/expenses"
    assert not any("return" in text for text in todo)  # returns are HR's


def test_hr_sees_the_provider_and_the_return_due(world, sign_in):
    make_hours(world.south_person, worked_on=date(2026, 1, 6), status="submitted")
    db.session.commit()
    todo = dict(_todo(sign_in(world.user(Role.HR))))
    assert "2 entries of hours waiting for approval" in todo
    due = [text for text in todo if text.startswith("The workforce return for")]
    assert due and todo[due[0]].startswith("/returns/?from=")


def test_the_coordinator_sees_returns_in_and_the_missing_providers_by_name(world, sign_in):
    todo = dict(_todo(sign_in(world.user(Role.COORDINATOR))))
    missing = {text: href for text, href in todo.items() if " has not submitted the return for " in text}
    assert sorted(text.split(" has not")[0] for text in missing) == ["Provider A", "Provider B"]
    href = next(h for t, h in missing.items() if t.startswith("Provider B"))
    assert f"provider={world.other_provider.id}" in href
    assert any(" of 2 providers have submitted the return for " in text for text in todo)


def _heading(client, href: str) -> str:
    return BeautifulSoup(client.get(href).get_data(as_text=True), "html.parser").h1.get_text(" ", strip=True)


def _listed(client, href: str) -> set[str]:
    soup = BeautifulSoup(client.get(href).get_data(as_text=True), "html.parser")
    return {row.a.get_text(strip=True) for row in soup.select("main tbody tr")}


def test_each_training_and_checks_line_opens_exactly_the_people_it_counts(world, sign_in):
    """A DBS check due for renewal in 10 days, one overdue since June: HR's to-do lines count them,
    and each link lists exactly those people, the count in its heading."""
    from app.models.training import Check, CheckKind

    today = date.today()
    db.session.add(Check(person_id=world.neighbour.id, kind=CheckKind.DBS, checked_on=today - timedelta(days=1000),
                         renew_on=today + timedelta(days=10), for_paid_role=True))
    db.session.add(Check(person_id=world.south_person.id, kind=CheckKind.DBS, checked_on=today - timedelta(days=1200),
                         renew_on=today - timedelta(days=150), for_paid_role=True))
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    todo = dict(_todo(client))
    for show in ("due", "overdue"):
        line = next(text for text, href in todo.items() if href == f"/training/compliance?show={show}")
        count = int(line.split(" ")[0])
        assert _heading(client, f"/training/compliance?show={show}").startswith(f"{count} ")
        assert len(_listed(client, f"/training/compliance?show={show}")) == count
    assert world.neighbour.name in _listed(client, "/training/compliance?show=due")
    assert world.south_person.name in _listed(client, "/training/compliance?show=overdue")
    assert world.south_person.name not in _listed(client, "/training/compliance?show=due")


def test_a_facilitator_sees_overdue_checks_in_their_area_only(world, sign_in):
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    todo = dict(_todo(client))
    line = next((text for text, href in todo.items() if href == "/training/compliance?show=overdue"), None)
    assert line is not None
    listed = _listed(client, "/training/compliance?show=overdue")
    assert world.south_person.name not in listed and int(line.split(" ")[0]) == len(listed)


def test_the_coordinator_sees_a_provider_over_budget_by_name(world, sign_in):
    """A year whose only pay line is budgeted at half a post while a full-time contract runs."""
    from app.council import services as council
    from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear

    from ..factories import make_contract, make_grade, make_post

    today = date.today()
    start = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    council.set_up_commission(name="Supporting Parents", starts_on=start, term="three_years",
                              extension_years_allowed=0, actor=None)
    grade = make_grade("OB1", mid_pence=2_000_000, effective_from=start)
    post = make_post(provider=world.other_provider, grade=grade, fte="0.5")
    make_contract(person=world.stranger, post=post, hours="37", starts_on=start)
    year = ContractYear(provider_id=world.other_provider.id, label="this year", starts_on=start,
                        ends_on=date(start.year + 1, 3, 31), pay_basis_on=start)
    line = BudgetLine(kind=BudgetLineKind.PAY, name="Workers", sort_order=0)
    line.posts = [post]
    year.budget_lines.append(line)
    db.session.add(year)
    db.session.commit()
    client = sign_in(world.user(Role.COORDINATOR))
    # The home page reads forecasts as last worked out in the background, never prices them.
    assert not [text for text in dict(_todo(client)) if "forecast" in text]
    forecasts_now()  # the hourly job's work (run at once here)
    todo = dict(_todo(client))
    over = [text for text in todo if text.startswith("Provider B's forecast is £")]
    assert len(over) == 1 and " over its budget for " in over[0] and "(worked out " in over[0]
    assert todo[over[0]] == f"/budget/?provider={world.other_provider.id}"
    assert not any(text.startswith("Provider A's forecast") for text in todo)
    stored = db.session.scalar(select(ProviderForecast).where(ProviderForecast.contract_year_id == year.id))
    county = county_budget(current_year(today), today=today)
    live = next(row for row in county.rows if row.contract_year_id == year.id)
    assert (stored.budget_pence, stored.forecast_pence, stored.funding_pence) == (
        live.budget_pence, live.forecast_pence, live.funding_pence)
    assert stored.forecast_pence > stored.budget_pence > 0
    # Worked out again, each year's figures are replaced, never added beside the old ones.
    forecasts_now()
    assert db.session.scalar(select(func.count()).select_from(ProviderForecast)) == len(county.rows)


def test_the_coordinator_s_home_page_reads_the_same_statements_however_many_providers_are_over(
        app, world, sign_in):
    from app.council import services as council
    from app.models.establishment import ContractYear

    from ..factories import make_provider

    today = date.today()
    start = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    council.set_up_commission(name="Supporting Parents", starts_on=start, term="three_years",
                              extension_years_allowed=0, actor=None)

    def over(count: int) -> None:
        for _ in range(count):
            provider = make_provider()
            year = ContractYear(provider_id=provider.id, label="this year", starts_on=start,
                                ends_on=date(start.year + 1, 3, 31), pay_basis_on=start)
            db.session.add(year)
            db.session.flush()
            db.session.add(ProviderForecast(contract_year_id=year.id, provider_id=provider.id, budget_pence=100,
                                            forecast_pence=250, funding_pence=0, worked_out_on=today,
                                            worked_out_at=NOW))
        db.session.commit()

    client = sign_in(world.user(Role.COORDINATOR))
    over(2)
    _todo(client)
    small = count_statements(client, "/")
    over(8)
    assert count_statements(client, "/") == small
    assert sum("over its budget" in text for text, _href in _todo(client)) == 10
    # Providers' forecasts are the co-ordinator's to see: HR's home page shows none of them.
    from flask import g

    from ..conftest import sign_in_with

    hr = app.test_client()
    g.pop("_login_user", None)
    sign_in_with(hr, world.user(Role.HR))
    g.pop("_login_user", None)
    assert "over its budget" not in hr.get("/").get_data(as_text=True)


def test_the_coordinator_sees_providers_short_on_delivery(app):
    """The demo has West Kent short of its plan: its provider is named, with a link to its delivery."""
    from sqlalchemy import select

    from app.demo import load_demo
    from app.main.todo import todo_for
    from app.models.auth import User

    load_demo(today=date.today())
    db.session.commit()
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    with app.test_request_context():
        todo = {item.text: item.href for item in todo_for(coordinator, today=date.today())}
    short = [text for text in todo if " planned sessions in " in text]
    assert short and todo[short[0]].startswith("/delivery/?provider=")
    # A part week's share of the plan is shown to a tenth of a session, not to four places.
    planned = short[0].split(" of ")[1].split(" planned")[0]
    assert len(planned.partition(".")[2]) <= 1, short[0]
    assert any(text.startswith("0 of 1 provider has submitted the return") for text in todo)  # one provider


def test_hr_is_told_when_last_months_payroll_is_not_imported_until_it_is(world, sign_in):
    from app.models.payroll import PayrollLine
    from app.periods import month_of

    this_month = month_of(date.today())[0]
    last_month = month_of(this_month - timedelta(days=1))[0]
    before = month_of(last_month - timedelta(days=1))[0]
    client = sign_in(world.user(Role.HR))
    assert not any(text.startswith("Payroll for") for text, _ in _todo(client))  # never imports payroll
    line = dict(provider_id=world.provider.id, person_id=world.me.id, gross_pence=100_000, employer_ni_pence=0,
                employer_pension_pence=0)
    db.session.add(PayrollLine(period=before, **line))
    db.session.commit()
    todo = dict(_todo(client))
    assert todo[f"Payroll for {last_month:%B %Y} has not been imported"] == "/imports/"
    db.session.add(PayrollLine(period=last_month, **line))
    db.session.commit()
    assert not any(text.startswith("Payroll for") for text, _ in _todo(client))
    client.post("/sign-out")
    other = sign_in(world.other_hr)  # another provider's HR is told nothing of it
    assert not any(text.startswith("Payroll for") for text, _ in _todo(other))


def test_a_failed_background_job_is_on_the_to_do_of_whoever_asked_for_it(world, sign_in):
    from app.models.jobs import Job, JobStatus

    hr = world.user(Role.HR)
    job = Job(kind="certificates_zip", requested_by_id=hr.id, provider_id=world.provider.id,
              status=JobStatus.FAILED, result_name="Certificates for North Kent", error="The disk was full")
    db.session.add(job)
    db.session.commit()
    todo = dict(_todo(sign_in(hr)))
    line = [text for text in todo if text.startswith("Certificates for North Kent failed on")]
    assert line and todo[line[0]] == f"/jobs/{job.id}"
    client = sign_in(hr)
    client.post("/sign-out")
    assert not any("failed on" in text for text, _ in _todo(sign_in(world.user(Role.ADMIN))))  # not theirs


def test_the_worker_works_out_forecasts_at_a_quarter_past_each_hour():
    from app import worker

    names = lambda moment: {task.name for task in worker.huey.read_periodic(moment)}  # noqa: E731
    assert any(name.endswith("forecasts_every_hour") for name in names(datetime(2026, 12, 4, 10, 15)))
    assert not any(name.endswith("forecasts_every_hour") for name in names(datetime(2026, 12, 4, 10, 16)))
