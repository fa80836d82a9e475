"""Pathway: the parent workforce pathway service."""

import os

from flask import Flask, render_template
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import config_for

from . import access
from .extensions import csrf, db, limiter, login_manager, migrate, talisman

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
    from .ids import IdConverter

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
    from .cli import register_commands

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
    from . import models  # noqa: F401  (the whole schema, for Alembic and relationships)
    from .hours import summary  # noqa: F401  (its listeners keep hours_month in step with every change)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    from .models.auth import AnonymousUser

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
    from .accounts.routes import bp as accounts_bp
    from .auth.routes import bp as auth_bp
    from .budget.routes import bp as budget_bp
    from .certificates.routes import bp as certificates_bp
    from .council.routes import bp as council_bp
    from .delivery.routes import bp as delivery_bp
    from .establishment import (
        contract_routes,  # noqa: F401  (adds to the people blueprint)
        setup_routes,  # noqa: F401  (adds to the establishment blueprint)
    )
    from .establishment.routes import bp as establishment_bp
    from .expenses import budget, payment_routes  # noqa: F401  (register with budget, blueprint)
    from .expenses.routes import bp as expenses_bp
    from .golive.routes import bp as golive_bp
    from .hours import activity_routes, register_routes  # noqa: F401  (add to the hours blueprint)
    from .hours.routes import bp as hours_bp
    from .imports.routes import bp as imports_bp
    from .jobs.routes import bp as jobs_bp
    from .main.routes import bp as main_bp
    from .people.routes import bp as people_bp
    from .privacy.routes import bp as privacy_bp
    from .returns.routes import bp as returns_bp
    from .spending import budget as _spending_budget  # noqa: F401  (adds spending to the monitor)
    from .spending.routes import bp as spending_bp
    from .training import budget as _training_budget  # noqa: F401  (registers with the budget monitor)
    from .training import catalogue_routes  # noqa: F401  (adds to the training blueprint)
    from .training.routes import bp as training_bp

    if app.config.get("BENCH_FLOOR_PAGE"):
        from .access import public
        from .main.routes import floor_page

        app.add_url_rule("/_bench/floor", "bench_floor", public(floor_page))
    for bp in (main_bp, auth_bp, people_bp, establishment_bp, hours_bp, budget_bp,
               imports_bp, expenses_bp, training_bp, certificates_bp, jobs_bp,
               returns_bp, privacy_bp, accounts_bp, council_bp, spending_bp, delivery_bp, golive_bp):
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
    from . import notify, once

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
    from . import formatting

    formatting.register(app)

    from .council.services import council_name

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
