"""Training courses and records, safeguarding and employment checks, and the
requirements for each stage of the pathway, all kept as data HR can change."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, import_batch_column, string_enum
from app.models.people import Person, Stage, StageType, utcnow

course_stage = Table(
    "course_stage",
    db.metadata,
    Column("course_id", ForeignKey("course.id", ondelete="CASCADE"), primary_key=True),
    Column("stage", StageType, primary_key=True),
)


class Course(db.Model):
    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint("cost_pence >= 0", name="cost_non_negative"),
        CheckConstraint("hours >= 0", name="hours_non_negative"),
        CheckConstraint("validity_months IS NULL OR validity_months > 0", name="validity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    provider_name: Mapped[str] = mapped_column(String(120))
    hours: Mapped[float] = mapped_column(Numeric(6, 2))
    cost_pence: Mapped[int] = mapped_column(Integer, default=0)
    validity_months: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # None: council-wide, kept by the co-ordinator; otherwise one provider's own.
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"), index=True)

    required_rows = relationship("CourseStageRow", cascade="all, delete-orphan")

    @property
    def required_for(self) -> set[Stage]:
        return {row.stage for row in self.required_rows}


class CourseStageRow(db.Model):
    __table__ = course_stage


class TrainingResult(enum.StrEnum):
    PASSED = "passed"
    ATTENDED = "attended"
    FAILED = "failed"


class TrainingRecord(db.Model):
    __tablename__ = "training_record"
    __table_args__ = (
        CheckConstraint("cost_pence >= 0", name="cost_non_negative"),
        CheckConstraint("expires_on IS NULL OR expires_on > completed_on", name="expires_after"),
        # The person and cost ride along on PostgreSQL: the return's training costs read the index alone.
        Index("ix_training_record_completed", "completed_on", postgresql_include=["person_id", "cost_pence"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_batch_id: Mapped[int | None] = import_batch_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="RESTRICT"))
    completed_on: Mapped[date] = mapped_column(Date)
    # Worked out from the course's validity when recorded, so a later change to
    # the catalogue does not silently change what a certificate said.
    expires_on: Mapped[date | None] = mapped_column(Date)
    # The day the next passed or attended record of the course was done: this one was in force
    # from completed_on until then (None: the latest, or failed). Kept by app.training.current.
    superseded_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[TrainingResult] = mapped_column(string_enum(TrainingResult, "training_result", 30))
    cost_pence: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship()
    course: Mapped[Course] = relationship()


# Each person's records of each course, latest first, and (on PostgreSQL) with the expiry and
# result: a person's latest records (app.training.services.latest_records), and the records
# stamped again together when one changes (app.training.current).
Index("ix_training_record_latest", TrainingRecord.person_id, TrainingRecord.course_id,
      TrainingRecord.completed_on.desc(), TrainingRecord.id.desc(), postgresql_include=["expires_on", "result"])


class CheckKind(enum.StrEnum):
    DBS = "dbs"
    RIGHT_TO_WORK = "right_to_work"
    REFERENCE = "reference"

    @property
    def label(self) -> str:
        return {"dbs": "Enhanced DBS check", "right_to_work": "Right to work check",
                "reference": "Reference"}[self.value]


class Check(db.Model):
    """A check's record only: never the content of a DBS certificate."""

    __tablename__ = "person_check"
    __table_args__ = (
        CheckConstraint("renew_on IS NULL OR renew_on > checked_on", name="renew_after"),
        Index("ix_person_check_person_kind", "person_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_batch_id: Mapped[int | None] = import_batch_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    kind: Mapped[CheckKind] = mapped_column(string_enum(CheckKind, "check_kind", 30))
    checked_on: Mapped[date] = mapped_column(Date)
    reference_number: Mapped[str | None] = mapped_column(String(40))
    # DBS: checked against the children's barred list, and for a paid role
    # (a volunteer's free check does not cover paid work).
    barred_list: Mapped[bool] = mapped_column(Boolean, default=False)
    for_paid_role: Mapped[bool] = mapped_column(Boolean, default=False)
    update_service: Mapped[bool] = mapped_column(Boolean, default=False)
    renew_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StageRequirement(db.Model):
    """What a person needs before moving into ``stage``; courses come from Course.required_for."""

    __tablename__ = "stage_requirement"
    __table_args__ = (CheckConstraint("min_hours >= 0 AND references_needed >= 0", name="non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[Stage] = mapped_column(StageType, unique=True)
    min_hours: Mapped[int] = mapped_column(Integer, default=0)
    needs_dbs: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_recommendation: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_right_to_work: Mapped[bool] = mapped_column(Boolean, default=False)
    references_needed: Mapped[int] = mapped_column(Integer, default=0)
    # Regulated activity with children: the DBS check must include the children's barred list.
    needs_barred_list: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ProviderRequirement(db.Model):
    """A provider's own requirement for moving into ``stage``, on top of the council's: it can
    only ask for more (more hours, more references, a check or recommendation the council's
    rows leave out), never less."""

    __tablename__ = "provider_requirement"
    __table_args__ = (UniqueConstraint("provider_id", "stage"),
                      CheckConstraint("min_hours >= 0 AND references_needed >= 0", name="non_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    stage: Mapped[Stage] = mapped_column(StageType)
    min_hours: Mapped[int] = mapped_column(Integer, default=0)
    needs_dbs: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_recommendation: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_right_to_work: Mapped[bool] = mapped_column(Boolean, default=False)
    references_needed: Mapped[int] = mapped_column(Integer, default=0)


class Recommendation(db.Model):
    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("person_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    stage: Mapped[Stage] = mapped_column(StageType)
    recommended_on: Mapped[date] = mapped_column(Date)
    recommended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)

    recommended_by: Mapped["User | None"] = relationship()  # noqa: F821
