"""Pathway: the parent workforce pathway service."""

import os
from datetime import timedelta

from flask import Flask, render_template
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import (
    access,
    formatting,
    generation,  # noqa: F401 (counts every committed write)
    models,
    notify,
    once,
)
from app.access import public
from app.accounts.routes import bp as accounts_bp
from app.audit.services import record_page, record_words
from app.auth.routes import bp as auth_bp
from app.budget.routes import bp as budget_bp
from app.certificates.routes import bp as certificates_bp
from app.cli import register_commands
from app.council.routes import bp as council_bp
from app.council.services import council_name
from app.delivery import summary as session_days
from app.delivery.routes import bp as delivery_bp
from app.equality.routes import bp as equality_bp
from app.establishment import contract_routes, ledger, line_prices, setup_routes
from app.establishment.routes import bp as establishment_bp
from app.expenses import payment_routes
from app.expenses.routes import bp as expenses_bp
from app.extensions import csrf, db, limiter, login_manager, migrate, talisman
from app.golive.routes import bp as golive_bp
from app.hours import activity_routes, register_routes, summary
from app.hours.routes import bp as hours_bp
from app.ids import IdConverter, link_pattern
from app.imports.routes import bp as imports_bp
from app.jobs.queue import use_app_factory
from app.jobs.routes import bp as jobs_bp
from app.main.routes import bp as main_bp
from app.main.routes import floor_page
from app.models.auth import AnonymousUser
from app.people.routes import bp as people_bp
from app.privacy.routes import bp as privacy_bp
from app.recruitment.routes import bp as recruitment_bp
from app.returns import words
from app.returns.routes import bp as returns_bp
from app.spending.routes import bp as spending_bp
from app.training import catalogue_routes, current
from app.training.routes import bp as training_bp
from app.views import same_filters
from config import config_for

# What the app is made of beyond its blueprints: the whole schema (for Alembic and relationships),
# the listeners of hours_month, session_day, the cost ledger, budget lines' prices and training
# records' superseded_on (they keep each in step with every change that moves it), and the
# modules that add views to a blueprint defined beside them (Flask adds a view when its module
# loads).
SCHEMA = (models, summary, session_days, ledger, line_prices, current)
VIEW_MODULES = (contract_routes, setup_routes, payment_routes, activity_routes, register_routes, catalogue_routes)

