"""Non-pay spending: the list, recording an invoice, and approving it."""

from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.access import get_spend_or_404, permission_required, refusal, spending_scope
from app.audit.services import history_for
from app.expenses.receipts import ReceiptError, serve_receipt, store_receipt
from app.extensions import db
from app.models.establishment import BudgetLine, ContractYear
from app.models.spending import Spend, SpendStatus
from app.models.training import Course
from app.people.queries import all_areas
from app.views import whole_number

from . import services
from .forms import DecideForm, SpendForm

bp = Blueprint("spending", __name__, url_prefix="/spending")


@bp.route("/")
@permission_required("view_spending")
def list_spending():
    status = request.args.get("status", "")
    query = (select(Spend).where(spending_scope(current_user))
             .options(selectinload(Spend.line).selectinload(BudgetLine.contract_year), selectinload(Spend.area))
             .order_by(Spend.spent_on.desc(), Spend.id.desc()))
    if status in {s.value for s in SpendStatus}:
        query = query.where(Spend.status == SpendStatus(status))
    page = db.paginate(query, page=request.args.get("page", 1, type=whole_number), per_page=25, error_out=False)
    totals = dict(db.session.execute(select(Spend.status, func.sum(Spend.amount_pence))
                                     .where(spending_scope(current_user)).group_by(Spend.status)).all())
    return render_template("spending/list.html", page=page, status=status, statuses=list(SpendStatus), totals=totals)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("record_spending")
def new_spend():
    form = SpendForm()
    lines = {line.id: line for line in services.lines_for(current_user.provider_id)}
    form.budget_line_id.choices = [("", "Choose a line")] + [
        (line.id, f"{line.contract_year.label}: {line.name}") for line in lines.values()]
    form.area_id.choices = [("", "County-wide")] + [(a.id, a.name) for a in all_areas()]
    courses = db.session.scalars(select(Course).where(
        Course.provider_id.is_(None) | (Course.provider_id == current_user.provider_id)).order_by(Course.name)).all()
    form.course_id.choices = [("", "Not for a course")] + [(c.id, c.name) for c in courses]
    if form.validate_on_submit():
        line = lines.get(form.budget_line_id.data)
        try:
            if line is None:
                raise services.SpendError("budget_line_id", "Choose one of your non-pay budget lines")
            upload = form.receipt.data
            receipt = store_receipt(upload.read(), upload.filename, actor=current_user) if upload else None
            services.record_spend(provider_id=current_user.provider_id, line=line, spent_on=form.spent_on.data,
                                  supplier=form.supplier.data, description=form.description.data,
                                  amount_pence=form.amount.pence, area_id=form.area_id.data,
                                  course_id=form.course_id.data, receipt=receipt, actor=current_user,
                                  today=date.today())
        except ReceiptError as error:
            db.session.rollback()
            form.receipt.errors.append(str(error))
        except services.SpendError as error:
            db.session.rollback()
            form[error.args[0]].errors.append(error.args[1])
        else:
            db.session.commit()
            flash("Spending recorded. Someone else in HR approves it", "success")
            return redirect(url_for("spending.list_spending"))
    return render_template("spending/new.html", form=form, has_lines=bool(lines))


@bp.route("/<int:spend_id>")
@permission_required("view_spending")
def view_spend(spend_id: int):
    spend = get_spend_or_404(spend_id, for_user=current_user)
    return _page(spend, DecideForm())


def _page(spend: Spend, form: DecideForm):
    year = db.session.get(ContractYear, spend.line.contract_year_id)
    return render_template("spending/view.html", spend=spend, form=form, year=year, history=history_for(spend),
                           refusal=refusal(current_user, "approve_spending", spend))


@bp.route("/<int:spend_id>/decide", methods=["POST"])
@permission_required("approve_spending", load=Spend)
def decide(spend: Spend):
    form = DecideForm()
    if form.validate_on_submit():
        try:
            services.decide(spend, approve=request.form.get("decision") == "approve", reason=form.reason.data,
                            actor=current_user, now=datetime.now(UTC))
        except services.SpendError as error:
            form.reason.errors.append(error.args[1])
        else:
            db.session.commit()
            flash("Approved" if spend.status == SpendStatus.APPROVED else "Sent back", "success")
            return redirect(url_for("spending.list_spending"))
    return _page(spend, form)


@bp.route("/<int:spend_id>/invoice")
@permission_required("view_spending")
def invoice(spend_id: int):
    spend = get_spend_or_404(spend_id, for_user=current_user)
    if spend.receipt is None:
        abort(404)
    return serve_receipt(spend.receipt)
