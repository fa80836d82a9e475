"""Flask command groups, calling the same services as the routes."""

import multiprocessing
from datetime import UTC, date, datetime

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.access import roles_table, route_table
from app.auth.passwords import hash_password, password_problem
from app.auth.services import unlock
from app.budget.tasks import work_out_current_forecasts
from app.delivery import summary as session_days
from app.demo import load_demo
from app.demo.scale import ScaleLoader
from app.establishment import ledger, line_prices
from app.extensions import db
from app.hours.summary import differences, rebuild
from app.imports.cli import group as import_group
from app.models.auth import Role, User
from app.models.people import Area, Provider
from app.privacy.services import anonymise, due_for_anonymisation
from app.returns.outputs import to_csv, to_pdf, to_xlsx
from app.returns.services import build_return
from app.training import current as training_current
from app.validators import email_problem
from app.worker import huey, mail_huey

users = AppGroup("users", help="Manage sign-in accounts.")
privacy = AppGroup("privacy", help="Personal data: people due to be anonymised.")
access = AppGroup("access", help="Who may do what: the route and role tables.")
summaries = AppGroup("summaries", help="The summary tables and the cost ledger the costed pages read (the raw "
                     "rows stay the truth).")


@summaries.command("rebuild")
def summaries_rebuild():
    """Count every summary again from the raw rows."""
    rebuild(db.session.connection())
    session_days.rebuild(db.session.connection())
    training_current.rebuild(db.session.connection())
    ledger.rebuild(db.session)
    line_prices.rebuild(db.session)
    db.session.commit()
    click.echo("Rebuilt hours_month (and hours_area_month) from the approved hours, session_day from the sessions, "
               "each training record's superseded_on from the records, and the cost ledger and each budget "
               "line's price from a fresh pricing.")


@summaries.command("check")
def summaries_check():
    """Compare the summaries with a fresh count from the raw rows; exit 1 if they differ."""
    connection = db.session.connection()
    found = (differences(connection) + session_days.differences(connection)
             + training_current.differences(connection) + ledger.differences(db.session)
             + line_prices.differences(db.session))
    for row in found[:20]:
        click.echo(f"  differs: {row}")
    if found:
        raise click.ClickException(f"{len(found)} summary rows differ from the raw rows: "
                                   "run `flask summaries rebuild`")
    click.echo("The summaries and the cost ledger match the raw rows.")


@access.command("routes")
def access_routes():
    """Print the route -> permission table (committed as app/route_permissions.txt)."""
    from flask import current_app

    click.echo("\n".join(route_table(current_app)))


@access.command("roles")
def access_roles():
    """Print the README's table of permissions by role."""
    click.echo("\n".join(roles_table()))


@click.command("demo")
@click.option("--scale", type=click.IntRange(1, 500), help="Also generate N synthetic providers for load testing.")
@click.option("--seed", default=2026, show_default=True, help="Random seed for --scale (the data is deterministic).")
def demo_command(scale: int | None, seed: int):
    """Load demo data (safe to run again) and print the demo sign-ins."""
    sign_ins = load_demo(today=date.today())
    db.session.commit()
    # The co-ordinator's home page reads forecasts worked out each hour: the first now, from the
    # cost ledger as committed (it is written as the transaction commits, not before).
    work_out_current_forecasts(today=date.today(), now=datetime.now(UTC))
    if scale:
        import time

        started = time.perf_counter()
        click.echo(f"Generating {scale} synthetic providers (seed {seed})...")
        ScaleLoader(scale, seed, date.today(), echo=click.echo).run()
        click.echo(f"Done in {time.perf_counter() - started:.0f}s")
    db.session.commit()
    import os

    from flask import current_app

    address = current_app.config.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
    click.echo(f"Demo data loaded. Sign in at {address.rstrip('/')} with:")
    for label, email, password in sign_ins:
        click.echo(f"  {label:<58} {email:<28} {password}")
    click.echo("Staff sign in with two steps: after the password, Pathway emails a 6-digit code. With no mail\n"
               "server set up, the worker prints each message in this terminal instead: look for the line\n"
               "'Your Pathway sign-in code is ...'. Parents sign in with the password alone.")


