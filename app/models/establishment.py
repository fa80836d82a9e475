"""Grades and pay points, posts, contracts, contract years, budget and funding."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, import_batch_column
from app.models.people import Area, Person, Provider

FULL_TIME_HOURS = Decimal("37")


def fte_of_weekly_hours(weekly_hours) -> Decimal:
    """FTE of contracted weekly hours (council standard: 37 a week), unrounded.

    The one home of this rule: pages round only when they show it (the ``fte`` filter).
    """
    return Decimal(str(weekly_hours or 0)) / FULL_TIME_HOURS


class Grade(db.Model):
    __tablename__ = "grade"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # None: the council's pay scale (the co-ordinator keeps it); otherwise a provider's own.
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"), index=True)

    pay_points: Mapped[list["PayPoint"]] = relationship(
        back_populates="grade", order_by="PayPoint.effective_from", cascade="all, delete-orphan"
    )
    # The numbered points people sit on (spinal column points), each with an amount from a date.
    points: Mapped[list["GradePoint"]] = relationship(
        order_by="(GradePoint.point, GradePoint.effective_from)", cascade="all, delete-orphan")
    # A sessional grade's hourly rate from a date.
    hourly_rates: Mapped[list["HourlyRate"]] = relationship(
        order_by="HourlyRate.effective_from", cascade="all, delete-orphan")

    def points_on(self, day: date) -> dict[int, int]:
        """Each point's annual amount in pence on a day (the latest by then); empty if none."""
        amounts: dict[int, tuple[date, int]] = {}
        for row in self.points:
            if row.effective_from <= day and (row.point not in amounts or amounts[row.point][0] < row.effective_from):
                amounts[row.point] = (row.effective_from, row.annual_pence)
        return {point: amount for point, (_, amount) in sorted(amounts.items())}

    def hourly_rate_on(self, day: date) -> "HourlyRate | None":
        current = None
        for rate in self.hourly_rates:
            if rate.effective_from <= day:
                current = rate
        return current

    def pay_point_on(self, day: date) -> "PayPoint | None":
        """The pay point in force on a day: the latest one effective by then."""
        current = None
        for point in self.pay_points:
            if point.effective_from <= day:
                current = point
        return current


class PayPoint(db.Model):
    """A grade's salary range from a date. A pay award is a new row, never an edit."""

    __tablename__ = "pay_point"
    __table_args__ = (
        UniqueConstraint("grade_id", "effective_from"),
        CheckConstraint(
            "min_pence >= 0 AND min_pence <= mid_pence AND mid_pence <= max_pence",
            name="ordered_range",
        ),
        CheckConstraint("on_cost_bp >= 0 AND on_cost_bp <= 10000", name="on_cost_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grade.id", ondelete="CASCADE"))
    financial_year: Mapped[int] = mapped_column(Integer)  # 2024 means April 2024 to March 2025
    effective_from: Mapped[date] = mapped_column(Date)
    min_pence: Mapped[int] = mapped_column(Integer)
    mid_pence: Mapped[int] = mapped_column(Integer)
    max_pence: Mapped[int] = mapped_column(Integer)
    # Employer on-costs (National Insurance and pension) in basis points: 3000 = 30%.
    on_cost_bp: Mapped[int] = mapped_column(Integer)

    grade: Mapped[Grade] = relationship(back_populates="pay_points")

    @property
    def on_cost_rate(self) -> Decimal:
        return Decimal(self.on_cost_bp) / 10000


class GradePoint(db.Model):
    """A point on a grade (a spinal column point) and its annual salary from a date. A pay award is
    a new row for every point from its date; the top of the grade is its highest point."""

    __tablename__ = "grade_point"
    __table_args__ = (
        UniqueConstraint("grade_id", "point", "effective_from"),
        CheckConstraint("point BETWEEN 1 AND 99", name="point_range"),
        CheckConstraint("annual_pence > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grade.id", ondelete="CASCADE"), index=True)
    point: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    annual_pence: Mapped[int] = mapped_column(Integer)


