"""Import point for the worker process (`flask --app wsgi worker`): the queue plus every module
that defines tasks. The app the tasks run in is the one the factory built (app/factory.py)."""

from app import mail  # noqa: F401  (sends email)
from app.accounts import tasks as account_tasks  # noqa: F401  (daily: leavers switched off)
from app.budget import tasks as budget_tasks  # noqa: F401  (every hour: providers' forecasts for the co-ordinator)
from app.certificates import tasks  # noqa: F401
from app.hours import reminders  # noqa: F401  (every Monday: reminders to log last week's hours)
from app.jobs import runner  # noqa: F401  (every minute: jobs that stopped are restarted or failed)
from app.jobs.queue import huey, mail_huey
from app.main import tasks as main_tasks  # noqa: F401  (every Monday: staff's to-do summaries)
from app.recruitment import tasks as recruitment_tasks  # noqa: F401  (daily: applicants anonymised)
from app.returns import tasks as return_tasks  # noqa: F401

__all__ = ["huey", "mail_huey"]
