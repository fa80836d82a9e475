"""Building the workforce return: every measure per area and in total, as tidy figures."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

from sqlalchemy import func, select

from app import generation
from app.audit import services as audit
from app.delivery.services import areas_for, delivery_reports
from app.equality import services as equality
from app.extensions import db
from app.locks import serialise
from app.models.people import Area, Provider, Stage
from app.models.recruitment import HEARD_FROM, WITHDRAWN_BECAUSE
from app.models.returns import ReturnSubmission
from app.training.queries import provider_compliance_counts

from . import measures as m
from .costs import expense_totals, line_costs

ALL = "All"
SUPPRESS_BELOW = 5
MONEY = {"expenses_approved", "expenses_paid", "pay_cost", "non_pay_cost", "budget", "volunteer_hours_value"}
SECTIONS = {
    "Workforce": ["headcount", "fte_contracted", "fte_used", "starters", "leavers", "turnover_pct", "progressions",
                  "leavers_by_reason", "into_work_or_training", "lived_experience_pct", "headcount_lived_experience"],
    "Posts and vacancies": ["headcount_by_post", "fte_by_post", "vacancy_fte", "under_contracted_fte",
                            "vacancy_rate_pct"],
    "Hours": ["hours"],
    "Training and checks": ["training_compliance_pct", "dbs_compliance_pct"],
    "Money": ["expenses_approved", "expenses_paid", "pay_cost", "non_pay_cost", "budget", "volunteer_hours_value"],
    "Recruitment": ["interests_received", "interests_started", "interests_withdrawn", "interest_conversion_pct",
                    "days_to_start_median"],
    "Equality": equality.RETURN_MEASURES,
    "Delivery": ["sessions_delivered", "sessions_planned", "families_reached", "families_planned", "attendances",
                 "face_to_face_pct", "out_of_hours_pct", "parent_led_pct", "hours_per_family", "programmes_started",
                 "programme_families"],
}


@dataclass(frozen=True)
class Figure:
    area: str
    measure: str
    breakdown: str
    value: float | None  # None: suppressed (fewer than 5 people)


@dataclass
class WorkforceReturn:
    start: date
    end: date
    provider: str
    figures: list[Figure] = field(default_factory=list)

    def value(self, measure: str, breakdown: str = "", area: str = ALL) -> float | None:
        return next((f.value for f in self.figures
                     if f.measure == measure and f.breakdown == breakdown and f.area == area), None)

    def section(self, name: str) -> list[Figure]:
        wanted = SECTIONS[name]
        return sorted((f for f in self.figures if f.measure in wanted),
                      key=lambda f: (wanted.index(f.measure), f.area != ALL, f.area, f.breakdown))

    def pivot(self, measure: str) -> dict[str, dict[str, float | None]]:
        """{breakdown: {area: value}} for one measure, for tables with areas as columns."""
        table: dict[str, dict[str, float | None]] = {}
        for f in self.figures:
            if f.measure == measure:
                table.setdefault(f.breakdown, {})[f.area] = f.value
        return dict(sorted(table.items()))

    def areas(self) -> list[str]:
        return [ALL] + sorted({f.area for f in self.figures if f.area != ALL})

    def rows(self) -> list[list]:
        """Tidy CSV rows: one figure each; suppressed cells are left out."""
        return [[self.start.isoformat(), self.end.isoformat(), self.provider, f.area, f.measure, f.breakdown,
                 _plain(f.value)] for f in self.figures if f.value is not None]


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 4)


COUNTS = {"headcount", "starters", "leavers", "progressions", "headcount_lived_experience", "headcount_by_post"}


def _round(measure: str, value: float) -> float:
    if measure in COUNTS:
        return int(value)
    if measure in MONEY:
        return round(value, 2)
    if measure.endswith(("_pct", "_fte")) or measure.startswith("fte") or measure == "hours":
        return round(value, 2)
    return value


class _Builder:
    def __init__(self, area_names: dict[int, str]):
        self.area_names = area_names
        self.figures: list[Figure] = []

    def add(self, measure: str, values: m.Values, *, areas: bool = True, suppress: bool = False) -> None:
        totals: dict[str, float] = defaultdict(float)
        for area_id, breakdowns in values.items():
            for breakdown, value in breakdowns.items():
                totals[breakdown] += value
                if areas and area_id in self.area_names:
                    self._figure(self.area_names[area_id], measure, breakdown, value, suppress)
        for breakdown, value in totals.items():
            self._figure(ALL, measure, breakdown, value, suppress)

    def _figure(self, area: str, measure: str, breakdown: str, value: float, suppress: bool) -> None:
        hidden = suppress and value < SUPPRESS_BELOW
        self.figures.append(Figure(area, measure, breakdown, None if hidden else _round(measure, value)))

    def ratio(self, measure: str, numerators: dict[str, float], denominators: dict[str, float]) -> None:
        for area, whole in denominators.items():
            if whole:
                self.figures.append(Figure(area, measure, "", round(numerators.get(area, 0) * 100 / whole, 1)))


def _by_area(values: m.Values, area_names: dict[int, str]) -> dict[str, float]:
    """Totals over breakdowns, per area name and for All."""
    totals: dict[str, float] = defaultdict(float)
    for area_id, breakdowns in values.items():
        total = sum(breakdowns.values())
        totals[ALL] += total
        if area_id in area_names:
            totals[area_names[area_id]] += total
    return totals


def _recruitment(build: _Builder, provider_id: int | None, start: date, end: date, names: dict[int, str]) -> None:
    """The way in: interests, starts and withdrawals (counts only), conversion and the median days to start."""
    found = m.recruitment(provider_id, start, end)
    days = found.pop("_days_to_start")
    for measure, values in found.items():
        build.add(measure, values)
    build.ratio("interest_conversion_pct", _by_area(found["interests_started"], names),
                _by_area(found["interests_received"], names))
    by_area = {ALL: [d for values in days.values() for d in values]}
    by_area.update({names[a]: values for a, values in days.items() if a in names})
    for area, values in by_area.items():
        if values:
            build.figures.append(Figure(area, "days_to_start_median", "", float(median(values))))


@dataclass
class WayInRow:
    label: str
    received: int
    started: int
    withdrawn: int
    median_days: float | None

    @property
    def conversion(self) -> float | None:
        return round(self.started * 100 / self.received, 1) if self.received else None


@dataclass
class WayIn:
    by_area: list[WayInRow]
    by_source: list[WayInRow]
    withdrawals: list[tuple[str, int]]
    total: WayInRow


def way_in(provider_id: int | None, start: date, end: date) -> WayIn:
    """How the way in did in a period, counts only (no names): per area and per source, with
    the total, and withdrawals by reason; the same figures as the return's Recruitment section."""
    found = m.recruitment(provider_id, start, end)
    names = dict(db.session.execute(select(Area.id, Area.name)).all())
    by_source_days = m.recruitment_days_by_source(provider_id, start, end)

    def row(label, received, started, withdrawn, days) -> WayInRow:
        return WayInRow(label, int(received), int(started), int(withdrawn), float(median(days)) if days else None)

    areas = set(found["interests_received"]) | set(found["interests_started"]) | set(found["interests_withdrawn"])
    by_area = sorted((row(names.get(a, "-"), sum(found["interests_received"].get(a, {}).values()),
                          sum(found["interests_started"].get(a, {}).values()),
                          sum(found["interests_withdrawn"].get(a, {}).values()), found["_days_to_start"].get(a, []))
                      for a in areas), key=lambda r: r.label)
    sources: dict[str, list[float]] = defaultdict(lambda: [0, 0])
    for index, measure in enumerate(("interests_received", "interests_started")):
        for breakdowns in found[measure].values():
            for source, n in breakdowns.items():
                sources[source][index] += n
    by_source = [row(HEARD_FROM.get(code, code), received, started, 0, by_source_days.get(code, []))
                 for code, (received, started) in sorted(sources.items(), key=lambda kv: -kv[1][0])]
    reasons: dict[str, int] = defaultdict(int)
    for breakdowns in found["interests_withdrawn"].values():
        for reason, n in breakdowns.items():
            reasons[WITHDRAWN_BECAUSE.get(reason, reason)] += int(n)
    total = row("Total", sum(r.received for r in by_area), sum(r.started for r in by_area),
                sum(r.withdrawn for r in by_area), [d for days in found["_days_to_start"].values() for d in days])
    return WayIn(by_area, by_source, sorted(reasons.items(), key=lambda kv: -kv[1]), total)


