"""The permission table: each named action, the roles that hold it, its SQL scope and its
record check; and the questions every view, template and service asks of it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import g, has_request_context
from sqlalchemy import false, func, select

from app.extensions import db
from app.models.auth import Role, User
from app.models.people import Person, Provider

from .scopes import (
    _decide_scope,
    _hr_not_own,
    _invite_scope,
    _log_scope,
    _manage_scope,
    _not_own,
    _own_provider_people,
    _session_recorder,
    _session_scope,
    acting_people,
    person_scope,
    same_human,
)

ALL_ROLES = frozenset(Role)
PARENT = frozenset({Role.VOLUNTEER})
FACILITATOR = frozenset({Role.AREA_FACILITATOR})
HR = frozenset({Role.HR})
ADMIN = frozenset({Role.ADMIN})
COORDINATOR = frozenset({Role.COORDINATOR})
APPROVERS = FACILITATOR | HR
STAFF = APPROVERS | ADMIN | COORDINATOR
PROVIDER_OFFICE = HR | ADMIN | COORDINATOR
# Roles that see personal records one by one (not only in aggregate).
EXPENSE_VIEWERS = PARENT | APPROVERS


# --- Record checks ----------------------------------------------------------


def _person_of(record: Any) -> Person | None:
    if record is None or isinstance(record, Person):
        return record
    if isinstance(record, User):
        return None  # an account is checked as an account, not as its person
    if getattr(record, "claim", None) is not None and not hasattr(record, "person"):
        return record.claim.person  # an expense line
    return getattr(record, "person", None)


def _in_scope(scope: Callable[[User], Any]) -> Callable[[User, Any], bool]:
    """A record check that evaluates a person scope in Python, for one record."""

    def check(user: User, record: Any) -> bool:
        person = _person_of(record)
        if person is None:
            return True
        # A page asks about the same person many times (a button per certificate, per line):
        # each scope is worked out once per request, not once per question.
        key = (scope, user.id, person.id)
        answers = g.setdefault("_scope_answers", {}) if has_request_context() else {}
        if key not in answers:
            answers[key] = bool(db.session.scalar(select(Person.id).where(Person.id == person.id, scope(user))))
        return answers[key]

    return check


def _same_provider(user: User, record: Any) -> bool:
    if record is None:
        return True
    owner = record.id if isinstance(record, Provider) else getattr(record, "provider_id", None)
    return owner == user.provider_id


def _owned_setting(user: User, record: Any) -> bool:
    """A provider's own setting is its HR's; a council-wide one (no provider) is the co-ordinator's."""
    if record is None:
        return True
    owner = getattr(record, "provider_id", None)
    if owner is None:
        return user.role == Role.COORDINATOR
    return user.role == Role.HR and owner == user.provider_id


def _applicant_check(user: User, applicant: Any) -> bool:
    """An applicant is their provider's HR's, and their area's facilitator's."""
    if applicant is None:
        return True
    if applicant.provider_id != user.provider_id:
        return False
    return user.role == Role.HR or (user.role == Role.AREA_FACILITATOR and applicant.area_id == user.area_id)


def _job_check(user: User, job: Any) -> bool:
    if job is None:
        return True
    if job.requested_by_id == user.id:
        return True
    return user.role != Role.COORDINATOR and job.provider_id == user.provider_id


def _account_check(user: User, account: Any) -> bool:
    """A provider's staff accounts are its administrators' and HR's; the council's are the
    co-ordinator's. Nobody changes their own account here."""
    if account is None:
        return True
    if not isinstance(account, User) or same_human(user, account):
        return False
    if user.role == Role.COORDINATOR:
        return account.role == Role.COORDINATOR
    return account.role != Role.COORDINATOR and account.provider_id == user.provider_id


def _grant_check(user: User, account: Any) -> bool:
    """A staff role is confirmed by someone at its provider who neither holds it nor gave it,
    through any account they hold; the co-ordinator confirms only where the provider has no
    second administrator or HR to do it."""
    if account is None:
        return True
    if not isinstance(account, User) or account.grant_confirmed or same_human(user, account):
        return False
    if account.granted_by_id is not None and same_human(user, db.session.get(User, account.granted_by_id)):
        return False
    if user.role == Role.COORDINATOR:
        return account.provider_id is not None and _confirmed_grantors(account) < 2
    return account.provider_id == user.provider_id


def _confirmed_grantors(account: User) -> int:
    return db.session.scalar(select(func.count(User.id)).where(
        User.provider_id == account.provider_id, User.id != account.id, User.is_enabled, User.grant_confirmed,
        User.role.in_([Role.ADMIN, Role.HR]))) or 0


