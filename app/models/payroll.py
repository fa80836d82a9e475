"""What payroll paid: a line per person per monthly pay period, imported from the payroll
bureau's report, and how that provider's bureau names its columns (saved once)."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db, import_batch_column
from app.models.people import Person, utcnow


class PayrollLine(db.Model):
    """One person's pay for one monthly pay period, as payroll ran it. Never changed once
    imported: a correction is undoing the import and importing the corrected report."""

    __tablename__ = "payroll_line"
    __table_args__ = (
        UniqueConstraint("person_id", "period"),
        Index("ix_payroll_line_provider_period", "provider_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_batch_id: Mapped[int | None] = import_batch_column()
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    period: Mapped[date] = mapped_column(Date)  # the first day of the pay period's month
    gross_pence: Mapped[int] = mapped_column(Integer)
    employer_ni_pence: Mapped[int] = mapped_column(Integer)
    employer_pension_pence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship()

    @property
    def total_pence(self) -> int:
        return self.gross_pence + self.employer_ni_pence + self.employer_pension_pence


# The columns a payroll import needs, and what each holds.
PAYROLL_FIELDS = {
    "person_ref": "The person's Pathway reference (or the reference your payroll keeps for them in Pathway)",
    "pay_period": "The month paid, like 2027-02 or February 2027",
    "gross_pay": "Gross pay",
    "employer_ni": "Employer's National Insurance",
    "employer_pension": "Employer's pension contribution",
}


class PayrollColumns(db.Model):
    """The column in the bureau's report holding each field, saved once per provider."""

    __tablename__ = "payroll_columns"

    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(80))
    pay_period: Mapped[str] = mapped_column(String(80))
    gross_pay: Mapped[str] = mapped_column(String(80))
    employer_ni: Mapped[str] = mapped_column(String(80))
    employer_pension: Mapped[str] = mapped_column(String(80))

    def mapping(self) -> dict[str, str]:
        """The bureau's column name (lower case) for each of Pathway's fields."""
        return {field: getattr(self, field).strip().lower() for field in PAYROLL_FIELDS}
