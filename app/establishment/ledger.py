"""The cost ledger: each contract's cost in each month, as payroll works it, kept in step.

One pricing writes it (``price_people``), and every costed page reads it: the budget monitor's
actual and committed, the Employment Allowance, the return's pay cost. A month is priced as
payroll pays it (app.establishment.payroll): a twelfth of the salary at the person's point (or
the grade's mid-point where nobody placed them), prorated for a part month and split where the
point, an award or the hours change; sessional hours at the rate in force on the day worked,
with holiday pay; then employer NI and pension on the person's whole month, shared across their
contracts in proportion to pay (or each grade's flat on-cost where the provider has no
statutory rule). The on-cost rule is the one in force on the pay day, the month's last day.

The ledger covers the months of the provider's contract years. It is brought up to date in the
same transaction as any change that moves it, whichever way the change is made: the people a
change touches (a contract, a placement, approved hours, leaving, a pension opt-out) are priced
again; a change to a grade's points or rates, an on-cost rule, a contract year or a provider's
pay settings prices again everyone it applies to. ``flask summaries rebuild`` prices everything
again, ``flask summaries check`` compares the ledger with a fresh pricing.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session, selectinload

from app.changes import any_changed, old_value
from app.formatting import long_date
from app.models.establishment import (
    Contract,
    ContractYear,
    CostMonth,
    Grade,
    GradePoint,
    HourlyRate,
    OnCostRule,
    PayPoint,
    PensionOptOut,
    PointPlacement,
    Post,
    fte_of_weekly_hours,
)
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person, Provider
from app.periods import month_end, months_between

from .costs import hourly_rate, on_cost_rules_of, salary_at, terms_on
from .payroll import employer_ni, employer_pension, is_enrolled, month_share, penny
from .points import change_days, is_placed

EVERYONE = "everyone"
_BATCH = 400

_LOADS = (selectinload(Contract.post).selectinload(Post.grade).selectinload(Grade.pay_points),
          selectinload(Contract.post).selectinload(Post.grade).selectinload(Grade.points),
          selectinload(Contract.post).selectinload(Post.grade).selectinload(Grade.hourly_rates),
          selectinload(Contract.post).selectinload(Post.provider),
          selectinload(Contract.placements), selectinload(Contract.person))


def _spans(session: Session, provider_ids: set[int]) -> dict[int, tuple[date, date]]:
    """The first and last day of each provider's contract years."""
    return {provider_id: (first, last) for provider_id, first, last in session.execute(
        select(ContractYear.provider_id, func.min(ContractYear.starts_on), func.max(ContractYear.ends_on))
        .where(ContractYear.provider_id.in_(provider_ids)).group_by(ContractYear.provider_id))}


def _minutes(session: Session, contracts: list[Contract], first: date, last: date) -> dict[int, dict[date, int]]:
    """Approved minutes worked under each sessional contract, by day."""
    sessional = [c for c in contracts if c.is_sessional]
    found: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    if not sessional:
        return found
    by_person = defaultdict(list)
    for contract in sessional:
        by_person[contract.person_id].append(contract)
    rows = session.execute(select(HoursEntry.person_id, HoursEntry.worked_on, HoursEntry.minutes)
                           .where(HoursEntry.person_id.in_(list(by_person)), HoursEntry.status == HoursStatus.APPROVED,
                                  HoursEntry.worked_on.between(first, last)))
    for person_id, worked_on, minutes in rows:
        for contract in by_person[person_id]:
            if contract.starts_on <= worked_on and (contract.ends_on is None or worked_on <= contract.ends_on):
                found[contract.id][worked_on] += minutes
                break
    return found


def _salaried(contract: Contract, month: date, first: date, last: date) -> tuple[Decimal, str, str | None]:
    """A salaried contract's pay in [first, last] of a month (unrounded pence), split where its
    pay changes; the point or mid-point it was priced at; why it cannot be priced, if it cannot."""
    grade, provider = contract.post.grade, contract.post.provider
    placed = is_placed(contract)
    cuts = sorted({first} | change_days(grade, contract.placements if placed else [], first, last,
                                        provider.increment_on))
    pay, basis = Decimal(0), ""
    fte = fte_of_weekly_hours(contract.weekly_hours)
    for index, seg_first in enumerate(cuts):
        seg_last = cuts[index + 1].fromordinal(cuts[index + 1].toordinal() - 1) if index + 1 < len(cuts) else last
        annual = salary_at(grade, contract.placements, provider.increment_on, point_day=seg_first,
                           price_day=seg_first) if placed else None
        if annual is not None:
            basis = f"{grade.code} point"
        else:
            band = grade.pay_point_on(seg_first)
            if band is None:
                return Decimal(0), "", f"no pay point for grade {grade.code} on {long_date(seg_first)}"
            annual, basis = band.mid_pence, f"{grade.code} mid-point"
        pay += Decimal(annual) * fte / 12 * month_share(month, seg_first, seg_last, provider.pay_proration)
    return pay, basis, None