class HourlyRate(db.Model):
    """A sessional grade's pay for an hour from a date (before on-costs and holiday pay)."""

    __tablename__ = "hourly_rate"
    __table_args__ = (
        UniqueConstraint("grade_id", "effective_from"),
        CheckConstraint("pence_per_hour > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grade.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    pence_per_hour: Mapped[int] = mapped_column(Integer)


class PointPlacement(db.Model):
    """The point a person sits on in a grade from a date: where they start, or where HR moves them.
    Increments then carry them up a point a year (on 1 April or the anniversary of this date, as
    the provider chooses) until the top of the grade."""

    __tablename__ = "point_placement"
    __table_args__ = (
        UniqueConstraint("person_id", "grade_id", "effective_from"),
        CheckConstraint("point BETWEEN 1 AND 99", name="point_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grade.id", ondelete="RESTRICT"))
    point: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))


class Post(db.Model):
    """A line of the establishment: so many posts of one title and grade, in an area."""

    __tablename__ = "post"
    __table_args__ = (
        CheckConstraint("number_of_posts >= 0", name="posts_non_negative"),
        CheckConstraint("budgeted_fte >= 0", name="fte_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_batch_id: Mapped[int | None] = import_batch_column()
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(120))
    grade_id: Mapped[int | None] = mapped_column(ForeignKey("grade.id", ondelete="RESTRICT"))
    number_of_posts: Mapped[int] = mapped_column(Integer)
    budgeted_fte: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    is_volunteer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_sessional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The dates the post exists between (None: since the start, or still running).
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    provider: Mapped[Provider] = relationship()
    area: Mapped[Area | None] = relationship()
    grade: Mapped[Grade | None] = relationship()

    @property
    def label(self) -> str:
        where = self.area.name if self.area else "County-wide"
        return f"{self.title} ({where})"

    @property
    def basis(self) -> str:
        return "volunteer" if self.is_volunteer else "sessional" if self.is_sessional else "salaried"

    @classmethod
    def in_force_on(cls, day: date):
        """SQL condition: the post exists on ``day``."""
        return ((cls.starts_on.is_(None)) | (cls.starts_on <= day)) & ((cls.ends_on.is_(None)) | (cls.ends_on >= day))


class Contract(db.Model):
    """A person in a post: weekly hours, dates. A volunteer's role agreement is one too."""

    __tablename__ = "contract"
    __table_args__ = (
        CheckConstraint("weekly_hours >= 0 AND weekly_hours <= 48", name="weekly_hours_range"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        Index("ix_contract_person_starts", "person_id", "starts_on"),
        Index("ix_contract_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_batch_id: Mapped[int | None] = import_batch_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="RESTRICT"))
    weekly_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    is_sessional: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="contracts")
    post: Mapped[Post] = relationship()
    # The holder's points in every grade (the contract's own grade is picked out when priced).
    placements: Mapped[list[PointPlacement]] = relationship(
        primaryjoin="foreign(PointPlacement.person_id) == Contract.person_id", viewonly=True,
        order_by="PointPlacement.effective_from")

    @property
    def fte(self) -> Decimal:
        return fte_of_weekly_hours(self.weekly_hours)

    def is_current_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class VolunteerRole(db.Model):
    """A parent volunteering in a volunteer post, from a date: never a contract. The hours they
    expect to give a week may be recorded as an expectation (the volunteer-expenses safeguard:
    no fixed hours, no obligation); they are never contracted hours or contracted FTE."""

    __tablename__ = "volunteer_role"
    __table_args__ = (
        CheckConstraint("expected_weekly_hours IS NULL OR (expected_weekly_hours >= 0 AND expected_weekly_hours <= 48)",
                        name="expected_hours_range"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        Index("ix_volunteer_role_person_starts", "person_id", "starts_on"),
        Index("ix_volunteer_role_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_batch_id: Mapped[int | None] = import_batch_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="RESTRICT"))
    expected_weekly_hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship()
    post: Mapped[Post] = relationship()

    is_sessional = False  # a role is never paid, by the hour or otherwise

    def is_current_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class ContractYear(db.Model):
    """A year of the council's contract with a provider, and how its budget is priced."""

    __tablename__ = "contract_year"
    __table_args__ = (
        UniqueConstraint("provider_id", "starts_on"),
        CheckConstraint("ends_on > starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    label: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # Pay lines are priced at the pay points in force on this date: the costing
    # the council let the contract on, so pay awards show as variance, not budget.
    pay_basis_on: Mapped[date] = mapped_column(Date)

    provider: Mapped[Provider] = relationship()
    budget_lines: Mapped[list["BudgetLine"]] = relationship(
        back_populates="contract_year", order_by="BudgetLine.sort_order",
        cascade="all, delete-orphan",
    )
    funding: Mapped[list["Funding"]] = relationship(
        back_populates="contract_year", order_by="Funding.id", cascade="all, delete-orphan"
    )


class ProviderForecast(db.Model):
    """A provider's budget and forecast for a contract year as last worked out in the background
    (``app.budget.county``), for the co-ordinator's home page: pricing every provider's monitor
    on each look would take seconds a provider. The budget monitor itself is always live."""

    __tablename__ = "provider_forecast"

    contract_year_id: Mapped[int] = mapped_column(ForeignKey("contract_year.id", ondelete="CASCADE"),
                                                  primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"), index=True)
    budget_pence: Mapped[int] = mapped_column(BigInteger)
    forecast_pence: Mapped[int] = mapped_column(BigInteger)
    funding_pence: Mapped[int] = mapped_column(BigInteger)
    worked_out_on: Mapped[date] = mapped_column(Date)  # the day the forecast looks forward from
    worked_out_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BudgetLineKind(enum.StrEnum):
    PAY = "pay"
    VOLUNTEER_EXPENSES = "volunteer_expenses"
    TRAINING = "training"
    NON_PAY = "non_pay"


budget_line_post = Table(
    "budget_line_post",
    db.metadata,
    Column("budget_line_id", ForeignKey("budget_line.id", ondelete="CASCADE"), primary_key=True),
    Column("post_id", ForeignKey("post.id", ondelete="RESTRICT"), primary_key=True),
)


class BudgetLine(db.Model):
    """A budget line: pay lines are priced from their posts; others hold an amount."""

    __tablename__ = "budget_line"
    __table_args__ = (
        CheckConstraint("amount_pence IS NULL OR amount_pence >= 0", name="amount_non_negative"),
        CheckConstraint("kind = 'pay' OR amount_pence IS NOT NULL", name="non_pay_has_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_year_id: Mapped[int] = mapped_column(
        ForeignKey("contract_year.id", ondelete="CASCADE")
    )
    kind: Mapped[BudgetLineKind] = mapped_column(
        Enum(BudgetLineKind, name="budget_line_kind", native_enum=False,
             create_constraint=True, length=30, values_callable=lambda e: [m.value for m in e])
    )
    name: Mapped[str] = mapped_column(String(120))
    amount_pence: Mapped[int | None] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # The line's annual budget as priced (app.establishment.line_prices keeps it in step), and why
    # a pay line could not be priced; None until first priced.
    priced_pence: Mapped[int | None] = mapped_column(Integer)
    pricing_problem: Mapped[str | None] = mapped_column(String(300))

    contract_year: Mapped[ContractYear] = relationship(back_populates="budget_lines")
    posts: Mapped[list[Post]] = relationship(secondary=budget_line_post, order_by=Post.id)


class Funding(db.Model):
    __tablename__ = "funding"
    __table_args__ = (CheckConstraint("amount_pence >= 0", name="amount_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_year_id: Mapped[int] = mapped_column(
        ForeignKey("contract_year.id", ondelete="CASCADE")
    )
    source: Mapped[str] = mapped_column(String(120))
    amount_pence: Mapped[int] = mapped_column(Integer)

    contract_year: Mapped[ContractYear] = relationship(back_populates="funding")


class OnCostRule(db.Model):
    """How employer on-costs are worked out from a date: each grade's flat percentage (the
    council's own costing), or employer National Insurance above a yearly secondary threshold
    per person plus employer pension, so part-time posts pay proportionally less NI.
    A provider's own rules replace the council's; NULL provider is the council's."""

    __tablename__ = "on_cost_rule"
    __table_args__ = (
        UniqueConstraint("provider_id", "effective_from"),
        CheckConstraint("method IN ('flat', 'statutory')", name="known_method"),
        CheckConstraint("method = 'flat' OR (ni_rate_bp IS NOT NULL AND ni_threshold_pence IS NOT NULL "
                        "AND pension_rate_bp IS NOT NULL)", name="statutory_has_rates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(10))
    ni_rate_bp: Mapped[int | None] = mapped_column(Integer)
    ni_threshold_pence: Mapped[int | None] = mapped_column(Integer)  # a year, per person
    pension_rate_bp: Mapped[int | None] = mapped_column(Integer)
    # Pension on all pay, or on qualifying earnings between the band's limits (a year, per person;
    # empty: the statutory £6,240 and £50,270), for those whose pay passes the auto-enrolment
    # trigger (empty: £10,000 a year).
    pension_basis: Mapped[str] = mapped_column(String(12), default="all", server_default="all")
    qualifying_lower_pence: Mapped[int | None] = mapped_column(Integer)
    qualifying_upper_pence: Mapped[int | None] = mapped_column(Integer)
    enrolment_trigger_pence: Mapped[int | None] = mapped_column(Integer)


class EmploymentAllowance(db.Model):
    """A provider's Employment Allowance for a tax year (2026: 6 April 2026 to 5 April 2027): it
    reduces the year's employer NI from the first month until it is used up."""

    __tablename__ = "employment_allowance"
    __table_args__ = (
        UniqueConstraint("provider_id", "tax_year"),
        CheckConstraint("amount_pence >= 0", name="amount_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    tax_year: Mapped[int] = mapped_column(Integer)
    amount_pence: Mapped[int] = mapped_column(Integer)


class PensionOptOut(db.Model):
    """A person who opted out of the workplace pension, from a date: no employer pension after it."""

    __tablename__ = "pension_opt_out"
    __table_args__ = (UniqueConstraint("person_id", "opted_out_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    opted_out_on: Mapped[date] = mapped_column(Date)


class CostMonth(db.Model):
    """One contract's cost in one month, as payroll works it: pay, holiday pay, employer NI,
    employer pension (or the grade's flat on-cost), and the point or rate it was priced at.

    The cost ledger every costed page reads. Kept in step with contracts, points, awards,
    on-cost rules, approved sessional hours and pay settings by app.establishment.ledger, in the
    same transaction as the change; rebuilt by `flask summaries rebuild`. Nothing else writes here.
    A month a contract cannot be priced in (no pay point or rate on the day) has zero amounts
    and says why in ``unpriced``.
    """

    __tablename__ = "cost_month"
    __table_args__ = (
        Index("ix_cost_month_post_month", "post_id", "month"),
        Index("ix_cost_month_provider_month", "provider_id", "month"),
        Index("ix_cost_month_person", "person_id"),
    )

    contract_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    provider_id: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int] = mapped_column(Integer)
    post_id: Mapped[int] = mapped_column(Integer)
    area_id: Mapped[int | None] = mapped_column(Integer)  # the post's area, if it has one
    is_sessional: Mapped[bool] = mapped_column(Boolean)
    # The contract's days in the month (its first to last day there), and approved sessional minutes.
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    pay_pence: Mapped[int] = mapped_column(Integer)
    holiday_pence: Mapped[int] = mapped_column(Integer)
    ni_pence: Mapped[int] = mapped_column(Integer)
    pension_pence: Mapped[int] = mapped_column(Integer)
    flat_on_cost_pence: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(120))
    unpriced: Mapped[str | None] = mapped_column(String(200))

    @hybrid_property
    def total_pence(self) -> int:
        """The month's whole cost: on a row, or in SQL (``CostMonth.total_pence``) summed by query."""
        return self.pay_pence + self.holiday_pence + self.ni_pence + self.pension_pence + self.flat_on_cost_pence