def _decide_spend(user: User, spend: Any) -> bool:
    """Spending is approved within its provider, by someone other than who recorded it."""
    if spend is None:
        return True
    return spend.provider_id == user.provider_id and not recorded_it(user, spend)


def recorded_it(user: User, record: Any) -> bool:
    """Whether ``user`` (through any account they hold) recorded ``record`` (its recorded_by_id)."""
    recorder_id = getattr(record, "recorded_by_id", None)
    return recorder_id is not None and same_human(user, db.session.get(User, recorder_id))


def _submission_check(user: User, submission: Any) -> bool:
    if submission is None or user.role == Role.COORDINATOR:
        return True
    return submission.provider_id == user.provider_id


# --- The permissions --------------------------------------------------------


@dataclass(frozen=True)
class Permission:
    name: str
    roles: frozenset[Role]
    description: str
    # A Person-level SQL scope for lists and queues; records are checked against it.
    scope: Callable[[User], Any] = person_scope
    # An extra check on a non-person record (a job, a setting, a submission).
    check: Callable[[User, Any], bool] | None = None
    # Refused on the user's own record, whatever their role.
    not_own: bool = False
    own_refusal: str = ""
    public: bool = field(default=False)


def _p(name, roles, description, **kw) -> Permission:
    return Permission(name, frozenset(roles), description, **kw)


