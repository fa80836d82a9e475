"""Equality monitoring: saving a person's or applicant's optional answers, and the tables of
how each group moves along the way in and the pathway.

The tables always cover a whole contract year (1 April to 31 March) and are worked out for
every provider at once, then suppressed together (``suppression``): a return for any period
shows the year its period ends in, so two periods never give two tables whose difference is a
third; and a provider's table, the all-provider table and each area's are hidden consistently,
so none can be subtracted from the others to give a hidden count.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import distinct, func, select

from app.audit import services as audit
from app.extensions import db
from app.models.equality import QUESTIONS, EqualityAnswers, reported, reported_groups
from app.models.people import Person, Stage, StageChange
from app.models.recruitment import Applicant
from app.periods import contract_year_of
from app.statements import AFTER_MOMENT, END, FIRST_MOMENT, START, built_once, moments

from .suppression import hidden_cells

STAGES = {"interested": "Said they would like to help", "started": "Started as a Parent Volunteer",
          "co_facilitator": "Became a Parent Co-Facilitator", "employee": "Became an Employee"}
SHORT_STAGES = {"interested": "Interested", "started": "Started", "co_facilitator": "Co-Facilitator",
                "employee": "Employee"}
STAGE_OF = {"started": Stage.VOLUNTEER, "co_facilitator": Stage.CO_FACILITATOR, "employee": Stage.EMPLOYEE}
ALL = "all"
ANSWER_COLUMNS = [getattr(EqualityAnswers, q) for q in QUESTIONS]


# --- Answers ------------------------------------------------------------------


def answers_for(*, person: Person | None = None, applicant: Applicant | None = None) -> EqualityAnswers | None:
    """The answers a person (or an applicant) gave, for their own form or their own export only."""
    if person is not None:
        return db.session.scalar(select(EqualityAnswers).where(EqualityAnswers.person_id == person.id))
    return db.session.scalar(select(EqualityAnswers).where(EqualityAnswers.applicant_id == applicant.id))


def save_answers(answers: dict[str, str | None], *, person: Person | None = None,
                 applicant: Applicant | None = None, actor=None) -> EqualityAnswers:
    """Keep someone's answers (a blank question stays unanswered). The change history says only
    that answers were given or changed, never what they were."""
    owner = person if person is not None else applicant
    row = answers_for(person=person, applicant=applicant)
    if row is None:
        row = EqualityAnswers(provider_id=owner.provider_id, person_id=person.id if person else None,
                              applicant_id=applicant.id if applicant else None)
        db.session.add(row)
    for question in QUESTIONS:
        value = answers.get(question) or None
        if value is not None and value not in QUESTIONS[question]["answers"] and value != "prefer_not":
            raise ValueError(f"{value!r} is not an answer to {question}")
        setattr(row, question, value)
    db.session.flush()
    if person is not None:
        audit.record(actor=actor, action="update", entity=row, provider_id=person.provider_id,
                     summary=f"{person.ref} answered the equality monitoring questions (answers not shown)")
    return row


def carry_to_person(applicant: Applicant, person: Person) -> None:
    """An applicant who starts keeps the answers they gave: they become their person's too."""
    row = answers_for(applicant=applicant)
    if row is not None:
        row.person_id = person.id


def answered_rows(answers: EqualityAnswers | None) -> list[tuple[str, str]]:
    """(question, answer) in words, for the person's own page and export."""
    rows = []
    for question, spec in QUESTIONS.items():
        value = getattr(answers, question) if answers is not None else None
        words = ("Prefer not to say" if value == "prefer_not" else spec["answers"].get(value, "Not answered"))
        rows.append((spec["label"], words))
    return rows


# --- Tables -------------------------------------------------------------------


@dataclass
class EqualityTables:
    """Every table for one contract year: counts per (question, stage), per unit and group,
    with what is hidden. A unit is ALL, a provider id, or (provider id, area id)."""

    start: date
    end: date
    counts: dict[tuple[str, str], dict] = field(default_factory=dict)
    hidden: dict[tuple[str, str], set] = field(default_factory=dict)
    totals: dict[str, dict] = field(default_factory=dict)
    areas: dict[int, set[int]] = field(default_factory=dict)

    def cell(self, question: str, stage: str, group: str, unit) -> int | None:
        """A shown count, or None where it is hidden."""
        if (group, unit) in self.hidden.get((question, stage), ()):
            return None
        return self.counts.get((question, stage), {}).get((group, unit), 0)

    def total(self, stage: str, unit) -> int:
        return self.totals.get(stage, {}).get(unit, 0)

    def share(self, question: str, stage: str, group: str, unit) -> float | None:
        """A group's share of a stage (%), or None where the count is hidden or nobody is there."""
        count, whole = self.cell(question, stage, group, unit), self.total(stage, unit)
        return None if count is None or not whole else round(count * 100 / whole, 1)

    def conversion(self, question: str, before: str, after: str, group: str, unit) -> float | None:
        """The group's count at ``after`` against ``before`` (%), only when both are shown."""
        first, then = self.cell(question, before, group, unit), self.cell(question, after, group, unit)
        return None if first is None or then is None or not first else round(then * 100 / first, 1)


