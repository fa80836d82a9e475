"""Volunteer expense claims: lines with receipts or journeys, HMRC mileage rates
kept as dated data, approval line by line, and payment (singly or in batches).

Paid claims are locked: a mistake is put right by an adjusting line that
points at the line it adjusts.
"""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, import_batch_column, string_enum
from app.models.people import Person, utcnow


class Vehicle(enum.StrEnum):
    CAR = "car"
    MOTORCYCLE = "motorcycle"
    BICYCLE = "bicycle"
    PASSENGER = "passenger"

    @property
    def label(self) -> str:
        return {"car": "Car or van", "motorcycle": "Motorcycle", "bicycle": "Bicycle",
                "passenger": "Passenger in someone else's car"}[self.value]


class ExpenseCategory(db.Model):
    __tablename__ = "expense_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    is_mileage: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_receipt: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class MileageRate(db.Model):
    """HMRC approved rate for a vehicle from a date, with an optional threshold."""

    __tablename__ = "mileage_rate"
    __table_args__ = (
        UniqueConstraint("vehicle", "effective_from"),
        CheckConstraint("pence_per_mile >= 0", name="rate_non_negative"),
        CheckConstraint("(threshold_miles IS NULL) = (pence_after_threshold IS NULL)",
                        name="threshold_pairs"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle: Mapped[Vehicle] = mapped_column(string_enum(Vehicle, "vehicle", 20))
    effective_from: Mapped[date] = mapped_column(Date)
    pence_per_mile: Mapped[int] = mapped_column(Integer)
    threshold_miles: Mapped[int | None] = mapped_column(Integer)
    pence_after_threshold: Mapped[int | None] = mapped_column(Integer)


class ClaimStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"

    @property
    def label(self) -> str:
        """The status as people read it: what was not approved was "sent back", to everyone."""
        return "Sent back" if self is ClaimStatus.REJECTED else self.value.capitalize()

    @property
    def words(self) -> str:
        """The status inside a sentence: "this claim is ..."."""
        return {"draft": "a draft", "submitted": "waiting for approval", "rejected": "sent back"}.get(
            self.value, self.value)

    @property
    def tag_class(self) -> str:
        return {"draft": "govuk-tag--grey", "submitted": "govuk-tag--blue",
                "approved": "govuk-tag--green", "rejected": "govuk-tag--red",
                "paid": "govuk-tag--purple"}[self.value]


class LineStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"pending": "Waiting", "approved": "Approved", "rejected": "Sent back"}[self.value]


class PaymentBatch(db.Model):
    __tablename__ = "payment_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    reference: Mapped[str] = mapped_column(String(60))
    paid_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    claims: Mapped[list["ExpenseClaim"]] = relationship(back_populates="batch")


class ExpenseClaim(db.Model):
    __tablename__ = "expense_claim"
    __table_args__ = (
        CheckConstraint("status <> 'paid' OR (paid_on IS NOT NULL AND payment_reference IS NOT NULL)",
                        name="paid_has_payment"),
        Index("ix_expense_claim_person_status", "person_id", "status"),
        Index("ix_expense_claim_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_batch_id: Mapped[int | None] = import_batch_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    status: Mapped[ClaimStatus] = mapped_column(string_enum(ClaimStatus, "claim_status", 20))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    is_on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_reference: Mapped[str | None] = mapped_column(String(60))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batch.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship()
    entered_by: Mapped["User | None"] = relationship()  # noqa: F821
    batch: Mapped[PaymentBatch | None] = relationship(back_populates="claims")
    lines: Mapped[list["ExpenseLine"]] = relationship(
        back_populates="claim", order_by="(ExpenseLine.spent_on, ExpenseLine.id)",
        cascade="all, delete-orphan")

    @property
    def total_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines)

    @property
    def approved_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines if line.status == LineStatus.APPROVED)

    @property
    def headline(self) -> tuple[int, str]:
        """The amount that matters now and what it is: claimed until decided, then approved or paid."""
        if self.status == ClaimStatus.PAID:
            return self.approved_pence, "paid"
        if self.status in (ClaimStatus.APPROVED, ClaimStatus.REJECTED):
            return self.approved_pence, "approved"
        return self.total_pence, "claimed"

    @property
    def is_editable(self) -> bool:
        return self.status == ClaimStatus.DRAFT


class Receipt(db.Model):
    """An uploaded receipt, stored outside the web root under a random name."""

    __tablename__ = "receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExpenseLine(db.Model):
    __tablename__ = "expense_line"
    __table_args__ = (
        CheckConstraint("amount_pence >= 0 OR adjusts_id IS NOT NULL", name="positive_unless_adjusting"),
        CheckConstraint("miles IS NULL OR miles > 0", name="miles_positive"),
        CheckConstraint("(miles IS NULL) = (vehicle IS NULL)", name="miles_with_vehicle"),
        CheckConstraint("status <> 'rejected' OR decision_reason IS NOT NULL", name="rejection_has_reason"),
        Index("ix_expense_line_claim", "claim_id"),
        # The claim and amount ride along on PostgreSQL: the return's expenses for a period read the index alone.
        Index("ix_expense_line_spent_status", "spent_on", "status", postgresql_include=["claim_id", "amount_pence"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("expense_claim.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("expense_category.id", ondelete="RESTRICT"))
    spent_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(200))
    amount_pence: Mapped[int] = mapped_column(Integer)
    miles: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    vehicle: Mapped[Vehicle | None] = mapped_column(string_enum(Vehicle, "line_vehicle", 20))
    journey_from: Mapped[str | None] = mapped_column(String(120))
    journey_to: Mapped[str | None] = mapped_column(String(120))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id", ondelete="RESTRICT"))
    imported_without_receipt: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[LineStatus] = mapped_column(string_enum(LineStatus, "line_status", 20))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    adjusts_id: Mapped[int | None] = mapped_column(ForeignKey("expense_line.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    claim: Mapped[ExpenseClaim] = relationship(back_populates="lines")
    category: Mapped[ExpenseCategory] = relationship()
    receipt: Mapped[Receipt | None] = relationship()
    decided_by: Mapped["User | None"] = relationship()  # noqa: F821
    adjusts: Mapped["ExpenseLine | None"] = relationship(remote_side=[id])
