"""Each home page is a to-do list: what waits for this person, counted in SQL within what they
may see, each linking to the list that holds it. Parents also see what happened to what they
sent (sent back, paid, a new certificate): the same news their email brings, always here."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import url_for
from sqlalchemy import distinct, func, select

from app.access import applicant_scope, has_role_for, is_parent, scope, sees_all_providers
from app.budget.county import current_year, over_budget
from app.delivery.services import short_of_plan
from app.extensions import db
from app.formatting import date_time, long_date, pounds
from app.formatting import hours as hours_text
from app.mail import send_email
from app.models.auth import User
from app.models.certificates import Certificate
from app.models.expenses import ClaimStatus, ExpenseClaim, ExpenseLine, LineStatus
from app.models.hours import HoursEntry, HoursStatus
from app.models.jobs import Job, JobStatus
from app.models.payroll import PayrollLine
from app.models.people import Person, Provider
from app.models.returns import ReturnSubmission
from app.models.training import Recommendation
from app.periods import day_before, month_of, quick_picks
from app.recruitment.services import new_interest_count
from app.training.queries import DUE_WITHIN_DAYS, compliance, overdue_or_due

RECENT_DAYS = 30


@dataclass(frozen=True)
class Todo:
    text: str
    href: str
    link: str  # the words that link
    urgent: bool = False


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _count(query) -> int:
    return db.session.scalar(query) or 0


def for_parent(user, *, today: date) -> list[Todo]:
    """What waits for a parent, then news of what they sent."""
    person = user.person
    if person is None:
        return []
    items: list[Todo] = []
    mine = HoursEntry.person_id == person.id
    for entry in db.session.scalars(select(HoursEntry).where(mine, HoursEntry.status == HoursStatus.REJECTED)
                                    .order_by(HoursEntry.worked_on).limit(5)):
        items.append(Todo(f"Your {hours_text(entry.minutes)} {'hour' if entry.minutes == 60 else 'hours'} on "
                          f"{long_date(entry.worked_on)} {'was' if entry.minutes == 60 else 'were'} sent back: "
                          f"{entry.rejection_reason}", url_for("hours.view_entry", entry_id=entry.id),
                          "Correct it and send it again", urgent=True))
    is_draft = HoursEntry.status == HoursStatus.DRAFT
    first_draft = db.session.scalar(select(func.min(HoursEntry.worked_on)).where(mine, is_draft))
    if first_draft:
        drafts = _count(select(func.count(HoursEntry.id)).where(mine, is_draft))
        items.append(Todo(f"{plural(drafts, 'entry is', 'entries are')} saved but not sent for approval",
                          url_for("hours.my_hours", week=first_draft.isoformat()), "Send for approval"))
    claims = ExpenseClaim.person_id == person.id
    refused = db.session.execute(
        select(ExpenseLine.claim_id, func.count(ExpenseLine.id)).join(ExpenseClaim)
        .where(claims, ExpenseLine.status == LineStatus.REJECTED,
               ExpenseClaim.status.in_((ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.REJECTED)))
        .group_by(ExpenseLine.claim_id).order_by(ExpenseLine.claim_id)).all()
    for claim_id, count in refused:
        items.append(Todo(f"{plural(count, 'item')} on your expense claim {'was' if count == 1 else 'were'} not "
                          "approved", url_for("expenses.view_claim", claim_id=claim_id), "See why", urgent=True))
    draft_claims = _count(select(func.count(ExpenseClaim.id)).where(claims, ExpenseClaim.status == ClaimStatus.DRAFT))
    if draft_claims:
        items.append(Todo(f"{plural(draft_claims, 'expense claim is', 'expense claims are')} not sent yet",
                          url_for("expenses.my_expenses"), "Finish and send"))
    since = today - timedelta(days=RECENT_DAYS)
    for claim in db.session.scalars(select(ExpenseClaim).where(claims, ExpenseClaim.status == ClaimStatus.PAID,
                                                               ExpenseClaim.paid_on >= since)
                                    .order_by(ExpenseClaim.paid_on.desc()).limit(3)):
        items.append(Todo(f"Your claim of {pounds(claim.total_pence, pence_shown=True)} was paid on "
                          f"{long_date(claim.paid_on)}", url_for("expenses.view_claim", claim_id=claim.id),
                          "See the claim"))
    for certificate in db.session.scalars(select(Certificate).where(
            Certificate.person_id == person.id, Certificate.issued_on >= since, Certificate.revoked_at.is_(None))
            .order_by(Certificate.issued_on.desc()).limit(3)):
        items.append(Todo(f"A new certificate: {certificate.title}",
                          url_for("certificates.download", certificate_id=certificate.id), "Download it"))
    return items


def _waiting(user, permission: str, counted, *conditions) -> int:
    """How many of ``counted`` (a column) within what ``permission`` lets ``user`` reach."""
    if not has_role_for(user, permission):
        return 0
    return _count(select(func.count(distinct(counted))).select_from(counted.table)
                  .join(Person, Person.id == counted.table.c.person_id).where(scope(permission, user), *conditions))


def for_staff(user, *, today: date) -> list[Todo]:
    """An area facilitator's area, or HR's and an administrator's whole provider."""
    queues = [
        (_waiting(user, "approve_hours", HoursEntry.id, HoursEntry.status == HoursStatus.SUBMITTED),
         ("entry of hours", "entries of hours"), "waiting for approval", url_for("hours.approvals"), "Approve hours"),
        (_waiting(user, "decide_expense_lines", ExpenseClaim.id, ExpenseClaim.status == ClaimStatus.SUBMITTED),
         ("expense claim", "expense claims"), "waiting for a decision", url_for("expenses.approvals"),
         "Decide claims"),
        (_waiting(user, "pay_expenses", ExpenseClaim.id, ExpenseClaim.status == ClaimStatus.APPROVED),
         ("approved claim", "approved claims"), "to pay", url_for("expenses.payments"), "Pay claims"),
        (_waiting(user, "move_on", Recommendation.person_id, Recommendation.stage != Person.stage,
                  Person.left_on.is_(None)),
         ("person is", "people are"), "recommended to move on", url_for("training.pathway"),
         "See progress along the pathway"),
    ]
    items = [Todo(f"{plural(count, *words)} {what}", href, link) for count, words, what, href, link in queues if count]
    items.extend(_training_and_checks(user, today=today))
    items.extend(_return_due(user, today=today))
    items.extend(_new_interest(user))
    items.extend(_imports(user, today=today))
    items.extend(_failed_jobs(user, today=today))
    return items


