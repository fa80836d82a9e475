"""Certificates: for a course completed, a stage reached, or volunteer hours.
Each has a unique number anyone can check on the public verification page."""

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, import_batch_column
from app.models.people import Person, Stage, StageType, utcnow

MILESTONES = (25, 50, 100, 250)


class CertificateKind(enum.StrEnum):
    COURSE = "course"
    STAGE = "stage"
    MILESTONE = "milestone"


def new_certificate_number() -> str:
    # Grouped like PW-7KQ2-MX9D: easy to read out, no 0/O or 1/I.
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    body = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"PW-{body[:4]}-{body[4:]}"


class Certificate(db.Model):
    __tablename__ = "certificate"
    __table_args__ = (
        # Each award is made once: one per training record, stage reached, milestone.
        Index("uq_certificate_record", "training_record_id", unique=True),
        Index("uq_certificate_stage", "person_id", "stage", unique=True),
        Index("uq_certificate_milestone", "person_id", "milestone_hours", unique=True),
        CheckConstraint("revoked_at IS NULL OR revoked_reason IS NOT NULL", name="revoked_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_batch_id: Mapped[int | None] = import_batch_column()
    number: Mapped[str] = mapped_column(String(20), unique=True, default=new_certificate_number)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    kind: Mapped[CertificateKind] = mapped_column(
        Enum(CertificateKind, name="certificate_kind", native_enum=False, create_constraint=True,
             length=20, values_callable=lambda e: [m.value for m in e]))
    title: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)
    training_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_record.id", ondelete="RESTRICT"))
    stage: Mapped[Stage | None] = mapped_column(StageType)
    milestone_hours: Mapped[int | None] = mapped_column(Integer)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship()
