"""Every model, imported once so Alembic and relationships see the whole schema."""

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.certificates.models import Certificate, CertificateKind, Job, JobStatus
from app.council.models import Commission, CommissionFunding, CommissionYear, CouncilPost, Lot, ReviewPoint
from app.delivery.models import (
    Cohort,
    DeliveryBaseline,
    DeliveryPlan,
    DeliverySession,
    Offer,
    SessionFacilitator,
)
from app.establishment.models import (
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
from app.expenses.models import (
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
from app.hours import summary as _hours_summary  # noqa: F401  (keeps hours_month in step)
from app.hours.models import Activity, HoursEntry, HoursMonth, HoursStatus
from app.mail.models import OutboxMessage  # noqa: F401
from app.once import FormSubmission  # noqa: F401
from app.people.models import Area, LeavingReason, Person, Provider, Stage, StageChange
from app.returns.models import ReturnSubmission, VolunteerHourValue
from app.spending.models import Spend, SpendStatus
from app.training.models import (
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
    "ContractYear", "Funding", "Grade", "HoursEntry", "HoursMonth", "HoursStatus", "PayPoint", "Person",
    "Post", "Provider", "Role", "Stage", "StageChange", "User", "ClaimStatus", "ExpenseCategory",
    "ExpenseClaim", "ExpenseLine", "LineStatus", "MileageRate", "PaymentBatch", "Receipt", "Vehicle",
    "Certificate", "CertificateKind", "Job", "JobStatus", "Check", "CheckKind", "Course",
    "CourseStageRow", "ReturnSubmission", "VolunteerHourValue", "Recommendation", "StageRequirement",
    "TrainingRecord", "TrainingResult", "Spend", "SpendStatus",
    "OnCostRule", "CouncilPost", "Cohort", "DeliveryBaseline", "DeliveryPlan", "DeliverySession", "Offer",
    "SessionFacilitator", "LeavingReason", "Commission", "CommissionFunding", "CommissionYear", "Lot", "ReviewPoint",
]
