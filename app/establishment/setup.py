"""Setting up and changing the establishment: posts, grades and pay points, pay awards,
contract years with their budget lines and funding. Each function checks its rules, audits
with who did it, and flushes; the caller commits."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from app.audit import services as audit
from app.establishment.costs import terms_on
from app.extensions import db
from app.formatting import long_date, pounds
from app.models.establishment import (
    BudgetLine,
    BudgetLineKind,
    ContractYear,
    Funding,
    Grade,
    GradePoint,
    HourlyRate,
    OnCostRule,
    PayPoint,
    Post,
)

from .costs import forget_on_cost_rules, on_cost_rules
from .services import annual_post_cost_pence


class SetupError(ValueError):
    """A rule was broken; args are (field name, message)."""


# Posts -----------------------------------------------------------------------------------

def save_post(post: Post | None, *, provider_id: int, title: str, basis: str, grade: Grade | None,
              area_id: int | None, number_of_posts: int, budgeted_fte: Decimal, starts_on: date | None,
              ends_on: date | None, actor) -> Post:
    """Add a post line to the establishment, or change one.

    :raises SetupError: for a paid post with no grade, a volunteer post with one, more FTE than
        posts could fill, or dates the wrong way round.
    """
    if basis == "volunteer" and grade is not None:
        raise SetupError("grade_id", "A volunteer post has no grade. Choose No grade")
    if basis != "volunteer" and grade is None:
        raise SetupError("grade_id", "Select the grade the post is paid on")
    if budgeted_fte > number_of_posts:
        raise SetupError("budgeted_fte", f"{number_of_posts} posts can have at most {number_of_posts} FTE between them")
    if starts_on and ends_on and ends_on < starts_on:
        raise SetupError("ends_on", "The end must be on or after the start")
    values = {"title": title.strip(), "is_volunteer": basis == "volunteer", "is_sessional": basis == "sessional",
              "grade_id": grade.id if grade else None, "area_id": area_id, "number_of_posts": number_of_posts,
              "budgeted_fte": Decimal(budgeted_fte), "starts_on": starts_on, "ends_on": ends_on}
    if post is None:
        post = Post(provider_id=provider_id, **values)
        db.session.add(post)
        db.session.flush()
        audit.record(actor=actor, action="create", entity=post, provider_id=provider_id,
                     summary=f"Added {number_of_posts} {post.label} post(s), {budgeted_fte:f} FTE")
        return post
    before = {key: _plain(getattr(post, key)) for key in values}
    for key, value in values.items():
        setattr(post, key, value)
    changes = audit.diff(before, {key: _plain(value) for key, value in values.items()})
    if changes:
        audit.record(actor=actor, action="update", entity=post, provider_id=provider_id,
                     summary=f"Changed the post {post.label}: {', '.join(changes)}", changes=changes)
    db.session.flush()
    return post


def _plain(value):
    return str(value) if isinstance(value, (Decimal, date)) else value


# Grades, pay points and pay awards -------------------------------------------------------

def add_grade(*, code: str, name: str, provider_id: int | None, actor) -> Grade:
    """:raises SetupError: for a code already in use."""
    code = code.strip().upper()
    if db.session.scalar(select(Grade.id).where(func.upper(Grade.code) == code)) is not None:
        raise SetupError("code", f"There is already a grade {code}. Choose another code")
    grade = Grade(code=code, name=name.strip(), provider_id=provider_id)
    db.session.add(grade)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=grade, provider_id=provider_id,
                 summary=f"Added the grade {code}: {grade.name}", council=provider_id is None)
    return grade


def add_pay_point(grade: Grade, *, effective_from: date, min_pence: int, mid_pence: int, max_pence: int,
                  on_cost_bp: int, actor, reason: str = "Added pay point") -> PayPoint:
    """A grade's figures from a date. A pay award is a new pay point: costs before it never change.

    :raises SetupError: for figures out of order, or a date that already has figures.
    """
    if not min_pence <= mid_pence <= max_pence:
        raise SetupError("mid_point", "The minimum, mid-point and maximum must go up in that order")
    if any(p.effective_from == effective_from for p in grade.pay_points):
        raise SetupError("effective_from", f"{grade.code} already has figures from {long_date(effective_from)}")
    point = PayPoint(grade_id=grade.id, financial_year=effective_from.year if effective_from.month >= 4
                     else effective_from.year - 1, effective_from=effective_from, min_pence=min_pence,
                     mid_pence=mid_pence, max_pence=max_pence, on_cost_bp=on_cost_bp)
    grade.pay_points.append(point)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=grade, provider_id=grade.provider_id,
                 summary=f"{reason} for {grade.code} from {long_date(effective_from)}: mid-point "
                         f"{pounds(mid_pence)}, on-costs {on_cost_bp / 100:g}%",
                 council=grade.provider_id is None)
    return point


@dataclass(frozen=True)
class AwardRow:
    """One grade's figures before and after a pay award, and what it adds to a year's pay bill."""

    grade: Grade
    before: PayPoint
    min_pence: int
    mid_pence: int
    max_pence: int
    fte: Decimal
    extra_pence: int  # a year of the posts on this grade at the new mid-point, less at the old


def _uplift(pence: int, how: str, percent: Decimal | None, flat_pence: int | None) -> int:
    if how == "percent":
        return int((Decimal(pence) * (1 + percent / 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return pence + flat_pence


def award_preview(grades: list[Grade], *, effective_from: date, how: str, percent: Decimal | None = None,
                  flat_pence: int | None = None, table: dict[int, tuple[int, int, int]] | None = None,
                  posts_scope=None) -> list[AwardRow]:
    """Each grade's new figures from ``effective_from`` and the cost of a year of the posts on it.

    :raises SetupError: when the way of giving the award has no amount, or a grade has no figures yet.
    """
    if how == "percent" and percent is None:
        raise SetupError("percent", "Enter the percentage")
    if how == "flat" and flat_pence is None:
        raise SetupError("flat", "Enter the flat amount")
    posts_by_grade: dict[int, list[Post]] = {}
    for post in db.session.scalars(select(Post).where(
            Post.grade_id.in_([g.id for g in grades]), Post.in_force_on(effective_from),
            posts_scope if posts_scope is not None else Post.id.is_not(None))):
        posts_by_grade.setdefault(post.grade_id, []).append(post)
    rows = []
    for grade in grades:
        before = grade.pay_point_on(effective_from)
        if before is None:
            raise SetupError("effective_from", f"{grade.code} has no figures before {long_date(effective_from)}: "
                                               "add a pay point first")
        if how == "table":
            low, mid, high = table[grade.id]
        else:
            low, mid, high = (_uplift(p, how, percent, flat_pence)
                              for p in (before.min_pence, before.mid_pence, before.max_pence))
        posts = posts_by_grade.get(grade.id, [])
        extra = Decimal(0)
        for post in posts:
            terms = terms_on(on_cost_rules(post.provider_id), effective_from)
            extra += (annual_post_cost_pence(post.number_of_posts, post.budgeted_fte, mid, before.on_cost_bp, terms)
                      - annual_post_cost_pence(post.number_of_posts, post.budgeted_fte, before.mid_pence,
                                               before.on_cost_bp, terms))
        fte = sum((Decimal(str(p.budgeted_fte)) for p in posts), Decimal(0))
        rows.append(AwardRow(grade, before, low, mid, high, fte, int(extra)))
    return rows


def apply_award(rows: list[AwardRow], *, effective_from: date, actor) -> None:
    """Save an award: each grade's new range, and every one of its points moved in the same
    proportion as its mid-point (backdated or not: costs from the date change, none before)."""
    for row in rows:
        add_pay_point(row.grade, effective_from=effective_from, min_pence=row.min_pence, mid_pence=row.mid_pence,
                      max_pence=row.max_pence, on_cost_bp=row.before.on_cost_bp, actor=actor, reason="Pay award")
        amounts = row.grade.points_on(effective_from)
        for point, amount in amounts.items():
            new = int((Decimal(amount) * row.mid_pence / row.before.mid_pence).quantize(
                Decimal(1), rounding=ROUND_HALF_UP)) if row.before.mid_pence else amount
            row.grade.points.append(GradePoint(point=point, effective_from=effective_from, annual_pence=new))
        if amounts:
            db.session.flush()
            audit.record(actor=actor, action="create", entity=row.grade, provider_id=row.grade.provider_id,
                         summary=f"Pay award moved {len(amounts)} points of {row.grade.code} from "
                                 f"{long_date(effective_from)}", council=row.grade.provider_id is None)


def add_grade_point(grade: Grade, *, point: int, annual_pence: int, effective_from: date, actor) -> GradePoint:
    """A point on a grade and its salary from a date (a new point, or a new amount for one).

    :raises SetupError: for no salary, or a point and date that already have an amount.
    """
    if annual_pence <= 0:
        raise SetupError("annual", "Enter an annual salary of more than £0")
    if any(p.point == point and p.effective_from == effective_from for p in grade.points):
        raise SetupError("effective_from", f"Point {point} of {grade.code} already has an amount from "
                                           f"{long_date(effective_from)}")
    row = GradePoint(point=point, effective_from=effective_from, annual_pence=annual_pence)
    grade.points.append(row)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=grade, provider_id=grade.provider_id,
                 summary=f"{grade.code} point {point}: {pounds(annual_pence)} a year from {long_date(effective_from)}",
                 council=grade.provider_id is None)
    return row


def add_hourly_rate(grade: Grade, *, pence_per_hour: int, effective_from: date, actor) -> HourlyRate:
    """A sessional grade's pay for an hour from a date.

    :raises SetupError: for a date that already has a rate.
    """
    if any(r.effective_from == effective_from for r in grade.hourly_rates):
        raise SetupError("effective_from", f"{grade.code} already has an hourly rate from {long_date(effective_from)}")
    rate = HourlyRate(effective_from=effective_from, pence_per_hour=pence_per_hour)
    grade.hourly_rates.append(rate)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=grade, provider_id=grade.provider_id,
                 summary=f"{grade.code}: {pounds(pence_per_hour, pence_shown=True)} an hour from "
                         f"{long_date(effective_from)}", council=grade.provider_id is None)
    return rate


# Contract years, budget lines and funding --------------------------------------------------

def year_label(starts_on: date, ends_on: date) -> str:
    return f"{starts_on.year}/{ends_on.year % 100:02d}" if ends_on.year != starts_on.year else str(starts_on.year)


def change_pricing_date(year: ContractYear, *, pay_basis_on: date, actor) -> bool:
    """Price a year's pay lines at the pay points in force on another date, audited; whether it changed."""
    if year.pay_basis_on == pay_basis_on:
        return False
    before = year.pay_basis_on
    year.pay_basis_on = pay_basis_on
    audit.record(actor=actor, action="update", entity=year, provider_id=year.provider_id,
                 summary=f"Pay lines of {year.label} priced at {long_date(pay_basis_on)}, not {long_date(before)}",
                 changes={"pay_basis_on": [before.isoformat(), pay_basis_on.isoformat()]})
    db.session.flush()
    return True


