"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`."""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers behind a buffering proxy (nginx): the proxy absorbs slow clients.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
# Recycle long-lived workers so slow leaks never build up. The app is loaded once in the
# master and workers are forked from it, so a recycled worker is serving again at once.
preload_app = True
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
raw_env = ["PATHWAY_ENV=production"]


def on_starting(server):
    """Counts kept in memory hold only within one process: refuse several workers with them."""
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    if server.cfg.workers > 1 and storage.startswith("memory://"):
        raise RuntimeError(
            f"{server.cfg.workers} workers with sign-in limits kept in each worker's memory would allow "
            f"{server.cfg.workers} times the limit: set RATELIMIT_STORAGE_URI=redis://host:6379/1, "
            "or run one worker (WEB_CONCURRENCY=1)")


def pre_fork(server, worker):
    """Everything loaded so far (the app, its templates, matplotlib) lives as long as the
    process: keep it out of the garbage collector's full sweeps, which otherwise add 100 ms
    or more to whichever request happens to trigger one."""
    gc.collect()
    gc.freeze()
