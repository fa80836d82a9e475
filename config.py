"""Configuration read from the environment: development, test and production."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _default_sqlite_url(name: str) -> str:
    return f"sqlite:///{BASE_DIR / 'instance' / name}"


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = _database_url(_default_sqlite_url("pathway.db"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # Flask refuses a session cookie older than this whatever the session: a backstop past the
    # longest sign-in (a parent's 30 days). The real limits are per device, below.
    PERMANENT_SESSION_LIFETIME = 31 * 24 * 60 * 60
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    SIGN_IN_RATE_LIMIT = os.environ.get("SIGN_IN_RATE_LIMIT", "20 per minute")
    # The public "I'd like to help" page: expressions of interest per IP address.
    INTEREST_RATE_LIMIT = os.environ.get("INTEREST_RATE_LIMIT", "10 per hour")
    # An applicant who never starts is anonymised this many months after their last activity.
    APPLICANT_RETENTION_MONTHS = int(os.environ.get("APPLICANT_RETENTION_MONTHS", "6"))
    LOCKOUT_AFTER_FAILURES = int(os.environ.get("LOCKOUT_AFTER_FAILURES", "5"))
    LOCKOUT_MINUTES = int(os.environ.get("LOCKOUT_MINUTES", "15"))
    # Idle sessions end: staff see personal data and move money; parents are often on a phone.
    IDLE_MINUTES_STAFF = int(os.environ.get("IDLE_MINUTES_STAFF", "30"))
    IDLE_MINUTES_PARENT = int(os.environ.get("IDLE_MINUTES_PARENT", str(8 * 60)))
    # However active, a signed-in device is signed out this long after it signed in (ASVS 3.3:
    # an absolute limit for staff who see personal data; a parent's phone, a month).
    SESSION_HOURS_STAFF = int(os.environ.get("SESSION_HOURS_STAFF", "12"))
    SESSION_DAYS_PARENT = int(os.environ.get("SESSION_DAYS_PARENT", "30"))
    # Links in emails, letters, certificates' QR codes and exports are built from this address,
    # never from a request's Host header; requests for any other host are refused when
    # TRUSTED_HOSTS (comma-separated) is set. Unset in development: the request's own address.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or None
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()] or None
    # Whether the council's own accounts (the co-ordinator's) may take the second sign-in
    # step as a code by email; a provider sets this for its staff on a screen.
    COUNCIL_EMAIL_CODES_ALLOWED = os.environ.get("COUNCIL_EMAIL_CODES_ALLOWED", "1") == "1"
    # argon2id at RFC 9106's low-memory profile: stronger than OWASP's minimum
    # (m=19 MiB, t=2, p=1).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    FORCE_HTTPS = False
    # Number of proxies in front of the app whose X-Forwarded-* headers to trust.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    PEOPLE_PER_PAGE = 25
    # A form sent twice waits this long for the first to finish, then is sent where it went.
    ONCE_WAIT_SECONDS = 10
    SMTP_HOST = os.environ.get("SMTP_HOST")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") == "1"
    RECEIPT_DIR = os.environ.get("RECEIPT_DIR", str(BASE_DIR / "instance" / "receipts"))
    RECEIPT_MAX_BYTES = 10 * 1024 * 1024
    # Receipts on one person's claims may take this much space in all.
    RECEIPT_QUOTA_BYTES = int(os.environ.get("RECEIPT_QUOTA_MB", "50")) * 1024 * 1024
    # Personal details of leavers are removed this many years after they left.
    ANONYMISE_AFTER_YEARS = int(os.environ.get("ANONYMISE_AFTER_YEARS", "6"))
    JOB_RESULTS_DIR = os.environ.get("JOB_RESULTS_DIR", str(BASE_DIR / "instance" / "job-results"))
    # A job that shows no progress for this long is put back on the queue (a worker died
    # under it), at most JOB_MAX_ATTEMPTS times in all, then marked failed with "try again".
    JOB_STALE_SECONDS = int(os.environ.get("JOB_STALE_SECONDS", "600"))
    JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "3"))
    JOB_RETRY_SECONDS = int(os.environ.get("JOB_RETRY_SECONDS", "30"))
    # Charts drawn once and shared by every web and worker process (app.budget.charts).
    CHART_CACHE_DIR = os.environ.get("CHART_CACHE_DIR", str(BASE_DIR / "instance" / "chart-cache"))
    CHART_CACHE_BYTES = int(os.environ.get("CHART_CACHE_MB", "200")) * 1024 * 1024
    # The worker's processes (`flask worker` starts this many): a bulk certificate zip shares its
    # chunks among them. One a core by default.
    WORKER_PROCESSES = int(os.environ.get("WORKER_PROCESSES", str(os.cpu_count() or 1)))
    # Finished downloads (and their jobs) are deleted after this many hours.
    JOB_KEEP_HOURS = int(os.environ.get("JOB_KEEP_HOURS", str(7 * 24)))
    # A volunteer's reimbursements above this in a month are flagged to the approver.
    VOLUNTEER_MONTHLY_ALERT_PENCE = int(os.environ.get("VOLUNTEER_MONTHLY_ALERT_PENCE", "15000"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "Pathway <no-reply@pathway.invalid>")
    SERVICE_NAME = "Pathway"
    # `make bench` only: a page with no database to compare the real pages against.
    BENCH_FLOOR_PAGE = os.environ.get("BENCH_FLOOR_PAGE") == "1"


class DevelopmentConfig(Config):
    DEBUG = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = _database_url(_default_sqlite_url("test.db"))
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    # Cheap hashing keeps the access matrix fast; production parameters are
    # exercised by tests/auth/test_passwords.py.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    DEBUG = False
    # Several web processes: sign-in limits must be counted in shared storage (Redis).
    REQUIRE_SHARED_LIMITS = True
    # Links in emails are built from PUBLIC_BASE_URL and requests for any host outside
    # TRUSTED_HOSTS are refused: production will not start without both (a reset link built
    # from an attacker's Host header would hand them the account).
    REQUIRE_PUBLIC_ADDRESS = True
    # Trust no X-Forwarded-* header unless told how many proxies stand in front (README).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_PATH = "/"
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = os.environ.get("FORCE_HTTPS", "1") == "1"
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[Config]:
    name = name or os.environ.get("PATHWAY_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"Unknown PATHWAY_ENV {name!r}: use one of {', '.join(CONFIGS)}")
    return CONFIGS[name]