def add_contract_year(provider_id: int, *, starts_on: date, ends_on: date, pay_basis_on: date, actor) -> ContractYear:
    """A new contract year. It starts as a copy of the latest year's lines and funding, for HR to
    adjust; pay lines re-price themselves at the pay points in force on ``pay_basis_on``.

    :raises SetupError: for dates the wrong way round or overlapping another year.
    """
    if ends_on <= starts_on:
        raise SetupError("ends_on", "The end must be after the start")
    overlapping = db.session.scalar(select(ContractYear).where(
        ContractYear.provider_id == provider_id, ContractYear.starts_on <= ends_on,
        ContractYear.ends_on >= starts_on))
    if overlapping is not None:
        raise SetupError("starts_on", f"It overlaps {overlapping.label} ({long_date(overlapping.starts_on)} to "
                                      f"{long_date(overlapping.ends_on)})")
    previous = db.session.scalar(select(ContractYear).where(ContractYear.provider_id == provider_id)
                                 .order_by(ContractYear.starts_on.desc()).limit(1))
    year = ContractYear(provider_id=provider_id, label=year_label(starts_on, ends_on), starts_on=starts_on,
                        ends_on=ends_on, pay_basis_on=pay_basis_on)
    if previous is not None:
        for line in previous.budget_lines:
            copy = BudgetLine(kind=line.kind, name=line.name, amount_pence=line.amount_pence,
                              sort_order=line.sort_order)
            copy.posts = list(line.posts)
            year.budget_lines.append(copy)
        for funding in previous.funding:
            year.funding.append(Funding(source=funding.source, amount_pence=funding.amount_pence))
    db.session.add(year)
    db.session.flush()
    copied = f", copied from {previous.label}" if previous else ""
    audit.record(actor=actor, action="create", entity=year, provider_id=provider_id,
                 summary=f"Added the contract year {year.label}{copied}; pay priced at "
                         f"{long_date(pay_basis_on)}")
    return year


