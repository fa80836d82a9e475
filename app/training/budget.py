"""Training spend on the budget monitor's Training & Development line, by month completed."""

from datetime import date

from sqlalchemy import extract, func, select

from app.budget.services import NON_PAY_SOURCES
from app.extensions import db
from app.models.establishment import BudgetLineKind, ContractYear
from app.models.people import Person
from app.models.training import TrainingRecord


def training_spend(year: ContractYear, today: date, area_id: int | None) -> tuple[dict[date, int], int]:
    query = (select(extract("year", TrainingRecord.completed_on), extract("month", TrainingRecord.completed_on),
                    func.sum(TrainingRecord.cost_pence))
             .join(Person, Person.id == TrainingRecord.person_id)
             .where(Person.provider_id == year.provider_id,
                    TrainingRecord.completed_on.between(year.starts_on, min(today, year.ends_on)))
             .group_by(extract("year", TrainingRecord.completed_on), extract("month", TrainingRecord.completed_on)))
    if area_id is not None:
        query = query.where(Person.area_id == area_id)
    spent = {date(int(y), int(m), 1): int(pence) for y, m, pence in db.session.execute(query) if pence}
    # Training is booked as it happens: nothing is counted as committed ahead of time.
    return spent, 0


NON_PAY_SOURCES[BudgetLineKind.TRAINING] = training_spend
