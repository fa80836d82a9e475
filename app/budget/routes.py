import io
from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from app import generation
from app.access import (
    area_choices,
    fixed_area_id,
    get_provider_or_404,
    permission_required,
    provider_choices,
    visible_providers,
)
from app.budget.charts import bar_chart
from app.budget.projection import DEFAULT_AWARD_PCT, project
from app.establishment.services import contract_year_facts, contract_years_for, year_containing
from app.exports import csv_writer
from app.people.queries import area_names
from app.periods import month_of, quarter_of, week_of
from app.views import date_filter, whole_number

from .charts import fte_chart, monthly_spend_chart
from .payroll import payroll_months
from .reconcile import reconciliation
from .services import build_monitor, fte_report, year_for_provider

bp = Blueprint("budget", __name__, url_prefix="/budget")


def _monitor_context():
    provider = get_provider_or_404(request.args.get("provider", type=whole_number), for_user=current_user)
    years = contract_year_facts(provider.id)
    year = year_for_provider(provider.id, request.args.get("year", type=whole_number), date.today(), years)
    if request.args.get("year") and year is None:
        abort(404)
    area_id = request.args.get("area", type=whole_number)
    monitor = build_monitor(year, today=date.today(), area_id=area_id) if year else None
    return provider, years, year, area_id, monitor


@bp.route("/")
@permission_required("view_budget")
def monitor():
    provider, years, year, area_id, monitor = _monitor_context()
    chart = None
    if monitor:
        chart = monthly_spend_chart(monitor.months, [monitor.month_total(m) for m in monitor.months],
                                    monitor.even_profile, monitor.today)
    return render_template(
        "budget/monitor.html", provider=provider, providers=provider_choices(current_user),
        years=years, year=year, monitor=monitor, chart=chart,
        areas=area_choices(current_user, area_names()), area_id=area_id)


@bp.route("/monitor.csv")
@permission_required("view_budget")
def monitor_csv():
    _, _, year, area_id, monitor = _monitor_context()
    if monitor is None:
        abort(404)
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    amounts = ("budget", "actual", "committed", "forecast", "variance", "price_variance", "volume_variance")
    writer.writerow(["line", *[f"{a}_gbp" for a in amounts], "pct_used",
                     *[m.strftime("%Y-%m") for m in monitor.months]])
    for line in monitor.lines:
        writer.writerow([line.line.name, *[f"{getattr(line, a) / 100:.2f}" for a in amounts],
                         line.pct_used if line.pct_used is not None else "",
                         *[f"{line.by_month.get(m, 0) / 100:.2f}" for m in monitor.months]])
    if monitor.allowance:
        relief = monitor.allowance_actual + monitor.allowance_committed
        writer.writerow(["Employment Allowance", "0.00", f"{-monitor.allowance_actual / 100:.2f}",
                         f"{-monitor.allowance_committed / 100:.2f}", f"{-relief / 100:.2f}", f"{relief / 100:.2f}",
                         "", "", "",
                         *[f"{-monitor.allowance.get(m, 0) / 100:.2f}" if m <= monitor.today else "0.00"
                           for m in monitor.months]])
    writer.writerow(["Total", *[f"{monitor.total(a) / 100:.2f}" for a in amounts], "",
                     *[f"{monitor.month_total(m) / 100:.2f}" for m in monitor.months]])
    name = f"budget-monitor-{year.label.replace('/', '-')}.csv"
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def period_bounds(kind: str, on: date, year_start: date | None, year_end: date | None) -> tuple[date, date]:
    """The week, month, financial quarter or contract year containing ``on``."""
    if kind == "week":
        return week_of(on)
    if kind == "quarter":
        return quarter_of(on)
    if kind == "year" and year_start:
        return year_start, year_end
    return month_of(on)


def _fte_context(errors: dict[str, str] | None = None):
    provider = get_provider_or_404(request.args.get("provider", type=whole_number), for_user=current_user)
    area_id = fixed_area_id(current_user) or request.args.get("area", type=whole_number)
    kind = request.args.get("period", "month")
    on = date_filter("on", date.today(), {} if errors is None else errors)
    today = date.today()
    # Kept until the data changes (app.generation): asked again, the figures cost one statement.
    start, end, rows = generation.kept(("fte", provider.id, area_id, kind, on, today),
                                       lambda: _fte_figures(provider.id, area_id, kind, on, today))
    return provider, area_id, kind, on, start, end, rows


def _fte_figures(provider_id: int, area_id: int | None, kind: str, on: date, today: date):
    year = year_containing(contract_years_for(provider_id), on)  # its dates only: nothing priced here
    start, end = period_bounds(kind, on, year.starts_on if year else None,
                               year.ends_on if year else None)
    # FTE used is measured over the weeks that have happened, not the whole period.
    end = min(end, max(today, start))
    return start, end, fte_report(provider_id, start, end, area_id=area_id)