def _new_interest(user) -> list[Todo]:
    """Parents who said they would like to help, that nobody at the provider has opened yet."""
    if not has_role_for(user, "manage_recruitment"):
        return []
    count = new_interest_count(applicant_scope(user))
    if not count:
        return []
    return [Todo(f"{plural(count, 'parent has', 'parents have')} said they would like to help",
                 url_for("recruitment.board"), "Get in touch", urgent=True)]


def _imports(user, *, today: date) -> list[Todo]:
    """Last month's payroll, once a provider imports payroll at all, until it is imported."""
    if not has_role_for(user, "import_data") or user.provider_id is None:
        return []
    last_month = month_of(day_before(month_of(today)[0]))[0]
    mine = PayrollLine.provider_id == user.provider_id
    if not _count(select(func.count(PayrollLine.id)).where(mine)):
        return []  # this provider does not import payroll
    if _count(select(func.count(PayrollLine.id)).where(mine, PayrollLine.period == last_month)):
        return []
    return [Todo(f"Payroll for {last_month:%B %Y} has not been imported", url_for("imports.upload"),
                 "Import it")]


def _failed_jobs(user, *, today: date) -> list[Todo]:
    """Long work the user asked for in the last few weeks that failed, newest first, each by name."""
    since = datetime.combine(today - timedelta(days=RECENT_DAYS), time.min, tzinfo=UTC)
    failed = db.session.scalars(select(Job).where(Job.requested_by_id == user.id, Job.status == JobStatus.FAILED,
                                                  Job.created_at >= since)
                                .order_by(Job.created_at.desc()).limit(5))
    return [Todo(f"{job.result_name or job.kind.replace('_', ' ').capitalize()} failed on "
                 f"{long_date(job.created_at)}", url_for("jobs.progress", job_id=job.id),
                 "See what happened and try again", urgent=True) for job in failed]


def _training_and_checks(user, *, today: date) -> list[Todo]:
    """Training and checks overdue, and due soon, for the people the user keeps: counted by the
    compliance page's own rules, so each line opens exactly the people it counts."""
    if not has_role_for(user, "view_compliance"):
        return []
    rows = compliance(user, today=today)
    overdue, due = len(overdue_or_due(rows, "overdue")), len(overdue_or_due(rows, "due"))
    items = []
    if overdue:
        items.append(Todo(f"{plural(overdue, 'person has', 'people have')} training or checks overdue or missing",
                          url_for("training.compliance", show="overdue"), "See who", urgent=True))
    if due:
        items.append(Todo(f"{plural(due, 'person has', 'people have')} training or checks due in the next "
                          f"{DUE_WITHIN_DAYS} days", url_for("training.compliance", show="due"), "See who"))
    return items