def _equality(build: _Builder, provider_id: int | None, end: date, names: dict[int, str]) -> None:
    """Equality monitoring for the contract year the period ends in, counts only, small numbers
    hidden (None) together with every provider's, so no table subtracts from another."""
    tables = equality.build_tables(*equality.year_of(end))
    build.figures += [Figure(area, measure, group, value)
                      for area, measure, group, value in equality.return_figures(tables, provider_id, names)]


def _delivery(build: _Builder, provider_id: int | None, start: date, end: date) -> None:
    """Sessions, families and hours against the plan, for each area the provider delivers in and in total."""
    areas = areas_for(provider_id)
    reports = delivery_reports(provider_ids=[provider_id] if provider_id else None, areas=areas, start=start,
                               end=end, each_area=True)
    for label, key in [(ALL, None)] + [(a.name, a.id) for a in areas]:
        report = reports[key]
        for item in report.offers:
            kind = item.offer.kind.value
            build.figures += [Figure(label, "sessions_delivered", kind, item.delivered),
                              Figure(label, "sessions_planned", kind, float(item.planned)),
                              Figure(label, "families_reached", kind, item.families_new),
                              Figure(label, "families_planned", kind, float(item.planned_families))]
        build.figures += [Figure(label, "attendances", "", report.families_attended),
                          Figure(label, "programmes_started", "", report.programmes),
                          Figure(label, "programme_families", "", report.programme_families)]
        if report.sessions:
            build.figures += [Figure(label, "face_to_face_pct", "", float(report.share(report.face_to_face))),
                              Figure(label, "out_of_hours_pct", "", float(report.share(report.out_of_hours))),
                              Figure(label, "parent_led_pct", "", float(report.share(report.parent_led)))]
        if report.hours_per_family is not None:
            build.figures.append(Figure(label, "hours_per_family", "", float(report.hours_per_family)))


