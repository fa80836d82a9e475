"""The establishment and its budget, priced from grades' pay points."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import lru_cache

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session, selectinload

from app import generation
from app.extensions import db
from app.models.establishment import (
    BudgetLine,
    BudgetLineKind,
    Contract,
    ContractYear,
    Grade,
    PayPoint,
    Post,
    VolunteerRole,
    budget_line_post,
    fte_of_weekly_hours,
)
from app.models.people import Person

from .costs import on_cost_rules, on_cost_rules_of, person_annual_cost, remember_on_cost_rules, terms_on


class PricingError(ValueError):
    pass


def round_to_pound(pence: Decimal) -> int:
    return int((pence / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)) * 100


@lru_cache(maxsize=4096)
def annual_post_cost_pence(number_of_posts: int, budgeted_fte, mid_pence, on_cost_bp: int, terms) -> Decimal:
    """A year of a post line: each of its posts at an equal share of the budgeted FTE, so NI's
    threshold applies per person. Pure, and the same few grades and FTEs recur across posts and
    providers (most use the council's scale), so each is worked out once a process."""
    fte = Decimal(str(budgeted_fte or 0))
    people = number_of_posts if number_of_posts > 0 else 1
    return people * person_annual_cost(Decimal(str(mid_pence)) * fte / people, on_cost_bp, terms)


def post_annual_cost_pence(post: Post, on: date) -> Decimal:
    """A post's budgeted cost for a year at the pay point and on-cost rule in force on ``on``.

    :raises PricingError: when the post's grade has no pay point by that date.
    """
    if post.grade is None:
        return Decimal(0)
    return _post_cost(post.grade.code, post.grade.pay_point_on(on), post.number_of_posts, post.budgeted_fte,
                      terms_on(on_cost_rules(post.provider_id), on), on)


def _post_cost(grade_code: str, point, number_of_posts: int, budgeted_fte, terms, on: date) -> Decimal:
    """A graded post's year at ``point`` (anything with ``mid_pence`` and ``on_cost_bp``, or None)
    under the on-cost ``terms`` in force on ``on``."""
    if point is None:
        raise PricingError(f"no pay point for grade {grade_code} on {on.day} {on:%B %Y}")
    return annual_post_cost_pence(number_of_posts, budgeted_fte, point.mid_pence, point.on_cost_bp, terms)


def _line_pence(kind: BudgetLineKind, amount_pence: int | None, post_costs) -> tuple[int, str | None]:
    """A line's annual budget and why it could not be priced (or None): a pay line the sum of
    its posts' years (``post_costs``, worked out as they are read) to the pound, others their amount."""
    if kind != BudgetLineKind.PAY:
        return amount_pence or 0, None
    try:
        return round_to_pound(sum(post_costs, Decimal(0))), None
    except PricingError as error:
        return 0, f"Cannot be priced: {error}"


@dataclass(frozen=True)
class BudgetRow:
    line: BudgetLine
    posts: int | None
    fte: Decimal | None
    grade: str
    annual_pence: int
    # Why the line could not be priced (every other figure on the page still shows), or None.
    problem: str | None = None


@dataclass(frozen=True)
class BudgetTable:
    contract_year: ContractYear
    rows: list[BudgetRow]
    funding: list[tuple[str, int]]

    @property
    def total_pence(self) -> int:
        return sum(row.annual_pence for row in self.rows)

    @property
    def funding_pence(self) -> int:
        return sum(amount for _, amount in self.funding)

    @property
    def headroom_pence(self) -> int:
        return self.funding_pence - self.total_pence


def _grade_label(line: BudgetLine, posts: list[Post]) -> str:
    if line.kind == BudgetLineKind.VOLUNTEER_EXPENSES:
        return "expenses"
    codes = sorted({post.grade.code for post in posts if post.grade})
    return ", ".join(codes) or "-"


def budget_row(line: BudgetLine, pay_basis_on: date, *, posts: list[Post] | None = None) -> BudgetRow:
    """One line of the budget table; ``posts`` narrows a pay line to some of its posts."""
    posts = line.posts if posts is None else posts
    pence, problem = _line_pence(line.kind, line.amount_pence, (post_annual_cost_pence(p, pay_basis_on) for p in posts))
    return BudgetRow(
        line=line,
        posts=sum(p.number_of_posts for p in posts) if posts else None,
        fte=sum((Decimal(p.budgeted_fte) for p in posts), Decimal(0)) if posts else None,
        grade=_grade_label(line, posts),
        annual_pence=pence,
        problem=problem,
    )


@dataclass(frozen=True)
class PricedLine:
    id: int
    contract_year_id: int
    kind: BudgetLineKind
    name: str
    annual_pence: int  # as ``budget_row`` gives it; a line that cannot be priced is 0
    post_ids: tuple[int, ...]
    problem: str | None = None  # why a pay line could not be priced, as ``budget_row`` says it


def priced_lines(year_ids, *, session: Session | None = None) -> list[PricedLine]:
    """Every budget line of these contract years (a list of ids, or a query of them), in each
    year's order, with its annual budget and posts, from three queries of plain rows however many
    providers: pricing every provider's budget through the ORM took most of the all-provider
    return. ``session``: price inside that transaction, the on-cost rules read afresh in it (as
    the kept prices are written, as a change commits); otherwise the request's, with its copy of
    the rules."""
    if isinstance(year_ids, list) and not year_ids:
        return []
    reader = session if session is not None else db.session
    lines = reader.execute(
        select(BudgetLine.id, BudgetLine.contract_year_id, BudgetLine.kind, BudgetLine.name, BudgetLine.amount_pence,
               ContractYear.pay_basis_on)
        .join(ContractYear, ContractYear.id == BudgetLine.contract_year_id)
        .where(BudgetLine.contract_year_id.in_(year_ids)).order_by(BudgetLine.sort_order, BudgetLine.id)).all()
    posts: dict[int, list] = {}
    for line_id, post_id, *graded in reader.execute(
            select(budget_line_post.c.budget_line_id, Post.id, Post.grade_id, Grade.code, Post.number_of_posts,
                   Post.budgeted_fte, Post.provider_id)
            .join(Post, Post.id == budget_line_post.c.post_id).outerjoin(Grade, Grade.id == Post.grade_id)
            .join(BudgetLine, BudgetLine.id == budget_line_post.c.budget_line_id)
            .where(BudgetLine.contract_year_id.in_(year_ids))):
        posts.setdefault(line_id, []).append((post_id, graded))
    grade_ids = {graded[0] for found in posts.values() for _, graded in found if graded[0] is not None}
    provider_ids = {graded[-1] for found in posts.values() for _, graded in found}
    if session is not None:
        rules = on_cost_rules_of(session, provider_ids)
    else:
        remember_on_cost_rules(provider_ids)
        rules = {provider_id: on_cost_rules(provider_id) for provider_id in provider_ids}
    points: dict[int, list] = {}  # grade -> (from, mid, on-cost) rows, oldest first
    for point in reader.execute(select(PayPoint.grade_id, PayPoint.effective_from, PayPoint.mid_pence,
                                           PayPoint.on_cost_bp).where(PayPoint.grade_id.in_(grade_ids))
                                    .order_by(PayPoint.effective_from)):
        points.setdefault(point.grade_id, []).append(point)

    # Each grade's point and each provider's on-cost terms on a day, worked out once: thousands
    # of posts share a few of each.
    point_on: dict[tuple, object] = {}
    terms_of: dict[tuple, object] = {}

    def cost(grade_id, code, number, fte, provider_id, on):
        if grade_id is None:
            return Decimal(0)
        if (grade_id, on) not in point_on:
            point_on[grade_id, on] = next((p for p in reversed(points.get(grade_id, [])) if p.effective_from <= on),
                                          None)
        if (provider_id, on) not in terms_of:
            terms_of[provider_id, on] = terms_on(rules[provider_id], on)
        return _post_cost(code, point_on[grade_id, on], number, fte, terms_of[provider_id, on], on)

    priced = []
    for line_id, year_id, kind, name, amount, on in lines:
        pence, problem = _line_pence(kind, amount, (cost(*graded, on) for _, graded in posts.get(line_id, [])))
        priced.append(PricedLine(line_id, year_id, kind, name, pence,
                                 tuple(post_id for post_id, _ in posts.get(line_id, [])), problem))
    return priced


def share_out(total: int, weights: dict) -> dict:
    """``total`` pence shared in proportion to ``weights``, each share whole pence, the pennies
    rounding leaves going to the largest remainders: the shares always add up to the total."""
    whole = sum(weights.values(), Decimal(0))
    if not weights:
        return {}
    if whole <= 0:
        weights, whole = dict.fromkeys(weights, Decimal(1)), Decimal(len(weights))
    exact = {key: Decimal(total) * Decimal(weight) / whole for key, weight in weights.items()}
    shares = {key: int(value.to_integral_value(rounding=ROUND_FLOOR)) for key, value in exact.items()}
    left = total - sum(shares.values())
    for key in sorted(exact, key=lambda k: (shares[k] - exact[k], str(k)))[:left]:
        shares[key] += 1
    return shares


def area_budgets(line: BudgetLine, pay_basis_on: date) -> dict[int | None, int]:
    """A line's budget shared across the areas of its posts, so the areas add up to the line to
    the penny: a pay line by each area's cost before the line is rounded, a non-pay line tied to
    posts by their budgeted FTE."""
    whole = budget_row(line, pay_basis_on)
    weights: dict[int | None, Decimal] = {}
    for post in line.posts:
        if line.kind == BudgetLineKind.PAY:
            weight = Decimal(0) if whole.problem else post_annual_cost_pence(post, pay_basis_on)
        else:
            weight = Decimal(str(post.budgeted_fte or 0))
        weights[post.area_id] = weights.get(post.area_id, Decimal(0)) + weight
    return share_out(whole.annual_pence, weights)


def load_contract_year(year_id: int) -> ContractYear | None:
    return db.session.scalar(
        select(ContractYear)
        .where(ContractYear.id == year_id)
        .options(
            selectinload(ContractYear.budget_lines)
            .selectinload(BudgetLine.posts)
            .selectinload(Post.grade)
            .selectinload(Grade.pay_points),
            selectinload(ContractYear.funding),
        )
    )


def budget_table(contract_year: ContractYear) -> BudgetTable:
    """The seed-style budget table: posts, FTE, grade and annual cost per line."""
    rows = [budget_row(line, contract_year.pay_basis_on) for line in contract_year.budget_lines]
    funding = [(f.source, f.amount_pence) for f in contract_year.funding]
    return BudgetTable(contract_year=contract_year, rows=rows, funding=funding)


def contract_years_for(provider_id: int) -> list[ContractYear]:
    return list(db.session.scalars(
        select(ContractYear).where(ContractYear.provider_id == provider_id)
        .order_by(ContractYear.starts_on)
    ))


@dataclass(frozen=True)
class YearFacts:
    """A contract year's dates and label, without its lines: plain, so it can be kept."""

    id: int
    provider_id: int
    label: str
    starts_on: date
    ends_on: date
    pay_basis_on: date


def contract_year_facts(provider_id: int) -> list[YearFacts]:
    """A provider's contract years in order, kept until the data changes (app.generation)."""
    return list(generation.kept(("contract years", provider_id), lambda: tuple(
        YearFacts(y.id, y.provider_id, y.label, y.starts_on, y.ends_on, y.pay_basis_on)
        for y in contract_years_for(provider_id))))


def year_containing(years: list[ContractYear], day: date) -> ContractYear | None:
    for year in years:
        if year.starts_on <= day <= year.ends_on:
            return year
    return years[-1] if years else None


def vacant_and_under_contracted(number_of_posts: int, budgeted_fte, holders: int,
                                contracted_fte: Decimal) -> tuple[Decimal, Decimal]:
    """A post line's vacant FTE (the budgeted FTE of posts nobody holds) and its under-contracted
    FTE (held posts' budgeted FTE beyond the hours their holders are contracted for).

    A post held by a sessional co-facilitator is filled, not vacant: it counts as under-contracted.
    """
    budgeted = Decimal(str(budgeted_fte or 0))
    if number_of_posts <= 0:
        return Decimal(0), Decimal(0)
    each = budgeted / number_of_posts
    held = min(holders, number_of_posts)
    vacant = each * (number_of_posts - held)
    under = max(Decimal(0), each * held - contracted_fte)
    return vacant, under


@dataclass(frozen=True)
class PostFill:
    post: Post
    contracted_fte: Decimal
    people: int

    @property
    def vacant_fte(self) -> Decimal:
        return vacant_and_under_contracted(self.post.number_of_posts, self.post.budgeted_fte, self.people,
                                           self.contracted_fte)[0]

    @property
    def under_contracted_fte(self) -> Decimal:
        return vacant_and_under_contracted(self.post.number_of_posts, self.post.budgeted_fte, self.people,
                                           self.contracted_fte)[1]


def holdings():
    """Every post anyone holds, contracts and volunteer roles alike, as a subquery of (person_id,
    post_id, hours, starts_on, ends_on): a role's hours are only those the volunteer expects to
    give (never contracted: the return's contracted FTE leaves volunteer posts out)."""
    return union_all(
        select(Contract.person_id, Contract.post_id, Contract.weekly_hours.label("hours"), Contract.starts_on,
               Contract.ends_on),
        select(VolunteerRole.person_id, VolunteerRole.post_id,
               func.coalesce(VolunteerRole.expected_weekly_hours, 0).label("hours"), VolunteerRole.starts_on,
               VolunteerRole.ends_on)).subquery("holding")


def post_holders(on: date):
    """Who holds which post on a day, as a subquery of (post_id, hours, holders): contracts and
    volunteer roles in force that day whose holder is on the pathway that day. A leaver holds
    nothing after their last day, whatever their contract says. The one answer the establishment
    page, the budget and the return all read."""
    held = holdings()
    return (select(held.c.post_id, func.sum(held.c.hours).label("hours"),
                   func.count(func.distinct(held.c.person_id)).label("holders"))
            .join(Person, Person.id == held.c.person_id)
            .where(held.c.starts_on <= on, (held.c.ends_on.is_(None)) | (held.c.ends_on >= on),
                   Person.joined_on <= on, (Person.left_on.is_(None)) | (Person.left_on >= on))
            .group_by(held.c.post_id).subquery())


def establishment_fill(provider_id: int, on: date) -> list[PostFill]:
    """Each post with the FTE contracted into it on a day, aggregated in SQL."""
    holders = post_holders(on)
    totals = select(holders.c.post_id, holders.c.hours, holders.c.holders.label("people")).subquery()
    rows = db.session.execute(
        select(Post, totals.c.hours, totals.c.people)
        .outerjoin(totals, totals.c.post_id == Post.id)
        .where(Post.provider_id == provider_id, Post.in_force_on(on))
        .options(selectinload(Post.grade), selectinload(Post.area))
        .order_by(Post.title, Post.area_id.is_(None).desc(), Post.area_id)
    ).all()
    return [
        PostFill(post=post,
                 contracted_fte=fte_of_weekly_hours(hours),
                 people=people or 0)
        for post, hours, people in rows
    ]
