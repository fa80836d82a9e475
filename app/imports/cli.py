"""`flask --app wsgi import people|hours|expenses|training|posts|contracts|checks FILE.csv [--provider NAME]`."""

from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.imports import establishment
from app.imports.expenses import import_expenses
from app.imports.payroll import import_payroll
from app.imports.sessions import import_sessions
from app.imports.training import import_training

from .batches import run_import
from .csvfile import LIMITS, NO_LIMITS, ImportFailed, TooBig, check_size, xlsx_as_csv
from .services import find_provider, import_hours, import_people

group = AppGroup("import", help="Import spreadsheets (CSV, or an Excel workbook's first sheet). All rows or none. "
                 "Files over 10 MB, or workbooks over 100,000 rows or 100 MB unzipped, are refused unless "
                 "--no-limits is given.")


def _run(importer, file, provider_name: str | None, *, no_limits: bool = False, **kwargs) -> None:
    limits = NO_LIMITS if no_limits else LIMITS
    try:
        provider = find_provider(provider_name)
    except LookupError as error:
        raise click.UsageError(str(error)) from error
    data = Path(file.name).read_bytes()
    try:
        check_size(data, limits)
        text = xlsx_as_csv(data, limits) if file.name.lower().endswith(".xlsx") else file.read()
    except TooBig as refused:
        raise click.ClickException(f"Nothing was imported: {refused}. (--no-limits imports it anyway)") from refused
    if text is None:
        raise click.ClickException(f"{file.name} is not an Excel workbook Pathway can read")
    try:
        report, _ = run_import(importer, text, kind=importer.__name__.removeprefix("import_"),
                               file_name=Path(file.name).name, data=data, provider=provider, actor=None,
                               at=datetime.now(UTC), today=date.today(), **kwargs)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise click.ClickException("Nothing was imported: some records were added by someone else at the same "
                                   "time. Check them and import again") from error
    except ImportFailed as failed:
        db.session.rollback()
        for line, message in failed.report.errors:
            click.echo(f"line {line}: {message}", err=True)
        raise click.ClickException(
            f"Nothing was imported: {len(failed.report.errors)} problems in {file.name}") from failed
    click.echo(f"Imported {report.created} {report.kind} rows into {provider.name}")


@group.command("people")
@click.argument("file", type=click.File(encoding="utf-8-sig"))
@click.option("--provider", "provider_name", help="Provider name (optional if there is only one).")
@click.option("--no-limits", is_flag=True, help="Import a file past the size and row limits.")
def people_command(file, provider_name, no_limits):
    """Columns: person_ref,first_name,last_name,email,area,stage,joined_on,left_on,lived_experience"""
    _run(import_people, file, provider_name, no_limits=no_limits)


@group.command("hours")
@click.argument("file", type=click.File(encoding="utf-8-sig"))
@click.option("--provider", "provider_name", help="Provider name (optional if there is only one).")
@click.option("--no-limits", is_flag=True, help="Import a file past the size and row limits.")
def hours_command(file, provider_name, no_limits):
    """Columns: person_ref,date,hours,activity,area,status"""
    _run(import_hours, file, provider_name, now=datetime.now(UTC), no_limits=no_limits)


@group.command("expenses")
@click.argument("file", type=click.File(encoding="utf-8-sig"))
@click.option("--provider", "provider_name", help="Provider name (optional if there is only one).")
@click.option("--no-limits", is_flag=True, help="Import a file past the size and row limits.")
def expenses_command(file, provider_name, no_limits):
    """Columns: person_ref,date,category,amount,miles,vehicle,status"""
    _run(import_expenses, file, provider_name, now=datetime.now(UTC), no_limits=no_limits)


@group.command("sessions")
@click.argument("file", type=click.File(encoding="utf-8-sig"))
@click.option("--provider", "provider_name", help="Provider name (optional if there is only one).")
@click.option("--no-limits", is_flag=True, help="Import a file past the size and row limits.")
def sessions_command(file, provider_name, no_limits):
    """Columns: offer,area,date,start,end,mode,venue,out_of_hours,facilitators,leads,families_attended,..."""
    _run(import_sessions, file, provider_name, now=datetime.now(UTC), no_limits=no_limits)


@group.command("training")
@click.argument("file", type=click.File(encoding="utf-8-sig"))
@click.option("--provider", "provider_name", help="Provider name (optional if there is only one).")
@click.option("--no-limits", is_flag=True, help="Import a file past the size and row limits.")
def training_command(file, provider_name, no_limits):
    """Columns: person_ref,course,completed_on"""
    _run(import_training, file, provider_name, no_limits=no_limits)


@group.command("payroll")
@click.argument("file", type=click.File(encoding="utf-8-sig"))
@click.option("--provider", "provider_name", help="Provider name (optional if there is only one).")
@click.option("--no-limits", is_flag=True, help="Import a file past the size and row limits.")
def payroll_command(file, provider_name, no_limits):
    """Columns: person_ref,pay_period,gross_pay,employer_ni,employer_pension (or the bureau's own names,
    saved under Payroll columns on the import page); other columns are left out."""
    _run(import_payroll, file, provider_name, no_limits=no_limits)


def _establishment_command(name: str, doc: str):
    @group.command(name, help=doc)
    @click.argument("file", type=click.File(encoding="utf-8-sig"))
    @click.option("--provider", "provider_name", help="Provider name (optional if there is only one).")
    @click.option("--no-limits", is_flag=True, help="Import a file past the size and row limits.")
    def command(file, provider_name, no_limits):
        _run(getattr(establishment, f"import_{name}"), file, provider_name, no_limits=no_limits)

    return command


for _name, _columns in (("posts", "POST_COLUMNS"), ("contracts", "CONTRACT_COLUMNS"), ("checks", "CHECK_COLUMNS")):
    _establishment_command(_name, "Columns: " + ",".join(getattr(establishment, _columns)))
