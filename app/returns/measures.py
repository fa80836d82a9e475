"""The workforce return's measures, each aggregated in SQL by area.

Every function returns {area id: {breakdown: value}}; the caller adds the totals
across areas. Definitions are in DEFINITIONS, shown on the page and in the PDF.
"""

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, bindparam, case, func, or_, select, true

from app.equality.services import STAGES, return_measure
from app.establishment.services import holdings, post_holders, vacant_and_under_contracted
from app.extensions import db
from app.hours.rules import fte_of_minutes
from app.hours.summary import month_key, month_of, quarter_months
from app.models.equality import QUESTIONS, SHORT_LABELS
from app.models.establishment import Contract, Grade, Post, fte_of_weekly_hours
from app.models.expenses import ClaimStatus
from app.models.hours import Activity, HoursAreaMonth, HoursEntry, HoursMonth, HoursStatus
from app.models.people import LeavingReason, Person, Stage, StageChange
from app.models.recruitment import Applicant
from app.models.returns import VolunteerHourValue
from app.statements import AFTER_MOMENT, DAY, END, FIRST_MOMENT, IDS, PROVIDER, START, built_once, moments, params
from app.training.queries import in_post

DEFINITIONS = {
    "interests_received": "Parents who said they would like to help in the period (the public page), by where "
                          "they heard of it. Counts only: no names.",
    "interests_started": "People who started as a Parent Volunteer from an expression of interest in the period, "
                         "by where they heard of it.",
    "interests_withdrawn": "Expressions of interest withdrawn in the period, by the reason recorded.",
    "interest_conversion_pct": "People started in the period as a share of the interests received in it.",
    "days_to_start_median": "The median number of days from saying they would like to help to their first day, "
                            "for people who started in the period.",
    "headcount": "People in each stage on the period's last day.",
    "fte_contracted": "Contracted FTE (weekly hours / 37) on the last day, by stage. A volunteer role is never a "
                      "contract: volunteers count no contracted FTE.",
    "fte_used": "Approved hours in the period / (37 × weeks in the period), by the stage held when worked.",
    "starters": "People who joined in the period, by the stage they joined at.",
    "leavers": "People who left in the period, by the stage they left from.",
    "turnover_pct": "Leavers / average headcount (start and end of the period) × 100.",
    "progressions": "Stage changes dated in the period, by transition.",
    "vacancy_fte": "Budgeted FTE of posts nobody holds on the last day, by post (a post held by a sessional "
                   "co-facilitator is filled).",
    "under_contracted_fte": "Budgeted FTE of held posts beyond their holders' contracted FTE on the last day, "
                            "by post.",
    "vacancy_rate_pct": "Vacant FTE / budgeted FTE × 100, over all posts.",
    "headcount_by_post": "People in post holding a contract on the last day, by post title and grade.",
    "fte_by_post": "Contracted FTE (weekly hours / 37) on the last day, by post title and grade.",
    "hours": "Approved hours in the period by activity, corrections included.",
    "training_compliance_pct": "People whose mandatory training for their stage is all current on the last day, "
                               "as a share of headcount.",
    "dbs_compliance_pct": "People with a current enhanced DBS check valid for their role on the last day, "
                          "as a share of headcount.",
    "expenses_approved": "Expense claim lines approved (paid or not), by the date of the expense, in GBP.",
    "expenses_paid": "Expense claim lines paid, by the date of the expense, in GBP.",
    "pay_cost": "Pay cost for the period by budget line: contracts pro rata by days at the pay point in force, "
                "sessional hours at the hourly rate, with on-costs, in GBP.",
    "non_pay_cost": "Volunteer expenses approved and training spend in the period, by budget line, in GBP.",
    "budget": "Each budget line's annual budget pro rata to the days of the period, in GBP (totals only).",
    "lived_experience_pct": "Share of headcount with lived experience as a parent or carer.",
    "volunteer_hours_value": "Approved hours worked as a volunteer × the notional hourly value in force "
                             "(the National Living Wage), in GBP, for social value reporting.",
    "headcount_lived_experience": "Headcount by lived experience; any cell under 5 people is suppressed.",
    "leavers_by_reason": "People who left in the period, by why they left (Not recorded where no reason was "
                         "recorded).",
    "into_work_or_training": "People who left in the period for paid work or for education or training: the "
                             "pathway working.",
    "sessions_delivered": "Sessions delivered in the period, by offer.",
    "sessions_planned": "Sessions the plan asks for in the period (per area per week; a part week in proportion, "
                        "as sessions are counted on every day of the period; a provider with no lot once, across "
                        "its areas), by offer.",
    "families_reached": "Families who came to a session for the first time in the period, by offer (counts only).",
    "families_planned": "Families the plan aims to reach, its families a year pro rata to the period, by offer.",
    "attendances": "Families at sessions in the period, counting each session a family came to.",
    "face_to_face_pct": "Sessions delivered face to face as a share of all sessions.",
    "out_of_hours_pct": "Sessions in the evening or at a weekend as a share of all sessions.",
    "parent_led_pct": "Sessions led or co-led by a parent with lived experience as a share of all sessions.",
    "hours_per_family": "Facilitators' hours at sessions (not sent back) per family reached.",
    "programmes_started": "Evidence-based programme cohorts that started in the period.",
    "programme_families": "Families reached by evidence-based programmes in the period.",
}

