import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, string_enum
from app.models.establishment import BudgetLine
from app.models.expenses import Receipt
from app.models.people import Area, utcnow


class SpendStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"submitted": "Waiting for approval", "approved": "Approved", "rejected": "Sent back"}[self.value]


class Spend(db.Model):
    """One invoice or receipt charged to a budget line. A course's invoice is recorded with the
    course: its cost is already counted through the training records, so it is not counted again."""

    __tablename__ = "spend"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint("status <> 'rejected' OR decision_reason IS NOT NULL", name="rejection_has_reason"),
        Index("ix_spend_provider_spent", "provider_id", "spent_on"),
        Index("ix_spend_line", "budget_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    budget_line_id: Mapped[int] = mapped_column(ForeignKey("budget_line.id", ondelete="RESTRICT"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"))
    spent_on: Mapped[date] = mapped_column(Date)
    supplier: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(200))
    amount_pence: Mapped[int] = mapped_column(Integer)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id", ondelete="SET NULL"))
    status: Mapped[SpendStatus] = mapped_column(string_enum(SpendStatus, "spend_status"),
                                                default=SpendStatus.SUBMITTED)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    line: Mapped[BudgetLine] = relationship()
    area: Mapped[Area | None] = relationship()
    receipt: Mapped[Receipt | None] = relationship()
    course = relationship("Course")
