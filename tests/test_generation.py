"""The data's generation moves on with every committed write, however it was made, and never
with a read, a rolled-back write or a write no figure reads; a kept figure is never older than
the last commit: the return changes the moment approved hours do."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text, update

from app import generation
from app.extensions import db
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person
from app.returns.services import build_return
from tests.factories import make_hours

pytestmark = pytest.mark.usefixtures("app")


def _n() -> int:
    db.session.commit()
    return db.session.execute(text("SELECT n FROM data_generation WHERE id = 1")).scalar()


def test_every_kind_of_committed_write_moves_it_on(world):
    before = _n()
    world.me.first_name = "Vee"  # the ORM
    db.session.commit()
    after_orm = _n()
    db.session.execute(update(Person).where(Person.id == world.me.id).values(last_name="V"))  # a bulk statement
    db.session.commit()
    after_bulk = _n()
    db.session.execute(text("UPDATE person SET phone = '01632 960 999' WHERE id = :id"), {"id": world.me.id})
    db.session.commit()  # raw SQL
    assert before < after_orm < after_bulk < _n()


def test_reads_rollbacks_and_writes_no_figure_reads_leave_it(world):
    before = _n()
    db.session.scalars(select(Person)).all()
    db.session.commit()
    assert _n() == before
    world.me.first_name = "Nobody"
    db.session.flush()
    db.session.rollback()
    assert _n() == before
    db.session.execute(text("UPDATE user_session SET last_seen_at = last_seen_at"))
    db.session.commit()
    assert _n() == before


def test_a_session_with_uncommitted_writes_is_given_nothing_kept(world):
    assert generation.current() is not None
    world.me.first_name = "Pending"
    db.session.flush()
    assert generation.current() is None
    db.session.rollback()


def test_the_return_is_worked_out_once_and_again_after_any_change(world):
    start, end = date(2026, 1, 1), date(2026, 3, 31)
    first = build_return(start=start, end=end, provider=world.provider)
    again = build_return(start=start, end=end, provider=world.provider)
    assert again.figures == first.figures and again is not first  # a copy: nobody shares a list
    hours_before = first.value("hours", world.entry.activity.name) or 0
    entry = db.session.get(HoursEntry, world.entry.id)
    entry.status, entry.decided_at = HoursStatus.APPROVED, datetime.now(UTC)
    db.session.commit()
    changed = build_return(start=start, end=end, provider=world.provider)
    assert changed.value("hours", world.entry.activity.name) == hours_before + 2
    make_hours(world.me, worked_on=date(2026, 2, 2), hours="3", status="approved")
    db.session.commit()
    assert build_return(start=start, end=end, provider=world.provider).value(
        "hours", world.entry.activity.name) == hours_before + 5


def test_a_kept_return_costs_one_query(world):
    from sqlalchemy import event

    start, end = date(2026, 1, 1), date(2026, 3, 31)
    build_return(start=start, end=end, provider=world.provider)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        build_return(start=start, end=end, provider=world.provider)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 2 and all("data_generation" in s for s in statements)


def test_the_delivery_figures_change_the_moment_a_session_is_recorded(world):
    from datetime import time

    from app.delivery.services import areas_for, delivery_reports, record_session
    from app.models.auth import Role
    from app.models.delivery import Offer

    start, end = date(2026, 6, 1), date(2026, 6, 30)

    def sessions() -> int:
        return delivery_reports(provider_ids=None, areas=areas_for(None), start=start, end=end)[None].sessions

    before = sessions()
    assert sessions() == before  # kept
    offer = db.session.scalar(select(Offer).where(Offer.name == "Workshop"))
    record_session(provider_id=world.provider.id, offer=offer, area=world.north, delivered_on=date(2026, 6, 24),
                   starts_at=time(10), ends_at=time(11), mode="face_to_face", venue=None, out_of_hours=None,
                   facilitators=[(world.neighbour, True)], families_attended=3, families_new=3,
                   families_phase_one=0, families_pre_diagnosis=0, cohort=None,
                   actor=world.user(Role.HR), today=date(2026, 11, 29), now=datetime.now(UTC))
    db.session.commit()
    assert sessions() == before + 1


def test_the_budget_monitor_changes_the_moment_hours_are_approved():
    """The hand-worked monitor fixture: 3 more approved sessional hours change actual at once."""
    from app.budget.services import build_monitor
    from app.models.hours import HoursEntry
    from tests.budget.test_monitor import year as year_fixture

    year = year_fixture.__wrapped__()
    today = date(2025, 10, 31)
    first = build_monitor(year, today=today).total("actual")
    assert build_monitor(year, today=today).total("actual") == first  # kept
    waiting = db.session.scalar(select(HoursEntry).where(HoursEntry.status == HoursStatus.SUBMITTED))
    waiting.status = HoursStatus.APPROVED
    db.session.commit()
    assert build_monitor(year, today=today).total("actual") > first


def test_a_kept_delivery_report_costs_one_query_and_follows_a_new_plan_at_once(world):
    """The plan, the baseline and the offers are kept with the sessions' figures: asked again,
    the report reads only the generation; a plan set since is used the moment it is committed."""
    from decimal import Decimal

    from sqlalchemy import event

    from app.delivery.services import areas_for, delivery_reports
    from app.models.delivery import DeliveryPlan, Offer

    start, end = date(2026, 6, 1), date(2026, 6, 30)
    areas = areas_for(world.provider.id)

    def workshop():
        report = delivery_reports(provider_ids=[world.provider.id], areas=areas, start=start, end=end)[None]
        return next(item for item in report.offers if item.offer.name == "Workshop")

    before = workshop()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert workshop() == before
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 2 and all("data_generation" in s for s in statements)
    offer = db.session.scalar(select(Offer).where(Offer.name == "Workshop"))
    db.session.add(DeliveryPlan(provider_id=world.provider.id, offer_id=offer.id, effective_from=date(2026, 1, 1),
                                sessions_per_week=Decimal("7"), families_per_session=10, churn="monthly",
                                cohorts_per_year=0, families_per_year=999))
    db.session.commit()
    after = workshop()
    assert after.planned_per_week == 7 and after.planned_per_week != before.planned_per_week
    assert after.planned_families != before.planned_families


def test_a_transaction_reads_the_generation_once_and_again_after_it_ends(world):
    """A page asking for several kept figures reads the generation once; a write committed
    elsewhere is seen from the next transaction."""
    from sqlalchemy import event

    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        first = generation.current()
        assert generation.kept(("test", 1), lambda: "one") == "one"
        assert generation.kept(("test", 2), lambda: "two") == "two"
        assert generation.current() == first
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert sum("data_generation" in s for s in statements) == 1
    with db.engine.connect() as elsewhere:  # another process's committed write
        elsewhere.execute(text("UPDATE person SET phone = '01632 960 998' WHERE id = :id"), {"id": world.me.id})
        elsewhere.commit()
    db.session.commit()
    assert generation.current() > first
    assert generation.kept(("test", 1), lambda: "built again") == "built again"