DEFINITIONS.update({
    return_measure(q, stage): f"{words} in the contract year the period ends in (1 April to 31 March), by "
                              f"{SHORT_LABELS[q].lower()}. Answers are optional; counts of 1 to 4 are hidden (c), and "
                              "so are enough others that none can be worked out by subtracting."
    for q in QUESTIONS for stage, words in STAGES.items()})

Values = dict[int | None, dict[str, float]]
PENNY = Decimal("0.01")


class StageOn:
    """Each person's stage on ``day``: the stage they hold now, unless it changed after ``day``,
    when it is their latest change by then (and someone whose every change came after ``day``
    has none). Few people's stage changed since any day a return asks about, so only their
    changes are ranked (a window over every change took most of the return's time at scale), and
    everyone else's is read from the person row the query reads anyway (joining a second list of
    every person to it took most of a headcount's time at 500 providers)."""

    def __init__(self, day: date):
        self.later = select(StageChange.person_id).where(StageChange.changed_on > day)
        rank = func.row_number().over(partition_by=StageChange.person_id,
                                      order_by=(StageChange.changed_on.desc(), StageChange.id.desc()))
        ranked = (select(StageChange.person_id, StageChange.to_stage.label("stage"), rank.label("rank"))
                  .where(StageChange.changed_on <= day, StageChange.person_id.in_(self.later)).subquery())
        self.moved = select(ranked.c.person_id, ranked.c.stage).where(ranked.c.rank == 1).subquery()
        self.stage = func.coalesce(self.moved.c.stage, Person.stage)

    def join(self, query):
        """``query`` (on Person) with the stage on the day as ``self.stage``, and without the
        people who had none then."""
        return (query.outerjoin(self.moved, self.moved.c.person_id == Person.id)
                .where(or_(Person.id.not_in(self.later), self.moved.c.person_id.is_not(None))))


def _collect(rows, convert=lambda v: v) -> Values:
    values: Values = defaultdict(dict)
    for area_id, breakdown, value in rows:
        key = breakdown.value if hasattr(breakdown, "value") else str(breakdown or "")
        values[area_id][key] = values[area_id].get(key, 0) + convert(value)
    return values


def people_of(every: bool):
    """The people a kept statement counts: every provider's, or ``PROVIDER``'s."""
    return true() if every else Person.provider_id == PROVIDER


def posts_of(every: bool):
    return true() if every else Post.provider_id == PROVIDER


