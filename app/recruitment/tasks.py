"""The daily job that anonymises applicants who never started, some months after their last activity."""

from datetime import UTC, datetime

from flask import current_app
from huey import crontab

from app.extensions import db
from app.jobs.queue import app_context, huey

from .services import anonymise_stale


@huey.periodic_task(crontab(hour="1", minute="20"))
def anonymise_applicants_daily() -> None:
    with app_context():
        count = anonymise_stale(now=datetime.now(UTC), months=current_app.config["APPLICANT_RETENTION_MONTHS"])
        db.session.commit()
        if count:
            current_app.logger.info("Anonymised %s applicants who never started", count)
