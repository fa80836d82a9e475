import io
from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import get_provider_or_404, permission_required, sees_all_providers, settings_scope, visible_providers
from app.establishment.costs import on_cost_applied, on_cost_rules, terms_on
from app.exports import csv_writer
from app.extensions import db
from app.formatting import pounds
from app.models.establishment import Grade
from app.views import whole_number

from .services import (
    budget_table,
    contract_years_for,
    establishment_fill,
    load_contract_year,
    year_containing,
)

bp = Blueprint("establishment", __name__, url_prefix="/establishment")


def _chosen_year(provider):
    """The contract year asked for, or the one running today.

    :raises NotFound: for a year that is not this provider's.
    """
    years = contract_years_for(provider.id)
    year_id = request.args.get("year", type=whole_number)
    chosen = next((y for y in years if y.id == year_id), None) if year_id else None
    if year_id and chosen is None:
        abort(404)
    chosen = chosen or year_containing(years, date.today())
    return years, (load_contract_year(chosen.id) if chosen else None)


@bp.route("/")
@permission_required("view_establishment")
def overview():
    provider = get_provider_or_404(request.args.get("provider", type=whole_number), for_user=current_user)
    years, year = _chosen_year(provider)
    table = budget_table(year) if year else None
    return render_template(
        "establishment/overview.html", provider=provider, providers=visible_providers(current_user),
        years=years, year=year, table=table, fill=establishment_fill(provider.id, date.today()),
    )


@bp.route("/budget.csv")
@permission_required("view_establishment")
def budget_csv():
    provider = get_provider_or_404(request.args.get("provider", type=whole_number), for_user=current_user)
    _, year = _chosen_year(provider)
    if year is None:
        abort(404)
    table = budget_table(year)
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["posts", "fte", "post_title", "grade", "annual_cost_gbp"])
    for row in table.rows:
        writer.writerow([row.posts if row.posts is not None else "",
                         f"{row.fte:.1f}" if row.fte is not None else "",
                         row.line.name, row.grade, row.annual_pence // 100])
    writer.writerow(["", "", "Total", "", table.total_pence // 100])
    for source, amount in table.funding:
        writer.writerow(["", "", f"Funding: {source}", "", amount // 100])
    writer.writerow(["", "", "Funding total", "", table.funding_pence // 100])
    writer.writerow(["", "", "Headroom", "", table.headroom_pence // 100])
    filename = f"budget-{provider.name}-{year.label}.csv".replace("/", "-").replace(" ", "-")
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/grades")
@permission_required("view_establishment")
def grades():
    query = (select(Grade).options(selectinload(Grade.pay_points), selectinload(Grade.points),
                                   selectinload(Grade.hourly_rates)).order_by(Grade.code))
    if not sees_all_providers(current_user):  # a provider's own pay scale is not another's to read
        query = query.where(settings_scope(Grade, current_user))
    rows = db.session.scalars(query).all()
    rules = on_cost_rules(current_user.provider_id)
    applied = {point.id: on_cost_applied(point, terms_on(rules, point.effective_from))
               for grade in rows for point in grade.pay_points}
    return render_template("establishment/grades.html", grades=rows, pounds=pounds, applied=applied)
