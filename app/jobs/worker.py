"""Import point for the worker process: the queue plus every module that defines tasks."""

from app import mail  # noqa: F401  (sends email)
from app.accounts import tasks as account_tasks  # noqa: F401  (daily: leavers switched off)
from app.certificates import tasks  # noqa: F401
from app.hours import reminders  # noqa: F401  (every Monday: reminders to log last week's hours)
from app.returns import tasks as return_tasks  # noqa: F401

from . import runner  # noqa: F401  (every minute: jobs that stopped are restarted or failed)
from .queue import huey, mail_huey

__all__ = ["huey", "mail_huey"]
