import csv
import io
from datetime import date, timedelta

from sqlalchemy import event

from app.demo import DEMO_PROVIDER, load_demo
from app.extensions import db
from app.models.auth import Role
from app.models.establishment import ContractYear
from app.models.people import Provider

from ..conftest import count_statements, page
from ..factories import make_contract, make_grade, make_hours, make_person, make_post


def _csv(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_demo_monitor_shows_seed_budgets_and_plausible_actuals(world, sign_in):
    load_demo(today=date.today())
    db.session.commit()
    year = db.session.scalar(db.select(ContractYear).join(Provider).where(
        ContractYear.label == "2025/26", Provider.name == DEMO_PROVIDER))
    client = sign_in(world.user(Role.COORDINATOR))
    rows = _csv(client.get(f"/budget/monitor.csv?provider={year.provider_id}&year={year.id}"))
    by_line = {row[0]: row for row in rows[1:]}
    assert [by_line[n][1] for n in ("Service Coordinator", "Area Facilitator", "Parent Co-Facilitator",
                                    "Parent Volunteers", "Admin Assistant", "Total")] == [
        "56359.00", "164964.00", "166962.00", "12000.00", "19425.00", "475710.00"]
    if date.today() > year.starts_on:
        actual = float(by_line["Area Facilitator"][2])
        assert 0 < actual < 164964 * 1.5
    soup = page(client.get(f"/budget/?provider={year.provider_id}&year={year.id}"))
    assert soup.select_one("svg.pathway-chart[role=img]") is not None
    assert "style=" not in str(soup.select_one("svg.pathway-chart"))  # CSP-safe


def test_hr_sees_only_their_providers_monitor(world, sign_in):
    client = sign_in(world.user(Role.HR))
    assert client.get("/budget/").status_code == 200
    assert client.get(f"/budget/?provider={world.other_provider.id}").status_code == 404


def test_fte_csv_and_facilitator_area_lock(world, sign_in):
    grade = make_grade("KR6")
    north_post = make_post(provider=world.provider, grade=grade, area=world.north, fte="1.5")
    south_post = make_post(provider=world.provider, grade=grade, area=world.south, fte="1.5")
    make_contract(person=world.me, post=north_post, hours="18.5", starts_on=date(2025, 1, 1))
    make_contract(person=world.south_person, post=south_post, hours="18.5", starts_on=date(2025, 1, 1))
    monday = date.today() - timedelta(days=date.today().weekday() + 7)
    make_hours(world.me, worked_on=monday, hours="18.5")
    make_hours(world.south_person, worked_on=monday, hours="12")
    db.session.commit()
    client = sign_in(world.user(Role.AREA_FACILITATOR))
    rows = _csv(client.get(f"/budget/fte.csv?period=week&on={monday}&area={world.south.id}"))
    assert rows[1][2:6] == ["Parent Co-Facilitator", "1.50", "18.5", "0.500"]


def test_monitor_runs_a_fixed_number_of_queries(world, sign_in):
    grade = make_grade("KR6")
    post = make_post(provider=world.provider, grade=grade, area=world.north, fte="1.5")
    line = db.session.scalar(db.select(ContractYear)).budget_lines[0]
    line.kind, line.amount_pence = "pay", None
    line.posts = [post]
    db.session.commit()
    client = sign_in(world.user(Role.HR))

    def count():
        return count_statements(client, "/budget/")

    def add_people(how_many):
        for n in range(how_many):
            person = make_person(provider=world.provider, area=world.north)
            contract = make_contract(person=person, post=post, hours="0", starts_on=date(2026, 4, 1))
            contract.is_sessional = n % 2 == 0
            make_hours(person, worked_on=date(2026, 5, 1 + n), hours="3")
        db.session.commit()

    add_people(2)
    small = count()
    add_people(12)
    assert count() == small


def test_fte_figures_are_kept_until_hours_are_approved(world, sign_in):
    """Asked again, the FTE page's figures are read from what was kept; approving hours moves
    them at once, through the CSV and the page alike."""
    from sqlalchemy import select

    from app.models.hours import HoursEntry, HoursStatus

    post = make_post(provider=world.provider, grade=make_grade("KR6"), area=world.north, fte="1.5")
    make_contract(person=world.me, post=post, hours="18.5", starts_on=date(2025, 1, 1))
    monday = date.today() - timedelta(days=date.today().weekday() + 7)
    make_hours(world.me, worked_on=monday, hours="18.5")
    waiting = make_hours(world.me, worked_on=monday + timedelta(days=1), hours="6", status="submitted")
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    path = f"/budget/fte.csv?period=week&on={monday}"
    assert _csv(client.get(path))[1][2:6] == ["Parent Co-Facilitator", "1.50", "18.5", "0.500"]
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert _csv(client.get(path))[1][2:6] == ["Parent Co-Facilitator", "1.50", "18.5", "0.500"]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert not [s for s in statements if "hours_entry" in s or "contract_year" in s]  # kept
    db.session.get(HoursEntry, waiting.id).status = HoursStatus.APPROVED
    db.session.commit()
    assert _csv(client.get(path))[1][2:6] == ["Parent Co-Facilitator", "1.50", "24.5", "0.662"]
    assert db.session.scalar(select(HoursEntry.status).where(HoursEntry.id == waiting.id)) == HoursStatus.APPROVED


def test_fte_for_a_year_follows_a_contract_year_added_mid_way(world, sign_in):
    """A provider whose first contract year starts mid-way (1 October, as a new provider's
    does): before it is set up a "year" is the month; once it is, the year from 1 October,
    straight away, not the kept month."""
    post = make_post(provider=world.other_provider, grade=make_grade("KR6"), area=world.north, fte="1")
    db.session.commit()
    client = sign_in(world.other_hr)
    path = "/budget/fte.csv?period=year&on=2026-11-10"
    assert _csv(client.get(path))[1][:3] == ["2026-11-01", "2026-11-30", post.title]
    db.session.add(ContractYear(provider_id=world.other_provider.id, label="2026/27", starts_on=date(2026, 10, 1),
                                ends_on=date(2027, 3, 31), pay_basis_on=date(2026, 10, 1)))
    db.session.commit()
    start, end = _csv(client.get(path))[1][:2]
    assert start == "2026-10-01" and end == min(date(2027, 3, 31), date.today()).isoformat()
