"""Who may do what: every access rule lives here, and nowhere else.

Each action a user can take is a named ``Permission``: the roles that hold it,
one Python check on a user and a record, and one SQL scope for lists and
queues. Views declare ``@permission_required("approve_hours")``; records load
through the scoped loaders below, so a record outside the user's scope is a
404, indistinguishable from one that does not exist; templates ask
``current_user.can("approve_hours", entry)``. Nothing outside this module
compares a user's role: a test fails if anything does.

Two rules hold for every permission marked ``not_own``: nobody acts on their
own record (approving, paying, recording their own training, moving
themselves on), and the refusal happens here, so single actions, bulk
actions, the register and imports all get the same answer.

``flask access routes`` prints the route -> permission table committed in
``app/route_permissions.txt``; a test compares the two, so a change of who may
do what shows in review as a one-line diff.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import abort, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Select, false, func, select, true
from sqlalchemy.orm import selectinload

from app.extensions import db, login_manager
from app.models.auth import Role, User
from app.models.people import Person, Provider, Stage

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


# --- SQL scopes -------------------------------------------------------------


def person_scope(user: User):
    """SQL condition for the people ``user`` may see."""
    if user.role == Role.COORDINATOR:
        return true()
    if user.role == Role.VOLUNTEER:
        return Person.id == user.person_id
    if user.role == Role.AREA_FACILITATOR:
        return (Person.provider_id == user.provider_id) & (Person.area_id == user.area_id)
    return Person.provider_id == user.provider_id


def acting_people(user: User) -> frozenset[int]:
    """The person records that are this user: the one their account is linked to, and anyone at
    their provider with their email address, so an account made unlinked (under Accounts, before
    the person was imported) cannot slip past a "not your own" rule. A second account linked to
    the same person is the same person."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    key = user.id
    # Kept on the request itself (not g, which a test's requests share), so a link made by one
    # request is seen by the next.
    answers = request.environ.setdefault("pathway.acting_people", {}) if has_request_context() else {}
    if key not in answers:
        ids = set() if user.person_id is None else {user.person_id}
        if user.provider_id is not None and user.email:
            ids.update(db.session.scalars(select(Person.id).where(
                Person.provider_id == user.provider_id, func.lower(Person.email) == user.email.lower())))
        answers[key] = frozenset(ids)
    return answers[key]


def same_human(user: User, other: User | None) -> bool:
    """Whether two accounts are one person: the same account, the same linked person, or the
    same email address."""
    if other is None:
        return False
    if other.id == user.id or other.email.lower() == user.email.lower():
        return True
    return bool(acting_people(user) & acting_people(other))


def _not_own(user: User):
    mine = acting_people(user)
    return Person.id.not_in(sorted(mine)) if mine else true()


def _own_provider_people(user: User):
    return Person.provider_id == user.provider_id if user.provider_id else false()


def _session_scope(user: User):
    """People a session's recorder may name as its facilitators: a facilitator's area, the
    provider's for HR, and a co-facilitator's own area's for a co-facilitator."""
    if user.role == Role.VOLUNTEER:
        own_area = select(Person.area_id).where(Person.id == user.person_id).scalar_subquery()
        return (Person.provider_id == user.provider_id) & (Person.area_id == own_area)
    return _manage_scope(user)


def _session_recorder(user: User, record: Any) -> bool:
    """A parent records sessions only as a co-facilitator."""
    if user.role != Role.VOLUNTEER:
        return True
    return user.person is not None and user.person.stage == Stage.CO_FACILITATOR


def records_as_lead(user: User) -> bool:
    """A co-facilitator records only a session they led or co-led."""
    return user.role == Role.VOLUNTEER


def session_areas(user: User, areas: list) -> list:
    """The areas a user records and reads sessions for: a facilitator's or co-facilitator's own."""
    if user.role == Role.VOLUNTEER:
        return [a for a in areas if user.person is not None and a.id == user.person.area_id]
    return area_choices(user, areas)


def _manage_scope(user: User):
    """People a facilitator or HR looks after: their area, or their provider."""
    if user.role == Role.AREA_FACILITATOR:
        return (Person.provider_id == user.provider_id) & (Person.area_id == user.area_id)
    if user.role == Role.HR:
        return _own_provider_people(user)
    return false()


def _invite_scope(user: User):
    """People a user may give a sign-in: those they look after, or (an administrator) the provider's."""
    if user.role == Role.ADMIN:
        return _own_provider_people(user)
    return _manage_scope(user)


def _decide_scope(user: User):
    """What an approver may decide: their people, never their own items."""
    return _manage_scope(user) & _not_own(user)


def _log_scope(user: User):
    if user.role == Role.VOLUNTEER:
        return Person.id == user.person_id
    return _manage_scope(user)