@built_once
def _headcount(every: bool):
    on = StageOn(DAY)
    return (on.join(select(Person.area_id, on.stage, Person.has_lived_experience, func.count()))
            .where(people_of(every), in_post(DAY)).group_by(Person.area_id, on.stage, Person.has_lived_experience))


def headcount(provider_id: int | None, day: date) -> Values:
    return headcount_and_lived(provider_id, day)[0]


def headcount_and_lived(provider_id: int | None, day: date) -> tuple[Values, Values]:
    """Headcount on a day by stage, and by lived experience ("yes" or "no"): one statement."""
    rows = db.session.execute(_headcount(provider_id is None), params(provider_id, day=day)).all()
    return (_collect((area, stage, n) for area, stage, _, n in rows),
            _collect((area, "yes" if lived else "no", n) for area, _, lived, n in rows))


@built_once
def _fte_contracted(every: bool):
    on = StageOn(DAY)
    return (on.join(select(Person.area_id, on.stage, func.sum(Contract.weekly_hours))
                    .join(Person, Person.id == Contract.person_id))
            .join(Post, Post.id == Contract.post_id)
            .where(people_of(every), in_post(DAY), Post.is_volunteer.is_(False), Contract.starts_on <= DAY,
                   or_(Contract.ends_on.is_(None), Contract.ends_on >= DAY))
            .group_by(Person.area_id, on.stage))


def fte_contracted(provider_id: int | None, day: date) -> Values:
    return _collect(db.session.execute(_fte_contracted(provider_id is None), params(provider_id, day=day)),
                    lambda v: float(fte_of_weekly_hours(v)))


@built_once
def _by_post(every: bool):
    held = holdings()
    return (select(Person.area_id, Post.title, Grade.code, func.count(func.distinct(Person.id)),
                   func.sum(case((Post.is_volunteer, 0), else_=held.c.hours)))
            .join(held, held.c.person_id == Person.id).join(Post, Post.id == held.c.post_id)
            .outerjoin(Grade, Grade.id == Post.grade_id)
            .where(people_of(every), in_post(DAY), held.c.starts_on <= DAY,
                   or_(held.c.ends_on.is_(None), held.c.ends_on >= DAY))
            .group_by(Person.area_id, Post.title, Grade.code))


def by_post(provider_id: int | None, day: date) -> tuple[Values, Values]:
    """Headcount and contracted FTE by post and grade ("Area Facilitator (KR9)") on a day: the
    people in post holding a contract or a volunteer role then (a role adds no FTE), in SQL."""
    rows = db.session.execute(_by_post(provider_id is None), params(provider_id, day=day)).all()
    heads = _collect((area, f"{title} ({code or 'no grade'})", count) for area, title, code, count, _ in rows)
    fte = _collect(((area, f"{title} ({code or 'no grade'})", hours) for area, title, code, _, hours in rows),
                   lambda v: float(fte_of_weekly_hours(v)))
    return heads, fte


@built_once
def _starters(every: bool):
    return (select(Person.area_id, StageChange.to_stage, func.count())
            .join(StageChange, and_(StageChange.person_id == Person.id, StageChange.from_stage.is_(None)))
            .where(people_of(every), Person.joined_on.between(START, END)).group_by(Person.area_id,
                                                                                    StageChange.to_stage))


def starters(provider_id: int | None, start: date, end: date) -> Values:
    return _collect(db.session.execute(_starters(provider_id is None), params(provider_id, start=start, end=end)))


@built_once
def _leavers(every: bool):
    on = StageOn(END)
    return (on.join(select(Person.area_id, on.stage, LeavingReason.code, LeavingReason.is_progression, func.count())
                    .outerjoin(LeavingReason, LeavingReason.id == Person.leaving_reason_id))
            .where(people_of(every), Person.left_on.between(START, END))
            .group_by(Person.area_id, on.stage, LeavingReason.code, LeavingReason.is_progression))


def leavers(provider_id: int | None, start: date, end: date) -> Values:
    return leavers_and_reasons(provider_id, start, end)[0]


