from datetime import UTC, date, datetime

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput
from sqlalchemy.exc import IntegrityError
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from app.access import permission_required
from app.extensions import db

from .csvfile import ImportFailed, ImportReport, xlsx_as_csv
from .establishment import (
    CHECK_COLUMNS,
    CONTRACT_COLUMNS,
    POST_COLUMNS,
    import_checks,
    import_contracts,
    import_posts,
)
from .expenses import EXPENSE_COLUMNS, import_expenses
from .services import HOURS_COLUMNS, PEOPLE_COLUMNS, import_hours, import_people
from .sessions import SESSION_COLUMNS, import_sessions
from .training import TRAINING_COLUMNS, import_training

bp = Blueprint("imports", __name__, url_prefix="/imports")
KINDS = {"posts": (import_posts, POST_COLUMNS), "people": (import_people, PEOPLE_COLUMNS),
         "contracts": (import_contracts, CONTRACT_COLUMNS), "checks": (import_checks, CHECK_COLUMNS),
         "hours": (import_hours, HOURS_COLUMNS), "expenses": (import_expenses, EXPENSE_COLUMNS),
         "training": (import_training, TRAINING_COLUMNS), "sessions": (import_sessions, SESSION_COLUMNS)}


class ImportForm(FlaskForm):
    kind = RadioField("What are you importing?", widget=GovRadioInput(),
                      choices=[("posts", "Posts (the establishment)"), ("people", "People"),
                               ("contracts", "Contracts (people in posts)"), ("checks", "DBS, right to work and "
                                                                                     "reference checks"),
                               ("hours", "Hours"), ("expenses", "Expenses"), ("training", "Training"),
                               ("sessions", "Sessions delivered")],
                      validators=[InputRequired("Select what you are importing")])
    file = FileField("Spreadsheet", widget=GovFileInput(), description="A CSV file, or an Excel workbook (.xlsx)",
                     validators=[FileRequired("Choose a CSV or Excel file"),
                                 FileAllowed(["csv", "xlsx"], "The file must be a CSV file or an Excel workbook")])
    submit = SubmitField("Import", widget=GovSubmitInput())


def _read(upload) -> str | None:
    """The upload as CSV text: a workbook's first sheet, or the CSV itself; None if unreadable."""
    data = upload.read()
    if (upload.filename or "").lower().endswith(".xlsx"):
        return xlsx_as_csv(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


@bp.route("/", methods=["GET", "POST"])
@permission_required("import_data")
def upload():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        importer, _ = KINDS[form.kind.data]
        text = _read(form.file.data)
        extra = {"now": datetime.now(UTC)} if form.kind.data not in ("people", "posts", "contracts", "checks") else {}
        if text is None:
            form.file.errors.append("The file must be a CSV saved as UTF-8 text, or an Excel workbook (.xlsx)")
        else:
            try:
                report = importer(text, provider=current_user.provider, actor=current_user,
                                  today=date.today(), **extra)
                db.session.commit()
            except ImportFailed as failed:
                db.session.rollback()
                report = failed.report
            except IntegrityError:
                # Another import added the same records at the same moment.
                db.session.rollback()
                report = ImportReport(form.kind.data)
                report.error(1, "Some of these records were added by someone else at the same time. "
                                "Nothing was imported: check the records and import again")
            else:
                flash(f"Imported {report.created} {report.kind} rows", "success")
                return redirect(url_for("imports.upload"))
    return render_template("imports/upload.html", form=form, report=report,
                           report_type=ImportReport, kinds=KINDS)
