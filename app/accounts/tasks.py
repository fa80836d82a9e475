"""The daily job that switches off the accounts of people who have left."""

from datetime import UTC, date, datetime

from huey import crontab

from app.extensions import db
from app.jobs.queue import app_context, huey

from .services import switch_off_leavers


@huey.periodic_task(crontab(hour="1", minute="10"))
def switch_off_leavers_daily() -> None:
    with app_context():
        count = switch_off_leavers(today=date.today(), now=datetime.now(UTC))
        db.session.commit()
        if count:
            from flask import current_app

            current_app.logger.info("Switched off %s leavers' accounts", count)
