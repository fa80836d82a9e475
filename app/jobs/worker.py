"""Import point for the worker process: the queue plus every module that defines tasks."""

from app.certificates import tasks  # noqa: F401
from app.returns import tasks as return_tasks  # noqa: F401

from .queue import huey

__all__ = ["huey"]
