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
# master (its templates compiled there too: see on_starting) and workers are forked from it, so a
# recycled worker is serving again at once. Not too often, though: a new worker starts without
# the figures the old one kept (app.generation) and works each out again on its first request
# for it; at 5,000 requests that came round for each worker about every 30 s under the
# bench's load.
preload_app = True
max_requests = 50000
max_requests_jitter = 5000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
raw_env = ["PATHWAY_ENV=production"]


def on_starting(server):
    """Before the master listens: refuse several workers with sign-in counts kept in memory (they
    hold only within one process), then compile every template once, so each worker (a recycled
    one too) is forked with them compiled instead of compiling each page's templates on its first
    request for it. Done before the port is bound, a client is refused rather than kept waiting
    while the templates compile."""
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    if server.cfg.workers > 1 and storage.startswith("memory://"):
        raise RuntimeError(
            f"{server.cfg.workers} workers with sign-in limits kept in each worker's memory would allow "
            f"{server.cfg.workers} times the limit: set RATELIMIT_STORAGE_URI=redis://host:6379/1, "
            "or run one worker (WEB_CONCURRENCY=1)")
    app = server.app.wsgi()
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)


def pre_fork(server, worker):
    """Everything loaded so far (the app, its templates, matplotlib) lives as long as the
    process: keep it out of the garbage collector's full sweeps, which otherwise add 100 ms
    or more to whichever request happens to trigger one."""
    gc.collect()
    gc.freeze()