def year_of(day: date) -> tuple[date, date]:
    """The contract year whose tables a period ending on ``day`` shows."""
    return contract_year_of(day)


@built_once
def _population_statements():
    """Those interested, and those who entered each stage, by provider, area and answers: two
    statements built once, run with the year's days (and its first and after-last instants)."""
    interested = (select(Applicant.provider_id, Applicant.area_id, *ANSWER_COLUMNS, func.count())
                  .outerjoin(EqualityAnswers, EqualityAnswers.applicant_id == Applicant.id)
                  .where(Applicant.created_at >= FIRST_MOMENT, Applicant.created_at < AFTER_MOMENT)
                  .group_by(Applicant.provider_id, Applicant.area_id, *ANSWER_COLUMNS))
    entered = (select(StageChange.to_stage, Person.provider_id, Person.area_id, *ANSWER_COLUMNS,
                      func.count(distinct(Person.id)))
               .join(StageChange, StageChange.person_id == Person.id)
               .outerjoin(EqualityAnswers, EqualityAnswers.person_id == Person.id)
               .where(StageChange.to_stage.in_(list(STAGE_OF.values())), StageChange.changed_on.between(START, END))
               .group_by(StageChange.to_stage, Person.provider_id, Person.area_id, *ANSWER_COLUMNS))
    return interested, entered


def _populations(start: date, end: date):
    """(stage, provider, area, answers..., how many) for the year."""
    values = {"start": start, "end": end, **moments(start, end)}
    interested, entered = _population_statements()
    for row in db.session.execute(interested, values):
        yield ("interested", *row)
    stage_of = {to_stage: stage for stage, to_stage in STAGE_OF.items()}
    for to_stage, *row in db.session.execute(entered, values):
        yield (stage_of[to_stage], *row)


def build_tables(start: date, end: date) -> EqualityTables:
    """Every provider's tables for the year from ``start`` to ``end``, suppressed together."""
    tables = EqualityTables(start, end)
    areas: dict[int, set[int]] = defaultdict(set)
    counts: dict[tuple[str, str], dict] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for stage, provider_id, area_id, *values in _populations(start, end):
        how_many = values.pop()
        areas[provider_id].add(area_id)
        for unit in (ALL, provider_id, (provider_id, area_id)):
            totals[stage][unit] += how_many
            for question, answer in zip(QUESTIONS, values, strict=True):
                counts[(question, stage)][(reported(question, answer), unit)] += how_many
    parent = {ALL: None} | {p: ALL for p in areas} | {(p, a): p for p, ids in areas.items() for a in ids}
    for question in QUESTIONS:
        groups = list(reported_groups(question))
        for stage in STAGES:
            block = dict(counts[(question, stage)])
            tables.counts[(question, stage)] = block
            tables.hidden[(question, stage)] = hidden_cells(block, groups, parent)
    tables.totals = {stage: dict(units) for stage, units in totals.items()}
    tables.areas = dict(areas)
    return tables


def return_measure(question: str, stage: str) -> str:
    return f"eq_{question}_{stage}"


RETURN_MEASURES = [return_measure(q, s) for q in QUESTIONS for s in STAGES]


def return_figures(tables: EqualityTables, provider_id: int | None, area_names: dict[int, str]):
    """(area, measure, breakdown, value) for the return: a provider's tables in total and by
    area; all providers' in total only (areas across providers would be a third way to
    subtract). None where a count is hidden."""
    units = [("All", ALL)] if provider_id is None else [("All", provider_id)] + sorted(
        (area_names[a], (provider_id, a)) for a in tables.areas.get(provider_id, ()))
    for question in QUESTIONS:
        groups = reported_groups(question)
        for stage in STAGES:
            for label, unit in units:
                if label != "All" and not tables.total(stage, unit):
                    continue  # an area with nobody at this stage: no column
                for group in groups:
                    yield label, return_measure(question, stage), group, tables.cell(question, stage, group, unit)
