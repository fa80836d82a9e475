"""Recording sessions (and the facilitators' hours with them), and the delivery figures
against the plan. Counts of families only: no family is ever named."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from app import generation
from app.audit import services as audit
from app.extensions import db
from app.formatting import long_date
from app.hours.services import HoursError, log_hours
from app.models.council import Lot
from app.models.delivery import (
    Cohort,
    DeliveryBaseline,
    DeliveryPlan,
    DeliverySession,
    Mode,
    Offer,
    OfferKind,
    SessionDay,
    SessionFacilitator,
)
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Area, Person, Provider
from app.models.training import TrainingRecord, TrainingResult
from app.periods import weeks_in_period, whole_weeks
from app.statements import END, START, built_once

# The areas and the providers a delivery statement is run for.
AREAS = bindparam("areas", expanding=True)
PROVIDERS = bindparam("providers", expanding=True)

EVENING_FROM = time(17, 30)


class DeliveryError(ValueError):
    """Rules broken; ``problems`` maps form fields to messages."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def offers() -> list[Offer]:
    return list(db.session.scalars(select(Offer).order_by(Offer.sort_order)))


def is_out_of_hours(day: date, ends_at: time) -> bool:
    """An evening (running past half past five) or a weekend."""
    return day.weekday() >= 5 or ends_at > EVENING_FROM


def _training_flag(people: list[Person], cohort: Cohort | None, day: date) -> str | None:
    """Facilitators without the course the programme needs (a licence), named; None if all have it."""
    if cohort is None or cohort.required_course_id is None:
        return None
    trained = set(db.session.scalars(select(TrainingRecord.person_id).where(
        TrainingRecord.person_id.in_([p.id for p in people]), TrainingRecord.course_id == cohort.required_course_id,
        TrainingRecord.result != TrainingResult.FAILED,
        TrainingRecord.completed_on <= day,
        (TrainingRecord.expires_on.is_(None)) | (TrainingRecord.expires_on >= day))))
    missing = [p.name for p in people if p.id not in trained]
    if not missing:
        return None
    return f"{', '.join(missing)} had no current {cohort.required_course.name} on {long_date(day)}"


def _session_problems(*, provider_id: int, offer: Offer, area: Area, starts_at: time, ends_at: time,
                      facilitators: list[tuple[Person, bool]], cohort: Cohort | None, counts: dict[str, int],
                      families_attended: int) -> dict[str, str]:
    problems = {}
    if ends_at <= starts_at:
        problems["ends_at"] = "The end must be after the start"
    if not facilitators:
        problems["facilitators"] = "Choose who facilitated the session"
    elif any(person.provider_id != provider_id for person, _ in facilitators):
        problems["facilitators"] = "Choose people from your provider"
    for name, value in counts.items():
        if value > families_attended:
            problems[name] = "This cannot be more than the families who came"
    if cohort is not None and (cohort.offer_id != offer.id or cohort.area_id != area.id
                               or cohort.provider_id != provider_id):
        problems["cohort_id"] = "Choose a cohort of this offer in this area"
    if offer.is_programme and cohort is None:
        problems["cohort_id"] = "A programme session belongs to a cohort: choose it, or add the cohort first"
    return problems


