"""Adding providers (with their first member of staff, invited) and areas; audited, flushed."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.accounts.services import AccountError, create_staff_account
from app.audit import services as audit
from app.extensions import db
from app.formatting import long_date, pounds
from app.models.auth import Role, User
from app.models.council import (
    Commission,
    CommissionFunding,
    CommissionYear,
    CouncilPost,
    Decision,
    Lot,
    ReviewPoint,
    Term,
)
from app.models.expenses import MileageRate, Vehicle
from app.models.people import Area, Provider
from app.models.returns import VolunteerHourValue


class CouncilError(ValueError):
    """A rule was broken; args are (field name, message)."""


def add_provider(*, name: str, person_name: str, email: str, role: str, actor, now: datetime) -> tuple[User, str]:
    """A provider and its first member of staff; returns their account and invitation token.

    :raises CouncilError: for a name or email address already in use.
    """
    name = name.strip()
    if db.session.scalar(select(Provider.id).where(func.lower(Provider.name) == name.lower())) is not None:
        raise CouncilError("name", f"There is already a provider called {name}")
    provider = Provider(name=name)
    db.session.add(provider)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=provider, provider_id=provider.id,
                 summary=f"Added the provider {name}")
    try:
        return create_staff_account(name=person_name, email=email, role=Role(role), area_id=None,
                                    provider_id=provider.id, actor=actor, now=now, confirmed=True)
    except AccountError as error:
        raise CouncilError(error.args[0], error.args[1]) from error


def add_area(*, name: str, actor) -> Area:
    """:raises CouncilError: for a name already in use."""
    name = name.strip()
    if db.session.scalar(select(Area.id).where(func.lower(Area.name) == name.lower())) is not None:
        raise CouncilError("name", f"There is already an area called {name}")
    area = Area(name=name)
    db.session.add(area)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=area, summary=f"Added the area {name}", council=True)
    return area


# The contract ------------------------------------------------------------------------------

def _quarter_before(day: date) -> date:
    """The last day of the month three months before ``day``'s month: 31 March gives 31 December."""
    year, month = day.year, day.month - 2
    if month <= 0:
        year, month = year - 1, month + 12
    return date(year, month, 1) - timedelta(days=1)


def _year_label(starts_on: date) -> str:
    return f"{starts_on.year}/{(starts_on.year + 1) % 100:02d}"


def _add_year(commission: Commission, starts_on: date, *, extension: bool) -> CommissionYear:
    ends_on = starts_on.replace(year=starts_on.year + 1) - timedelta(days=1)
    year = CommissionYear(label=_year_label(starts_on), starts_on=starts_on, ends_on=ends_on, is_extension=extension)
    commission.years.append(year)
    # Each year is reviewed a quarter before it ends: in time to decide the next.
    commission.review_points.append(ReviewPoint(due_on=_quarter_before(ends_on)))
    return year


def the_commission() -> Commission | None:
    return db.session.scalar(select(Commission).order_by(Commission.id).limit(1))


def council_name() -> str:
    """The commissioning council's name, from the contract's data ("" before it is set up)."""
    return db.session.scalar(select(Commission.council_name).order_by(Commission.id).limit(1)) or ""


def set_up_commission(*, name: str, starts_on: date, term: str, extension_years_allowed: int, actor,
                      council: str = "") -> Commission:
    """The council's contract: three years from ``starts_on``, each with a review point.

    :raises CouncilError: when the contract is already set up.
    """
    if the_commission() is not None:
        raise CouncilError("name", "The contract is already set up")
    commission = Commission(name=name.strip(), starts_on=starts_on, term=Term(term), council_name=council.strip(),
                            extension_years_allowed=extension_years_allowed)
    for offset in range(3):
        _add_year(commission, starts_on.replace(year=starts_on.year + offset), extension=False)
    db.session.add(commission)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=commission, council=True,
                 summary=f"Set up the contract {commission.name}: {commission.term.label}, from "
                         f"{long_date(starts_on)}, extension of up to {extension_years_allowed} years")
    return commission


def take_extension(commission: Commission, *, years: int, actor) -> None:
    """:raises CouncilError: for more years than the contract allows."""
    left = commission.extension_years_allowed - commission.extension_years_taken
    if not 1 <= years <= left:
        raise CouncilError("years", f"The contract allows {left} more extension year{'s' if left != 1 else ''}")
    for _ in range(years):
        last = commission.years[-1]
        _add_year(commission, last.ends_on + timedelta(days=1), extension=True)
    db.session.flush()
    audit.record(actor=actor, action="update", entity=commission, council=True,
                 summary=f"Took a {years}-year extension: the contract now runs to "
                         f"{long_date(commission.years[-1].ends_on)}")


def set_funding(year: CommissionYear, *, source: str, amount_pence: int, actor) -> CommissionFunding:
    """Funding for a year from a source; a source already there is changed, not added twice."""
    found = next((f for f in year.funding if f.source.lower() == source.strip().lower()), None)
    if found is None:
        found = CommissionFunding(source=source.strip(), amount_pence=amount_pence)
        year.funding.append(found)
    else:
        found.amount_pence = amount_pence
    db.session.flush()
    audit.record(actor=actor, action="update", entity=year.commission, council=True,
                 summary=f"{year.label} funding from {found.source}: {pounds(amount_pence)}")
    return found


