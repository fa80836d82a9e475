"""The budget's scheduled work: each hour, every provider's forecast for the contract year under
way is worked out again for the co-ordinator's home page (``app.budget.county``)."""

from datetime import UTC, date, datetime

from flask import current_app
from huey import crontab

from app.extensions import db
from app.jobs.queue import app_context, huey
from app.models.council import CommissionYear

from .county import current_year, work_out_forecasts


def work_out_current_forecasts(*, today: date, now: datetime, year_id: int | None = None) -> int:
    """Every provider's forecast for a year of the contract (the one ``today`` falls in unless
    named); how many providers."""
    year = db.session.get(CommissionYear, year_id) if year_id is not None else current_year(today)
    if year is None:
        return 0
    count = work_out_forecasts(year, today=today, now=now)
    db.session.commit()
    current_app.logger.info("Forecasts worked out for %s providers for %s", count, year.label)
    return count


@huey.periodic_task(crontab(minute="15"))
def forecasts_every_hour() -> None:
    with app_context():
        work_out_current_forecasts(today=date.today(), now=datetime.now(UTC))


@huey.task()
def forecasts_now(year_id: int | None = None) -> None:
    """The co-ordinator asked for a year's forecasts now (the council's contract page)."""
    with app_context():
        work_out_current_forecasts(today=date.today(), now=datetime.now(UTC), year_id=year_id)
