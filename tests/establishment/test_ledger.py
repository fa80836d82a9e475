"""The cost ledger: each contract's month as payroll works it, written in the same transaction as
any change that moves it. After a randomised story of changes (contracts, points, awards, hourly
rates, on-cost rules, opt-outs, leaving, approved and undone hours, a bulk approval, a contract
deleted, posts regraded and resized, lines' posts changed) the ledger, and the price kept on each
budget line, match a fresh pricing, on SQLite and PostgreSQL."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.establishment import ledger, line_prices
from app.extensions import db
from app.models.establishment import (
    BudgetLine,
    Contract,
    ContractYear,
    CostMonth,
    GradePoint,
    HourlyRate,
    OnCostRule,
    PayPoint,
    PensionOptOut,
    PointPlacement,
    Post,
)
from app.models.hours import HoursEntry, HoursStatus

from ..factories import (
    make_area,
    make_contract,
    make_grade,
    make_hours,
    make_person,
    make_post,
    make_provider,
    pay_line,
)


def _rows(contract_id: int) -> dict[date, CostMonth]:
    return {row.month: row for row in db.session.scalars(select(CostMonth).where(CostMonth.contract_id == contract_id))}


@pytest.fixture
def shop():
    provider, area = make_provider(), make_area("North Kent")
    grade = make_grade("KR8", mid_pence=3_000_000, on_cost_bp=3000, effective_from=date(2024, 4, 1))
    for point, amount in ((10, 2_800_000), (11, 2_900_000), (12, 3_000_000)):
        grade.points.append(GradePoint(point=point, effective_from=date(2024, 4, 1), annual_pence=amount))
    post = make_post(provider=provider, grade=grade, area=area, title="Area Facilitator")
    pay_line(provider, [post], "Facilitation")
    db.session.add(OnCostRule(provider_id=provider.id, effective_from=date(2024, 4, 1), method="statutory",
                              ni_rate_bp=1500, ni_threshold_pence=500_000, pension_rate_bp=300))
    db.session.commit()
    return provider, area, grade, post


def test_a_contract_is_in_the_ledger_as_soon_as_it_is_saved_and_a_point_change_splits_the_month(shop):
    provider, area, grade, post = shop
    person = make_person(provider=provider, area=area, joined_on=date(2026, 4, 1))
    contract = make_contract(person=person, post=post, hours="37", starts_on=date(2026, 4, 1))
    db.session.add(PointPlacement(person_id=person.id, grade_id=grade.id, point=10, effective_from=date(2026, 4, 1),
                                  reason="Started"))
    db.session.commit()
    rows = _rows(contract.id)
    assert sorted(rows) == [date(2026, m, 1) for m in range(4, 13)] + [date(2027, m, 1) for m in range(1, 4)]
    # April at point 10: 28,000 / 12 = 2,333.33; NI 15% above 5,000 / 12 = 416.67: 287.50; pension 3%: 70.00.
    april = rows[date(2026, 4, 1)]
    assert (april.pay_pence, april.ni_pence, april.pension_pence, april.basis) == (233_333, 28_750, 7_000,
                                                                                   "KR8 point")
    # HR moves them to point 12 from 16 June: 15 days at 28,000 and 15 at 30,000, a twelfth each.
    db.session.add(PointPlacement(person_id=person.id, grade_id=grade.id, point=12, effective_from=date(2026, 6, 16),
                                  reason="Regraded"))
    db.session.commit()
    june = _rows(contract.id)[date(2026, 6, 1)]
    assert june.pay_pence == round(Decimal(2_800_000) / 12 * 15 / 30 + Decimal(3_000_000) / 12 * 15 / 30)
    assert ledger.differences(db.session) == []


def test_a_contract_that_cannot_be_priced_says_why_and_costs_nothing(shop):
    provider, area, _, _ = shop
    from app.models.establishment import Grade

    bare = Grade(code="NEW1", name="No pay point yet", provider_id=provider.id)
    db.session.add(bare)
    db.session.flush()
    post = make_post(provider=provider, grade=bare, area=area, title="Outreach")
    person = make_person(provider=provider, area=area, joined_on=date(2026, 4, 1))
    contract = make_contract(person=person, post=post, hours="37", starts_on=date(2026, 4, 1))
    db.session.commit()
    april = _rows(contract.id)[date(2026, 4, 1)]
    assert april.total_pence == 0
    assert april.unpriced == "no pay point for grade NEW1 on 1 April 2026"


def test_a_sessional_month_has_holiday_pay_and_follows_approval_and_undo(shop, world):
    provider, area, grade, _ = shop
    db.session.add(HourlyRate(grade_id=grade.id, effective_from=date(2026, 4, 1), pence_per_hour=1350))
    post = make_post(provider=provider, grade=grade, area=area, title="Session worker")
    pay_line(provider, [post], "Sessions")
    person = make_person(provider=provider, area=area, joined_on=date(2026, 4, 1))
    contract = make_contract(person=person, post=post, hours="0", starts_on=date(2026, 4, 1))
    contract.is_sessional = True
    entry = make_hours(person, worked_on=date(2026, 5, 12), hours="7.4", status="submitted")
    db.session.commit()
    assert _rows(contract.id) == {}
    db.session.execute(update(HoursEntry).where(HoursEntry.id == entry.id).values(status=HoursStatus.APPROVED))
    db.session.commit()
    may = _rows(contract.id)[date(2026, 5, 1)]
    # 7 h 24 min at £13.50 = 99.90; holiday pay 12.07% = 12.06; below the NI threshold and the trigger.
    assert (may.minutes, may.pay_pence, may.holiday_pence, may.ni_pence, may.pension_pence) == (444, 9_990, 1_206,
                                                                                                0, 0)
    db.session.delete(db.session.get(HoursEntry, entry.id))
    db.session.commit()
    assert _rows(contract.id) == {}


class _Story:
    """Two providers with contract years, grades with points and rates, and people whose pay changes."""

    def __init__(self, rng: random.Random, budget_rng: random.Random):
        self.rng, self.budget_rng = rng, budget_rng
        self.areas = [make_area("North Kent"), make_area("West Kent")]
        self.providers = [make_provider(), make_provider()]
        self.grades = []
        for index in range(2):
            grade = make_grade(f"G{index}", mid_pence=2_400_000 + index * 300_000, effective_from=date(2025, 4, 1))
            for point in range(1, 5):
                grade.points.append(GradePoint(point=point, effective_from=date(2025, 4, 1),
                                               annual_pence=2_200_000 + index * 300_000 + point * 50_000))
            self.grades.append(grade)
        self.posts = []
        for provider in self.providers:
            posts = [make_post(provider=provider, grade=grade, area=rng.choice(self.areas), title=f"Post {grade.code}")
                     for grade in self.grades]
            pay_line(provider, posts, "Pay", start_year=2025)
            pay_line(provider, posts, "Pay", start_year=2026)
            self.posts += posts
        self.people = [make_person(provider=p, area=rng.choice(self.areas), joined_on=date(2025, 4, 1),
                                   ref=f"L{p.id}{i:03d}") for p in self.providers for i in range(5)]
        for provider in self.providers:
            db.session.add(OnCostRule(provider_id=provider.id, effective_from=date(2025, 4, 1), method="statutory",
                                      ni_rate_bp=1500, ni_threshold_pence=500_000, pension_rate_bp=300))
        for index, person in enumerate(self.people):
            self._contract(person, sessional=index % 3 == 0)
            if index % 3 == 0:
                for _ in range(3):
                    make_hours(person, worked_on=self.day(), hours="6")
        db.session.commit()

    def day(self) -> date:
        return date(2025, 4, 1) + timedelta(days=self.rng.randrange(720))

    def step(self) -> None:
        person = self.rng.choice(self.people)
        action = self.rng.choice(["contract", "contract", "sessional", "placement", "award", "rate", "rule",
                                  "opt_out", "leave", "hours", "hours", "undo", "bulk", "delete", "settings", "end",
                                  "regrade", "new_post"])
        getattr(self, f"_{action}")(person)
        # What moves only the budget lines' prices, from a stream of its own (the stories above
        # stay as they were): posts resized, lines' posts changed, a year's pay basis day moved.
        budget = self.budget_rng.choice([None, None, "resize", "line_posts", "pay_basis", "bulk_posts"])
        if budget:
            getattr(self, f"_{budget}")(self.budget_rng.choice(self.people))
        try:
            db.session.commit()
        except Exception:  # a duplicate the database refuses (same point and day): the story goes on
            db.session.rollback()

    def _contract(self, person, sessional: bool = False) -> None:
        posts = [p for p in self.posts if p.provider_id == person.provider_id]
        contract = make_contract(person=person, post=self.rng.choice(posts),
                                 hours=str(self.rng.choice([0, 15, 18.5, 37])), starts_on=self.day())
        contract.is_sessional = sessional

    def _sessional(self, person) -> None:
        self._contract(person, sessional=True)

    def _placement(self, person) -> None:
        db.session.add(PointPlacement(person_id=person.id, grade_id=self.rng.choice(self.grades).id,
                                      point=self.rng.randint(1, 4), effective_from=self.day(), reason="Moved"))

    def _award(self, _person) -> None:
        grade, on = self.rng.choice(self.grades), self.day()
        for point in range(1, 5):
            db.session.add(GradePoint(grade_id=grade.id, point=point, effective_from=on,
                                      annual_pence=2_300_000 + point * 60_000))
        db.session.add(PayPoint(grade_id=grade.id, financial_year=on.year, effective_from=on,
                                min_pence=2_500_000, mid_pence=2_600_000, max_pence=2_700_000, on_cost_bp=2800))

    def _rate(self, _person) -> None:
        db.session.add(HourlyRate(grade_id=self.rng.choice(self.grades).id, effective_from=self.day(),
                                  pence_per_hour=self.rng.randint(1200, 1600)))

    def _rule(self, person) -> None:
        db.session.add(OnCostRule(provider_id=person.provider_id, effective_from=self.day(), method="statutory",
                                  ni_rate_bp=1500, ni_threshold_pence=500_000,
                                  pension_rate_bp=self.rng.choice([300, 500]),
                                  pension_basis=self.rng.choice(["all", "qualifying"])))

    def _opt_out(self, person) -> None:
        db.session.add(PensionOptOut(person_id=person.id, opted_out_on=self.day()))

    def _leave(self, person) -> None:
        person.left_on = self.day()

    def _hours(self, person) -> None:
        make_hours(person, worked_on=self.day(), hours=str(self.rng.choice([2, 3.5, 7.4])),
                   status=self.rng.choice(["approved", "submitted"]))

    def _undo(self, person) -> None:
        entry = db.session.scalar(select(HoursEntry).where(HoursEntry.person_id == person.id).limit(1))
        if entry is not None:
            entry.status = HoursStatus.SUBMITTED if entry.status == HoursStatus.APPROVED else HoursStatus.APPROVED

    def _bulk(self, person) -> None:
        db.session.execute(update(HoursEntry).where(HoursEntry.status == HoursStatus.SUBMITTED,
                                                    HoursEntry.person_id == person.id)
                           .values(status=HoursStatus.APPROVED))

    def _delete(self, person) -> None:
        contract = db.session.scalar(select(Contract).where(Contract.person_id == person.id).limit(1))
        if contract is not None:
            db.session.delete(contract)

    def _settings(self, person) -> None:
        provider = next(p for p in self.providers if p.id == person.provider_id)
        provider.pay_proration = self.rng.choice(["calendar", "working"])
        provider.increment_on = self.rng.choice(["april", "anniversary"])
        provider.holiday_accrual_bp = self.rng.choice([1207, 1000])

    def _regrade(self, _person) -> None:
        post = self.rng.choice(self.posts)
        post.grade_id = self.rng.choice(self.grades).id

    def _new_post(self, person) -> None:
        provider = next(p for p in self.providers if p.id == person.provider_id)
        self.posts.append(make_post(provider=provider, grade=self.rng.choice(self.grades), area=self.areas[0],
                                    title="Another post"))

    def _resize(self, _person) -> None:
        post = self.budget_rng.choice(self.posts)
        post.budgeted_fte = Decimal(self.budget_rng.choice(["0.5", "1.0", "2.5"]))
        post.number_of_posts = self.budget_rng.randint(1, 3)

    def _line_posts(self, person) -> None:
        line = self.budget_rng.choice(db.session.scalars(select(BudgetLine).join(ContractYear).where(
            ContractYear.provider_id == person.provider_id).order_by(BudgetLine.id)).all())
        post = self.budget_rng.choice([p for p in self.posts if p.provider_id == person.provider_id])
        if post in line.posts:
            line.posts.remove(post)
        else:
            line.posts.append(post)

    def _pay_basis(self, person) -> None:
        year = self.budget_rng.choice(db.session.scalars(select(ContractYear).where(
            ContractYear.provider_id == person.provider_id).order_by(ContractYear.id)).all())
        year.pay_basis_on = year.starts_on + timedelta(days=self.budget_rng.choice([0, 120, 300]))

    def _bulk_posts(self, person) -> None:
        db.session.execute(update(Post).where(Post.provider_id == person.provider_id)
                           .values(budgeted_fte=Decimal(self.budget_rng.choice(["0.8", "1.2"]))))

    def _end(self, person) -> None:
        contract = db.session.scalar(select(Contract).where(Contract.person_id == person.id).limit(1))
        if contract is not None:
            contract.ends_on = max(contract.starts_on, self.day())


@pytest.mark.parametrize("seed", range(4))
def test_the_ledger_matches_a_fresh_pricing_after_any_story_of_changes(seed):
    story = _Story(random.Random(seed), random.Random(seed + 100))
    for _ in range(40):
        story.step()
    kept = db.session.scalars(select(CostMonth)).all()
    assert ledger.differences(db.session) == []
    assert any(row.is_sessional for row in kept) and any(row.pension_pence for row in kept)
    assert any(line.priced_pence for line in db.session.scalars(select(BudgetLine)))
    assert line_prices.differences(db.session) == []
    ledger.rebuild(db.session)
    line_prices.rebuild(db.session)
    db.session.commit()
    assert ledger.differences(db.session) == []
    assert line_prices.differences(db.session) == []


def test_a_new_post_prices_nobody_and_a_regraded_post_prices_only_its_own_people(shop, monkeypatch):
    """A provider setting up its posts must not price again everyone else on the same grade (a
    national load of 500 providers, each adding its posts, had priced every earlier provider's
    people again at every commit)."""
    provider, area, grade, post = shop
    other_post = make_post(provider=provider, grade=grade, area=area, title="Parent Co-Facilitator")
    mine, theirs = (make_person(provider=provider, area=area, joined_on=date(2026, 4, 1)) for _ in range(2))
    contract = make_contract(person=mine, post=post, hours="37", starts_on=date(2026, 4, 1))
    make_contract(person=theirs, post=other_post, hours="18.5", starts_on=date(2026, 4, 1))
    db.session.commit()
    priced: set[int] = set()
    real = ledger.write_people

    def write_people(session, person_ids):  # the real pricing, noting whom it priced
        person_ids = set(person_ids)
        priced.update(person_ids)
        real(session, person_ids)

    monkeypatch.setattr(ledger, "write_people", write_people)
    make_post(provider=make_provider(), grade=grade, area=area, title="Area Facilitator")
    db.session.commit()
    assert priced == set()
    higher = make_grade("KR9", mid_pence=3_600_000, on_cost_bp=3000, effective_from=date(2024, 4, 1))
    db.session.commit()
    before = sum(row.pay_pence for row in _rows(contract.id).values())
    post.grade_id = higher.id
    db.session.commit()
    assert priced == {mine.id}
    assert sum(row.pay_pence for row in _rows(contract.id).values()) > before
    assert ledger.differences(db.session) == []


def test_the_summaries_commands_rebuild_and_check_the_ledger(shop, app):
    provider, area, _, post = shop
    person = make_person(provider=provider, area=area, joined_on=date(2026, 4, 1))
    make_contract(person=person, post=post, hours="37", starts_on=date(2026, 4, 1))
    db.session.commit()
    db.session.execute(CostMonth.__table__.delete())  # as after an upgrade, before the first rebuild
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["summaries", "check"])
    assert result.exit_code == 1 and "differ" in result.output
    result = runner.invoke(args=["summaries", "rebuild"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["summaries", "check"]).exit_code == 0
    assert db.session.scalar(select(CostMonth.contract_id).limit(1)) is not None