def record_session(*, provider_id: int, offer: Offer, area: Area, delivered_on: date, starts_at: time, ends_at: time,
                   mode: str, venue: str | None, out_of_hours: bool | None, facilitators: list[tuple[Person, bool]],
                   families_attended: int, families_new: int, families_phase_one: int, families_pre_diagnosis: int,
                   cohort: Cohort | None, actor, today: date, now: datetime) -> DeliverySession:
    """Record a session and submit each facilitator's hours for it (for someone else to approve
    where it is the recorder's own). A facilitator without a programme's licence course is
    flagged, not refused.

    :raises DeliveryError: for counts that do not add up, no facilitator, a cohort of another
        offer or area, or hours that break the hours rules (named per person).
    """
    problems = _session_problems(provider_id=provider_id, offer=offer, area=area, starts_at=starts_at,
                                 ends_at=ends_at, facilitators=facilitators, cohort=cohort,
                                 counts={"families_new": families_new, "families_phase_one": families_phase_one,
                                         "families_pre_diagnosis": families_pre_diagnosis},
                                 families_attended=families_attended)
    if problems:
        raise DeliveryError(problems)
    session = DeliverySession(
        provider_id=provider_id, offer_id=offer.id, area_id=area.id, cohort_id=cohort.id if cohort else None,
        delivered_on=delivered_on, starts_at=starts_at, ends_at=ends_at, mode=Mode(mode),
        venue=(venue or "").strip() or None,
        out_of_hours=is_out_of_hours(delivered_on, ends_at) if out_of_hours is None else out_of_hours,
        families_attended=families_attended, families_new=families_new, families_phase_one=families_phase_one,
        families_pre_diagnosis=families_pre_diagnosis, recorded_by_id=actor.id if actor else None,
        flag=_training_flag([p for p, _ in facilitators], cohort, delivered_on))
    db.session.add(session)
    db.session.flush()
    minutes = session.minutes
    for person, leads in facilitators:
        try:
            entry = log_hours(person, worked_on=delivered_on, minutes=minutes, activity=offer.activity,
                              area_id=area.id, note=f"{offer.name} session", actor=actor, today=today, submit=True,
                              now=now)
        except HoursError as error:
            problems[f"facilitators-{person.id}"] = f"{person.name}: {error}"
            continue
        session.facilitators.append(SessionFacilitator(person_id=person.id, leads=leads, hours_entry_id=entry.id))
    if problems:
        raise DeliveryError(problems)
    db.session.flush()
    audit.record(actor=actor, action="create", entity=session, provider_id=provider_id,
                 summary=f"Recorded a {offer.name} session in {area.name} on {long_date(delivered_on)}: "
                         f"{families_attended} families ({families_new} new), {len(facilitators)} facilitator(s)"
                         + (f". Flagged: {session.flag}" if session.flag else ""))
    return session


# The plan and the figures ------------------------------------------------------------------

def plan_on(provider_id: int | None, day: date) -> dict[int, DeliveryPlan]:
    """Each offer's plan in force on ``day``: the provider's own where it has one, else the council's."""
    rows = db.session.scalars(select(DeliveryPlan).where(
        DeliveryPlan.effective_from <= day,
        (DeliveryPlan.provider_id.is_(None)) | (DeliveryPlan.provider_id == provider_id))
        .order_by(DeliveryPlan.effective_from)).all()
    council = {r.offer_id: r for r in rows if r.provider_id is None}
    own = {r.offer_id: r for r in rows if r.provider_id is not None}
    return {**council, **own}


def weeks_in(start: date, end: date) -> list[date]:
    """The Mondays of the whole weeks (Monday to Sunday) inside [start, end]."""
    return whole_weeks(start, end)


@dataclass(frozen=True)
class OfferFacts:
    """What a report says of an offer, as plain values: kept between requests with the figures."""
    id: int
    name: str
    kind: OfferKind
    is_programme: bool


@dataclass(frozen=True)
class BaselineFacts:
    """The council's baseline year, as plain values."""
    year: int
    programmes: int
    families: int
    diagnosis_share_pct: Decimal
    increase_pct: Decimal


@dataclass(frozen=True)
class PlanFacts:
    """An offer's plan in force, as the figures use it."""
    sessions_per_week: Decimal
    families_per_year: int


@dataclass
class OfferFigures:
    offer: OfferFacts
    planned_per_week: Decimal
    weeks: Decimal  # the period's weeks, a part week in proportion (as sessions are counted on every day)
    areas: Decimal  # the areas the plan is counted for (a provider with no lot: once, shared across areas)
    delivered: int = 0
    short_weeks: int = 0  # area-weeks with fewer sessions than planned
    families_new: int = 0
    families_attended: int = 0
    planned_families: Decimal = Decimal(0)

    @property
    def planned(self) -> Decimal:
        return self.planned_per_week * self.weeks * self.areas


