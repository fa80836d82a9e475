"""Submitted workforce returns (frozen figures, versioned) and the notional hourly
value of volunteer time, kept as dated data."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.people import Provider, utcnow


class VolunteerHourValue(db.Model):
    """The notional value of an hour of volunteering from a date (the minimum wage in force)."""

    __tablename__ = "volunteer_hour_value"
    __table_args__ = (CheckConstraint("pence_per_hour > 0", name="positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    pence_per_hour: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(120))


class ReturnSubmission(db.Model):
    """A return as the council received it: its figures frozen, with who and when."""

    __tablename__ = "return_submission"
    __table_args__ = (
        UniqueConstraint("provider_id", "period_start", "period_end", "version"),
        # NULLs are distinct in the constraint above: this one covers the all-providers return.
        Index("uq_return_submission_version_any_provider", text("coalesce(provider_id, 0)"),
              "period_start", "period_end", "version", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_by_label: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    figures: Mapped[list] = mapped_column(JSON)

    provider: Mapped[Provider | None] = relationship()