def build_return(*, start: date, end: date, provider: Provider | None) -> WorkforceReturn:
    """Every measure of the return for a period, per area and in total. Worked out once for the
    data as it stands (``app.generation``): asked again before anything changes, it is not
    worked out again."""
    key = ("return", start, end, provider.id if provider else None, date.today())
    found = generation.kept(key, lambda: _build_return(start=start, end=end, provider=provider))
    return WorkforceReturn(found.start, found.end, found.provider, list(found.figures))


def _build_return(*, start: date, end: date, provider: Provider | None) -> WorkforceReturn:
    provider_id = provider.id if provider else None
    names = dict(db.session.execute(select(Area.id, Area.name)).all())
    build = _Builder(names)
    (headcount_end, lived), headcount_start = m.headcount_and_lived(provider_id, end), m.headcount(provider_id, start)
    leavers, by_reason, onward = m.leavers_and_reasons(provider_id, start, end)
    build.add("headcount", headcount_end)
    build.add("fte_contracted", m.fte_contracted(provider_id, end))
    fte_used, hours, volunteer_value = m.split_hours(m.hours_breakdown(provider_id, start, end), start, end)
    build.add("fte_used", fte_used)
    build.add("starters", m.starters(provider_id, start, end))
    build.add("leavers", leavers)
    end_totals, start_totals = _by_area(headcount_end, names), _by_area(headcount_start, names)
    build.ratio("turnover_pct", _by_area(leavers, names),
                {a: (start_totals.get(a, 0) + end_totals.get(a, 0)) / 2
                 for a in sorted(set(end_totals) | set(start_totals))})
    build.add("progressions", m.progressions(provider_id, start, end))
    build.add("leavers_by_reason", by_reason)
    build.add("into_work_or_training", onward)
    heads_by_post, fte_by_post = m.by_post(provider_id, end)
    build.add("headcount_by_post", heads_by_post)
    build.add("fte_by_post", fte_by_post)
    vacancy, under_contracted, funded = m.vacancy(provider_id, end)
    build.add("vacancy_fte", vacancy)
    build.add("under_contracted_fte", under_contracted)
    if funded:
        vacant = _by_area(vacancy, names)[ALL]
        build.figures.append(Figure(ALL, "vacancy_rate_pct", "", round(vacant * 100 / funded, 1)))
    build.add("hours", hours)
    _compliance(build, provider_id, end, names, end_totals)
    spent = expense_totals(provider_id, start, end)
    expenses = m.expenses(spent)
    for measure in ("expenses_approved", "expenses_paid"):
        build.add(measure, {area: {"": v[measure]} for area, v in expenses.items() if measure in v})
    for measure, values in line_costs(provider_id, start, end, expenses=spent).items():
        build.add(measure, values, areas=measure != "budget")
    build.ratio("lived_experience_pct", {a: v for a, v in _by_area(
        {k: {"yes": b.get("yes", 0)} for k, b in lived.items()}, names).items()}, end_totals)
    build.add("headcount_lived_experience", lived, suppress=True)
    build.add("volunteer_hours_value", volunteer_value)
    _recruitment(build, provider_id, start, end, names)
    _equality(build, provider_id, end, names)
    _delivery(build, provider_id, start, end)
    figures = secondary_suppression(build.figures, "headcount_lived_experience", share="lived_experience_pct")
    return WorkforceReturn(start, end, provider.name if provider else ALL, with_zeros(figures))