def _sessional(contract: Contract, days: dict[date, int]) -> tuple[Decimal, int, str, str | None]:
    """A month's approved sessional minutes at the rate in force on each day worked."""
    grade = contract.post.grade
    pay, minutes, basis = Decimal(0), 0, ""
    for day, worked in sorted(days.items()):
        rate = grade.hourly_rate_on(day)
        if rate is not None:
            per_hour, basis = Decimal(rate.pence_per_hour), f"{grade.code} £{rate.pence_per_hour / 100:.2f} an hour"
        else:
            band = grade.pay_point_on(day)
            if band is None:
                return Decimal(0), sum(days.values()), "", f"no hourly rate for grade {grade.code} on {long_date(day)}"
            per_hour, basis = hourly_rate(band), f"{grade.code} mid-point by the hour"
        pay += Decimal(worked) / 60 * per_hour
        minutes += worked
    return pay, minutes, basis, None


def _share(total: int, weights: list[int]) -> list[int]:
    """``total`` shared in proportion to ``weights``, the last taking what rounding leaves."""
    whole = sum(weights)
    if not whole:
        weights, whole = [1] * len(weights), len(weights)
    shares, left = [], total
    for index, weight in enumerate(weights):
        share = left if index == len(weights) - 1 else penny(Decimal(total) * weight / whole)
        shares.append(share)
        left -= share
    return shares


def _contract_month(contract: Contract, month: date, first: date, last: date, minutes: dict) -> dict | None:
    """One contract's pay in [first, last] of a month, before on-costs; None for a sessional
    contract with no approved hours then."""
    if contract.is_sessional:
        days = {d: m for d, m in minutes.get(contract.id, {}).items() if first <= d <= last}
        if not days:
            return None
        pay, worked, basis, unpriced = _sessional(contract, days)
        pay_pence = penny(pay)
        holiday = penny(Decimal(pay_pence) * contract.post.provider.holiday_accrual_bp / 10000)
    else:
        pay, basis, unpriced = _salaried(contract, month, first, last)
        pay_pence, holiday, worked = penny(pay), 0, 0
    band = contract.post.grade.pay_point_on(first)
    return dict(contract_id=contract.id, month=month, provider_id=contract.post.provider_id,
                person_id=contract.person_id, post_id=contract.post_id, area_id=contract.post.area_id,
                is_sessional=contract.is_sessional, first_day=first, last_day=last, minutes=worked,
                pay_pence=pay_pence, holiday_pence=holiday, ni_pence=0, pension_pence=0, flat_on_cost_pence=0,
                basis=basis[:120], unpriced=unpriced[:200] if unpriced else None,
                _flat_bp=band.on_cost_bp if band else 0)


def _on_costs(month_rows: list[dict], terms, proration: str, opted_out: bool) -> None:
    """Employer NI and pension on the person's whole month, shared across their contracts in
    proportion to pay; or each grade's flat on-cost where ``terms`` is None."""
    if terms is None:
        for row in month_rows:
            row["flat_on_cost_pence"] = penny(Decimal(row["pay_pence"] + row["holiday_pence"]) * row["_flat_bp"]
                                              / 10000)
        return
    payroll_terms = terms.for_payroll(proration=proration, holiday_accrual_bp=0)
    gross = [row["pay_pence"] + row["holiday_pence"] for row in month_rows]
    ni = employer_ni(sum(gross), payroll_terms)
    pension = employer_pension(sum(gross), payroll_terms,
                               enrolled=is_enrolled(sum(gross), payroll_terms, opted_out=opted_out))
    for row, ni_share, pension_share in zip(month_rows, _share(ni, gross), _share(pension, gross), strict=True):
        row["ni_pence"], row["pension_pence"] = ni_share, pension_share