@dataclass
class DeliveryReport:
    """A period's delivery figures. Kept between requests (app.generation): callers only read it."""
    start: date
    end: date
    area_ids: list[int]
    offers: list[OfferFigures]
    weekly: dict[date, int] = field(default_factory=dict)  # sessions delivered each week
    planned_per_week: Decimal = Decimal(0)
    families_by_week: dict[date, int] = field(default_factory=dict)
    sessions: int = 0
    face_to_face: int = 0
    out_of_hours: int = 0
    parent_led: int = 0
    minutes: int = 0
    families_new: int = 0
    families_attended: int = 0
    phase_one: int = 0
    pre_diagnosis: int = 0
    programmes: int = 0
    programme_families: int = 0
    baseline: BaselineFacts | None = None

    @property
    def planned_families(self) -> Decimal:
        return sum((o.planned_families for o in self.offers), Decimal(0))

    @property
    def hours_per_session(self) -> Decimal | None:
        return (Decimal(self.minutes) / 60 / self.sessions).quantize(Decimal("0.01")) if self.sessions else None

    @property
    def hours_per_family(self) -> Decimal | None:
        return (Decimal(self.minutes) / 60 / self.families_new).quantize(Decimal("0.01")) if self.families_new \
            else None

    def share(self, count: int) -> Decimal | None:
        return (Decimal(count) * 100 / self.sessions).quantize(Decimal("0.1")) if self.sessions else None

    @property
    def year_share(self) -> Decimal:
        return Decimal((self.end - self.start).days + 1) / 365

    @property
    def baseline_programmes(self) -> Decimal | None:
        """The 2019 offer's programmes for this period and these areas (county-wide is four)."""
        if self.baseline is None:
            return None
        return (Decimal(self.baseline.programmes) * self.year_share * len(self.area_ids) / 4).quantize(Decimal("0.1"))

    @property
    def baseline_families(self) -> Decimal | None:
        if self.baseline is None:
            return None
        return (Decimal(self.baseline.families) * self.year_share * len(self.area_ids) / 4).quantize(Decimal("0.1"))

    @property
    def target_families(self) -> Decimal | None:
        """The baseline with the promised increase in the county-wide offer."""
        if self.baseline is None:
            return None
        return (self.baseline_families * (1 + self.baseline.increase_pct / 100)).quantize(Decimal("0.1"))


def delivery_report(*, provider_ids: list[int] | None, areas: list[Area], start: date, end: date) -> DeliveryReport:
    """Sessions, families and hours in [start, end] for the providers (None: every provider) and
    areas, against the plan in force at the start. Aggregated in SQL by week, offer and area."""
    return delivery_reports(provider_ids=provider_ids, areas=areas, start=start, end=end)[None]


def monday_of(column, dialect: str):
    """The Monday starting a date's week, in SQL in the words of ``dialect`` (the database's name),
    grouping a period's sessions by week, not day."""
    from sqlalchemy import Date, cast, literal_column

    if dialect == "postgresql":
        return cast(func.date_trunc("week", column), Date)
    return func.date(column, literal_column("'weekday 0'"), literal_column("'-6 days'"))


def _session_figures(provider_ids: list[int] | None, area_ids: list[int], start: date, end: date):
    """The period's sessions by offer, area and week, facilitators' minutes and parent-led
    sessions by area, and programmes started by area: plain rows, kept until the data changes."""
    if provider_ids is None:
        return _every_provider_figures(area_ids, start, end)
    values = {"areas": area_ids, "providers": provider_ids, "start": start, "end": end}
    weeks, minutes, parent_led = _provider_statements(db.session.get_bind().dialect.name)
    rows = db.session.execute(weeks, values).all()
    return ([tuple(r) for r in rows], dict(db.session.execute(minutes, values).all()),
            dict(db.session.execute(parent_led, values).all()), _programmes(provider_ids, area_ids, start, end))