def _hr_not_own(user: User):
    return (_own_provider_people(user) & _not_own(user)) if user.role == Role.HR else false()


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


# --- Views ------------------------------------------------------------------


def permission_required(name: str):
    """Allow the view to signed-in users whose role holds permission ``name``.

    :raises Forbidden: for a signed-in user without it.
    """
    if name not in PERMISSIONS:
        raise KeyError(f"Unknown permission {name!r}: add it to PERMISSIONS in app/access.py")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_role_for(current_user, name):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = name
        return wrapped

    return decorator


def public(view):
    """Mark a view as open to everyone, signed in or not."""
    view.permission = "public"
    return view


def require(name: str, record: Any) -> None:
    """Abort unless the current user may take action ``name`` on ``record``.

    :raises Forbidden: when they may not.
    """
    if not can(current_user, name, record):
        abort(403)


# --- What a role sees -------------------------------------------------------


def session_lifetime(user: User, config) -> timedelta:
    """How long a device stays signed in after signing in, however active: staff see personal data."""
    if user.role == Role.VOLUNTEER:
        return timedelta(days=config["SESSION_DAYS_PARENT"])
    return timedelta(hours=config["SESSION_HOURS_STAFF"])


def idle_minutes(user: User, config) -> int:
    """How long a signed-in device may sit idle: staff are signed out sooner than parents."""
    return config["IDLE_MINUTES_PARENT"] if user.role == Role.VOLUNTEER else config["IDLE_MINUTES_STAFF"]


def needs_second_step(user: User) -> bool:
    """Staff see personal data and move money: they always take a second step at sign-in.
    A parent takes one only if they turned it on."""
    return user.role != Role.VOLUNTEER or user.two_step_method is not None


def may_turn_off_second_step(user: User) -> bool:
    return user.role == Role.VOLUNTEER


def role_label(user: User) -> str:
    """The user's role in words, for the signed-in line."""
    return user.role.label


def home_template(user: User) -> str:
    if not user.grant_confirmed:
        return "main/home_waiting.html"
    return f"main/home_{user.role.value}.html"


def is_parent(user: User) -> bool:
    """A parent on the pathway (volunteer or co-facilitator), signing in for themselves."""
    return user.role == Role.VOLUNTEER


def names_in_compliance(user: User) -> bool:
    """Compliance names people for their provider's staff; the council sees a summary per provider."""
    return user.role != Role.COORDINATOR


def sees_all_providers(user: User) -> bool:
    return user.role == Role.COORDINATOR


def sees_all_areas(user: User) -> bool:
    """HR, administrators and the co-ordinator choose any area; a facilitator has theirs."""
    return user.role != Role.AREA_FACILITATOR


def area_choices(user: User, areas: list) -> list:
    """The areas a user may pick from in filters and forms."""
    return [a for a in areas if sees_all_areas(user) or a.id == user.area_id]


def fixed_area_id(user: User) -> int | None:
    """The area a user is held to (a facilitator's own), or None."""
    return None if sees_all_areas(user) else user.area_id


# --- Scoped loaders ---------------------------------------------------------


def scoped_people(user: User) -> Select:
    return select(Person).where(person_scope(user))


def get_person_or_404(person_id: int, *, for_user: User) -> Person:
    """Load a person the user may see.

    :raises NotFound: if there is no such person or it is outside the user's scope.
    """
    person = db.session.scalar(scoped_people(for_user).where(Person.id == person_id))
    if person is None:
        abort(404)
    return person


def visible_providers(user: User) -> list[Provider]:
    query = select(Provider).order_by(Provider.name)
    if not sees_all_providers(user):
        query = query.where(Provider.id == user.provider_id)
    return list(db.session.scalars(query))


def may_see_provider(user: User, provider_id: int | None) -> bool:
    """Whether ``user`` may see figures for ``provider_id`` (None: every provider together)."""
    if sees_all_providers(user):
        return True
    return provider_id is not None and provider_id == user.provider_id


def get_provider_or_404(provider_id: int | None, *, for_user: User) -> Provider:
    """The provider asked for, or the user's own; the co-ordinator may pick any.

    :raises NotFound: for a provider outside the user's scope.
    """
    providers = visible_providers(for_user)
    if not providers:
        abort(404)
    if provider_id is None:
        return providers[0]
    for provider in providers:
        if provider.id == provider_id:
            return provider
    abort(404)


def _person_record_or_404(model, record_id: int, user: User):
    """A record (with a person_id) whose person the user may see.

    :raises NotFound: if there is no such record or its person is out of scope.
    """
    record = db.session.scalar(select(model).join(Person, Person.id == model.person_id)
                               .where(model.id == record_id, person_scope(user)))
    if record is None:
        abort(404)
    return record