STAGE_MEASURES = ("headcount", "fte_contracted", "fte_used", "starters", "leavers")
# Shares and rates with nothing to divide by are left out rather than shown as a false 0.
NO_ZERO = ("headcount_lived_experience", "hours_per_family")


def with_zeros(figures: list[Figure]) -> list[Figure]:
    """Every count and sum appears in every output, as 0 when nothing counted: a zero is a figure."""
    totals = {(f.measure, f.breakdown) for f in figures if f.area == ALL}
    present = {f.measure for f in figures}
    extra = []
    for measure in (code for measures in SECTIONS.values() for code in measures):
        if measure.endswith("_pct") or measure in NO_ZERO:
            continue
        if measure in STAGE_MEASURES:
            extra += [Figure(ALL, measure, stage.value, 0) for stage in Stage if (measure, stage.value) not in totals]
        elif measure not in present:
            extra.append(Figure(ALL, measure, "", 0))
    return figures + extra


def secondary_suppression(figures: list[Figure], measure: str, *, share: str) -> list[Figure]:
    """Hide enough further cells that no suppressed cell of ``measure`` can be worked out.

    Each area's breakdown adds up to its published headcount, so a hidden cell hides the
    rest of its row and the row's ``share``; each breakdown adds up over the areas to the
    All row, so a column with one hidden area hides a second (the smallest), or the All row.
    """
    cells = {(f.area, f.breakdown): f for f in figures if f.measure == measure}
    hidden = {key for key, f in cells.items() if f.value is None}
    rows = {area for area, _ in cells}
    changed = True
    while changed:
        before = set(hidden)
        for area in {area for area, _ in hidden}:  # a row adds up to the published headcount
            hidden |= {key for key in cells if key[0] == area}
        for breakdown in {b for _, b in cells}:  # a column adds up to the All row
            column = [a for a in rows if a != ALL and (a, breakdown) in cells]
            shut = [a for a in column if (a, breakdown) in hidden]
            if len(shut) == 1 and (ALL, breakdown) not in hidden:
                candidates = sorted((cells[(a, breakdown)].value, a) for a in column if a not in shut)
                hidden.add((candidates[0][1], breakdown) if candidates else (ALL, breakdown))
        changed = hidden != before
    shut_rows = {area for area, _ in hidden}

    def withheld(f: Figure) -> bool:
        if f.measure == measure:
            return (f.area, f.breakdown) in hidden
        return f.measure == share and f.area in shut_rows

    return [Figure(f.area, f.measure, f.breakdown, None) if withheld(f) else f for f in figures]


def _compliance(build: _Builder, provider_id: int | None, day: date, names: dict[int, str],
                headcounts: dict[str, float]) -> None:
    training, dbs = provider_compliance_counts(provider_id, day)
    for measure, counts in (("training_compliance_pct", training), ("dbs_compliance_pct", dbs)):
        by_area = {names[a]: n for a, n in counts.items() if a in names}
        by_area["All"] = sum(counts.values())
        build.ratio(measure, by_area, headcounts)


def submit_return(ret: WorkforceReturn, *, provider: Provider | None, actor, now: datetime) -> ReturnSubmission:
    """Freeze the figures as submitted; a resubmission is a new version beside the old."""
    provider_id = provider.id if provider else None
    # Two submissions at once: the second waits, then becomes the next version (never the same one).
    serialise(f"return:{provider_id}:{ret.start}:{ret.end}")
    latest = db.session.scalar(select(func.max(ReturnSubmission.version)).where(
        ReturnSubmission.provider_id.is_(None) if provider_id is None else ReturnSubmission.provider_id == provider_id,
        ReturnSubmission.period_start == ret.start, ReturnSubmission.period_end == ret.end))
    submission = ReturnSubmission(
        provider_id=provider_id, period_start=ret.start, period_end=ret.end, version=(latest or 0) + 1,
        submitted_by_id=actor.id, submitted_by_label=audit.actor_label(actor), submitted_at=now,
        figures=[[f.area, f.measure, f.breakdown, f.value] for f in ret.figures])
    db.session.add(submission)
    db.session.flush()
    audit.record(actor=actor, action="submit", entity=submission, provider_id=provider_id,
                 summary=f"Submitted the workforce return for {ret.start:%-d %B %Y} to {ret.end:%-d %B %Y}, "
                         f"version {submission.version}")
    return submission


def from_submission(submission: ReturnSubmission) -> WorkforceReturn:
    return WorkforceReturn(submission.period_start, submission.period_end,
                           submission.provider.name if submission.provider else ALL,
                           [Figure(*row) for row in submission.figures])