PERMISSIONS: dict[str, Permission] = {p.name: p for p in (
    _p("public", ALL_ROLES, "Open to everyone, signed in or not", public=True),
    _p("use_account", ALL_ROLES, "Sign out, change their password, see their home page"),
    _p("view_own_record", PARENT, "Go to their own record, hours and expenses"),
    _p("view_person", ALL_ROLES, "See a person's record, hours, pathway and certificates (within scope)"),
    _p("view_people", STAFF, "List and search people"),
    _p("manage_people", HR, "Add people and change their details", scope=_own_provider_people),
    _p("see_contact_details", PARENT | APPROVERS | ADMIN, "See a person's email and phone"),
    _p("log_hours_for", PARENT | APPROVERS, "Log, change and submit hours (their own, or for their people)",
       scope=_log_scope),
    _p("approve_hours", APPROVERS, "Approve, reject or correct hours", scope=_decide_scope, not_own=True,
       own_refusal="You cannot approve your own hours: they go to someone else"),
    _p("manage_hours_settings", HR, "Choose whether hours are kept to the minute or to the nearest quarter hour"),
    _p("record_register", APPROVERS, "Record a session register of people's hours", scope=_manage_scope),
    _p("remind", APPROVERS, "Send reminders to log hours", scope=_manage_scope),
    _p("manage_activities", HR | COORDINATOR, "Add or retire activities (a provider's own, or council-wide)",
       check=_owned_setting),
    _p("view_expenses", EXPENSE_VIEWERS, "See expense claims and receipts one by one"),
    _p("claim_expenses", PARENT | APPROVERS, "Make and change an expense claim (their own, or for their people)",
       scope=_log_scope),
    _p("decide_expense_lines", APPROVERS, "Approve or reject claim lines", scope=_decide_scope, not_own=True,
       own_refusal="You cannot approve your own expenses: they go to someone else"),
    _p("pay_expenses", HR, "Pay approved claims and adjust paid lines", scope=_hr_not_own, not_own=True,
       own_refusal="You cannot pay or adjust your own expenses"),
    _p("view_establishment", PROVIDER_OFFICE, "See posts, grades and the budget table"),
    _p("view_budget", PROVIDER_OFFICE, "See the budget monitor"),
    _p("reconcile_payroll", HR, "See what payroll paid each person beside Pathway's estimate, month by month"),
    _p("view_fte", PROVIDER_OFFICE | FACILITATOR, "See FTE used against budget"),
    _p("import_data", HR, "Import people, hours, expenses and training from files"),
    _p("view_go_live", HR | ADMIN, "See the go-live checklist: what the provider needs before its first return"),
    _p("record_training", APPROVERS, "Record training and attendance", scope=_decide_scope, not_own=True,
       own_refusal="You cannot record your own training: ask HR"),
    _p("record_checks", HR, "Record DBS, right to work and reference checks", scope=_hr_not_own, not_own=True,
       own_refusal="You cannot record your own checks"),
    _p("view_check_details", HR, "See DBS and right to work details (criminal-offence data)",
       scope=_own_provider_people),
    _p("recommend", APPROVERS, "Recommend someone for the next stage", scope=_decide_scope, not_own=True,
       own_refusal="You cannot recommend yourself"),
    _p("manage_providers", COORDINATOR, "Add the providers the council commissions, and the areas it covers"),
    _p("view_delivery", STAFF, "See sessions delivered, families reached and hours against the plan (within scope)"),
    _p("record_sessions", APPROVERS | PARENT, "Record a session delivered and its facilitators' hours (their "
       "area, or the provider's; a co-facilitator, a session they led)", scope=_session_scope,
       check=_session_recorder),
    _p("manage_delivery_plan", HR | COORDINATOR,
       "Set the delivery plan from a date (a provider's own, or the council's for everyone)"),
    _p("manage_commission", COORDINATOR,
       "See and keep the council's contract: years, review points, extension, funding, lots, the county budget"),
    _p("manage_rates", COORDINATOR, "Add the dated rates the whole contract uses: volunteer hour value, mileage"),
    _p("manage_posts", HR, "Add and change the provider's posts", check=_same_provider),
    _p("manage_grades", HR | COORDINATOR,
       "Add grades, pay points and pay awards (a provider's own, or the council's pay scale)", check=_owned_setting),
    _p("manage_budget", HR, "Add contract years, and change their budget lines and funding", check=_same_provider),
    _p("view_spending", PROVIDER_OFFICE, "See non-pay spending and its invoices"),
    _p("record_spending", HR, "Record non-pay spending (invoices and receipts) against budget lines",
       check=_same_provider),
    _p("approve_spending", HR, "Approve or send back non-pay spending that someone else recorded",
       check=_decide_spend),
    _p("manage_contracts", HR, "Give someone a post and contract, change their hours from a date, end it",
       scope=_hr_not_own, not_own=True, own_refusal="You cannot change your own contract"),
    _p("manage_recruitment", APPROVERS, "See parents' expressions of interest and move them along the way in to "
       "their first day (HR: the provider's; an area facilitator: their area's)", check=_applicant_check),
    _p("manage_recruitment_stages", HR, "Rename the stages of the way in and add new ones", check=_same_provider),
    _p("record_way_in_training", APPROVERS, "Record training a parent did on the way in (an induction course); it "
       "goes onto their record when they start", check=_applicant_check),
    _p("record_way_in_checks", HR, "Record a check made on the way in (DBS, right to work, a reference); it goes "
       "onto their record when they start", check=_applicant_check),
    _p("read_references", HR, "Read what referees said about a parent on their way in", check=_applicant_check),
    _p("answer_equality", ALL_ROLES, "Answer or change their own equality monitoring questions (optional; only "
       "their own, from their account)"),
    _p("read_equality", HR, "See the equality monitoring report: counts by group at each stage, small numbers "
       "hidden, never a person's answers"),
    _p("move_on", HR, "Move someone along the pathway, or correct a stage change", scope=_hr_not_own,
       not_own=True, own_refusal="You cannot move yourself along the pathway"),
    _p("view_compliance", STAFF, "See training compliance (the co-ordinator: a summary per provider, no names)"),
    _p("see_lived_experience", PARENT | APPROVERS | ADMIN,
       "See a named person's answer on lived experience (the co-ordinator sees only the totals)"),
    _p("see_drafts", PARENT | APPROVERS | ADMIN, "See hours a parent has saved but not sent"),
    _p("view_pathway", PROVIDER_OFFICE, "See the pathway's figures"),
    _p("view_courses", STAFF, "See the course catalogue"),
    _p("manage_courses", HR | COORDINATOR, "Add and change courses (a provider's own, or council-wide)",
       check=_owned_setting),
    _p("manage_stage_requirements", COORDINATOR, "Set what each stage requires, for the whole contract"),
    _p("manage_own_requirements", HR, "Add the provider's own requirements for a stage, on top of the council's "
       "(stricter, never looser)"),
    _p("issue_certificates", HR, "Download certificates in bulk, revoke a certificate",
       scope=_own_provider_people),
    _p("download_certificate", ALL_ROLES, "Download a certificate (within scope)"),
    _p("view_jobs", PROVIDER_OFFICE, "Follow and download background jobs they asked for", check=_job_check),
    _p("retry_job", PROVIDER_OFFICE, "Start again a background job of theirs that failed", check=_job_check),
    _p("view_return", PROVIDER_OFFICE, "See and download the workforce return", check=_submission_check),
    _p("submit_return", HR, "Submit the workforce return", check=_same_provider),
    _p("export_personal_data", HR, "Download everything held on a person", scope=_own_provider_people),
    _p("anonymise", HR, "Remove a leaver's personal details", scope=_own_provider_people),
    _p("remove_person", HR, "Remove a person added in error, while nothing depends on them", scope=_hr_not_own,
       not_own=True, own_refusal="You cannot remove your own record"),
    _p("manage_accounts", ADMIN | HR | COORDINATOR,
       "Create, change, unlock and switch off accounts (a provider's staff; the council's own)",
       check=_account_check),
    _p("invite_people", APPROVERS | ADMIN, "Invite a parent to sign in, by email or a printed letter",
       scope=_invite_scope),
    _p("grant_staff_role", ADMIN | HR, "Give a person on their record a staff role (it waits for a second "
       "person to confirm it)", scope=_own_provider_people, not_own=True,
       own_refusal="You cannot give yourself a role: ask another administrator or HR"),
    _p("confirm_grants", ADMIN | HR | COORDINATOR, "Confirm a staff role someone else gave (the co-ordinator: "
       "only for a provider with one administrator)", check=_grant_check),
    _p("reset_second_step", ADMIN | COORDINATOR,
       "Reset someone's two-step sign-in when they lose their phone (a provider's accounts; the council's own)",
       check=_account_check),
    _p("manage_sign_in_settings", ADMIN, "Choose whether staff may take the second sign-in step by email"),
    _p("view_outbox", ADMIN, "Read the last messages kept when no mail server is set up"),
    _p("view_history", HR | ADMIN | COORDINATOR,
       "Search the change history (their provider's, and changes to council-wide settings)"),
)}


