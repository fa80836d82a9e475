from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.access import (
    can,
    get_claim_or_404,
    get_person_or_404,
    get_receipt_or_404,
    may_withdraw,
    permission_required,
)
from app.audit.services import history_for
from app.auth.forms import EmptyForm
from app.extensions import db
from app.models.expenses import ExpenseCategory, ExpenseClaim, ExpenseLine, Vehicle
from app.models.people import Person
from app.views import whole_number

from . import queries
from .forms import DecisionForm, LineForm
from .receipts import ReceiptError, receipt_path, serve_receipt, store_receipt
from .services import (
    UNDO_WINDOW,
    ExpenseError,
    add_line,
    approve_claim,
    create_claim,
    decide_line,
    remove_line,
    submit_claim,
    undo_decision,
    withdraw_claim,
)

bp = Blueprint("expenses", __name__)


def now() -> datetime:
    return datetime.now(UTC)


@bp.route("/expenses")
@permission_required("view_own_record")
def my_expenses():
    return redirect(url_for("expenses.person_expenses", person_id=current_user.person_id))


@bp.route("/people/<int:person_id>/expenses")
@permission_required("view_expenses")
def person_expenses(person_id: int):
    person = get_person_or_404(person_id, for_user=current_user)
    return render_template("expenses/person_expenses.html", person=person,
                           claims=queries.claims_for(person.id),
                           totals=queries.tax_year_totals(person.id, date.today()),
                           can_claim=can(current_user, "claim_expenses", person), form=EmptyForm())


@bp.route("/people/<int:person_id>/expenses/new", methods=["POST"])
@permission_required("claim_expenses", load=Person)
def new_claim(person: Person):
    if not EmptyForm().validate_on_submit():
        abort(400)
    claim = create_claim(person, actor=current_user)
    db.session.commit()
    return redirect(url_for("expenses.add_item", claim_id=claim.id))


@bp.route("/expenses/<int:claim_id>")
@permission_required("view_expenses")
def view_claim(claim_id: int):
    return _claim_page(get_claim_or_404(claim_id, for_user=current_user))


def _claim_page(claim, problems: dict[str, str] | None = None):
    """The claim, with any problem shown in a summary at the top and beside the item it is about."""
    deciding = can(current_user, "decide_expense_lines", claim)
    flags = queries.flags_for([claim], limit_pence=current_app.config["VOLUNTEER_MONTHLY_ALERT_PENCE"],
                              today=date.today()) if deciding else {}
    moment = datetime.now(UTC)
    undoable = {ln.id for ln in claim.lines if deciding and ln.decided_at is not None and claim.batch_id is None
                and claim.status != "paid" and moment - _aware(ln.decided_at) <= UNDO_WINDOW}
    return render_template("expenses/view_claim.html", claim=claim, history=history_for(claim), undoable=undoable,
                           can_change=can(current_user, "claim_expenses", claim) and claim.is_editable,
                           can_decide=deciding, flags=flags, form=EmptyForm(), decision=DecisionForm(),
                           problems=problems or {}, withdrawable=may_withdraw(current_user, claim))


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _receipt_from(form: LineForm, claim):
    upload = form.receipt.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    data = upload.read(current_app.config["RECEIPT_MAX_BYTES"] + 1)
    return store_receipt(data, upload.filename, actor=current_user, person_id=claim.person_id)


def _line_form() -> LineForm:
    form = LineForm()
    if request.method == "GET":
        form.spent_on.data = date.today()
    categories = queries.active_categories()
    form.category_id.choices = [(c.id, c.name) for c in categories]
    return form


@bp.route("/expenses/<int:claim_id>/items/new", methods=["GET", "POST"])
@permission_required("claim_expenses", load=ExpenseClaim)
def add_item(claim: ExpenseClaim):
    form = _line_form()
    if claim.is_editable and form.validate_on_submit():
        category = db.get_or_404(ExpenseCategory, form.category_id.data)
        receipt = None
        try:
            receipt = _receipt_from(form, claim)
            add_line(claim, category=category, spent_on=form.spent_on.data, description=form.description.data,
                     amount_pence=form.amount_pence(), miles=form.miles.data,
                     vehicle=Vehicle(form.vehicle.data) if form.vehicle.data else None,
                     journey_from=form.journey_from.data, journey_to=form.journey_to.data,
                     receipt=receipt, actor=current_user, today=date.today())
        except ReceiptError as error:
            db.session.rollback()
            form.receipt.errors.append(str(error))
        except ExpenseError as error:
            db.session.rollback()
            if receipt is not None:  # keep no file for a line that was not saved
                receipt_path(receipt).unlink(missing_ok=True)
            for field, message in error.problems.items():
                form[field].errors.append(message)
        else:
            db.session.commit()
            flash("Added to your claim. Add another item, or submit the claim", "success")
            return redirect(url_for("expenses.view_claim", claim_id=claim.id))
    mileage_ids = [c.id for c in queries.active_categories() if c.is_mileage]
    return render_template("expenses/add_item.html", form=form, claim=claim, mileage_ids=mileage_ids)