def save_budget_line(line: BudgetLine | None, year: ContractYear, *, kind: str, name: str,
                     amount_pence: int | None, posts: list[Post], actor) -> BudgetLine:
    """:raises SetupError: for a pay line with no posts, or another line with no amount."""
    kind = BudgetLineKind(kind)
    if kind == BudgetLineKind.PAY:
        if not posts:
            raise SetupError("post_ids", "Choose the posts this pay line pays for")
        amount_pence = None
    elif amount_pence is None:
        raise SetupError("amount", "Enter the line's annual amount")
    if line is None:
        order = max((existing.sort_order for existing in year.budget_lines), default=0) + 1
        line = BudgetLine(kind=kind, name=name.strip(), amount_pence=amount_pence, sort_order=order)
        year.budget_lines.append(line)
        what = "Added"
    else:
        line.kind, line.name, line.amount_pence = kind, name.strip(), amount_pence
        what = "Changed"
    line.posts = posts  # a pay line is priced from them; another line shows them (volunteers' expenses)
    db.session.flush()
    amount = f": {pounds(amount_pence)} a year" if amount_pence is not None else f": {len(posts)} post line(s)"
    audit.record(actor=actor, action="update" if what == "Changed" else "create", entity=line,
                 provider_id=year.provider_id, summary=f"{what} the {year.label} budget line {line.name}{amount}")
    return line


