"""The go-live checklist: each thing a provider sets up before its first return, whether it is
done, and what it changes while it is not. Every status is one count in SQL."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models.auth import Role, User
from app.models.council import Lot
from app.models.delivery import DeliveryPlan
from app.models.establishment import BudgetLine, Contract, ContractYear, Grade, PayPoint, Post
from app.models.hours import HoursEntry
from app.models.people import Person, Stage
from app.models.training import Check, CheckKind, TrainingRecord

NOT_STARTED, IN_PROGRESS, DONE = "Not yet started", "In progress", "Completed"


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    status: str
    detail: str  # what it changes while it is not done, or how far it has got
    endpoint: str | None  # where to do it
    # Part of the history a return reads: building one while it is missing warns.
    history: bool = False

    @property
    def done(self) -> bool:
        return self.status == DONE


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _people(provider_id: int):
    return select(Person.id).where(Person.provider_id == provider_id)


def _year_start(provider_id: int, today: date) -> date | None:
    return db.session.scalar(select(ContractYear.starts_on).where(
        ContractYear.provider_id == provider_id, ContractYear.starts_on <= today).order_by(
        ContractYear.starts_on.desc()).limit(1))


def _lot(provider_id: int) -> Task:
    lots = _count(Lot, Lot.provider_id == provider_id)
    return Task("lot", "Areas and lot", DONE if lots else NOT_STARTED,
                f"{lots} lot{'s' if lots != 1 else ''} let to you" if lots else
                "The council's co-ordinator lets you a lot of areas: until then no area's plan is yours",
                "delivery.overview" if lots else None)


def _grades(provider_id: int) -> Task:
    priced = _count(Grade, Grade.provider_id.is_(None) | (Grade.provider_id == provider_id),
                    Grade.id.in_(select(PayPoint.grade_id)))
    return Task("grades", "Grades and pay points", DONE if priced else NOT_STARTED,
                f"{priced} grades with pay points" if priced else "Posts cannot be priced until their grades have "
                "pay points", "establishment.grades")


def _posts(provider_id: int) -> Task:
    posts = _count(Post, Post.provider_id == provider_id)
    return Task("posts", "Posts", DONE if posts else NOT_STARTED,
                f"{posts} posts" if posts else "Vacancies and funded FTE read 0 until your posts are in",
                "establishment.edit_post")


def _budget(provider_id: int) -> Task:
    lines = _count(BudgetLine, BudgetLine.contract_year_id.in_(
        select(ContractYear.id).where(ContractYear.provider_id == provider_id)))
    return Task("budget", "Contract year and budget lines", DONE if lines else NOT_STARTED,
                f"{lines} budget lines" if lines else "The budget monitor and the return's costs need a contract "
                "year with its budget lines", "establishment.new_year")


def _people_task(provider_id: int) -> Task:
    people = _count(Person, Person.provider_id == provider_id)
    return Task("people", "People", DONE if people else NOT_STARTED,
                f"{people} people" if people else "Add your people on the screens or import your spreadsheet",
                "imports.upload")


def _contracts(provider_id: int) -> Task:
    paid = select(Person.id).where(Person.provider_id == provider_id, Person.stage != Stage.VOLUNTEER,
                                   Person.left_on.is_(None))
    people = _count(Person, Person.id.in_(paid))
    holding = _count(Person, Person.id.in_(paid), Person.id.in_(select(Contract.person_id)))
    status = NOT_STARTED if not holding else DONE if holding >= people else IN_PROGRESS
    return Task("contracts", "Contracts for paid people", status,
                f"{holding} of {people} paid people hold a contract" if people else
                "Salaried staff show no FTE used against their contracts until their contracts are in",
                "imports.upload", history=True)


def _checks(provider_id: int) -> Task:
    checked = _count(Check, Check.person_id.in_(_people(provider_id)), Check.kind == CheckKind.DBS)
    return Task("checks", "Past DBS and right to work checks", DONE if checked else NOT_STARTED,
                f"{checked} DBS checks recorded" if checked else "DBS compliance will read 0% until past checks "
                "are loaded", "imports.upload", history=True)


def _training(provider_id: int) -> Task:
    records = _count(TrainingRecord, TrainingRecord.person_id.in_(_people(provider_id)))
    return Task("training", "Past training", DONE if records else NOT_STARTED,
                f"{records} training records" if records else "Training compliance will read 0% until past "
                "training is loaded", "imports.upload", history=True)


def _hours(provider_id: int, today: date) -> Task:
    start = _year_start(provider_id, today)
    hours = _count(HoursEntry, HoursEntry.person_id.in_(_people(provider_id)),
                   HoursEntry.worked_on >= start) if start else 0
    return Task("hours", "Hours since the contract year began", DONE if hours else NOT_STARTED,
                f"{hours} hours entries since {start:%-d %B %Y}" if hours else
                "Until hours since the contract year began are loaded, a long-standing volunteer reads "
                "\"0 of 30 hours\" and FTE used reads 0", "imports.upload", history=True)


def _plan(provider_id: int) -> Task:
    lots = _count(Lot, Lot.provider_id == provider_id)
    plans = _count(DeliveryPlan, DeliveryPlan.provider_id.is_(None) | (DeliveryPlan.provider_id == provider_id))
    done = lots and plans
    return Task("plan", "Delivery plan", DONE if done else NOT_STARTED,
                "The plan for your areas is set" if done else "Delivery against plan needs your lot's areas and "
                "a plan", "delivery.plan")


def _staff(provider_id: int) -> Task:
    facilitators = _count(User, User.provider_id == provider_id, User.role.in_([Role.AREA_FACILITATOR]))
    return Task("staff", "Staff accounts", DONE if facilitators else NOT_STARTED,
                f"{facilitators} area facilitator accounts" if facilitators else "Hours and claims wait for "
                "approval until each area has a facilitator: give them a staff role from their record",
                "people.list_people")


def _parents(provider_id: int) -> Task:
    people = _count(Person, Person.provider_id == provider_id, Person.left_on.is_(None))
    invited = _count(User, User.provider_id == provider_id, User.role.in_([Role.VOLUNTEER]))
    status = NOT_STARTED if not invited else DONE if invited >= people else IN_PROGRESS
    return Task("parents", "Parents invited to sign in", status,
                f"{invited} of {people} people can sign in" if invited else "Parents log their own hours and "
                "expenses once invited, by email or a printed letter", "people.list_people")


def checklist(provider_id: int, *, today: date) -> list[Task]:
    """Every task, in the order a provider does them."""
    return [_lot(provider_id), _grades(provider_id), _posts(provider_id), _budget(provider_id),
            _people_task(provider_id), _contracts(provider_id), _checks(provider_id), _training(provider_id),
            _hours(provider_id, today), _plan(provider_id), _staff(provider_id), _parents(provider_id)]


def missing_history(provider_id: int, *, today: date) -> list[Task]:
    """The history a return reads that is not loaded yet: building one now would show zeros."""
    return [task for task in checklist(provider_id, today=today) if task.history and not task.done]