def _lookup(model, name: str | None, what: str):
    if name is None:
        return None
    found = db.session.scalar(select(model).where(model.name == name))
    if found is None:
        raise click.BadParameter(f"No {what} called {name!r}")
    return found


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--provider", "provider_name", help="Provider name (every role but coordinator).")
@click.option("--area", "area_name", help="Area name (area facilitators).")
@click.password_option()
def create_user(email, name, role, provider_name, area_name, password):
    """Create a sign-in account for a member of staff."""
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="password")
    if email_problem(email):
        raise click.BadParameter(email_problem(email), param_hint="email")
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.BadParameter(f"An account for {email} already exists", param_hint="email")
    provider = _lookup(Provider, provider_name, "provider")
    area = _lookup(Area, area_name, "area")
    if role != Role.COORDINATOR and provider is None:
        raise click.UsageError("--provider is required for this role")
    if role == Role.AREA_FACILITATOR and area is None:
        raise click.UsageError("--area is required for an area facilitator")
    if role == Role.VOLUNTEER:
        raise click.UsageError("Parents' accounts are linked to their person record: "
                               "invite them from their record in Pathway (People, then Invite to sign in)")
    db.session.add(User(email=email, name=name, role=Role(role), password_hash=hash_password(password),
                        provider_id=provider.id if provider else None,
                        area_id=area.id if area else None))
    db.session.commit()
    click.echo(f"Created {role} account for {email}")


@users.command("unlock")
@click.argument("email")
def unlock_user(email):
    """Clear a lockout after repeated failed sign-ins."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise click.BadParameter(f"No account for {email}")
    unlock(user, actor=None)
    db.session.commit()
    click.echo(f"Unlocked {email}")


@click.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes [default: WORKER_PROCESSES, one a core].")
def worker_command(workers: int | None):
    """Run the background job worker (bulk certificates, big reports)."""
    import gc

    from flask import current_app
    from huey.consumer import Consumer

    workers = workers or current_app.config["WORKER_PROCESSES"]
    gc.collect()
    gc.freeze()  # the loaded app lives as long as the process: keep it out of full collections

    click.echo(f"Pathway worker: {workers} process(es) and one for email, queue {type(huey).__name__}")
    mail = multiprocessing.get_context("fork").Process(target=_serve_mail, name="pathway-mail")
    mail.start()
    try:
        Consumer(huey, workers=workers, worker_type="process").run()
    finally:
        mail.terminate()
        mail.join(timeout=10)


def _serve_mail() -> None:
    """The email queue's own consumer, in a process of its own that bulk work never takes."""
    from huey.consumer import Consumer

    Consumer(mail_huey, workers=1, worker_type="thread").run()


@click.command("return")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day, YYYY-MM-DD.")
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day, YYYY-MM-DD.")
@click.option("--provider", "provider_name", help="One provider's return; leave out for all providers.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="File to write.")
def return_command(start, end, provider_name, fmt, out):
    """Produce the workforce return for a period."""
    from flask import current_app

    if end < start:
        raise click.BadParameter("--to must be on or after --from")
    provider = _lookup(Provider, provider_name, "provider")
    ret = build_return(start=start.date(), end=end.date(), provider=provider)
    with current_app.test_request_context():
        data = {"csv": lambda r: to_csv(r).encode(), "xlsx": to_xlsx, "pdf": to_pdf}[fmt](ret)
    with open(out, "wb") as file:
        file.write(data)
    click.echo(f"Wrote the {fmt.upper()} return for {ret.provider}, {ret.start} to {ret.end}, to {out}")


@privacy.command("due")
def privacy_due():
    """List people who left more than ANONYMISE_AFTER_YEARS ago and still have personal details."""
    people = due_for_anonymisation(today=date.today())
    for person in people:
        click.echo(f"{person.ref}  {person.provider.name}  left {person.left_on.isoformat()}")
    click.echo(f"{len(people)} due")


@privacy.command("anonymise")
@click.option("--yes", is_flag=True, help="Do it: this cannot be undone.")
def privacy_anonymise(yes: bool):
    """Anonymise everyone due. Their hours, costs and stage history stay in the figures."""
    from datetime import UTC, datetime

    people = due_for_anonymisation(today=date.today())
    if not yes:
        click.echo(f"{len(people)} due. Run again with --yes to anonymise them; this cannot be undone.")
        return
    for person in people:
        anonymise(person, actor=None, now=datetime.now(UTC))
    db.session.commit()
    click.echo(f"Anonymised {len(people)}")


@click.command("backup")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="File to write the backup to.")
def backup_command(out: str):
    """A consistent online backup of the SQLite database (PostgreSQL: use pg_dump)."""
    import sqlite3

    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise click.UsageError("For PostgreSQL use pg_dump: see the README's Backups section")
    source = engine.raw_connection()
    try:
        target = sqlite3.connect(out)
        with target:
            source.driver_connection.backup(target)  # the sqlite3 backup API: safe while in use
        target.close()
    finally:
        source.close()
    click.echo(f"Backed up the database to {out}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(privacy)
    app.cli.add_command(return_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(users)
    app.cli.add_command(access)
    app.cli.add_command(summaries)
    app.cli.add_command(import_group)
