"""The way in: parents who said "I'd like to help", and the stages from there to their first day
as a Parent Volunteer. The stages are a provider's own data (renamed or added to); an applicant
is at one stage, or has withdrawn with a reason, or has started (linked to their person record)."""

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.people import Area, Person, Provider, utcnow
from app.models.training import Course

# The stages a provider starts with, in order; the last is reached by starting them.
DEFAULT_STAGES = ("Interested", "First conversation", "Application", "References", "DBS applied", "DBS cleared",
                  "Induction training", "Ready to start")

HEARD_FROM = {"peer_group": "A peer support group", "workshop": "A workshop", "school": "School or nursery",
              "health_visitor": "A health visitor", "social_media": "Social media", "friend": "A friend",
              "other": "Somewhere else"}
CONTACT_BY = {"email": "Email", "phone": "Phone", "group": "Ask me at the group"}
WITHDRAWN_BECAUSE = {"not_right_time": "Not the right time", "no_response": "No response",
                     "not_suitable": "Not suitable", "paid_work": "Chose paid work", "other": "Another reason"}


class RecruitmentStage(db.Model):
    __tablename__ = "recruitment_stage"
    __table_args__ = (Index("ix_recruitment_stage_provider_order", "provider_id", "sort_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    sort_order: Mapped[int] = mapped_column(Integer)


class Applicant(db.Model):
    """A parent's expression of interest and where it has got to."""

    __tablename__ = "applicant"
    __table_args__ = (
        CheckConstraint("contact_by IN ('email', 'phone', 'group')", name="known_contact"),
        Index("ix_applicant_provider_stage", "provider_id", "stage_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    contact_by: Mapped[str] = mapped_column(String(10))
    heard_from: Mapped[str] = mapped_column(String(20))
    interests: Mapped[str] = mapped_column(Text, default="")
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("recruitment_stage.id", ondelete="SET NULL"))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_reason: Mapped[str | None] = mapped_column(String(20))
    withdrawn_note: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    started_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    is_new: Mapped[bool] = mapped_column(Boolean, default=True)  # nobody at the provider has opened it yet
    # An applicant who never started is anonymised some months after the last activity: the
    # counts (area, how they heard, stage, dates) stay; who they were does not.
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    provider: Mapped[Provider] = relationship()
    area: Mapped[Area] = relationship()
    stage: Mapped[RecruitmentStage | None] = relationship()
    person: Mapped[Person | None] = relationship()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def status(self) -> str:
        if self.person_id is not None or self.started_on is not None:
            return "Started"
        if self.withdrawn_on is not None:
            return f"Withdrawn: {WITHDRAWN_BECAUSE.get(self.withdrawn_reason, 'another reason')}"
        return self.stage.name if self.stage else "Interested"

    @property
    def is_open(self) -> bool:
        return self.started_on is None and self.withdrawn_on is None


RECOMMENDS = {"yes": "Yes", "not_sure": "Not sure", "no": "No"}


class ApplicantReference(db.Model):
    """A referee asked by email for a short reference on an applicant: a one-use link (only its
    hash is kept) valid for 14 days. HR reads the answers; the referee sees nothing else."""

    __tablename__ = "applicant_reference"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id", ondelete="CASCADE"), index=True)
    referee_name: Mapped[str] = mapped_column(String(120))
    referee_email: Mapped[str | None] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    known_for: Mapped[str | None] = mapped_column(String(200))
    recommends: Mapped[str | None] = mapped_column(String(10))
    comments: Mapped[str | None] = mapped_column(Text)

    applicant: Mapped[Applicant] = relationship()


class ApplicantRecord(db.Model):
    """Training done, or a check made, while on the way in (an induction course, a DBS check):
    kept on the application, then carried to their person record when they start."""

    __tablename__ = "applicant_record"
    __table_args__ = (
        CheckConstraint("(course_id IS NULL AND check_kind IS NOT NULL) OR (course_id IS NOT NULL AND "
                        "check_kind IS NULL)", name="training_or_check"),
        CheckConstraint("check_kind IS NULL OR check_kind IN ('dbs', 'right_to_work', 'reference')",
                        name="known_check"),
        CheckConstraint("result IS NULL OR result IN ('passed', 'attended', 'failed')", name="known_result"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="RESTRICT"))
    check_kind: Mapped[str | None] = mapped_column(String(30))
    done_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(20))
    reference_number: Mapped[str | None] = mapped_column(String(40))
    barred_list: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    carried_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # onto their person record

    course: Mapped[Course | None] = relationship()

    @property
    def is_check(self) -> bool:
        return self.check_kind is not None
