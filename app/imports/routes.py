import io
from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.access import permission_required
from app.audit import services as audit
from app.exports import csv_writer
from app.extensions import db
from app.models.council import Lot, lot_area
from app.models.establishment import Post
from app.models.hours import Activity
from app.models.payroll import PayrollColumns
from app.models.people import Area, Person

from . import batches
from .csvfile import LIMITS, ImportFailed, ImportReport, TooBig, check_size, workbook_template, xlsx_as_csv
from .establishment import (
    CHECK_COLUMNS,
    CONTRACT_COLUMNS,
    POST_COLUMNS,
    import_checks,
    import_contracts,
    import_posts,
)
from .expenses import EXPENSE_COLUMNS, import_expenses
from .payroll import PAYROLL_COLUMNS, import_payroll
from .services import HOURS_COLUMNS, PEOPLE_COLUMNS, import_hours, import_people
from .sessions import SESSION_COLUMNS, import_sessions
from .training import TRAINING_COLUMNS, import_training

bp = Blueprint("imports", __name__, url_prefix="/imports")
KINDS = {"posts": (import_posts, POST_COLUMNS), "people": (import_people, PEOPLE_COLUMNS),
         "contracts": (import_contracts, CONTRACT_COLUMNS), "checks": (import_checks, CHECK_COLUMNS),
         "hours": (import_hours, HOURS_COLUMNS), "expenses": (import_expenses, EXPENSE_COLUMNS),
         "training": (import_training, TRAINING_COLUMNS), "sessions": (import_sessions, SESSION_COLUMNS),
         "payroll": (import_payroll, PAYROLL_COLUMNS)}


class ImportForm(FlaskForm):
    kind = RadioField("What are you importing?", widget=GovRadioInput(),
                      choices=[("posts", "Posts (the establishment)"), ("people", "People"),
                               ("contracts", "Contracts (people in posts)"), ("checks", "DBS, right to work and "
                                                                                     "reference checks"),
                               ("hours", "Hours"), ("expenses", "Expenses"), ("training", "Training"),
                               ("sessions", "Sessions delivered"),
                               ("payroll", "Payroll: what payroll paid each person in a month")],
                      validators=[InputRequired("Select what you are importing")])
    file = FileField("Spreadsheet", widget=GovFileInput(), description="A CSV file, or an Excel workbook (.xlsx)",
                     validators=[FileRequired("Choose a CSV or Excel file"),
                                 FileAllowed(["csv", "xlsx"], "The file must be a CSV file or an Excel workbook")])
    different_people = BooleanField(
        "Import everyone in the file, even people who look like someone already on your records",
        widget=GovCheckboxInput(),
        description="Only for people: tick this if they really are different people who share a name, or an "
                    "email address, with someone you have")
    submit = SubmitField("Import", widget=GovSubmitInput())


