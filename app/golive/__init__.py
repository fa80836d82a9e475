"""Going live: what a provider needs before its first return, as a task list, and what is missing
from its history when it builds or submits one."""