def leavers_and_reasons(provider_id: int | None, start: date, end: date) -> tuple[Values, Values, Values]:
    """Leavers in the period by the stage they left from, by reason code, and those whose reason
    is the pathway working: one statement."""
    rows = db.session.execute(_leavers(provider_id is None), params(provider_id, start=start, end=end)).all()
    return (_collect((area, stage, n) for area, stage, _, _, n in rows),
            _collect((area, code or "not_recorded", n) for area, _, code, _, n in rows),
            _collect((area, "", n) for area, _, _, progression, n in rows if progression))


@built_once
def _progressions(every: bool):
    return (select(Person.area_id, StageChange.from_stage, StageChange.to_stage, func.count())
            .join(Person, Person.id == StageChange.person_id)
            .where(people_of(every), StageChange.from_stage.is_not(None), StageChange.changed_on.between(START, END))
            .group_by(Person.area_id, StageChange.from_stage, StageChange.to_stage))


def progressions(provider_id: int | None, start: date, end: date) -> Values:
    rows = db.session.execute(_progressions(provider_id is None), params(provider_id, start=start, end=end))
    return _collect((area, f"{a.value}->{b.value}", n) for area, a, b, n in rows)


@built_once
def _vacancy(every: bool):
    contracted = post_holders(DAY)
    # Posts alike in every figure the rule reads are worked out once and counted: every
    # provider's posts are thousands of rows but a few hundred kinds.
    alike = (Post.area_id, Post.title, Post.number_of_posts, Post.budgeted_fte, contracted.c.holders,
             contracted.c.hours)
    return (select(*alike, func.count()).outerjoin(contracted, contracted.c.post_id == Post.id)
            .where(posts_of(every), Post.in_force_on(DAY)).group_by(*alike))


def vacancy(provider_id: int | None, day: date) -> tuple[Values, Values, float]:
    """Vacant and under-contracted FTE by post title (``vacant_and_under_contracted``), from each
    post's holders and contracted hours, aggregated in SQL; county-wide posts count under area None;
    and the budgeted FTE of every post in force, from the same rows."""
    rows = db.session.execute(_vacancy(provider_id is None), params(provider_id, day=day)).all()
    split = [(area, title, n, vacant_and_under_contracted(posts, budget, holders or 0, fte_of_weekly_hours(hours)))
             for area, title, posts, budget, holders, hours, n in rows]
    funded = sum((budget * n for _, _, _, budget, _, _, n in rows if budget is not None), Decimal(0))
    return (_collect(((area, title, pair[0] * n) for area, title, n, pair in split), float),
            _collect(((area, title, pair[1] * n) for area, title, n, pair in split), float), float(funded))


def expenses(rows) -> Values:
    """Expenses approved and paid by area, from ``costs.expense_totals`` rows."""
    values: Values = defaultdict(dict)
    for _provider, area, status, pence in rows:
        values[area]["expenses_approved"] = values[area].get("expenses_approved", 0) + pence / 100
        if status == ClaimStatus.PAID:
            values[area]["expenses_paid"] = values[area].get("expenses_paid", 0) + pence / 100
    return values


@built_once
def _activity_names():
    return select(Activity.id, Activity.name)


@built_once
def _kept_hours(every: bool):
    # Grouped by the activity's id, named afterwards: joining the activities to every
    # provider's summary rows before grouping doubled the query's time at 500 providers.
    if every:  # every provider's: the summary without the provider in its key, a few hundred rows
        kept, mine = HoursAreaMonth, true()
    else:
        kept, mine = HoursMonth, HoursMonth.provider_id == PROVIDER
    return (select(kept.area_id, kept.stage, kept.activity_id, kept.month, func.sum(kept.minutes))
            .where(mine, kept.month.between(bindparam("first_month"), bindparam("last_month")))
            .group_by(kept.area_id, kept.stage, kept.activity_id, kept.month))