def _person_rows(contracts: list[Contract], span: tuple[date, date], minutes: dict, opted_out_on: date | None,
                 rules) -> list[dict]:
    """A person's ledger rows for every month of their contracts within the contract years."""
    left_on = contracts[0].person.left_on
    rows = []
    months = months_between(max(span[0], min(c.starts_on for c in contracts)),
                     min(span[1], max(c.ends_on or span[1] for c in contracts), left_on or span[1]))
    for month in months:
        last_day = month_end(month)
        month_rows = []
        for contract in contracts:
            first = max(month, contract.starts_on, span[0])
            last = min(d for d in (last_day, contract.ends_on, left_on, span[1]) if d is not None)
            if first <= last and (row := _contract_month(contract, month, first, last, minutes)) is not None:
                month_rows.append(row)
        if month_rows:
            _on_costs(month_rows, terms_on(rules, last_day), contracts[0].post.provider.pay_proration,
                      opted_out_on is not None and opted_out_on <= last_day)
        for row in month_rows:
            del row["_flat_bp"]
        rows += month_rows
    return rows


def price_people(session: Session, person_ids: Iterable[int]) -> list[dict]:
    """Fresh ledger rows for these people's contracts in paid posts."""
    person_ids = sorted(set(person_ids))
    rows: list[dict] = []
    for start in range(0, len(person_ids), _BATCH):
        chunk = person_ids[start:start + _BATCH]
        contracts = list(session.scalars(
            select(Contract).join(Post, Post.id == Contract.post_id)
            .where(Contract.person_id.in_(chunk), Post.is_volunteer.is_(False), Post.grade_id.is_not(None))
            .order_by(Contract.person_id, Contract.starts_on, Contract.id).options(*_LOADS)))
        if not contracts:
            continue
        spans = _spans(session, {c.post.provider_id for c in contracts})
        contracts = [c for c in contracts if c.post.provider_id in spans]
        if not contracts:
            continue
        first = min(span[0] for span in spans.values())
        last = max(span[1] for span in spans.values())
        minutes = _minutes(session, contracts, first, last)
        opt_outs: dict[int, date] = {}
        for person_id, day in session.execute(select(PensionOptOut.person_id, PensionOptOut.opted_out_on)
                                              .where(PensionOptOut.person_id.in_(chunk))):
            opt_outs[person_id] = min(day, opt_outs.get(person_id, day))
        by_person: dict[int, list[Contract]] = defaultdict(list)
        for contract in contracts:
            by_person[contract.person_id].append(contract)
        rules_of = on_cost_rules_of(session, {mine[0].post.provider_id for mine in by_person.values()})
        for person_id, mine in by_person.items():
            provider_id = mine[0].post.provider_id
            rows += _person_rows(mine, spans[provider_id], minutes, opt_outs.get(person_id), rules_of[provider_id])
    return rows


def write_people(session: Session, person_ids: Iterable[int]) -> None:
    """Price these people again and put their rows in the ledger in place of the old ones."""
    person_ids = sorted(set(person_ids))
    if not person_ids:
        return
    connection = session.connection()
    table = CostMonth.__table__
    for start in range(0, len(person_ids), _BATCH):
        connection.execute(delete(table).where(table.c.person_id.in_(person_ids[start:start + _BATCH])))
    with session.no_autoflush:
        rows = price_people(session, person_ids)
    for start in range(0, len(rows), 2000):
        connection.execute(insert(table), rows[start:start + 2000])


def to_price(session: Session, person_ids: Iterable[int]) -> None:
    """Put these people down to be priced as the transaction commits (after rows written outside
    the ORM, such as a COPY): each is priced once however many writes touched them."""
    _pending(session)["people"] |= set(person_ids)


def everyone(session: Session) -> list[int]:
    return list(session.scalars(select(Contract.person_id).distinct()))


def rebuild(session: Session) -> None:
    """Price every contract again."""
    session.connection().execute(delete(CostMonth.__table__))
    write_people(session, everyone(session))


_COLUMNS = [c.name for c in CostMonth.__table__.columns]


def differences(session: Session) -> list[tuple]:
    """Rows where the ledger and a fresh pricing disagree: (contract, month, kept, fresh)."""
    table = CostMonth.__table__
    kept = {(r.contract_id, r.month): tuple(r) for r in session.execute(select(*[table.c[c] for c in _COLUMNS]))}
    fresh = {(r["contract_id"], r["month"]): tuple(r[c] for c in _COLUMNS)
             for r in price_people(session, everyone(session))}
    return [(*key, kept.get(key), fresh.get(key)) for key in sorted(set(kept) | set(fresh))
            if kept.get(key) != fresh.get(key)]


