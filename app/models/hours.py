"""Hours worked: logged by the person (or for them), submitted, approved or rejected.

Approved entries are locked. A correction is a new entry linked to the one it
corrects, carrying the difference in minutes (positive or negative), so the
history is never lost and totals simply add every approved row.
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, import_batch_column
from app.models.people import Area, Person, Stage, StageType, utcnow

MINUTES_IN_A_DAY = 24 * 60


class Activity(db.Model):
    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # None: council-wide, kept by the co-ordinator; otherwise one provider's own.
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"), index=True)


class HoursStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """The status as people read it: what was not approved was "sent back", to everyone."""
        return {"draft": "Draft", "submitted": "Submitted", "approved": "Approved", "rejected": "Sent back"}[self.value]

    @property
    def words(self) -> str:
        """The status inside a sentence: "these hours are ..."."""
        return {"draft": "a draft", "submitted": "waiting for approval", "approved": "approved",
                "rejected": "sent back"}[self.value]

    @property
    def tag_class(self) -> str:
        return {"draft": "govuk-tag--grey", "submitted": "govuk-tag--blue",
                "approved": "govuk-tag--green", "rejected": "govuk-tag--red"}[self.value]


class HoursEntry(db.Model):
    __tablename__ = "hours_entry"
    __table_args__ = (
        CheckConstraint(f"minutes BETWEEN -{MINUTES_IN_A_DAY} AND {MINUTES_IN_A_DAY}",
                        name="within_a_day"),
        CheckConstraint("minutes > 0 OR (corrects_id IS NOT NULL AND minutes <> 0)",
                        name="positive_unless_correction"),
        CheckConstraint("status <> 'rejected' OR rejection_reason IS NOT NULL",
                        name="rejection_has_reason"),
        Index("ix_hours_entry_person_worked", "person_id", "worked_on"),
        Index("ix_hours_entry_area_status_worked", "area_id", "status", "worked_on"),
        Index("ix_hours_entry_status_worked", "status", "worked_on"),
        # The approval queues: only the entries waiting, by person. (Without it PostgreSQL matched
        # each person's entries against every provider's waiting ones: 35 ms, now under 1 ms.)
        Index("ix_hours_entry_waiting", "person_id", "worked_on", sqlite_where=text("status = 'submitted'"),
              postgresql_where=text("status = 'submitted'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_batch_id: Mapped[int | None] = import_batch_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="RESTRICT"))
    worked_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[HoursStatus] = mapped_column(
        Enum(HoursStatus, name="hours_status", native_enum=False, create_constraint=True,
             length=20, values_callable=lambda e: [m.value for m in e])
    )
    note: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    is_on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("hours_entry.id", ondelete="RESTRICT"), index=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship()
    area: Mapped[Area] = relationship()
    activity: Mapped[Activity] = relationship()
    entered_by: Mapped["User | None"] = relationship(foreign_keys=[entered_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821
    corrects: Mapped["HoursEntry | None"] = relationship(remote_side=[id])

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def is_locked(self) -> bool:
        return self.status in (HoursStatus.APPROVED, HoursStatus.SUBMITTED)

    @property
    def is_editable(self) -> bool:
        return self.status in (HoursStatus.DRAFT, HoursStatus.REJECTED)


class HoursMonth(db.Model):
    """Approved minutes by provider, area, stage, activity and month (yyyymm), on the person's
    current area and stage: a summary of hours_entry kept in step by app.hours.summary, and
    rebuilt from it by `flask summaries rebuild`. Nothing writes here but that module."""

    __tablename__ = "hours_month"
    __table_args__ = (Index("ix_hours_month_month", "month"),)

    provider_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stage: Mapped[Stage] = mapped_column(StageType, primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    minutes: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(Integer)


class HoursAreaMonth(db.Model):
    """hours_month without the provider: approved minutes by area, stage, activity and month, so
    the all-provider return reads a few hundred rows a quarter whatever the number of providers
    (hours_month held 126,000 for one quarter at 500 providers). Kept in step with hours_month
    by app.hours.summary (each recount adds what it changed), rebuilt with it."""

    __tablename__ = "hours_area_month"
    __table_args__ = (Index("ix_hours_area_month_month", "month"),)

    area_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stage: Mapped[Stage] = mapped_column(StageType, primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    minutes: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(Integer)
