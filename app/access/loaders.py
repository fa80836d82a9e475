"""Scoped loaders: a record the user may see, or a 404 indistinguishable from one that does
not exist."""

from dataclasses import dataclass

from flask import abort, has_request_context, request
from sqlalchemy import Select, false, select, true
from sqlalchemy.orm import selectinload

from app import generation
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role, User
from app.models.certificates import Certificate
from app.models.delivery import DeliverySession
from app.models.establishment import BudgetLine, Contract, ContractYear, Funding, Grade, VolunteerRole
from app.models.expenses import ExpenseClaim, ExpenseLine, Receipt
from app.models.hours import HoursEntry, HoursStatus
from app.models.jobs import Job
from app.models.people import Person, Provider
from app.models.recruitment import Applicant
from app.models.returns import ReturnSubmission
from app.models.spending import Spend

from .permissions import can, has_role_for
from .policy import sees_all_areas, sees_all_providers
from .scopes import person_scope


def scoped_people(user: User) -> Select:
    return select(Person).where(person_scope(user))


def get_person_or_404(person_id: int, *, for_user: User, options: tuple = ()) -> Person:
    """Load a person the user may see (with loader ``options``: what the page reads of them).

    :raises NotFound: if there is no such person or it is outside the user's scope.
    """
    person = db.session.scalars(scoped_people(for_user).where(Person.id == person_id).options(*options)) \
        .unique().one_or_none()
    if person is None:
        abort(404)
    return person


def visible_providers(user: User) -> list[Provider]:
    """The providers the user may see, by name: their own (loaded with their session), or every
    provider for the co-ordinator (read once a request; callers only read the list)."""
    if not sees_all_providers(user):
        return [user.provider] if user.provider_id is not None else []
    kept = request.environ.setdefault("pathway.providers", {}) if has_request_context() else {}
    if user.id not in kept:
        kept[user.id] = list(db.session.scalars(select(Provider).order_by(Provider.name)))
    return kept[user.id]


@dataclass(frozen=True)
class Named:
    """A record's id and name, as a filter's choices show it: plain, so it can be kept."""

    id: int
    name: str


def provider_choices(user: User) -> list:
    """The providers a filter offers the user, by name (their own, or every provider for the
    co-ordinator, kept until the data changes: no statement a request)."""
    if not sees_all_providers(user):
        return visible_providers(user)
    return list(generation.kept(("provider choices",), lambda: tuple(
        Named(id_, name) for id_, name in db.session.execute(select(Provider.id, Provider.name)
                                                              .order_by(Provider.name, Provider.id)))))


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
    entry = _person_record_or_404(HoursEntry, entry_id, for_user)
    if entry.status == HoursStatus.DRAFT and not can(for_user, "see_drafts", entry):
        abort(404)  # a draft is the parent's own until they send it
    return entry


def get_contract_or_404(contract_id: int, *, for_user: User):
    """Load a contract whose person the user may see."""
    return _person_record_or_404(Contract, contract_id, for_user)


def applicant_scope(user: User):
    """SQL condition on Applicant: HR's whole provider, an area facilitator's area; nobody else's."""
    if user.role == Role.HR:
        return Applicant.provider_id == user.provider_id
    if user.role == Role.AREA_FACILITATOR:
        return (Applicant.provider_id == user.provider_id) & (Applicant.area_id == user.area_id)
    return false()


def recruiters(provider_id: int, area_id: int):
    """SQL condition on User: the accounts that may act on an applicant of the provider in the
    area (the provider's HR, and the area's facilitator)."""
    return (User.provider_id == provider_id) & (
        (User.role == Role.HR) | ((User.role == Role.AREA_FACILITATOR) & (User.area_id == area_id)))


def get_applicant_or_404(applicant_id: int, *, for_user: User):
    """:raises NotFound: for an applicant who is not there or not in the user's scope."""
    applicant = db.session.scalar(select(Applicant).where(Applicant.id == applicant_id, applicant_scope(for_user)))
    if applicant is None:
        abort(404)
    return applicant


def get_volunteer_role_or_404(role_id: int, *, for_user: User):
    """Load a volunteer role whose person the user may see."""
    return _person_record_or_404(VolunteerRole, role_id, for_user)


def get_establishment_record_or_404(model, record_id: int, *, for_user: User):
    """A post, contract year, budget line or funding row of the user's own provider, or a
    grade they can see (the council's and their provider's).

    :raises NotFound: for one that is not there or not theirs.
    """
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
    return true() if sees_all_providers(user) else Spend.provider_id == user.provider_id


def get_spend_or_404(spend_id: int, *, for_user: User):
    """:raises NotFound: for spending that is not there or not the user's provider's."""
    spend = db.session.scalar(select(Spend).where(Spend.id == spend_id, spending_scope(for_user)))
    if spend is None:
        abort(404)
    return spend


def delivery_scope(user: User, *, provider_id: int | None = None):
    """SQL condition on DeliverySession: a facilitator's area, a provider's sessions, or (the
    co-ordinator) every provider's, narrowed to ``provider_id`` when given."""
    condition = true() if sees_all_providers(user) else DeliverySession.provider_id == user.provider_id
    if not sees_all_areas(user):
        condition = condition & (DeliverySession.area_id == user.area_id)
    if provider_id is not None:
        condition = condition & (DeliverySession.provider_id == provider_id)
    return condition


def get_session_or_404(session_id: int, *, for_user: User):
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
    certificate = db.session.scalar(select(Certificate).join(Person, Person.id == Certificate.person_id)
                                    .where(Certificate.id == certificate_id, person_scope(for_user)))
    if certificate is None:
        abort(404)
    return certificate


def get_job_or_404(job_id: int, *, for_user: User):
    """A job the user asked for, or one for their provider.

    :raises NotFound: for anyone else's.
    """
    job = db.session.get(Job, job_id)
    if job is None or not can(for_user, "view_jobs", job):
        abort(404)
    return job


def history_scope(user: User):
    """SQL condition on AuditEvent: a provider's own history and every council-wide change."""
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


def get_account_or_404(account_id: int, *, for_user: User) -> User:
    """An account the user may manage.

    :raises NotFound: for one outside their provider (or the council's, for the co-ordinator).
    """
    account = db.session.scalar(select(User).where(User.id == account_id, accounts_scope(for_user)))
    if account is None:
        abort(404)
    return account


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
    query = select(ReturnSubmission).order_by(ReturnSubmission.period_end.desc(), ReturnSubmission.version.desc())
    if not sees_all_providers(user):
        query = query.where(ReturnSubmission.provider_id == user.provider_id)
    return query


def get_submission_or_404(submission_id: int, *, for_user: User):
    """A submitted return within the user's scope.

    :raises NotFound: for another provider's, as if it did not exist.
    """
    found = db.session.scalar(submissions_query(for_user).where(ReturnSubmission.id == submission_id))
    if found is None:
        abort(404)
    return found