@bp.route("/expenses/items/<int:line_id>/remove", methods=["GET", "POST"])
@permission_required("claim_expenses", load=ExpenseLine)
def remove_item(line: ExpenseLine):
    claim = line.claim
    if request.method == "GET":  # ask first: the item and its receipt go for good
        return render_template("expenses/remove_item.html", line=line, claim=claim, form=EmptyForm())
    if EmptyForm().validate_on_submit():
        try:
            remove_line(line, actor=current_user)
        except ExpenseError as error:
            flash(str(error), "info")
        else:
            db.session.commit()
            flash("Item removed", "success")
    return redirect(url_for("expenses.view_claim", claim_id=claim.id))


@bp.route("/expenses/<int:claim_id>/submit", methods=["POST"])
@permission_required("claim_expenses", load=ExpenseClaim)
def submit(claim: ExpenseClaim):
    if EmptyForm().validate_on_submit():
        try:
            submit_claim(claim, actor=current_user, now=now())
        except ExpenseError as error:
            db.session.rollback()
            return _claim_page(claim, error.problems)
        else:
            db.session.commit()
            flash(f"Claim for £{claim.total_pence / 100:,.2f} sent for approval", "success")
    return redirect(url_for("expenses.view_claim", claim_id=claim.id))


@bp.route("/approvals/expenses")
@permission_required("decide_expense_lines")
def approvals():
    page = db.paginate(queries.approval_queue(current_user), page=request.args.get("page", 1, type=whole_number),
                       per_page=20, error_out=False)
    flags = queries.flags_for(page.items, limit_pence=current_app.config["VOLUNTEER_MONTHLY_ALERT_PENCE"],
                              today=date.today())
    return render_template("expenses/approvals.html", page=page, flags=flags)


@bp.route("/expenses/items/<int:line_id>/decide", methods=["POST"])
@permission_required("decide_expense_lines", load=ExpenseLine)
def decide(line: ExpenseLine):
    claim = line.claim
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decide_line(line, approve=bool(form.approve.data), reason=form.reason.data,
                        actor=current_user, now=now())
        except ExpenseError as error:
            flash(str(error), "info")
        else:
            db.session.commit()
            flash(f"{line.description}: {line.status.value}", "success")
    return redirect(url_for("expenses.view_claim", claim_id=claim.id))


@bp.route("/receipts/<int:receipt_id>")
@permission_required("view_expenses")
def receipt(receipt_id: int):
    return serve_receipt(get_receipt_or_404(receipt_id, for_user=current_user))


def _claim_action(claim: ExpenseClaim, action, done: str):
    if EmptyForm().validate_on_submit():
        try:
            result = action(claim)
        except ExpenseError as error:
            flash(next(iter(error.problems.values())), "info")
        else:
            db.session.commit()
            flash(done.format(result=result, s="" if result == 1 else "s"), "success")
    return redirect(url_for("expenses.view_claim", claim_id=claim.id))


@bp.route("/expenses/<int:claim_id>/withdraw", methods=["POST"])
@permission_required("claim_expenses", load=ExpenseClaim)
def withdraw(claim: ExpenseClaim):
    if not may_withdraw(current_user, claim):
        abort(403)
    return _claim_action(claim, lambda claim: withdraw_claim(claim, actor=current_user, now=datetime.now(UTC)),
                         "Claim withdrawn. It is a draft again: change it, then submit it")


@bp.route("/expenses/<int:claim_id>/approve-all", methods=["POST"])
@permission_required("decide_expense_lines", load=ExpenseClaim)
def approve_all(claim: ExpenseClaim):
    return _claim_action(claim, lambda claim: approve_claim(claim, actor=current_user, now=datetime.now(UTC)),
                         "{result} item{s} approved")


@bp.route("/expenses/items/<int:line_id>/undo", methods=["POST"])
@permission_required("decide_expense_lines", load=ExpenseLine)
def undo(line: ExpenseLine):
    if EmptyForm().validate_on_submit():
        try:
            undo_decision(line, actor=current_user, now=datetime.now(UTC))
        except ExpenseError as error:
            flash(next(iter(error.problems.values())), "info")
        else:
            db.session.commit()
            flash("Decision undone. The item is waiting for a decision again", "success")
    return redirect(url_for("expenses.view_claim", claim_id=line.claim_id))