def get_hours_or_404(entry_id: int, *, for_user: User):
    """Load an hours entry whose person the user may see."""
    from app.models.hours import HoursEntry, HoursStatus

    entry = _person_record_or_404(HoursEntry, entry_id, for_user)
    if entry.status == HoursStatus.DRAFT and not can(for_user, "see_drafts", entry):
        abort(404)  # a draft is the parent's own until they send it
    return entry


def get_contract_or_404(contract_id: int, *, for_user: User):
    """Load a contract whose person the user may see."""
    from app.models.establishment import Contract

    return _person_record_or_404(Contract, contract_id, for_user)


def get_establishment_record_or_404(model, record_id: int, *, for_user: User):
    """A post, contract year, budget line or funding row of the user's own provider, or a
    grade they can see (the council's and their provider's).

    :raises NotFound: for one that is not there or not theirs.
    """
    from app.models.establishment import BudgetLine, ContractYear, Funding, Grade

    query = select(model).where(model.id == record_id)
    if model is Grade:
        query = query.where(settings_scope(Grade, for_user))
    elif model in (BudgetLine, Funding):
        query = query.join(ContractYear, ContractYear.id == model.contract_year_id).where(
            ContractYear.provider_id == for_user.provider_id)
    else:
        query = query.where(model.provider_id == for_user.provider_id)
    record = db.session.scalar(query)
    if record is None:
        abort(404)
    return record


def spending_scope(user: User):
    """SQL condition on Spend: the provider's own, or every provider's for the co-ordinator."""
    from app.models.spending import Spend

    return true() if sees_all_providers(user) else Spend.provider_id == user.provider_id


def get_spend_or_404(spend_id: int, *, for_user: User):
    """:raises NotFound: for spending that is not there or not the user's provider's."""
    from app.models.spending import Spend

    spend = db.session.scalar(select(Spend).where(Spend.id == spend_id, spending_scope(for_user)))
    if spend is None:
        abort(404)
    return spend


def delivery_scope(user: User, *, provider_id: int | None = None):
    """SQL condition on DeliverySession: a facilitator's area, a provider's sessions, or (the
    co-ordinator) every provider's, narrowed to ``provider_id`` when given."""
    from app.models.delivery import DeliverySession

    condition = true() if sees_all_providers(user) else DeliverySession.provider_id == user.provider_id
    if not sees_all_areas(user):
        condition = condition & (DeliverySession.area_id == user.area_id)
    if provider_id is not None:
        condition = condition & (DeliverySession.provider_id == provider_id)
    return condition


def get_session_or_404(session_id: int, *, for_user: User):
    from app.models.delivery import DeliverySession

    found = db.session.scalar(select(DeliverySession).where(DeliverySession.id == session_id,
                                                            delivery_scope(for_user)))
    if found is None:
        abort(404)
    return found


def get_claim_or_404(claim_id: int, *, for_user: User):
    """Load an expense claim whose person the user may see (admins and the co-ordinator see
    expenses only in aggregate).

    :raises NotFound: if there is no such claim or it is out of scope.
    """
    from app.models.expenses import ExpenseClaim, ExpenseLine

    if not has_role_for(for_user, "view_expenses"):
        abort(404)
    claim = db.session.scalar(
        select(ExpenseClaim).join(Person, Person.id == ExpenseClaim.person_id)
        .where(ExpenseClaim.id == claim_id, person_scope(for_user))
        .options(selectinload(ExpenseClaim.lines).joinedload(ExpenseLine.category),
                 selectinload(ExpenseClaim.lines).joinedload(ExpenseLine.receipt)))
    if claim is None:
        abort(404)
    return claim


def get_line_or_404(line_id: int, *, for_user: User):
    """Load an expense claim line whose claimant the user may see.

    :raises NotFound: otherwise.
    """
    from app.models.expenses import ExpenseClaim, ExpenseLine

    if not has_role_for(for_user, "view_expenses"):
        abort(404)
    line = db.session.scalar(
        select(ExpenseLine).join(ExpenseClaim, ExpenseClaim.id == ExpenseLine.claim_id)
        .join(Person, Person.id == ExpenseClaim.person_id)
        .where(ExpenseLine.id == line_id, person_scope(for_user)))
    if line is None:
        abort(404)
    return line


