"""HR pays approved claims, singly or in a batch, and puts paid items right with adjustments."""

import io
from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import get_line_or_404, permission_required, require
from app.exports import csv_writer
from app.extensions import db

from . import queries
from .forms import AdjustmentForm, PaymentForm
from .models import ExpenseClaim, PaymentBatch
from .routes import bp
from .services import ExpenseError, adjust_paid_line, mark_paid


@bp.route("/payments", methods=["GET", "POST"])
@permission_required("pay_expenses")
def payments():
    form = PaymentForm()
    claims = db.session.scalars(queries.payable_claims(current_user)).all()
    if form.validate_on_submit():
        chosen_ids = {int(i) for i in request.form.getlist("claim") if i.isdigit()}
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
    return render_template("expenses/payments.html", form=form, claims=claims)


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
    writer.writerow(["batch_reference", "paid_on", "claim_id", "person_ref", "name", "amount_gbp"])
    for claim in sorted(batch.claims, key=lambda c: c.id):
        writer.writerow([batch.reference, batch.paid_on.isoformat(), claim.id, claim.person.ref,
                         claim.person.name, f"{claim.approved_pence / 100:.2f}"])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="payment-batch-{batch.id}.csv"'})


@bp.route("/expenses/items/<int:line_id>/adjust", methods=["GET", "POST"])
@permission_required("pay_expenses")
def adjust(line_id: int):
    line = get_line_or_404(line_id, for_user=current_user)
    claim = line.claim
    require("pay_expenses", claim)
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