def _read(data: bytes, filename: str) -> str | None:
    """The upload as CSV text: a workbook's first sheet, or the CSV itself; None if unreadable.

    :raises TooBig: for a file past the limits.
    """
    check_size(data)
    if (filename or "").lower().endswith(".xlsx"):
        return xlsx_as_csv(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _upload_text(form, data: bytes) -> str | None:
    """The upload as CSV text, or None with the reason on the file field (too big, or unreadable)."""
    try:
        text = _read(data, form.file.data.filename)
    except TooBig as refused:
        form.file.errors.append(str(refused))
        return None
    if text is None:
        form.file.errors.append("The file must be a CSV saved as UTF-8 text, or an Excel workbook (.xlsx)")
    return text


def _import(form, data: bytes, text: str):
    """Run the chosen import as a batch; (report, batch) or the failed report and None."""
    importer, _ = KINDS[form.kind.data]
    extra = {"now": datetime.now(UTC)} if form.kind.data not in ("people", "posts", "contracts", "checks",
                                                                  "payroll") else {}
    if form.kind.data == "people":
        extra["allow_duplicates"] = bool(form.different_people.data)
    try:
        report, batch = batches.run_import(
            importer, text, kind=form.kind.data, file_name=form.file.data.filename, data=data,
            provider=current_user.provider, actor=current_user, at=datetime.now(UTC), today=date.today(), **extra)
        db.session.commit()
        return report, batch
    except ImportFailed as failed:
        db.session.rollback()
        return failed.report, None
    except IntegrityError:
        # Another import added the same records at the same moment.
        db.session.rollback()
        report = ImportReport(form.kind.data)
        report.error(1, "Some of these records were added by someone else at the same time. "
                        "Nothing was imported: check the records and import again")
        return report, None


@bp.route("/", methods=["GET", "POST"])
@permission_required("import_data")
def upload():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        data = form.file.data.read(LIMITS.file_bytes + 1)
        text = _upload_text(form, data)
        started = datetime.now(UTC).isoformat()
        if text is not None:
            report, batch = _import(form, data, text)
            if batch is not None:
                flash(f"Imported {report.created} {report.kind} {'row' if report.created == 1 else 'rows'}"
                      + (f". {len(report.skipped)} skipped as probable duplicates" if report.skipped else ""),
                      "success")
                session["last_import"] = {"kind": report.kind, "created": report.created, "since": started,
                                          "skipped": report.skipped[:200], "batch": batch.id}
                return redirect(url_for("imports.upload"))
    return render_template("imports/upload.html", form=form, report=report, report_type=ImportReport,
                           kinds=KINDS, last=_last_import(), batches=batches.recent_batches(current_user.provider_id),
                           now=datetime.now(UTC), undo_within=batches.UNDO_WITHIN)


def _get_batch_or_404(batch_id: int):
    """:raises NotFound: for a batch that is not the user's provider's."""
    batch = batches.get_batch(batch_id, current_user.provider_id)
    if batch is None:
        abort(404)
    return batch


@bp.route("/batches/<int:import_id>/undo", methods=["GET", "POST"])
@permission_required("import_data")
def undo_batch(import_id: int):
    """Ask first, showing what the batch added and anything that blocks taking it back."""
    batch = _get_batch_or_404(import_id)
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            removed = batches.undo(batch, actor=current_user, now=datetime.now(UTC))
        except batches.UndoRefused as refused:
            flash("This import cannot be undone: " + "; ".join(refused.args[0]), "important")
        else:
            db.session.commit()
            flash(f"Import of {batch.file_name} undone: removed "
                  + (", ".join(f"{n} {w}" for w, n in removed.items()) or "nothing (it had added nothing)"), "success")
            return redirect(url_for("imports.upload"))
    return render_template("imports/undo.html", batch=batch, added=batches.what_it_added(batch), form=form,
                           blockers=batches.undo_blockers(batch, now=datetime.now(UTC)))


def _last_import() -> dict | None:
    """What the last import on this browser made: for people, their new references to use next."""
    last = session.get("last_import")
    if not last or request.method != "GET":
        return None
    if last["kind"] == "people":
        last = {**last, "people": db.session.execute(
            _new_people(datetime.fromisoformat(last["since"])).limit(20)).all()}
    return last


def _new_people(since: datetime):
    return (select(Person.ref, Person.first_name, Person.last_name)
            .where(Person.provider_id == current_user.provider_id, Person.created_at >= since)
            .order_by(Person.last_name, Person.first_name, Person.ref))


@bp.route("/new-people.csv")
@permission_required("import_data")
def new_people():
    """The people the last import added, with their new references, for the next file."""
    last = session.get("last_import") or {}
    since = datetime.fromisoformat(last["since"]) if last.get("kind") == "people" else datetime.now(UTC)
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["person_ref", "first_name", "last_name"])
    writer.writerows(db.session.execute(_new_people(since)).all())
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="new-people.csv"'})


EXAMPLES = {
    "people": ",Dawn,Roberts,dawn@example.org,{area},volunteer,05/10/2026,,yes",
    "hours": "{ref},05/10/2026,2.5,Peer support group,{area},submitted",
    "posts": "Parent Co-Facilitator,sessional,,{area},1,0.4,01/04/2026,",
    "contracts": "{ref},Parent Co-Facilitator,{area},sessional,,01/04/2026",
    "checks": "{ref},dbs,05/10/2026,001234567890,yes,yes,05/10/2029",
    "expenses": "{ref},05/10/2026,Parking,3.50,,,submitted",
    "training": "{ref},Safeguarding children (level 1),05/10/2026",
    "sessions": "Peer support group,{area},05/10/2026,10:00,12:00,face_to_face,Your venue,,"
                "{ref},{ref},8,2,0,0,",
    "payroll": "{ref},2026-10,\"2,140.50\",156.90,428.10",
}


