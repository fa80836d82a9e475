"""The council's contract for the service: its years and review points, the extension, the
funding for each year by source, and the lots: which provider holds which areas and offers."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, string_enum
from app.models.people import Area, Provider, utcnow


class Term(enum.StrEnum):
    THREE_YEARS = "three_years"
    SINGLE_YEARS = "single_years"

    @property
    def label(self) -> str:
        return {"three_years": "3 years, reviewed each year",
                "single_years": "3 single years, each renewed at a hard review point"}[self.value]


class Decision(enum.StrEnum):
    CONTINUE = "continue"
    CHANGES = "continue_with_changes"
    END = "end"

    @property
    def label(self) -> str:
        return {"continue": "Continue", "continue_with_changes": "Continue with changes", "end": "End"}[self.value]


class Commission(db.Model):
    __tablename__ = "commission"
    __table_args__ = (CheckConstraint("extension_years_allowed BETWEEN 0 AND 2", name="extension_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Who commissions it, as certificates, the return and emails name it ("Kent County Council").
    council_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    starts_on: Mapped[date] = mapped_column(Date)
    term: Mapped[Term] = mapped_column(string_enum(Term, "commission_term"))
    extension_years_allowed: Mapped[int] = mapped_column(Integer, default=2)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    years: Mapped[list["CommissionYear"]] = relationship(back_populates="commission",
                                                         order_by="CommissionYear.starts_on",
                                                         cascade="all, delete-orphan")
    review_points: Mapped[list["ReviewPoint"]] = relationship(order_by="ReviewPoint.due_on",
                                                              cascade="all, delete-orphan")
    lots: Mapped[list["Lot"]] = relationship(order_by="Lot.name", cascade="all, delete-orphan")
    council_posts: Mapped[list["CouncilPost"]] = relationship(order_by="CouncilPost.id",
                                                              cascade="all, delete-orphan")

    @property
    def extension_years_taken(self) -> int:
        return sum(1 for year in self.years if year.is_extension)


class CommissionYear(db.Model):
    __tablename__ = "commission_year"
    __table_args__ = (UniqueConstraint("commission_id", "starts_on"),
                      CheckConstraint("ends_on > starts_on", name="ends_after_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("commission.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    is_extension: Mapped[bool] = mapped_column(Boolean, default=False)

    commission: Mapped[Commission] = relationship(back_populates="years")
    funding: Mapped[list["CommissionFunding"]] = relationship(order_by="CommissionFunding.id",
                                                              cascade="all, delete-orphan")


class CommissionFunding(db.Model):
    """Money for one year of the contract from one source (the council, health)."""

    __tablename__ = "commission_funding"
    __table_args__ = (CheckConstraint("amount_pence >= 0", name="amount_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("commission_year.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(120))
    amount_pence: Mapped[int] = mapped_column(Integer)


class ReviewPoint(db.Model):
    """An annual review of the contract, and the decision taken at it."""

    __tablename__ = "review_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("commission.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    decision: Mapped[Decision | None] = mapped_column(string_enum(Decision, "review_decision", length=30))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_on: Mapped[date | None] = mapped_column(Date)

    decided_by = relationship("User")


lot_area = Table(
    "lot_area", db.metadata,
    Column("lot_id", ForeignKey("lot.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("area.id", ondelete="RESTRICT"), primary_key=True),
)


class Lot(db.Model):
    """Part of the contract let to one provider: some areas and offers, for some years."""

    __tablename__ = "lot"
    __table_args__ = (CheckConstraint("last_year_on IS NULL OR last_year_on >= first_year_on", name="years_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("commission.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    offers: Mapped[str] = mapped_column(String(300), default="")
    first_year_on: Mapped[date] = mapped_column(Date)
    last_year_on: Mapped[date | None] = mapped_column(Date)

    provider: Mapped[Provider] = relationship()
    areas: Mapped[list[Area]] = relationship(secondary=lot_area, order_by=Area.name)


class CouncilPost(db.Model):
    """A post on the council's side of the contract, such as the Service Co-ordinator: priced
    in the county budget at the council's pay scale, in no provider's establishment."""

    __tablename__ = "council_post"
    __table_args__ = (CheckConstraint("fte > 0", name="fte_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("commission.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    grade_id: Mapped[int] = mapped_column(ForeignKey("grade.id", ondelete="RESTRICT"))
    fte: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    grade = relationship("Grade")