@built_once
def _raw_hours(every: bool):
    month = month_of(HoursEntry.worked_on)
    return (select(Person.area_id, Person.stage, Activity.name, month, func.sum(HoursEntry.minutes))
            .select_from(HoursEntry).join(Person, Person.id == HoursEntry.person_id)
            .join(Activity, Activity.id == HoursEntry.activity_id)
            .where(people_of(every), HoursEntry.status == HoursStatus.APPROVED,
                   HoursEntry.worked_on.between(START, END))
            .group_by(Person.area_id, Person.stage, Activity.name, month))


@built_once
def _movers_changes(every: bool):
    """Every stage change of the people whose stage changed after the period began, in order."""
    movers = (select(StageChange.person_id).join(Person, Person.id == StageChange.person_id)
              .where(people_of(every), StageChange.from_stage.is_not(None), StageChange.changed_on > START))
    return (select(StageChange.person_id, StageChange.changed_on, StageChange.to_stage)
            .where(StageChange.person_id.in_(movers)).order_by(StageChange.changed_on, StageChange.id))


@built_once
def _movers_hours():
    return (select(Person.area_id, Person.stage, Activity.name, HoursEntry.person_id, HoursEntry.worked_on,
                   func.sum(HoursEntry.minutes))
            .select_from(HoursEntry).join(Person, Person.id == HoursEntry.person_id)
            .join(Activity, Activity.id == HoursEntry.activity_id)
            .where(HoursEntry.status == HoursStatus.APPROVED, HoursEntry.person_id.in_(IDS),
                   HoursEntry.worked_on.between(START, END))
            .group_by(Person.area_id, Person.stage, Activity.name, HoursEntry.person_id, HoursEntry.worked_on))


