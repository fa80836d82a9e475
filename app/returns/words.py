"""The return in words for the people who read it: measure names and breakdowns as labels
("Contracted FTE", "Co-facilitator", "Volunteer to Co-facilitator"), never codes. The tidy CSV
keeps its documented codes (analysts' scripts depend on them); everything else uses these."""
from app.equality.services import SHORT_STAGES, return_measure
from app.extensions import db
from app.models.equality import QUESTIONS, SHORT_LABELS, reported_groups
from app.models.people import LeavingReason
from app.models.recruitment import HEARD_FROM, WITHDRAWN_BECAUSE

MEASURES = {
    "headcount": "Headcount",
    "fte_contracted": "Contracted FTE",
    "fte_used": "FTE used (from approved hours)",
    "starters": "Starters",
    "leavers": "Leavers",
    "turnover_pct": "Turnover (%)",
    "progressions": "Moves along the pathway",
    "leavers_by_reason": "Leavers by reason",
    "into_work_or_training": "Left for work or training",
    "lived_experience_pct": "With lived experience (%)",
    "headcount_lived_experience": "Headcount by lived experience",
    "headcount_by_post": "Headcount by post and grade",
    "fte_by_post": "Contracted FTE by post and grade",
    "vacancy_fte": "Vacant FTE",
    "under_contracted_fte": "Under-contracted FTE",
    "vacancy_rate_pct": "Vacancy rate (%)",
    "hours": "Approved hours",
    "training_compliance_pct": "Mandatory training current (%)",
    "dbs_compliance_pct": "DBS check current (%)",
    "expenses_approved": "Expenses approved (£)",
    "expenses_paid": "Expenses paid (£)",
    "pay_cost": "Pay cost (£)",
    "non_pay_cost": "Non-pay cost (£)",
    "budget": "Budget for the period (£)",
    "volunteer_hours_value": "Value of volunteer hours (£)",
    "interests_received": "Parents who said they would like to help",
    "interests_started": "Started as a Parent Volunteer from an interest",
    "interests_withdrawn": "Interests withdrawn, by reason",
    "interest_conversion_pct": "Started against interests received (%)",
    "days_to_start_median": "Median days from interest to first day",
    "sessions_delivered": "Sessions delivered",
    "sessions_planned": "Sessions planned",
    "families_reached": "Families reached",
    "families_planned": "Families planned",
    "attendances": "Attendances",
    "face_to_face_pct": "Face to face (%)",
    "out_of_hours_pct": "Evenings and weekends (%)",
    "parent_led_pct": "Led by a parent (%)",
    "hours_per_family": "Facilitator hours per family",
    "programmes_started": "Programmes started",
    "programme_families": "Families on programmes",
}
# Equality monitoring: a table per question and stage ("Sex: Started"), its groups as rows.
EQUALITY = {return_measure(q, stage): (q, f"{SHORT_LABELS[q]}: {SHORT_STAGES[stage]}") for q in QUESTIONS
            for stage in SHORT_STAGES}
MEASURES.update({code: label for code, (_, label) in EQUALITY.items()})
MONEY = {"expenses_approved", "expenses_paid", "pay_cost", "non_pay_cost", "budget", "volunteer_hours_value"}
STAGES = {"volunteer": "Volunteer", "co_facilitator": "Co-facilitator", "employee": "Employee"}
PLAIN = {"yes": "Yes", "no": "No", "not_known": "Not known", "not_recorded": "Not recorded", "": "Total"}


def measure_label(code: str) -> str:
    return MEASURES.get(code, code.replace("_", " ").capitalize())


def breakdown_label(measure: str, breakdown: str) -> str:
    """A breakdown in words: stages by name, moves as "Volunteer to Co-facilitator", reasons,
    offers and activities as their labels."""
    if measure in EQUALITY:
        return reported_groups(EQUALITY[measure][0]).get(breakdown, breakdown)
    if breakdown in STAGES:
        return STAGES[breakdown]
    if "->" in breakdown:
        before, after = breakdown.split("->", 1)
        return f"{STAGES.get(before, before)} to {STAGES.get(after, after)}"
    if breakdown in PLAIN:
        return PLAIN[breakdown]
    if measure == "leavers_by_reason":
        return _reason(breakdown)
    if measure in ("interests_received", "interests_started"):
        return HEARD_FROM.get(breakdown, breakdown)
    if measure == "interests_withdrawn":
        return WITHDRAWN_BECAUSE.get(breakdown, breakdown)
    if measure.startswith(("sessions_", "families_")):
        return _offer(breakdown)
    return breakdown  # an activity's or a budget line's own name


def _reason(code: str) -> str:
    """A leaving reason's label: the short list is read once a request (or once, outside one)."""
    from flask import g, has_app_context
    from sqlalchemy import select

    labels = g.get("_leaving_reasons") if has_app_context() else None
    if labels is None:
        labels = dict(db.session.execute(select(LeavingReason.code, LeavingReason.label)).all())
        if has_app_context():
            g._leaving_reasons = labels
    return labels.get(code) or code.replace("_", " ").capitalize()


OFFERS = {"peer_support": "Peer support groups", "family_advice": "Family advice sessions",
          "workshop": "Workshops", "programme": "Evidence-based programmes"}


def _offer(kind: str) -> str:
    return OFFERS.get(kind, kind.replace("_", " ").capitalize())


def register(app) -> None:
    app.add_template_filter(measure_label)
    # In templates: {{ breakdown|breakdown_label(measure) }}
    app.add_template_filter(lambda breakdown, measure: breakdown_label(measure, breakdown), "breakdown_label")