def get_receipt_or_404(receipt_id: int, *, for_user: User):
    """A receipt, only for the claimant, their area facilitator and their provider's HR.

    :raises NotFound: for anyone else, as if it did not exist.
    """
    from app.models.expenses import ExpenseClaim, ExpenseLine, Receipt

    if not has_role_for(for_user, "view_expenses"):
        abort(404)
    receipt = db.session.scalar(
        select(Receipt).join(ExpenseLine, ExpenseLine.receipt_id == Receipt.id)
        .join(ExpenseClaim, ExpenseClaim.id == ExpenseLine.claim_id)
        .join(Person, Person.id == ExpenseClaim.person_id)
        .where(Receipt.id == receipt_id, person_scope(for_user)).limit(1))
    if receipt is None:
        abort(404)
    return receipt


def get_certificate_or_404(certificate_id: int, *, for_user: User):
    """A certificate whose person the user may see.

    :raises NotFound: otherwise.
    """
    from app.models.certificates import Certificate

    certificate = db.session.scalar(select(Certificate).join(Person, Person.id == Certificate.person_id)
                                    .where(Certificate.id == certificate_id, person_scope(for_user)))
    if certificate is None:
        abort(404)
    return certificate


def get_job_or_404(job_id: int, *, for_user: User):
    """A job the user asked for, or one for their provider.

    :raises NotFound: for anyone else's.
    """
    from app.models.jobs import Job

    job = db.session.get(Job, job_id)
    if job is None or not can(for_user, "view_jobs", job):
        abort(404)
    return job


def history_scope(user: User):
    """SQL condition on AuditEvent: a provider's own history and every council-wide change."""
    from app.models.audit import AuditEvent

    if sees_all_providers(user):
        return true()
    return (AuditEvent.provider_id == user.provider_id) | AuditEvent.is_council_setting


def settings_scope(model, user: User):
    """SQL condition for the settings rows (activities, courses) a user's forms and lists use:
    the council-wide ones and their own provider's."""
    if sees_all_providers(user):
        return model.provider_id.is_(None)
    return model.provider_id.is_(None) | (model.provider_id == user.provider_id)


def owner_for_new_setting(user: User) -> int | None:
    """A co-ordinator's new setting is council-wide; HR's belongs to their provider."""
    return None if sees_all_providers(user) else user.provider_id


def accounts_scope(user: User):
    """SQL condition on User: the accounts a user may manage."""
    if user.role == Role.COORDINATOR:
        return User.role == Role.COORDINATOR
    return (User.provider_id == user.provider_id) & (User.role != Role.COORDINATOR)


def account_roles(user: User, account: User | None = None) -> list[Role]:
    """The roles a user may give: a provider's staff roles, or the co-ordinator's own. A parent's
    account stays a parent's: they move along the pathway, not through the accounts screen."""
    if account is not None and account.role == Role.VOLUNTEER:
        return [Role.VOLUNTEER]
    if user.role == Role.COORDINATOR:
        return [Role.COORDINATOR]
    return [Role.AREA_FACILITATOR, Role.HR, Role.ADMIN]


def submissions_query(user: User) -> Select:
    """Submitted returns the user may see: their provider's, or every one for the co-ordinator."""
    from app.models.returns import ReturnSubmission

    query = select(ReturnSubmission).order_by(ReturnSubmission.period_end.desc(), ReturnSubmission.version.desc())
    if not sees_all_providers(user):
        query = query.where(ReturnSubmission.provider_id == user.provider_id)
    return query


def get_submission_or_404(submission_id: int, *, for_user: User):
    """A submitted return within the user's scope.

    :raises NotFound: for another provider's, as if it did not exist.
    """
    from app.models.returns import ReturnSubmission

    found = db.session.scalar(submissions_query(for_user).where(ReturnSubmission.id == submission_id))
    if found is None:
        abort(404)
    return found


# --- The committed tables ---------------------------------------------------


def route_table(app) -> list[str]:
    """One line per route and method: the permission it declares and the roles that hold it."""
    lines = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        name = getattr(app.view_functions[rule.endpoint], "permission", "UNDECLARED")
        roles = ("everyone" if name == "public" else
                 " ".join(sorted(r.value for r in PERMISSIONS[name].roles)) if name in PERMISSIONS else "-")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = rule.rule.replace(" ", "")  # one field per column, for the test that reads it
            lines.append(f"{method:<6} {path:<55} {rule.endpoint:<40} {name:<28} {roles}")
    return lines


def roles_table() -> list[str]:
    """The README's roles table: each permission and which roles hold it."""
    order = [Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.HR, Role.ADMIN, Role.COORDINATOR]
    header = "| permission | what it allows | " + " | ".join(r.label for r in order) + " |"
    lines = [header, "| --- | --- |" + " --- |" * len(order)]
    for perm in PERMISSIONS.values():
        if perm.public:
            continue
        marks = " | ".join("yes" if r in perm.roles else "" for r in order)
        own = " (never on their own record)" if perm.not_own else ""
        lines.append(f"| `{perm.name}` | {perm.description}{own} | {marks} |")
    return lines