@built_once
def _provider_statements(dialect: str):
    """The sessions by offer, area and week, the facilitators' minutes and the parent-led sessions
    of some providers: built once for each database (weeks are grouped in each one's own words)."""
    scope = [DeliverySession.delivered_on.between(START, END),
             DeliverySession.area_id.in_(AREAS),
             DeliverySession.provider_id.in_(PROVIDERS)]
    week = monday_of(DeliverySession.delivered_on, dialect)
    weeks = (select(DeliverySession.offer_id, DeliverySession.area_id, week, func.count(),
                    func.sum(DeliverySession.families_attended), func.sum(DeliverySession.families_new),
                    func.sum(func.cast(DeliverySession.mode == Mode.ONLINE, db.Integer)),
                    func.sum(func.cast(DeliverySession.out_of_hours, db.Integer)),
                    func.sum(DeliverySession.families_phase_one), func.sum(DeliverySession.families_pre_diagnosis))
             .where(*scope).group_by(DeliverySession.offer_id, DeliverySession.area_id, week))
    minutes = (select(DeliverySession.area_id, func.coalesce(func.sum(HoursEntry.minutes), 0))
               .join(SessionFacilitator, SessionFacilitator.hours_entry_id == HoursEntry.id)
               .join(DeliverySession, DeliverySession.id == SessionFacilitator.session_id)
               .where(*scope, HoursEntry.status != HoursStatus.REJECTED).group_by(DeliverySession.area_id))
    parent_led = (select(DeliverySession.area_id, func.count(func.distinct(DeliverySession.id)))
                  .join(SessionFacilitator, SessionFacilitator.session_id == DeliverySession.id)
                  .join(Person, Person.id == SessionFacilitator.person_id)
                  .where(*scope, SessionFacilitator.leads, Person.has_lived_experience)
                  .group_by(DeliverySession.area_id))
    return weeks, minutes, parent_led


def _programmes(provider_ids: list[int] | None, area_ids: list[int], start: date, end: date) -> dict[int, int]:
    """Programmes started in the period, by area (every provider's when ``provider_ids`` is None)."""
    values = {"areas": area_ids, "providers": provider_ids or [], "start": start, "end": end}
    return dict(db.session.execute(_programmes_started(provider_ids is None), values).all())


@built_once
def _programmes_started(every: bool):
    scope = [Cohort.starts_on.between(START, END), Cohort.area_id.in_(AREAS)]
    if not every:
        scope.append(Cohort.provider_id.in_(PROVIDERS))
    return select(Cohort.area_id, func.count()).where(*scope).group_by(Cohort.area_id)


def _every_provider_figures(area_ids: list[int], start: date, end: date):
    """The same figures for every provider, from the sessions-by-day summary (app.delivery.summary):
    a year's days, areas and offers, however many providers there are."""
    rows = db.session.execute(_every_provider_weeks(db.session.get_bind().dialect.name),
                              {"areas": area_ids, "start": start, "end": end}).all()
    minutes: dict[int, int] = {}
    parent_led: dict[int, int] = {}
    for row in rows:
        minutes[row[1]] = minutes.get(row[1], 0) + int(row[10] or 0)
        parent_led[row[1]] = parent_led.get(row[1], 0) + int(row[11] or 0)
    return ([tuple(r[:10]) for r in rows], {a: m for a, m in minutes.items() if m},
            {a: n for a, n in parent_led.items() if n}, _programmes(None, area_ids, start, end))


@built_once
def _every_provider_weeks(dialect: str):
    """Built once for each database (weeks are grouped in each one's own words)."""
    day = SessionDay
    week = monday_of(day.delivered_on, dialect)
    return (select(day.offer_id, day.area_id, week, func.sum(day.sessions), func.sum(day.families_attended),
                   func.sum(day.families_new), func.sum(day.online), func.sum(day.out_of_hours),
                   func.sum(day.families_phase_one), func.sum(day.families_pre_diagnosis),
                   func.sum(day.minutes), func.sum(day.parent_led))
            .where(day.delivered_on.between(START, END), day.area_id.in_(AREAS))
            .group_by(day.offer_id, day.area_id, week))


def _reference(provider_id: int | None, start: date) -> tuple:
    """The plan in force at the start, whether the provider delivers once across the county (no
    lot), the baseline and the offers: plain values, kept with the period's figures."""
    plan = {offer_id: PlanFacts(Decimal(row.sessions_per_week), row.families_per_year)
            for offer_id, row in plan_on(provider_id, start).items()}
    every_area = provider_id is not None and not _has_lots(provider_id)
    row = db.session.scalar(select(DeliveryBaseline).order_by(DeliveryBaseline.id.desc()))
    baseline = None if row is None else BaselineFacts(row.year, row.programmes, row.families,
                                                      row.diagnosis_share_pct, row.increase_pct)
    return plan, every_area, baseline, [OfferFacts(o.id, o.name, o.kind, o.is_programme) for o in offers()]