# ---------------------------------------------------------------- noticing changes

def _pending(session: Session) -> dict:
    return session.info.setdefault("cost_ledger", {"people": set(), "posts": set(), "grades": set(),
                                                   "providers": set(), "all": False})


def _people_of(session: Session, pending: dict) -> set[int]:
    people = set(pending["people"])
    if pending["all"]:
        return set(everyone(session))
    if pending["posts"]:
        people |= set(session.scalars(select(Contract.person_id).where(Contract.post_id.in_(pending["posts"]))))
    if pending["grades"]:
        people |= set(session.scalars(select(Contract.person_id).join(Post, Post.id == Contract.post_id)
                                      .where(Post.grade_id.in_(pending["grades"]))))
    if pending["providers"]:
        people |= set(session.scalars(select(Contract.person_id).join(Post, Post.id == Contract.post_id)
                                      .where(Post.provider_id.in_(pending["providers"]))))
    return people


_PERSON_FIELDS = ("left_on", "provider_id")
_PROVIDER_FIELDS = ("increment_on", "pay_proration", "holiday_accrual_bp")


def _note(pending: dict, item) -> None:
    if isinstance(item, Contract | PointPlacement | PensionOptOut | HoursEntry | Person):
        _note_person(pending, item)
    elif isinstance(item, GradePoint | PayPoint | HourlyRate):
        pending["grades"] |= {item.grade_id, old_value(item, "grade_id")} - {None}
    elif isinstance(item, Post):  # its own contracts (a new post has none but those noted themselves)
        pending["posts"].add(item.id)
    elif isinstance(item, OnCostRule | ContractYear):
        if item.provider_id is None:
            pending["all"] = True
        else:
            pending["providers"].add(item.provider_id)
    elif isinstance(item, Provider):
        if any_changed(item, _PROVIDER_FIELDS):
            pending["providers"].add(item.id)


def _note_person(pending: dict, item) -> None:
    """A change that moves one person's costs: their contracts, points, opt-outs, approved hours,
    leaving day."""
    if isinstance(item, Person):
        if any_changed(item, _PERSON_FIELDS):
            pending["people"].add(item.id)
    elif not isinstance(item, HoursEntry) or HoursStatus.APPROVED in (item.status, old_value(item, "status")):
        pending["people"] |= {item.person_id, old_value(item, "person_id")} - {None}


_WATCHED = (Contract, PointPlacement, PensionOptOut, HoursEntry, GradePoint, PayPoint, HourlyRate, Post,
            OnCostRule, ContractYear)


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    pending = _pending(session)
    for item in session.new:
        if isinstance(item, _WATCHED):
            _note(pending, item)
    for item in session.deleted:
        if isinstance(item, _WATCHED):
            _note(pending, item)
    for item in session.dirty:
        if isinstance(item, _WATCHED) or isinstance(item, Person | Provider):
            if isinstance(item, Person | Provider) or session.is_modified(item, include_collections=False):
                _note(pending, item)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state):
    """Inserts, updates and deletes run as statements rather than through a flush."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    entity = mapper.class_ if mapper is not None else None
    if entity not in _WATCHED and entity is not Person:
        return
    pending = _pending(state.session)
    if entity in (Contract, PointPlacement, PensionOptOut, HoursEntry, Person):
        column = Person.id if entity is Person else entity.person_id
        if state.is_insert:
            rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
            if not any(rows):
                pending["all"] = True
            pending["people"] |= {row.get("id" if entity is Person else "person_id") for row in rows} - {None}
        else:
            where = state.statement.whereclause
            query = select(column).distinct()
            pending["people"] |= set(state.session.connection().scalars(
                query.where(where) if where is not None else query))
    else:
        pending["all"] = True


@event.listens_for(Session, "before_commit")
def _before_commit(session) -> None:
    """Price again everyone the transaction's changes touched, before it commits."""
    for _ in range(5):
        session.flush()
        pending = session.info.pop("cost_ledger", None)
        if not pending or not any(pending.values()):
            return
        write_people(session, _people_of(session, pending))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop("cost_ledger", None)

