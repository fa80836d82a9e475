import enum
from datetime import date, datetime, time
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
    Time,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, import_batch_column, string_enum
from app.models.hours import Activity
from app.models.people import Area, Person, utcnow


class OfferKind(enum.StrEnum):
    PEER_SUPPORT = "peer_support"
    FAMILY_ADVICE = "family_advice"
    WORKSHOP = "workshop"
    PROGRAMME = "programme"


class Offer(db.Model):
    """One of the service's offers; its sessions' hours are logged as its activity."""

    __tablename__ = "offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[OfferKind] = mapped_column(string_enum(OfferKind, "offer_kind"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="RESTRICT"))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    activity: Mapped[Activity] = relationship()

    @property
    def is_programme(self) -> bool:
        return self.kind == OfferKind.PROGRAMME


class DeliveryPlan(db.Model):
    """An offer's plan for one area from a date: the council's (no provider) or a provider's own."""

    __tablename__ = "delivery_plan"
    __table_args__ = (
        CheckConstraint("sessions_per_week >= 0", name="sessions_non_negative"),
        CheckConstraint("families_per_year >= 0", name="families_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"))
    effective_from: Mapped[date] = mapped_column(Date)
    sessions_per_week: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    families_per_session: Mapped[int] = mapped_column(Integer)
    churn: Mapped[str] = mapped_column(String(30))
    cohorts_per_year: Mapped[int] = mapped_column(Integer)
    families_per_year: Mapped[int] = mapped_column(Integer)

    offer: Mapped[Offer] = relationship()


class DeliveryBaseline(db.Model):
    """What the model is measured against: the 2019 offer and the promised increase."""

    __tablename__ = "delivery_baseline"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    programmes: Mapped[int] = mapped_column(Integer)
    families: Mapped[int] = mapped_column(Integer)
    diagnosis_share_pct: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    increase_pct: Mapped[Decimal] = mapped_column(Numeric(5, 1))


class Cohort(db.Model):
    """A programme run: N sessions with the same group of families."""

    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id", ondelete="RESTRICT"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    programme: Mapped[str] = mapped_column(String(60))  # such as Cygnet or EarlyBird
    # The course a facilitator needs to deliver it (a licence), if any.
    required_course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"))
    starts_on: Mapped[date] = mapped_column(Date)
    sessions_planned: Mapped[int] = mapped_column(Integer)

    offer: Mapped[Offer] = relationship()
    area: Mapped[Area] = relationship()
    required_course = relationship("Course")


class Mode(enum.StrEnum):
    FACE_TO_FACE = "face_to_face"
    ONLINE = "online"

    @property
    def label(self) -> str:
        return {"face_to_face": "Face to face", "online": "Online"}[self.value]


class DeliverySession(db.Model):
    """One session delivered. Families are counts only: never a name or any identifier."""

    __tablename__ = "delivery_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("families_attended >= 0 AND families_new >= 0 AND families_phase_one >= 0 "
                        "AND families_pre_diagnosis >= 0", name="counts_non_negative"),
        CheckConstraint("families_new <= families_attended AND families_phase_one <= families_attended "
                        "AND families_pre_diagnosis <= families_attended", name="counts_within_attended"),
        Index("ix_delivery_session_provider_date", "provider_id", "delivered_on"),
        # Every provider's sessions in a period (the co-ordinator's delivery page, the return): by date, then area
        # and offer, so the weekly counts are read from the index alone.
        Index("ix_delivery_session_date_area", "delivered_on", "area_id", "offer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_batch_id: Mapped[int | None] = import_batch_column()
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id", ondelete="RESTRICT"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"))
    delivered_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    mode: Mapped[Mode] = mapped_column(string_enum(Mode, "session_mode"))
    venue: Mapped[str | None] = mapped_column(String(120))
    out_of_hours: Mapped[bool] = mapped_column(Boolean, default=False)  # an evening or a weekend
    families_attended: Mapped[int] = mapped_column(Integer)
    families_new: Mapped[int] = mapped_column(Integer)
    families_phase_one: Mapped[int] = mapped_column(Integer, default=0)
    families_pre_diagnosis: Mapped[int] = mapped_column(Integer, default=0)
    # Why the session is flagged (a facilitator without the licence course), or None.
    flag: Mapped[str | None] = mapped_column(String(300))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    offer: Mapped[Offer] = relationship()
    area: Mapped[Area] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    facilitators: Mapped[list["SessionFacilitator"]] = relationship(cascade="all, delete-orphan",
                                                                   order_by="SessionFacilitator.person_id")

    @property
    def minutes(self) -> int:
        return (self.ends_at.hour * 60 + self.ends_at.minute) - (self.starts_at.hour * 60 + self.starts_at.minute)


class SessionFacilitator(db.Model):
    """Someone who facilitated a session, and the hours entry recorded for it."""

    __tablename__ = "session_facilitator"

    session_id: Mapped[int] = mapped_column(ForeignKey("delivery_session.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), primary_key=True)
    leads: Mapped[bool] = mapped_column(Boolean, default=False)  # leads or co-leads it
    hours_entry_id: Mapped[int | None] = mapped_column(ForeignKey("hours_entry.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship()


class SessionDay(db.Model):
    """Every provider's sessions by day, area and offer, with their families, parent-led sessions
    and facilitators' minutes: a summary of delivery_session kept in step by
    app.delivery.summary, and rebuilt from it by `flask summaries rebuild`. What delivery for all
    providers and the all-provider return read, so their cost does not grow with the number of
    providers. Nothing writes here but that module."""

    __tablename__ = "session_day"

    delivered_on: Mapped[date] = mapped_column(Date, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    offer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sessions: Mapped[int] = mapped_column(Integer)
    families_attended: Mapped[int] = mapped_column(Integer)
    families_new: Mapped[int] = mapped_column(Integer)
    online: Mapped[int] = mapped_column(Integer)
    out_of_hours: Mapped[int] = mapped_column(Integer)
    families_phase_one: Mapped[int] = mapped_column(Integer)
    families_pre_diagnosis: Mapped[int] = mapped_column(Integer)
    parent_led: Mapped[int] = mapped_column(Integer)  # led or co-led by a parent with lived experience
    minutes: Mapped[int] = mapped_column(Integer)  # facilitators' hours for them, not rejected
