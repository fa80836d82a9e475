"""The seed's establishment: grades priced so the council's table comes out exactly."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models.establishment import (
    BudgetLine,
    BudgetLineKind,
    ContractYear,
    Funding,
    Grade,
    PayPoint,
    Post,
)
from app.models.people import Area, Provider
from app.periods import contract_year_starting

AREAS = ["North Kent", "South Kent", "East Kent", "West Kent"]

# The council priced the service at 2021/22 mid-points with 30% on-costs:
# mid x 1.30 gives the seed's per-FTE costs (KR11 £56,359, KR9 £41,241,
# KR6 £27,827, KR3 £19,425) to the pound.
BASIS_ON = date(2021, 4, 1)
BASIS_MIDS = {"KR3": 1_494_231, "KR6": 2_140_538, "KR9": 3_172_385, "KR11": 4_335_308}

# Published Kent Range bands (min, max) in pounds; later years are the demo's
# assumed pay awards (3.5% in 2025, 3.2% in 2026), landing from 1 April.
PUBLISHED = {
    2023: {"KR3": (21_293, 21_293), "KR6": (23_801, 25_262), "KR9": (32_485, 36_693),
           "KR11": (43_216, 49_323)},
    2024: {"KR3": (23_337, 23_337), "KR6": (25_127, 26_383), "KR9": (32_933, 37_188),
           "KR11": (43_810, 49_989)},
}
AWARDS = {2025: Decimal("1.035"), 2026: Decimal("1.032")}
# Employer NI 13.8% above a threshold until April 2025, 15% above £5,000 after;
# with local government pension about 20%, roughly 28% then 30% of pay.
ON_COSTS_BP = {2021: 3000, 2023: 2800, 2024: 2800, 2025: 3000, 2026: 3000}
GRADE_NAMES = {"KR3": "Kent Range 3", "KR6": "Kent Range 6", "KR9": "Kent Range 9",
               "KR11": "Kent Range 11"}


def get_or_create(model, defaults: dict | None = None, **keys):
    found = db.session.scalar(select(model).filter_by(**keys))
    if found is not None:
        return found, False
    found = model(**keys, **(defaults or {}))
    db.session.add(found)
    db.session.flush()
    return found, True


def load_areas() -> dict[str, Area]:
    return {name: get_or_create(Area, name=name)[0] for name in AREAS}


def _pay_rows() -> dict[str, list[tuple[date, int, int, int, int]]]:
    rows = {code: [] for code in GRADE_NAMES}
    for code, mid in BASIS_MIDS.items():
        rows[code].append((BASIS_ON, round(mid * 0.95), mid, round(mid * 1.05), ON_COSTS_BP[2021]))
    latest = {}
    for year, bands in PUBLISHED.items():
        for code, (low, high) in bands.items():
            latest[code] = (low * 100, high * 100)
            mid = (low + high) * 50
            rows[code].append((contract_year_starting(year)[0], low * 100, mid, high * 100, ON_COSTS_BP[year]))
    for year, factor in AWARDS.items():
        for code, (low, high) in latest.items():
            low, high = int(low * factor), int(high * factor)
            latest[code] = (low, high)
            rows[code].append((contract_year_starting(year)[0], low, (low + high) // 2, high, ON_COSTS_BP[year]))
    return rows


def load_grades() -> dict[str, Grade]:
    grades = {}
    for code, points in _pay_rows().items():
        grade, _ = get_or_create(Grade, code=code, defaults={"name": GRADE_NAMES[code]})
        for effective, low, mid, high, on_cost in points:
            get_or_create(PayPoint, grade_id=grade.id, effective_from=effective, defaults={
                "financial_year": effective.year, "min_pence": low, "mid_pence": mid,
                "max_pence": high, "on_cost_bp": on_cost})
        grades[code] = grade
    return grades


# (title, grade, county-wide?, posts per row, FTE per row, volunteer?)
ESTABLISHMENT = [
    ("Service Coordinator", "KR11", True, 1, "1.0", False),
    ("Area Facilitator", "KR9", False, 1, "1.0", False),
    ("Parent Co-Facilitator", "KR6", False, 3, "1.5", False),
    ("Parent Volunteer", None, False, 3, "0.75", True),
    ("Admin Assistant", "KR3", True, 1, "1.0", False),
]


def load_posts(provider: Provider, areas: dict[str, Area], grades: dict[str, Grade]):
    posts: dict[str, list[Post]] = {}
    for title, code, county_wide, count, fte, volunteer in ESTABLISHMENT:
        for area in [None] if county_wide else [areas[name] for name in AREAS]:
            post, _ = get_or_create(
                Post, provider_id=provider.id, title=title, area_id=area.id if area else None,
                defaults={"grade_id": grades[code].id if code else None, "number_of_posts": count,
                          "budgeted_fte": Decimal(fte), "is_volunteer": volunteer})
            posts.setdefault(title, []).append(post)
    return posts


BUDGET_LINES = [
    (BudgetLineKind.PAY, "Service Coordinator", None),
    (BudgetLineKind.PAY, "Area Facilitator", None),
    (BudgetLineKind.PAY, "Parent Co-Facilitator", None),
    (BudgetLineKind.VOLUNTEER_EXPENSES, "Parent Volunteers", 1_200_000),
    (BudgetLineKind.PAY, "Admin Assistant", None),
    (BudgetLineKind.TRAINING, "Training & Development", 3_000_000),
    (BudgetLineKind.NON_PAY, "Training materials, room hire, etc.", 2_600_000),
]
POSTS_FOR_LINE = {"Parent Volunteers": "Parent Volunteer"}
FUNDING = [("Kent County Council", 40_000_000), ("NHS (CCG)", 10_000_000)]
CONTRACT_YEARS = [(2025, "2025/26"), (2026, "2026/27")]
# 2025/26 is priced as the council let the contract, at 2021/22 mid-points (the seed table);
# 2026/27 at the 2026 pay points, as a provider budgets a year it knows the award for.
PRICED_AT = {2025: BASIS_ON}


def load_contract_years(provider: Provider, posts: dict[str, list[Post]],
                        starts: tuple[int, ...] | None = None) -> list[ContractYear]:
    years = []
    wanted = CONTRACT_YEARS if starts is None else [(y, f"{y}/{(y + 1) % 100:02d}") for y in starts]
    for start, label in wanted:
        year, created = get_or_create(
            ContractYear, provider_id=provider.id, starts_on=contract_year_starting(start)[0],
            defaults={"label": label, "ends_on": contract_year_starting(start)[1],
                      "pay_basis_on": PRICED_AT.get(start, contract_year_starting(start)[0])})
        if created:
            for order, (kind, name, amount) in enumerate(BUDGET_LINES, start=1):
                line = BudgetLine(kind=kind, name=name, amount_pence=amount, sort_order=order)
                line.posts = posts.get(POSTS_FOR_LINE.get(name, name), [])
                year.budget_lines.append(line)
            for source, amount in FUNDING:
                year.funding.append(Funding(source=source, amount_pence=amount))
        years.append(year)
    db.session.flush()
    return years