@bp.route("/fte")
@permission_required("view_fte")
def fte():
    filter_errors: dict[str, str] = {}
    provider, area_id, kind, on, start, end, rows = _fte_context(filter_errors)
    chart = fte_chart([r.group for r in rows], [float(r.budgeted_fte) for r in rows],
                      [float(r.fte_used) for r in rows]) if rows else None
    return render_template("budget/fte.html", provider=provider, providers=provider_choices(current_user),
                           rows=rows, chart=chart, start=start, end=end, kind=kind, on=on,
                           areas=area_choices(current_user, area_names()), area_id=area_id,
                           filter_errors=filter_errors, problems=filter_errors)


@bp.route("/fte.csv")
@permission_required("view_fte")
def fte_csv():
    provider, area_id, kind, on, start, end, rows = _fte_context()
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["period_start", "period_end", "post_group", "budgeted_fte", "hours", "fte_used",
                     "status"])
    for row in rows:
        writer.writerow([start.isoformat(), end.isoformat(), row.group, row.budgeted_fte,
                         f"{row.minutes / 60:g}", row.fte_used, row.status])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="fte-used.csv"'})


@bp.route("/projection")
@permission_required("view_budget")
def projection():
    """The establishment priced over the rest of the contract against each year's funding."""
    from decimal import Decimal, InvalidOperation

    provider = get_provider_or_404(request.args.get("provider", type=whole_number), for_user=current_user)
    raw = (request.args.get("award") or "").strip().rstrip("%").strip()
    error = None
    try:
        award = Decimal(raw) if raw else DEFAULT_AWARD_PCT
        if not Decimal(0) <= award <= Decimal(20):
            raise InvalidOperation
    except InvalidOperation:
        award, error = DEFAULT_AWARD_PCT, "Enter the assumed pay award as a percentage between 0 and 20, like 3"
    result = project(provider.id, award_pct=award, today=date.today())
    chart = bar_chart([y.label for y in result.years],
                      {"Establishment": [y.total_pence / 100 for y in result.years],
                       "Funding": [y.funding_pence / 100 for y in result.years]},
                      "The establishment against funding, year by year", "£") if result.years else None
    return render_template("budget/projection.html", provider=provider, providers=visible_providers(current_user),
                           projection=result, chart=chart, award=raw or str(DEFAULT_AWARD_PCT), error=error)


def _pay_month(text: str) -> date:
    """:raises NotFound: for a month that is not written like 2027-02."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        abort(404)


@bp.route("/payroll")
@permission_required("reconcile_payroll")
def payroll():
    """The months payroll has been imported for, each with its reconciliation."""
    return render_template("budget/payroll.html", months=payroll_months(current_user.provider_id))


@bp.route("/payroll/<month>")
@permission_required("reconcile_payroll")
def reconcile(month: str):
    """A month's payroll beside Pathway's estimate, person by person."""
    period = _pay_month(month)
    rows = reconciliation(current_user.provider_id, period)
    return render_template("budget/reconcile.html", rows=rows, period=period, month=month,
                           totals=_reconcile_totals(rows))


def _reconcile_totals(rows) -> dict[str, int]:
    return {"payroll": sum(r.payroll.total_pence for r in rows if r.payroll),
            "estimate": sum(r.estimate for r in rows),
            "agree": sum(1 for r in rows if r.agrees)}


@bp.route("/payroll/<month>.csv")
@permission_required("reconcile_payroll")
def reconcile_csv(month: str):
    period = _pay_month(month)
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["person_ref", "name", "gross_pay_gbp", "employer_ni_gbp", "employer_pension_gbp",
                     "payroll_total_gbp", "estimate_pay_gbp", "estimate_holiday_pay_gbp", "estimate_employer_ni_gbp",
                     "estimate_employer_pension_gbp", "pathway_estimate_gbp", "difference_gbp", "reasons"])
    for row in reconciliation(current_user.provider_id, period):
        line = row.payroll
        paid = [f"{v / 100:.2f}" for v in (line.gross_pence, line.employer_ni_pence, line.employer_pension_pence,
                                           line.total_pence)] if line else ["", "", "", ""]
        parts = [f"{v / 100:.2f}" for v in (row.cost.pay, row.cost.holiday_pay, row.cost.employer_ni,
                                              row.cost.employer_pension)] if row.cost else ["", "", "", ""]
        writer.writerow([row.person.ref, row.person.name, *paid, *parts, f"{row.estimate / 100:.2f}",
                         f"{row.difference / 100:.2f}" if row.difference is not None else "",
                         "; ".join(row.reasons)])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="payroll-{period:%Y-%m}.csv"'})
