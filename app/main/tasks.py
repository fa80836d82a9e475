"""The main package's scheduled work: each Monday, staff get their week's to-do list by email."""

from datetime import date

from flask import current_app
from huey import crontab

from app.jobs.queue import app_context, huey

from .todo import weekly_summaries


@huey.periodic_task(crontab(day_of_week="1", hour="8", minute="0"))
def staff_summaries_every_monday() -> None:
    with app_context():
        count = weekly_summaries(today=date.today())
        current_app.logger.info("Weekly summaries for staff: %s sent", count)