def permission(name: str) -> Permission:
    return PERMISSIONS[name]


# What an account holds while its staff role waits for a second person to confirm it.
BEFORE_CONFIRMATION = frozenset({"public", "use_account"})


def has_role_for(user: User, name: str) -> bool:
    """Whether the user's role holds permission ``name`` at all. A staff role that can approve,
    pay or grant holds nothing but its own account until someone else confirms it."""
    if not user.is_authenticated or user.role not in PERMISSIONS[name].roles:
        return False
    return user.grant_confirmed or name in BEFORE_CONFIRMATION


def own_record(user: User | None, record: Any) -> bool:
    """Whether ``record`` is the user's own person or belongs to them, through any account they
    hold (see ``acting_people``)."""
    if user is None or record is None or not getattr(user, "is_authenticated", False):
        return False
    if isinstance(record, Person):
        person_id = record.id
    else:
        person_id = getattr(record, "person_id", None)
        if person_id is None and getattr(record, "claim", None) is not None:
            person_id = record.claim.person_id  # an expense line belongs to its claim's person
    return person_id is not None and person_id in acting_people(user)


def may_withdraw(user: User, claim: Any) -> bool:
    """Only whoever sent a claim (its claimant, or whoever entered it for them) takes it back: an
    approver is offered approve and send back, never withdraw."""
    if claim is None or not can(user, "claim_expenses", claim.person):
        return False
    return own_record(user, claim) or claim.entered_by_id == user.id


def refuse_own(actor: User | None, name: str, record: Any, error: Callable[[str], Exception]) -> None:
    """For services: refuse an action on the actor's own record, whatever the caller checked.

    :raises Exception: ``error(message)`` when ``actor`` would act on their own record.
    """
    if actor is not None and PERMISSIONS[name].not_own and own_record(actor, record):
        raise error(PERMISSIONS[name].own_refusal)


def can(user: User, name: str, record: Any = None) -> bool:
    """May ``user`` take action ``name`` on ``record`` (a person, or something of one)?"""
    perm = PERMISSIONS[name]
    if perm.public:
        return True
    if not has_role_for(user, name):
        return False
    if perm.not_own and own_record(user, record):
        return False
    if perm.check is not None and not isinstance(record, Person) and _person_of(record) is None:
        return perm.check(user, record)
    return _in_scope(perm.scope)(user, record)


def refusal(user: User, name: str, record: Any = None) -> str | None:
    """Why an action is not offered, in words for the page; None when it is allowed."""
    if can(user, name, record):
        return None
    perm = PERMISSIONS[name]
    if perm.not_own and own_record(user, record):
        return perm.own_refusal
    return "You do not have permission to do this"


def scope(name: str, user: User):
    """The SQL condition (on Person) for the records ``user`` may act on under ``name``."""
    if not has_role_for(user, name):
        return false()
    condition = PERMISSIONS[name].scope(user)
    return condition & _not_own(user) if PERMISSIONS[name].not_own else condition