def _last_quarter(today: date) -> tuple[str, date, date]:
    return quick_picks(today)[1]


def _return_due(user, *, today: date) -> list[Todo]:
    if not has_role_for(user, "submit_return") or user.provider_id is None:
        return []
    label, start, end = _last_quarter(today)
    sent = _count(select(func.count(ReturnSubmission.id)).where(
        ReturnSubmission.provider_id == user.provider_id, ReturnSubmission.period_start == start,
        ReturnSubmission.period_end == end))
    if sent:
        return []
    return [Todo(f"The workforce return for {label} has not been submitted",
                 url_for("returns.view", **{"from": start.isoformat(), "to": end.isoformat()}),
                 "Check and submit it", urgent=True)]


def for_coordinator(user, *, today: date) -> list[Todo]:
    """Returns in and missing for last quarter, across every provider."""
    if not sees_all_providers(user):
        return []
    label, start, end = _last_quarter(today)
    providers = _count(select(func.count(Provider.id)))
    sent = _count(select(func.count(distinct(ReturnSubmission.provider_id))).where(
        ReturnSubmission.provider_id.is_not(None), ReturnSubmission.period_start == start,
        ReturnSubmission.period_end == end))
    items = [Todo(f"{sent} of {plural(providers, 'provider')} {'has' if providers == 1 else 'have'} submitted the "
                  f"return for {label}",
                  url_for("returns.submissions"), "See returns submitted")]
    items.extend(_short_on_delivery(start, end, label))
    missing = db.session.scalars(select(Provider).where(Provider.id.not_in(
        select(ReturnSubmission.provider_id).where(ReturnSubmission.provider_id.is_not(None),
                                                   ReturnSubmission.period_start == start,
                                                   ReturnSubmission.period_end == end))).order_by(Provider.name))
    items.extend(Todo(f"{provider.name} has not submitted the return for {label}",
                      url_for("returns.view", provider=provider.id, **{"from": start.isoformat(),
                                                                       "to": end.isoformat()}),
                      "See its return so far", urgent=True) for provider in missing)
    items.extend(_over_budget(today))
    return items


def _over_budget(today: date) -> list[Todo]:
    """Providers whose forecast for this contract year, as last worked out in the background
    (every hour), is over their budget, by name."""
    year = current_year(today)
    if year is None:
        return []
    return [Todo(f"{row.provider_name}'s forecast is {pounds(row.over_pence)} over its budget for {year.label} "
                 f"(worked out {date_time(row.worked_out_at)})", url_for("budget.monitor", provider=row.provider_id),
                 "See its budget monitor", urgent=True)
            for row in over_budget(year)]


# A provider delivering fewer than this share of its planned sessions is short.
SHORT_BELOW = 0.9


def _short_on_delivery(start: date, end: date, label: str) -> list[Todo]:
    """Each provider's areas that delivered fewer sessions than the plan asked for last quarter."""
    return [Todo(f"{provider.name} delivered {delivered} of {round(float(planned), 1):g} planned sessions "
                 f"{'in ' + area.name if area else 'across its areas'} in {label}",
                 url_for("delivery.overview", provider=provider.id, **({"area": area.id} if area else {}),
                         **{"from": start.isoformat(), "to": end.isoformat()}),
                 "See its delivery", urgent=True)
            for provider, area, delivered, planned in short_of_plan(start, end, below=SHORT_BELOW)]


def todo_for(user, *, today: date | None = None) -> list[Todo]:
    today = today or date.today()
    if is_parent(user):
        return for_parent(user, today=today)
    if sees_all_providers(user):
        return for_coordinator(user, today=today)
    return for_staff(user, today=today)



def weekly_summaries(*, today: date) -> int:
    """Email each member of staff what waits for them (those who have email notifications on and
    something waiting). Returns how many were sent."""
    from flask import current_app

    base = (current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    sent = 0
    staff = db.session.scalars(select(User).where(User.is_enabled.is_(True), User.email_notifications.is_(True),
                                                  User.person_id.is_(None)).order_by(User.id)).all()
    for user in staff:
        with current_app.test_request_context(base_url=base):
            items = todo_for(user, today=today)
        if not items:
            continue
        lines = "\n".join(f"- {item.text}: {base}{item.href}" for item in items)
        send_email(user.email, "What is waiting for you in Pathway this week",
                   f"Hello {user.name},\n\nThis is what is waiting for you:\n\n{lines}\n\n"
                   "You can turn these emails off in Pathway: Your account, then Email notifications.",
                   provider_id=user.provider_id)
        sent += 1
    return sent