def delivery_reports(*, provider_ids: list[int] | None, areas: list[Area], start: date, end: date,
                     each_area: bool = False) -> dict[int | None, DeliveryReport]:
    """The delivery report for ``areas`` together (key None) and, with ``each_area``, for each
    area alone (keyed by its id), from one pass over the period's sessions: a handful of
    queries, however many areas."""
    area_ids = [a.id for a in areas]
    key = ("delivery", tuple(provider_ids) if provider_ids is not None else None, tuple(area_ids), start, end,
           each_area)
    return generation.kept(key, lambda: _reports(provider_ids, area_ids, start, end, each_area))


def _reports(provider_ids: list[int] | None, area_ids: list[int], start: date, end: date,
             each_area: bool) -> dict[int | None, DeliveryReport]:
    single = provider_ids[0] if provider_ids and len(provider_ids) == 1 else None
    weeks = weeks_in(start, end)
    rows, minutes, parent_led, programmes = _session_figures(provider_ids, area_ids, start, end)
    plan, every_area, baseline, every_offer = _reference(single, start)
    groups = [(None, area_ids)] + ([(a, [a]) for a in area_ids] if each_area else [])
    reports = {}
    for key, chosen in groups:
        ids = set(chosen)
        # A provider with no lot delivers the plan once across the county, shared by its areas.
        share = Decimal(len(chosen)) / len(area_ids) if every_area and area_ids else Decimal(len(chosen))
        report = _report(plan, every_offer, weeks, chosen, start, end, baseline,
                         [r for r in rows if r[1] in ids], share)
        report.minutes = int(sum(minutes.get(i, 0) for i in ids))
        report.parent_led = int(sum(parent_led.get(i, 0) for i in ids))
        report.programmes = int(sum(programmes.get(i, 0) for i in ids))
        reports[key] = report
    return reports


def _report(plan, every_offer, weeks, area_ids, start, end, baseline, rows, share: Decimal) -> DeliveryReport:
    figures = {o.id: OfferFigures(o, Decimal(plan[o.id].sessions_per_week) if o.id in plan else Decimal(0),
                                  weeks_in_period(start, end), share) for o in every_offer}
    for offer_id, item in figures.items():
        if offer_id in plan:
            item.planned_families = (Decimal(plan[offer_id].families_per_year) * share
                                     * Decimal((end - start).days + 1) / 365).quantize(Decimal("0.1"))
    report = DeliveryReport(start, end, area_ids, list(figures.values()),
                            planned_per_week=sum((f.planned_per_week for f in figures.values()), Decimal(0))
                            * share, baseline=baseline)
    by_area_week: dict[tuple[int, int, date], int] = defaultdict(int)
    for offer_id, area_id, monday, count, attended, new, online_count, ooh, phase_one, pre in rows:
        monday = date.fromisoformat(monday) if isinstance(monday, str) else monday
        item = figures[offer_id]
        item.delivered += count
        item.families_new += int(new or 0)
        item.families_attended += int(attended or 0)
        by_area_week[(offer_id, area_id, monday)] += count
        report.weekly[monday] = report.weekly.get(monday, 0) + count
        report.families_by_week[monday] = report.families_by_week.get(monday, 0) + int(new or 0)
        report.sessions += count
        report.face_to_face += count - int(online_count or 0)
        report.out_of_hours += int(ooh or 0)
        report.families_new += int(new or 0)
        report.families_attended += int(attended or 0)
        report.phase_one += int(phase_one or 0)
        report.pre_diagnosis += int(pre or 0)
    for item in figures.values():
        if item.planned_per_week:
            item.short_weeks = sum(1 for week in weeks for area_id in area_ids
                                   if by_area_week.get((item.offer.id, area_id, week), 0) < item.planned_per_week)
    report.programme_families = sum(f.families_new for f in figures.values() if f.offer.is_programme)
    return report


