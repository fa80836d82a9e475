"""Payroll's figures as the pay actuals for the months it has been imported.

Pathway's estimate prices each contract at its grade's mid-point pro rata by days, with on-costs
by the provider's rules, and sessional contracts at their approved hours; payroll pays each person
their own point a twelfth a month. Where payroll has paid a month, the monitor uses what it paid.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.establishment.costs import pence
from app.extensions import db
from app.models.establishment import Contract
from app.models.payroll import PayrollLine
from app.periods import month_end


def payroll_lines(person_ids, months: list[date]) -> dict[tuple[int, date], PayrollLine]:
    if not person_ids or not months:
        return {}
    return {(line.person_id, line.period): line for line in db.session.scalars(
        select(PayrollLine).where(PayrollLine.person_id.in_(person_ids), PayrollLine.period.in_(months)))}


def with_payroll(estimates: dict[tuple[int, date], int], contracts: list[Contract], *, provider_id: int,
                 months: list[date]) -> tuple[dict[tuple[int, date], int], set[date]]:
    """The pay actual of each contract in each month: payroll's total (gross, employer NI and
    pension) where it paid the person that month, shared across their contracts in proportion to
    Pathway's estimates (equally if there is none); Pathway's estimate elsewhere. Also the months
    payroll has been imported for."""
    actuals = dict(estimates)
    lines = payroll_lines({c.person_id for c in contracts}, months)
    by_person_month: dict[tuple[int, date], list[Contract]] = defaultdict(list)
    for contract in contracts:
        for month in months:
            if contract.starts_on <= month_end(month) and (contract.ends_on is None or contract.ends_on >= month):
                by_person_month[(contract.person_id, month)].append(contract)
    for (person_id, month), line in lines.items():
        held = by_person_month.get((person_id, month), [])
        if not held:
            continue  # paid with no contract on a budget line: the reconciliation shows it
        weights = [estimates.get((c.id, month), 0) for c in held]
        if sum(weights) <= 0:
            weights = [1] * len(held)
        remaining, total = line.total_pence, sum(weights)
        for index, (contract, weight) in enumerate(zip(held, weights, strict=True)):
            share = remaining if index == len(held) - 1 else pence(Decimal(line.total_pence) * weight / total)
            actuals[(contract.id, month)] = share
            remaining -= share
    months_paid = set(db.session.scalars(select(PayrollLine.period).where(
        PayrollLine.provider_id == provider_id, PayrollLine.period.in_(months)).distinct())) if months else set()
    return actuals, months_paid


def payroll_months(provider_id: int) -> list[tuple[date, int, int]]:
    """The months payroll has been imported for: (month, people, total pence), latest first."""
    return [(period, people, int(total or 0)) for period, people, total in db.session.execute(
        select(PayrollLine.period, func.count(PayrollLine.id),
               func.sum(PayrollLine.gross_pence + PayrollLine.employer_ni_pence + PayrollLine.employer_pension_pence))
        .where(PayrollLine.provider_id == provider_id).group_by(PayrollLine.period)
        .order_by(PayrollLine.period.desc()))]
