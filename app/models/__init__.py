"""Every model, imported once so Alembic and relationships see the whole schema."""

from app.models.audit import AuditEvent
from app.models.auth import Role, User
from app.models.certificates import Certificate, CertificateKind
from app.models.council import Commission, CommissionFunding, CommissionYear, CouncilPost, Lot, ReviewPoint
from app.models.delivery import (
    Cohort,
    DeliveryBaseline,
    DeliveryPlan,
    DeliverySession,
    Offer,
    SessionFacilitator,
)
from app.models.equality import EqualityAnswers  # noqa: F401
from app.models.establishment import (
    BudgetLine,
    BudgetLineKind,
    Contract,
    ContractYear,
    Funding,
    Grade,
    OnCostRule,
    PayPoint,
    Post,
)
from app.models.expenses import (
    ClaimStatus,
    ExpenseCategory,
    ExpenseClaim,
    ExpenseLine,
    LineStatus,
    MileageRate,
    PaymentBatch,
    Receipt,
    Vehicle,
)
from app.models.generation import DataGeneration  # noqa: F401
from app.models.hours import Activity, HoursAreaMonth, HoursEntry, HoursMonth, HoursStatus
from app.models.imports import ImportBatch  # noqa: F401
from app.models.jobs import Job, JobStatus
from app.models.mail import OutboxMessage  # noqa: F401
from app.models.once import FormSubmission  # noqa: F401
from app.models.payroll import PayrollColumns, PayrollLine  # noqa: F401
from app.models.people import Area, LeavingReason, Person, Provider, Stage, StageChange
from app.models.recruitment import Applicant, ApplicantRecord, ApplicantReference, RecruitmentStage  # noqa: F401
from app.models.returns import ReturnSubmission, VolunteerHourValue
from app.models.spending import Spend, SpendStatus
from app.models.training import (
    Check,
    CheckKind,
    Course,
    CourseStageRow,
    Recommendation,
    StageRequirement,
    TrainingRecord,
    TrainingResult,
)

__all__ = [
    "Activity", "Area", "AuditEvent", "BudgetLine", "BudgetLineKind", "Contract",
    "ContractYear", "Funding", "Grade", "HoursAreaMonth", "HoursEntry", "HoursMonth", "HoursStatus", "PayPoint",
    "Person", "Post", "Provider", "Role", "Stage", "StageChange", "User", "ClaimStatus", "ExpenseCategory",
    "ExpenseClaim", "ExpenseLine", "LineStatus", "MileageRate", "PaymentBatch", "Receipt", "Vehicle",
    "Certificate", "CertificateKind", "Job", "JobStatus", "Check", "CheckKind", "Course",
    "CourseStageRow", "ReturnSubmission", "VolunteerHourValue", "Recommendation", "StageRequirement",
    "TrainingRecord", "TrainingResult", "Spend", "SpendStatus",
    "OnCostRule", "CouncilPost", "Cohort", "DeliveryBaseline", "DeliveryPlan", "DeliverySession", "Offer",
    "SessionFacilitator", "LeavingReason", "Commission", "CommissionFunding", "CommissionYear", "Lot", "ReviewPoint",
]