def short_of_plan(start: date, end: date, *, below: float) -> list[tuple[Provider, Area | None, int, Decimal]]:
    """Every provider's areas that delivered fewer than ``below`` of the sessions the plan asked
    for in [start, end]: (provider, area, delivered, planned); area None for a provider with no
    lot, whose plan counts once across every area. A handful of queries however many
    providers there are: the plans, the lots and the sessions, each read once."""
    weeks = weeks_in_period(start, end)
    plans = db.session.scalars(select(DeliveryPlan).where(DeliveryPlan.effective_from <= start)
                               .order_by(DeliveryPlan.effective_from)).all()
    council = {r.offer_id: r.sessions_per_week for r in plans if r.provider_id is None}
    own: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in plans:
        if row.provider_id is not None:
            own[row.provider_id][row.offer_id] = row.sessions_per_week
    lots: dict[int, dict[int, Area]] = defaultdict(dict)
    for lot in db.session.scalars(select(Lot).options(selectinload(Lot.areas))):
        lots[lot.provider_id].update({a.id: a for a in lot.areas})
    delivered = {(p, a): n for p, a, n in db.session.execute(
        select(DeliverySession.provider_id, DeliverySession.area_id, func.count())
        .where(DeliverySession.delivered_on.between(start, end))
        .group_by(DeliverySession.provider_id, DeliverySession.area_id))}
    short = []
    for provider in db.session.scalars(select(Provider).order_by(Provider.name)):
        per_week = sum((Decimal(v) for v in {**council, **own.get(provider.id, {})}.values()), Decimal(0))
        planned = per_week * weeks
        if not lots.get(provider.id):  # no lot: the plan once, across every area
            done = sum(n for (p, _), n in delivered.items() if p == provider.id)
            if planned and done < float(planned) * below:
                short.append((provider, None, done, planned))
            continue
        for area in sorted(lots[provider.id].values(), key=lambda a: a.name):
            done = delivered.get((provider.id, area.id), 0)
            if planned and done < float(planned) * below:
                short.append((provider, area, done, planned))
    return short


def _has_lots(provider_id: int) -> bool:
    return db.session.scalar(select(Lot.id).where(Lot.provider_id == provider_id).limit(1)) is not None


def areas_for(provider_id: int | None) -> list[Area]:
    """The areas a provider delivers in: those of its lots where the contract is let in lots,
    otherwise every area (and every area for the whole county)."""
    if provider_id is not None:
        lots = db.session.scalars(select(Lot).where(Lot.provider_id == provider_id)).all()
        areas = {a.id: a for lot in lots for a in lot.areas}
        if areas:
            return sorted(areas.values(), key=lambda a: a.name)
    return list(db.session.scalars(select(Area).order_by(Area.name)))


PLAN_FIELDS = {"sessions_per_week": (Decimal, "sessions a week"), "families_per_session": (int, "families a session"),
               "cohorts_per_year": (int, "cohorts a year"), "families_per_year": (int, "families a year")}


def set_plan(*, provider_id: int | None, effective_from: date, rows: dict[int, dict], actor) -> None:
    """A plan for every offer from a date: a provider's own, or (no provider) the council's.

    :raises DeliveryError: for a date that already has a plan.
    """
    owner = DeliveryPlan.provider_id.is_(None) if provider_id is None else DeliveryPlan.provider_id == provider_id
    if db.session.scalar(select(DeliveryPlan.id).where(owner, DeliveryPlan.effective_from == effective_from)):
        raise DeliveryError({"effective_from": f"There is already a plan from {long_date(effective_from)}"})
    added = [DeliveryPlan(provider_id=provider_id, offer_id=offer_id, effective_from=effective_from, **values)
             for offer_id, values in rows.items()]
    db.session.add_all(added)
    db.session.flush()
    total = sum(v["families_per_year"] for v in rows.values())
    audit.record(actor=actor, action="create", entity=added[0], provider_id=provider_id, council=provider_id is None,
                 summary=f"Set the delivery plan from {long_date(effective_from)}: {total} families a year per area")
