"""Providers, areas, people and the history of their pathway stage."""

import enum
import secrets
from datetime import UTC, date, datetime

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
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, import_batch_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Stage(enum.StrEnum):
    VOLUNTEER = "volunteer"
    CO_FACILITATOR = "co_facilitator"
    EMPLOYEE = "employee"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def next(self) -> "Stage | None":
        order = list(Stage)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None


STAGE_LABELS = {
    Stage.VOLUNTEER: "Parent Volunteer",
    Stage.CO_FACILITATOR: "Parent Co-Facilitator",
    Stage.EMPLOYEE: "Employee",
}

StageType = Enum(
    Stage,
    name="stage",
    native_enum=False,
    create_constraint=True,
    length=20,
    values_callable=lambda e: [m.value for m in e],
)


class Provider(db.Model):
    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Whether its staff may take their second sign-in step as a code by email, where an
    # authenticator app is not possible. An app is always offered.
    email_codes_allowed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Hours are kept to the minute (7.4 hours is 7 h 24 min); a provider whose payroll pays
    # quarter hours may round every entry to the nearest quarter hour instead.
    round_hours_to_quarter: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When people on a grade's points go up a point: "april" (each 1 April) or "anniversary"
    # (each anniversary of their placement on the point).
    increment_on: Mapped[str] = mapped_column(String(12), default="april", server_default="april")
    # How payroll prorates a salary in a part month ("calendar" or "working" days), and the
    # holiday pay accrued on sessional pay, in basis points (1207 = 12.07%).
    pay_proration: Mapped[str] = mapped_column(String(12), default="calendar", server_default="calendar")
    holiday_accrual_bp: Mapped[int] = mapped_column(Integer, default=1207, server_default="1207")

    def __repr__(self) -> str:
        return f"<Provider {self.name}>"


class Area(db.Model):
    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)

    def __repr__(self) -> str:
        return f"<Area {self.name}>"


def new_person_ref() -> str:
    # No 0/O or 1/I: people read these aloud over the phone.
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "P" + "".join(secrets.choice(alphabet) for _ in range(6))


class LeavingReason(db.Model):
    """Why someone left, from a short list kept as data. Leaving for paid work or training is
    the pathway working (``is_progression``)."""

    __tablename__ = "leaving_reason"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    is_progression: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(default=0)


class Person(db.Model):
    """Someone on the pathway. Holds no data about children or families."""

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),
        Index("ix_person_provider_area_stage", "provider_id", "area_id", "stage"),
        Index("ix_person_name_key", "last_name", "first_name", "id"),  # the people list's pages (app.keyset)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_batch_id: Mapped[int | None] = import_batch_column()
    ref: Mapped[str] = mapped_column(String(20), unique=True, default=new_person_ref)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    stage: Mapped[Stage] = mapped_column(StageType)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    leaving_reason_id: Mapped[int | None] = mapped_column(ForeignKey("leaving_reason.id", ondelete="RESTRICT"))
    has_lived_experience: Mapped[bool] = mapped_column(Boolean, default=False)
    # Emails about their own records go to people with a sign-in; HR may choose to email someone
    # without one (their news would otherwise wait, unread, on a home page they cannot open).
    email_without_account: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    provider: Mapped[Provider] = relationship()
    area: Mapped[Area] = relationship()
    leaving_reason: Mapped["LeavingReason | None"] = relationship()
    stage_changes: Mapped[list["StageChange"]] = relationship(
        back_populates="person",
        order_by="(StageChange.changed_on, StageChange.id)",
        cascade="all, delete-orphan",
    )
    contracts: Mapped[list["Contract"]] = relationship(  # noqa: F821
        back_populates="person", order_by="Contract.starts_on.desc()"
    )

    def stage_on(self, day: date) -> "Stage":
        """The stage held on ``day``: the last change on or before it (the joining stage before that)."""
        held = self.stage_changes[0].to_stage if self.stage_changes else self.stage
        for change in self.stage_changes:
            if change.changed_on > day:
                break
            held = change.to_stage
        return held

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def is_active_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)

    def __repr__(self) -> str:
        return f"<Person {self.ref}>"


class StageChange(db.Model):
    """One step along the pathway. The first row (from_stage NULL) is joining."""

    __tablename__ = "stage_change"
    __table_args__ = (
        CheckConstraint(
            "from_stage IS NULL OR from_stage <> to_stage", name="changes_stage"
        ),
        Index("ix_stage_change_person_on", "person_id", "changed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    changed_on: Mapped[date] = mapped_column(Date)
    from_stage: Mapped[Stage | None] = mapped_column(
        Enum(Stage, name="from_stage", native_enum=False, create_constraint=True,
             length=20, values_callable=lambda e: [m.value for m in e])
    )
    to_stage: Mapped[Stage] = mapped_column(
        Enum(Stage, name="to_stage", native_enum=False, create_constraint=True,
             length=20, values_callable=lambda e: [m.value for m in e])
    )
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship(back_populates="stage_changes")
    changed_by: Mapped["User | None"] = relationship()  # noqa: F821