def save_funding(funding: Funding | None, year: ContractYear, *, source: str, amount_pence: int, actor) -> Funding:
    if funding is None:
        funding = Funding(source=source.strip(), amount_pence=amount_pence)
        year.funding.append(funding)
    else:
        funding.source, funding.amount_pence = source.strip(), amount_pence
    db.session.flush()
    audit.record(actor=actor, action="update", entity=funding, provider_id=year.provider_id,
                 summary=f"{year.label} funding from {funding.source}: {pounds(amount_pence)}")
    return funding


# On-cost rules ---------------------------------------------------------------------------

def add_on_cost_rule(*, provider_id: int | None, effective_from: date, method: str, ni_rate_bp: int | None,
                     ni_threshold_pence: int | None, pension_rate_bp: int | None, actor,
                     pension_basis: str = "all") -> OnCostRule:
    """How on-costs are worked out from a date, for a provider (or, with no provider, the council).

    :raises SetupError: for a statutory rule without its rates, or a date that already has a rule.
    """
    if method == "statutory":
        for field, value in (("ni_rate", ni_rate_bp), ("ni_threshold", ni_threshold_pence),
                             ("pension_rate", pension_rate_bp)):
            if value is None:
                raise SetupError(field, "Enter the National Insurance rate, its threshold and the pension rate")
    else:
        ni_rate_bp = ni_threshold_pence = pension_rate_bp = None
    owner = OnCostRule.provider_id.is_(None) if provider_id is None else OnCostRule.provider_id == provider_id
    if db.session.scalar(select(OnCostRule.id).where(owner, OnCostRule.effective_from == effective_from)):
        raise SetupError("effective_from", f"There is already a rule from {long_date(effective_from)}")
    rule = OnCostRule(provider_id=provider_id, effective_from=effective_from, method=method, ni_rate_bp=ni_rate_bp,
                      ni_threshold_pence=ni_threshold_pence, pension_rate_bp=pension_rate_bp,
                      pension_basis="qualifying" if method == "statutory" and pension_basis == "qualifying" else "all")
    db.session.add(rule)
    db.session.flush()
    forget_on_cost_rules()
    what = ("each grade's flat on-cost percentage" if method == "flat" else
            f"employer NI {ni_rate_bp / 100:g}% above {pounds(ni_threshold_pence)} a year, pension "
            f"{pension_rate_bp / 100:g}%" + (" of qualifying earnings" if rule.pension_basis == "qualifying" else ""))
    audit.record(actor=actor, action="create", entity=rule, provider_id=provider_id, council=provider_id is None,
                 summary=f"On-costs from {long_date(effective_from)}: {what}")
    return rule