CSP = {
    "default-src": "'self'",
    "img-src": ["'self'", "data:"],
    "style-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    app.url_map.converters["int"] = IdConverter  # an id past what a column holds is a 404
    app.config.from_object(config_for(config_name))
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in production")
    _check_shared_limits(app)
    _check_public_address(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    _init_extensions(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_templating(app)
    register_commands(app)
    return app


def _check_shared_limits(app: Flask) -> None:
    """In production every web process must count sign-in attempts in one place: counts kept in
    a process's own memory let an address try once per limit per process."""
    if not app.config.get("REQUIRE_SHARED_LIMITS") or not app.config["RATELIMIT_ENABLED"]:
        return
    if not app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return
    workers = os.environ.get("WEB_CONCURRENCY")
    if workers is None or not workers.isdigit() or int(workers) > 1:
        said = "the number of web processes is not said" if workers is None else f"WEB_CONCURRENCY={workers}"
        raise RuntimeError(
            "Sign-in limits are kept in this process's memory (RATELIMIT_STORAGE_URI=memory://), which "
            f"holds only within one process, and {said}. "
            "Set RATELIMIT_STORAGE_URI=redis://host:6379/1 (shared by every process and host), "
            "or WEB_CONCURRENCY=1 to run a single web process.")


def _check_public_address(app: Flask) -> None:
    """Production builds every emailed link from PUBLIC_BASE_URL and answers only TRUSTED_HOSTS:
    without them a password-reset link could be built from whatever Host a request claims."""
    if not app.config.get("REQUIRE_PUBLIC_ADDRESS"):
        return
    missing = [name for name in ("PUBLIC_BASE_URL", "TRUSTED_HOSTS") if not app.config.get(name)]
    if missing:
        raise RuntimeError(
            f"{' and '.join(missing)} must be set in production: PUBLIC_BASE_URL=https://pathway.example.org "
            "(the address in every emailed link) and TRUSTED_HOSTS=pathway.example.org (the host names "
            "requests may use, comma-separated)")


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.anonymous_user = AnonymousUser
    csrf.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        referrer_policy="same-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    from govuk_frontend_wtf.main import WTFormsHelpers

    WTFormsHelpers(app)


def _register_blueprints(app: Flask) -> None:
    if app.config.get("BENCH_FLOOR_PAGE"):
        app.add_url_rule("/_bench/floor", "bench_floor", public(floor_page))
    for bp in (main_bp, auth_bp, people_bp, establishment_bp, hours_bp, budget_bp,
               imports_bp, expenses_bp, training_bp, certificates_bp, jobs_bp,
               returns_bp, privacy_bp, accounts_bp, council_bp, spending_bp, delivery_bp, golive_bp,
               recruitment_bp, equality_bp):
        app.register_blueprint(bp)


def _refuse_nul_bytes() -> None:
    """No text field may hold a NUL byte (PostgreSQL refuses them): a clear 400, never a 500."""
    from flask import abort, request

    values = [*request.args.values(), *request.form.values(), request.path]
    if any("\x00" in value for value in values):
        abort(400)


def _roll_back_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (nothing more can be done: the error page is on its way)
        pass


def _no_store_when_signed_in(response):
    """Nothing personal kept by browsers or proxies: no signed-in page or download is stored."""
    from flask_login import current_user

    try:
        signed_in = response.status_code >= 500 or current_user.is_authenticated
    except Exception:  # who is signed in cannot be found (the database is down): store nothing
        _roll_back_quietly()
        signed_in = True
    if signed_in:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def _forget_cached_user() -> None:
    """Load the signed-in user afresh for every request. In production each request has its
    own app context anyway; under the test client requests share the test's, and a user
    cached by an earlier request (or another client) would hide a sign-out or an idle timeout."""
    from flask import g

    g.pop("_login_user", None)
    g.pop("_scope_answers", None)  # app.access keeps each request's scope answers here
    g.pop("_on_cost_rules", None)  # and app.establishment.services each provider's on-cost rules
    g.pop("_leaving_reasons", None)  # and app.returns.words the leaving reasons' labels


def _register_errors(app: Flask) -> None:
    app.before_request(_forget_cached_user)
    app.after_request(_no_store_when_signed_in)
    app.before_request(_refuse_nul_bytes)
    once.init_app(app)
    notify.init_app(app)

    def render_error(error):
        code = getattr(error, "code", 500)
        if code == 500:
            _roll_back_quietly()  # after a database error the session must start again to be used
        try:
            return render_template(f"errors/{code}.html"), code
        except Exception:  # the database is down: the page that needs no database
            app.logger.exception("The %s page could not be shown; showing the plain one", code)
            _roll_back_quietly()
            # Straight from Jinja: the context processors would look up who is signed in.
            page = app.jinja_env.get_template("errors/plain.html").render(service_name=app.config["SERVICE_NAME"])
            return page, code, {"Cache-Control": "no-store"}

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error)
    from flask_wtf.csrf import CSRFError

    app.register_error_handler(CSRFError, lambda e: (render_template("errors/csrf.html"), 400))
    from werkzeug.exceptions import SecurityError

    # A request for a host not in TRUSTED_HOSTS has no URL adapter to render a page with.
    app.register_error_handler(SecurityError, lambda e: ("This address is not served here.", 400,
                                                         {"Content-Type": "text/plain; charset=utf-8"}))


def _register_templating(app: Flask) -> None:
    from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    _register_template_helpers(app)

    # Called only by the templates that name the council (certificates, the return's PDF).
    app.jinja_env.globals["council_name"] = council_name
    # Templates ask the same questions as views: ``can('approve_hours', entry)``, of the signed-in user.
    app.jinja_env.globals["can"] = lambda name, record=None: access.can(current_user, name, record)
    app.jinja_env.globals["refusal"] = lambda name, record=None: access.refusal(current_user, name, record)

    @app.context_processor
    def _service_facts() -> dict:
        return {"mail_server": bool(app.config.get("SMTP_HOST"))}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Every SQLite connection: WAL, a busy timeout, and enforced foreign keys."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "busy_timeout=5000",
        "synchronous=NORMAL",
        "foreign_keys=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


# Memory each sort or hash in a PostgreSQL statement may take before spilling to disk. The
# server's default (4 MB) spilled the return's counts over 44,000 holdings and the hours of a
# quarter to disk at 500 providers; a few workers' few connections at this stay well within a
# small server's memory.
POSTGRESQL_WORK_MEM = "16MB"


@event.listens_for(Engine, "connect")
def _postgresql_settings(dbapi_connection, _record) -> None:
    """Every PostgreSQL connection plans each statement for the values it is given, and sorts
    in memory up to POSTGRESQL_WORK_MEM. psycopg prepares a statement once it has run five
    times, and after five more PostgreSQL may plan it once for any values: the return's
    compliance count, planned so, took 530 ms at 500 providers against 160 ms planned for its
    day, from the eleventh time a worker ran it."""
    if type(dbapi_connection).__module__ != "psycopg":
        return
    dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.execute(f"SET work_mem = '{POSTGRESQL_WORK_MEM}'")
    dbapi_connection.commit()


def _register_template_helpers(app: Flask) -> None:
    """The filters and names every template may use."""
    app.add_template_filter(formatting.pounds)
    app.add_template_filter(lambda p: formatting.pounds(p, pence_shown=True), "pounds_pence")
    app.add_template_filter(formatting.article)
    words.register(app)
    app.add_template_filter(formatting.long_date)
    app.add_template_filter(formatting.date_time)
    app.add_template_filter(formatting.fte)
    app.add_template_filter(formatting.hours)
    app.add_template_filter(formatting.browser_name)
    app.add_template_filter(formatting.select_options)
    app.add_template_filter(formatting.id_options)

    @app.context_processor
    def service_globals():
        return {"current_user": current_user, "timedelta": timedelta,
                "idle_minutes": lambda user: access.idle_minutes(user, app.config),
                "seconds_left": formatting.seconds_left,
                "sees_all_providers": access.sees_all_providers, "sees_all_areas": access.sees_all_areas,
                "role_label": access.role_label, "service_name": app.config["SERVICE_NAME"],
                "same_filters": same_filters, "link_pattern": link_pattern, "record_words": record_words,
                "record_page": record_page}


# Tasks that run outside a request (in the worker) build their app with this factory.
use_app_factory(create_app)