def hours_breakdown(provider_id: int | None, start: date, end: date):
    """The period's approved minutes by area, stage when worked, activity and month: fte_used,
    hours by activity and the value of volunteer time all come from these rows.

    Whole months come from the hours_month summary (app.hours.summary; for every provider,
    hours_area_month, the same without the provider), part-months at the edges from the raw
    rows. Both group by each person's current stage; the few people whose
    stage changed since the period began have their hours moved, day by day, to the stage they
    held when they worked.
    """
    every = provider_id is None
    whole, edges = quarter_months(start, end)
    totals: dict[tuple, int] = defaultdict(int)
    if whole:
        names = dict(db.session.execute(_activity_names()).all())
        for area_id, stage, activity_id, month, minutes in db.session.execute(
                _kept_hours(every), params(provider_id, first_month=whole[0], last_month=whole[-1])):
            totals[(area_id, stage, names[activity_id], month)] += minutes
    for first, last in edges:
        for area_id, stage, activity, key, minutes in db.session.execute(
                _raw_hours(every), params(provider_id, start=first, end=last)):
            totals[(area_id, stage, activity, key)] += minutes
    changes: dict[int, list] = defaultdict(list)
    for person_id, on, stage in db.session.execute(_movers_changes(every), params(provider_id, start=start)):
        changes[person_id].append((on, stage))
    mover_ids = sorted(changes)
    for start_at in range(0, len(mover_ids), 500):
        for area_id, current, activity, person_id, day, minutes in db.session.execute(
                _movers_hours(), {"ids": mover_ids[start_at:start_at + 500], "start": start, "end": end}):
            day = _as_date(day)
            key = month_key(day)
            totals[(area_id, current, activity, key)] -= minutes
            held = next((st for on, st in reversed(changes[person_id]) if _as_date(on) <= day), None)
            if held is not None:
                totals[(area_id, held, activity, key)] += minutes
    return [(area_id, stage, activity, key // 100, key % 100, minutes)
            for (area_id, stage, activity, key), minutes in totals.items() if minutes]


@built_once
def _hour_values():
    return select(VolunteerHourValue.effective_from, VolunteerHourValue.pence_per_hour).order_by(
        VolunteerHourValue.effective_from)


def split_hours(rows, start: date, end: date) -> tuple[Values, Values, Values]:
    """fte_used by stage, hours by activity, and volunteer hours value, from hours_breakdown rows."""
    rates = db.session.execute(_hour_values()).all()

    def rate_on(day: date) -> int:
        return next((p for d, p in reversed(rates) if d <= day), rates[0][1] if rates else 0)

    # Whole minutes (and minutes x pence an hour) are added up first and turned into hours, FTE
    # and pounds once, so no figure depends on the order the rows come in.
    by_activity: dict[tuple, int] = defaultdict(int)
    by_stage: dict[tuple, int] = defaultdict(int)
    valued: dict[int | None, int] = defaultdict(int)
    for area, stage, activity, year, month, minutes in rows:
        by_activity[(area, activity)] += minutes
        if stage is None:
            continue
        by_stage[(area, stage.value)] += minutes
        if stage == Stage.VOLUNTEER:
            valued[area] += minutes * rate_on(date(int(year), int(month), 1))
    fte: Values = defaultdict(dict)
    hours: Values = defaultdict(dict)
    for (area, activity), minutes in by_activity.items():
        hours[area][activity] = minutes / 60
    for (area, stage), minutes in by_stage.items():
        fte[area][stage] = float(fte_of_minutes(minutes, start, end))
    # Each area's value to the penny (a half penny up), so the total is the sum of the areas'.
    value: Values = defaultdict(dict, {area: {"": float((Decimal(total) / 6000).quantize(PENNY, ROUND_HALF_UP))}
                                       for area, total in valued.items()})
    return fte, hours, value


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _applicants_of(every: bool):
    return true() if every else Applicant.provider_id == PROVIDER


@built_once
def _started(every: bool):
    """Those started from an interest in the period: area, where they heard, and the two days."""
    return select(Applicant.area_id, Applicant.heard_from, Applicant.created_at, Applicant.started_on).where(
        _applicants_of(every), Applicant.started_on.between(START, END))


def recruitment_days_by_source(provider_id: int | None, start: date, end: date) -> dict[str, list[int]]:
    """Days from interest to first day for each person started in the period, by where they heard."""
    days: dict[str, list[int]] = defaultdict(list)
    for _area, source, created_at, started_on in db.session.execute(
            _started(provider_id is None), params(provider_id, start=start, end=end)):
        days[source].append((started_on - created_at.date()).days)
    return days


@built_once
def _recruitment(every: bool):
    mine = _applicants_of(every)
    received = (select(Applicant.area_id, Applicant.heard_from, func.count())
                .where(mine, Applicant.created_at >= FIRST_MOMENT, Applicant.created_at < AFTER_MOMENT)
                .group_by(Applicant.area_id, Applicant.heard_from))
    withdrawn = (select(Applicant.area_id, Applicant.withdrawn_reason, func.count())
                 .where(mine, Applicant.withdrawn_on.between(START, END))
                 .group_by(Applicant.area_id, Applicant.withdrawn_reason))
    return received, withdrawn


def recruitment(provider_id: int | None, start: date, end: date) -> dict[str, Values]:
    """The way in for a period, counts only (no names), by area: interests received by where
    they heard, people started from an interest by where they heard, withdrawals by reason, and
    each started person's days from interest to first day (for the median)."""
    every = provider_id is None
    values = params(provider_id, start=start, end=end) | moments(start, end)
    received, withdrawn = (_collect(db.session.execute(statement, values)) for statement in _recruitment(every))
    started = db.session.execute(_started(every), values).all()
    days: dict[int, list[int]] = defaultdict(list)
    for area_id, _source, created_at, started_on in started:
        days[area_id].append((started_on - created_at.date()).days)
    return {"interests_received": received,
            "interests_started": _collect((area_id, source, 1) for area_id, source, _, _ in started),
            "interests_withdrawn": withdrawn, "_days_to_start": days}