def _own_areas() -> list[str]:
    """The areas of the user's provider's lots (a template's example never names another provider's)."""
    return list(db.session.scalars(select(Area.name).join(lot_area, lot_area.c.area_id == Area.id)
                                   .join(Lot, Lot.id == lot_area.c.lot_id)
                                   .where(Lot.provider_id == current_user.provider_id).distinct().order_by(Area.name)))


def _example(kind: str) -> str:
    areas = _own_areas()
    ref = db.session.scalar(select(Person.ref).where(Person.provider_id == current_user.provider_id)
                            .order_by(Person.id).limit(1))
    return EXAMPLES.get(kind, "").format(area=areas[0] if areas else "Your area", ref=ref or "P000123")


@bp.route("/template/<kind>.csv")
@permission_required("import_data")
def template(kind: str):
    """Each import's columns, with one example row to overwrite."""
    if kind not in KINDS:
        abort(404)
    columns = KINDS[kind][1]
    example = _example(kind)
    text = ",".join(columns) + "\r\n" + (example + "\r\n" if example.count(",") == len(columns) - 1 else "")
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="pathway-{kind}-template.csv"'})


@bp.route("/template/<kind>.xlsx")
@permission_required("import_data")
def template_xlsx(kind: str):
    """The same template as a workbook, with drop-downs for the columns that name something."""
    if kind not in KINDS:
        abort(404)
    columns = KINDS[kind][1]
    data = workbook_template(columns, _example(kind), choices=_choices())
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="pathway-{kind}-template.xlsx"'})


def _choices() -> dict[str, list[str]]:
    """What each naming column may hold, for the workbook's drop-downs."""
    provider_id = current_user.provider_id
    areas = _own_areas() or list(db.session.scalars(select(Area.name).order_by(Area.name)))
    posts = sorted({t for t in db.session.scalars(select(Post.title).where(Post.provider_id == provider_id))})
    activities = list(db.session.scalars(select(Activity.name).where(
        Activity.provider_id.is_(None) | (Activity.provider_id == provider_id), Activity.is_active)
        .order_by(Activity.name)))
    stages = ["volunteer", "co-facilitator", "employee"]
    return {"area": areas, "post_area": areas + ["county-wide"], "stage": stages, "post": posts,
            "post_title": posts, "activity": activities, "basis": ["salaried", "sessional", "volunteer"],
            "lived_experience": ["yes", "no"], "status": ["submitted", "approved"],
            "kind": ["dbs", "right_to_work", "reference"]}


def _column(label: str, what: str) -> StringField:
    return StringField(label, widget=GovTextInput(), validators=[
        InputRequired(f"Enter the column holding {what}"),
        Length(max=80, message="Column names must be 80 characters or fewer")])


class PayrollColumnsForm(FlaskForm):
    person_ref = _column("Column holding the person's Pathway reference", "the person's reference")
    pay_period = _column("Column holding the pay period (the month paid)", "the pay period")
    gross_pay = _column("Column holding gross pay", "gross pay")
    employer_ni = _column("Column holding employer's National Insurance", "employer's National Insurance")
    employer_pension = _column("Column holding employer's pension", "employer's pension")
    submit = SubmitField("Save column names", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        names = [f.data.strip().lower() for f in self if f.name in PAYROLL_COLUMNS and f.data]
        if valid and len(set(names)) != len(names):
            self.employer_pension.errors.append("Each field needs its own column: two have the same name")
            return False
        return valid


@bp.route("/payroll-columns", methods=["GET", "POST"])
@permission_required("import_data")
def payroll_columns():
    """The names the provider's payroll bureau gives its columns, saved once."""
    provider_id = current_user.provider_id
    saved = db.session.get(PayrollColumns, provider_id)
    form = PayrollColumnsForm(obj=saved) if saved else PayrollColumnsForm(data={c: c for c in PAYROLL_COLUMNS})
    if form.validate_on_submit():
        before = saved.mapping() if saved else {}
        if saved is None:
            saved = PayrollColumns(provider_id=provider_id)
            db.session.add(saved)
        for column in PAYROLL_COLUMNS:
            setattr(saved, column, getattr(form, column).data.strip())
        changes = audit.diff(before, saved.mapping())
        if changes:
            audit.record(actor=current_user, action="update", entity=current_user.provider, provider_id=provider_id,
                         changes=changes, summary="Changed the payroll report's column names")
        db.session.commit()
        flash("Payroll column names saved. Payroll reports are read with them from now on", "success")
        return redirect(url_for("imports.upload"))
    return render_template("imports/payroll_columns.html", form=form)