def decide_review(point: ReviewPoint, *, decision: str, note: str | None, actor, today: date) -> None:
    """:raises CouncilError: for a review already decided, or changes with no note of what they are."""
    if point.decision is not None:
        raise CouncilError("decision", "This review has already been decided")
    if decision == Decision.CHANGES and not (note or "").strip():
        raise CouncilError("note", "Say what changes")
    point.decision, point.note = Decision(decision), (note or "").strip() or None
    point.decided_by_id, point.decided_on = actor.id if actor else None, today
    db.session.flush()
    audit.record(actor=actor, action="update", entity=point, council=True,
                 summary=f"Review of {long_date(point.due_on)}: {point.decision.label}"
                         + (f". {point.note}" if point.note else ""))


def add_lot(commission: Commission, *, name: str, provider: Provider, areas: list[Area], offers: str,
            first_year_on: date, last_year_on: date | None, actor) -> Lot:
    """:raises CouncilError: for no areas, or an area another lot holds in the same years."""
    if not areas:
        raise CouncilError("area_ids", "Choose the areas this lot covers")
    if last_year_on is not None and last_year_on < first_year_on:
        raise CouncilError("last_year_on", "The last year must be the first year or later")
    for lot in commission.lots:
        overlaps = (lot.last_year_on is None or lot.last_year_on >= first_year_on) and (
            last_year_on is None or last_year_on >= lot.first_year_on)
        shared = {a.name for a in lot.areas} & {a.name for a in areas}
        if overlaps and shared:
            raise CouncilError("area_ids", f"{', '.join(sorted(shared))} is already in {lot.name} "
                                           f"({lot.provider.name}) for those years")
    lot = Lot(name=name.strip(), provider_id=provider.id, offers=offers.strip(), first_year_on=first_year_on,
              last_year_on=last_year_on)
    lot.areas = areas
    commission.lots.append(lot)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=lot, council=True,
                 summary=f"Let {lot.name} to {provider.name}: {', '.join(a.name for a in areas)}")
    return lot


def add_council_post(commission: Commission, *, title: str, grade, fte, actor) -> CouncilPost:
    """:raises CouncilError: for a grade that is not the council's own."""
    if grade is None or grade.provider_id is not None:
        raise CouncilError("grade_id", "Choose a grade on the council's pay scale")
    post = CouncilPost(title=title.strip(), grade_id=grade.id, fte=fte)
    commission.council_posts.append(post)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=post, council=True,
                 summary=f"Added the council's post {post.title} ({grade.code}, {fte:f} FTE) to the county budget")
    return post


# Dated rates the whole contract uses ---------------------------------------------------------

def add_hour_value(*, effective_from: date, pence_per_hour: int, source: str, actor):
    """The notional value of a volunteer's hour from a date (for social value reporting).

    :raises CouncilError: for a date that already has a value.
    """
    if db.session.scalar(select(VolunteerHourValue.id).where(VolunteerHourValue.effective_from == effective_from)):
        raise CouncilError("effective_from", f"There is already a value from {long_date(effective_from)}")
    value = VolunteerHourValue(effective_from=effective_from, pence_per_hour=pence_per_hour, source=source.strip())
    db.session.add(value)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=value, council=True,
                 summary=f"Volunteer hour value from {long_date(effective_from)}: "
                         f"{pounds(pence_per_hour, pence_shown=True)} ({value.source})")
    return value


def add_mileage_rate(*, vehicle: str, effective_from: date, pence_per_mile: int, threshold_miles: int | None,
                     pence_after_threshold: int | None, actor):
    """An HMRC mileage rate from a date: claims for journeys from then use it; earlier ones keep theirs.

    :raises CouncilError: for a threshold without its rate (or the other way), or a date already there.
    """
    if (threshold_miles is None) != (pence_after_threshold is None):
        raise CouncilError("pence_after_threshold", "Enter both the miles and the rate after them, or neither")
    if db.session.scalar(select(MileageRate.id).where(MileageRate.vehicle == Vehicle(vehicle),
                                                      MileageRate.effective_from == effective_from)):
        raise CouncilError("effective_from",
                           f"There is already a rate for this vehicle from {long_date(effective_from)}")
    rate = MileageRate(vehicle=Vehicle(vehicle), effective_from=effective_from, pence_per_mile=pence_per_mile,
                       threshold_miles=threshold_miles, pence_after_threshold=pence_after_threshold)
    db.session.add(rate)
    db.session.flush()
    after = f", {pence_after_threshold}p after {threshold_miles:,} miles" if threshold_miles else ""
    audit.record(actor=actor, action="create", entity=rate, council=True,
                 summary=f"Mileage rate for {Vehicle(vehicle).label.lower()} from {long_date(effective_from)}: "
                         f"{pence_per_mile}p a mile{after}")
    return rate
