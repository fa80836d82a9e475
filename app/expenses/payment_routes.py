"""HR pays approved claims, singly or in a batch, and puts paid items right with adjustments."""

import io
from datetime import UTC, date, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import permission_required
from app.exports import csv_writer
from app.extensions import db
from app.ids import ids_from
from app.models.expenses import ExpenseClaim, ExpenseLine, PaymentBatch

from . import queries
from .forms import AdjustmentForm, PaymentForm
from .routes import bp
from .services import ExpenseError, adjust_paid_line, mark_paid


@bp.route("/payments", methods=["GET", "POST"])
@permission_required("pay_expenses")
def payments():
    form = PaymentForm()
    claims = db.session.scalars(queries.payable_claims(current_user)).all()
    if form.validate_on_submit() and _date_checked(form):
        chosen_ids = ids_from(request.form.getlist("claim"))
        chosen = [c for c in claims if c.id in chosen_ids]
        try:
            batch = mark_paid(chosen, paid_on=form.paid_on.data, reference=form.reference.data,
                              actor=current_user, provider_id=current_user.provider_id,
                              as_batch=form.as_batch.data)
        except ExpenseError as error:
            for field, message in error.problems.items():
                (form[field] if field in form else form.reference).errors.append(
                    "Select the claims to mark as paid" if field == "claims" else message)
        else:
            db.session.commit()
            flash(f"{len(chosen)} {'claim' if len(chosen) == 1 else 'claims'} marked as paid", "success")
            if batch is not None:
                return redirect(url_for("expenses.batches"))
            return redirect(url_for("expenses.payments"))
    return render_template("expenses/payments.html", form=form, claims=claims, today=date.today(),
                           ticked=set(request.form.getlist("claim")))


def _date_checked(form) -> bool:
    """A payment dated in the future is usually a typing slip: it is recorded only once confirmed."""
    if form.paid_on.data and form.paid_on.data > date.today() and not form.future_ok.data:
        form.paid_on.errors.append(f"The date paid, {form.paid_on.data:%-d %B %Y}, is in the future. Check it, or "
                                   "tick the box below to record a payment that is booked for that day")
        form.future_warning = True
        return False
    return True


@bp.route("/payments/batches")
@permission_required("pay_expenses")
def batches():
    rows = db.session.scalars(
        select(PaymentBatch).where(PaymentBatch.provider_id == current_user.provider_id)
        .options(selectinload(PaymentBatch.claims).selectinload(ExpenseClaim.lines))
        .order_by(PaymentBatch.created_at.desc())).all()
    return render_template("expenses/batches.html", batches=rows)


@bp.route("/payments/batches/<int:batch_id>.csv")
@permission_required("pay_expenses")
def batch_csv(batch_id: int):
    batch = db.get_or_404(PaymentBatch, batch_id)
    if batch.provider_id != current_user.provider_id:
        abort(404)
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    # One payment per payee: a person's claims in the batch are paid together, under a reference
    # the finance system can put on the bank transfer.
    writer.writerow(["batch_reference", "paid_on", "payee_reference", "person_ref", "name", "claims", "amount_gbp"])
    payees: dict[int, list] = {}
    for claim in sorted(batch.claims, key=lambda c: c.id):
        payees.setdefault(claim.person_id, []).append(claim)
    for claims in sorted(payees.values(), key=lambda cs: (cs[0].person.last_name, cs[0].person.first_name)):
        person = claims[0].person
        writer.writerow([batch.reference, batch.paid_on.isoformat(), f"{batch.reference}-{person.ref}", person.ref,
                         person.name, ";".join(str(c.id) for c in claims),
                         f"{sum(c.approved_pence for c in claims) / 100:.2f}"])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="payment-batch-{batch.id}.csv"'})


@bp.route("/expenses/items/<int:line_id>/adjust", methods=["GET", "POST"])
@permission_required("pay_expenses", load=ExpenseLine)
def adjust(line: ExpenseLine):
    claim = line.claim
    form = AdjustmentForm()
    if form.validate_on_submit():
        try:
            adjustment = adjust_paid_line(line, amount_pence=int(form.amount.data * 100),
                                          reason=form.reason.data, actor=current_user,
                                          now=datetime.now(UTC))
        except ExpenseError as error:
            for field, message in error.problems.items():
                form[field].errors.append(message)
        else:
            db.session.commit()
            flash("Adjustment recorded as a new approved item, ready to pay", "success")
            return redirect(url_for("expenses.view_claim", claim_id=adjustment.claim_id))
    return render_template("expenses/adjust.html", form=form, line=line, claim=claim)
