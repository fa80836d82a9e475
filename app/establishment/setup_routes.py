"""Setting up the establishment on screens (added to the establishment blueprint): posts,
grades and pay points, pay awards with a preview of their cost, contract years, budget lines
and funding."""

from datetime import date, timedelta
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access import (
    allowed,
    get_establishment_record_or_404,
    owner_for_new_setting,
    permission_required,
    require_allowed,
    settings_scope,
)
from app.audit import services as audit
from app.extensions import db
from app.formatting import pounds
from app.models.establishment import BudgetLine, ContractYear, EmploymentAllowance, Funding, Grade, OnCostRule, Post
from app.people.queries import all_areas
from app.periods import tax_year_start
from app.views import save_or_show

from . import setup
from .forms import (
    BudgetLineForm,
    ContractYearForm,
    FundingForm,
    GradeForm,
    GradePointForm,
    HourlyRateForm,
    OnCostRuleForm,
    PayAwardForm,
    PayPointForm,
    PaySettingsForm,
    PostForm,
    PricingDateForm,
)
from .routes import bp


def _grades() -> list[Grade]:
    return db.session.scalars(select(Grade).where(settings_scope(Grade, current_user)).order_by(Grade.code)).all()


def _posts() -> list[Post]:
    return db.session.scalars(select(Post).where(Post.provider_id == current_user.provider_id)
                              .order_by(Post.title, Post.area_id)).all()


def _done(form, action, message: str, to: str):
    return save_or_show(form, action, errors=(setup.SetupError,), message=message, to=to)


def _page(form, heading: str, back: str, *, caption: str = "", **context):
    return render_template("establishment/setup_form.html", form=form, heading=heading, back=back,
                           caption=caption, **context)


OVERVIEW = "establishment.overview"


@bp.route("/posts/new", methods=["GET", "POST"])
@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
@permission_required("manage_posts")
def edit_post(post_id: int | None = None):
    post = get_establishment_record_or_404(Post, post_id, for_user=current_user) if post_id else None
    require_allowed(post)
    form = PostForm(obj=post, basis=post.basis if post else None)
    grades = {g.id: g for g in _grades()}
    form.grade_id.choices = [("", "No grade (volunteer)")] + [(g.id, f"{g.code}: {g.name}") for g in grades.values()]
    form.area_id.choices = [("", "County-wide")] + [(a.id, a.name) for a in all_areas()]
    if form.validate_on_submit():
        done = _done(form, lambda: setup.save_post(
            post, provider_id=current_user.provider_id, title=form.title.data, basis=form.basis.data,
            grade=grades.get(form.grade_id.data), area_id=form.area_id.data, actor=current_user,
            number_of_posts=form.number_of_posts.data, budgeted_fte=form.budgeted_fte.data,
            starts_on=form.starts_on.data, ends_on=form.ends_on.data),
            "Post saved", url_for(OVERVIEW) + "#posts")
        if done:
            return done
    return _page(form, f"Change {post.label}" if post else "Add a post", url_for(OVERVIEW) + "#posts",
                 caption="Establishment")


@bp.route("/grades/new", methods=["GET", "POST"])
@permission_required("manage_grades")
def new_grade():
    form = GradeForm()
    if form.validate_on_submit():
        done = _done(form, lambda: setup.add_grade(code=form.code.data, name=form.name.data, actor=current_user,
                                                   provider_id=owner_for_new_setting(current_user)),
                     f"Grade {form.code.data.strip().upper()} added. Now add its pay figures",
                     url_for("establishment.grades"))
        if done:
            return done
    return _page(form, "Add a grade", url_for("establishment.grades"), caption="Grades and pay points")


@bp.route("/grades/<int:grade_id>/pay-points/new", methods=["GET", "POST"])
@permission_required("manage_grades", load=Grade)
def new_pay_point(grade: Grade):
    form = PayPointForm()
    if form.validate_on_submit():
        done = _done(form, lambda: setup.add_pay_point(
            grade, effective_from=form.effective_from.data, min_pence=form.minimum.pence,
            mid_pence=form.mid_point.pence, max_pence=form.maximum.pence,
            on_cost_bp=int(form.on_cost.data * 100), actor=current_user),
            f"Pay figures added to {grade.code}", url_for("establishment.grades") + f"#grade-{grade.id}")
        if done:
            return done
    return _page(form, f"Add pay figures to {grade.code}", url_for("establishment.grades"), caption=grade.name)


@bp.route("/grades/<int:grade_id>/points/new", methods=["GET", "POST"])
@permission_required("manage_grades", load=Grade)
def new_grade_point(grade: Grade):
    form = GradePointForm()
    if form.validate_on_submit():
        done = _done(form, lambda: setup.add_grade_point(
            grade, point=form.point.data, annual_pence=form.annual.pence, effective_from=form.effective_from.data,
            actor=current_user), f"Point {form.point.data} of {grade.code} saved",
            url_for("establishment.grades") + f"#grade-{grade.id}")
        if done:
            return done
    return _page(form, f"Add or change a point of {grade.code}", url_for("establishment.grades"), caption=grade.name,
                 note="A point's amount from a date. To move every point by a pay award, use Enter a pay award.")


@bp.route("/grades/<int:grade_id>/hourly-rates/new", methods=["GET", "POST"])
@permission_required("manage_grades", load=Grade)
def new_hourly_rate(grade: Grade):
    form = HourlyRateForm()
    if form.validate_on_submit():
        done = _done(form, lambda: setup.add_hourly_rate(
            grade, pence_per_hour=form.rate.pence, effective_from=form.effective_from.data, actor=current_user),
            f"Hourly rate for {grade.code} saved", url_for("establishment.grades") + f"#grade-{grade.id}")
        if done:
            return done
    return _page(form, f"Add an hourly rate to {grade.code}", url_for("establishment.grades"), caption=grade.name,
                 note="Sessional work on this grade is costed at this rate an hour from its date, instead of the "
                      "annual mid-point divided by 52.143 weeks of 37 hours.")


@bp.route("/pay-settings", methods=["GET", "POST"])
@permission_required("manage_budget")
def pay_settings():
    provider = current_user.provider
    tax_year = tax_year_start(date.today()).year
    allowance = db.session.scalar(select(EmploymentAllowance).where(
        EmploymentAllowance.provider_id == provider.id, EmploymentAllowance.tax_year == tax_year))
    form = PaySettingsForm(increment_on=provider.increment_on, pay_proration=provider.pay_proration,
                           holiday_accrual=Decimal(provider.holiday_accrual_bp) / 100,
                           allowance=Decimal(allowance.amount_pence) / 100 if allowance else None)
    form.allowance.label.text = f"Employment Allowance for the tax year {tax_year}/{(tax_year + 1) % 100:02d}"
    if form.validate_on_submit():
        _save_allowance(provider, tax_year, allowance, form.allowance.pence)
        before = {"increment_on": provider.increment_on, "pay_proration": provider.pay_proration,
                  "holiday_accrual_bp": provider.holiday_accrual_bp}
        after = {"increment_on": form.increment_on.data, "pay_proration": form.pay_proration.data,
                 "holiday_accrual_bp": int(form.holiday_accrual.data * 100)}
        changes = audit.diff(before, after)
        if changes:
            for name, value in after.items():
                setattr(provider, name, value)
            audit.record(actor=current_user, action="update", entity=provider, provider_id=provider.id,
                         changes=changes, summary="Changed the pay settings: " + ", ".join(changes))
        db.session.commit()
        flash("Pay settings saved", "success")
        return redirect(url_for("establishment.grades"))
    return _page(form, "Pay settings", url_for("establishment.grades"), caption=provider.name,
                 note="People placed on a grade's points go up one point a year until the top of the grade.")


def _save_allowance(provider, tax_year: int, allowance, amount_pence: int | None) -> None:
    """Set, change or clear a tax year's Employment Allowance, audited."""
    before = allowance.amount_pence if allowance else None
    if before == amount_pence:
        return
    if amount_pence is None:
        db.session.delete(allowance)
    elif allowance is None:
        db.session.add(EmploymentAllowance(provider_id=provider.id, tax_year=tax_year, amount_pence=amount_pence))
    else:
        allowance.amount_pence = amount_pence
    audit.record(actor=current_user, action="update", entity=provider, provider_id=provider.id,
                 changes={"employment_allowance": [before, amount_pence]},
                 summary=f"Employment Allowance for {tax_year}/{(tax_year + 1) % 100:02d}: "
                         + (pounds(amount_pence) if amount_pence is not None else "none"))


def _award_table(grades: list[Grade]) -> tuple[dict[int, tuple[int, int, int]], dict[str, str]]:
    """The figures typed for each grade when an award is given as a table, and what is wrong with them."""
    from decimal import Decimal, InvalidOperation

    table, problems = {}, {}
    for grade in grades:
        figures = []
        for part in ("min", "mid", "max"):
            raw = (request.form.get(f"{part}-{grade.id}") or "").strip().lstrip("£").strip().replace(",", "")
            try:
                value = Decimal(raw)
                if not 0 <= value <= 1_000_000:
                    raise ValueError(raw)
                figures.append(int((value * 100).to_integral_value()))
            except (ValueError, InvalidOperation):
                problems[f"{part}-{grade.id}"] = f"Enter {grade.code}'s new {part} salary in pounds, like 27,500"
        if len(figures) == 3:
            table[grade.id] = tuple(figures)
    return table, problems


@bp.route("/pay-award", methods=["GET", "POST"])
@permission_required("manage_grades")
def pay_award():
    """A pay award for the grades the user keeps: previewed with its cost, then saved."""
    grades = [g for g in _grades() if allowed(g) and g.pay_points]
    form = PayAwardForm()
    rows, problems = None, {}
    if form.validate_on_submit():
        table, problems = _award_table(grades) if form.how.data == "table" else ({}, {})
        if not problems:
            try:
                rows = setup.award_preview(
                    grades, effective_from=form.effective_from.data, how=form.how.data, percent=form.percent.data,
                    flat_pence=form.flat.pence, table=table,
                    posts_scope=None if current_user.provider_id is None else Post.provider_id ==
                    current_user.provider_id)
            except setup.SetupError as error:
                form[error.args[0]].errors.append(error.args[1])
        if rows and request.form.get("confirm"):
            setup.apply_award(rows, effective_from=form.effective_from.data, actor=current_user)
            db.session.commit()
            flash(f"Pay award saved: new figures from {form.effective_from.data:%-d %B %Y}", "success")
            return redirect(url_for("establishment.grades"))
    return render_template("establishment/pay_award.html", form=form, grades=grades, rows=rows, problems=problems,
                           total=sum(r.extra_pence for r in rows or []))


@bp.route("/years/new", methods=["GET", "POST"])
@permission_required("manage_budget")
def new_year():
    latest = db.session.scalar(select(ContractYear).where(ContractYear.provider_id == current_user.provider_id)
                               .order_by(ContractYear.starts_on.desc()).limit(1))
    form = ContractYearForm()
    if request.method == "GET" and latest is not None:  # the year after the latest, priced at its start
        start = latest.ends_on + timedelta(days=1)
        form.starts_on.data = form.pay_basis_on.data = start
        form.ends_on.data = start.replace(year=start.year + 1) - timedelta(days=1)
    if form.validate_on_submit():
        done = _done(form, lambda: setup.add_contract_year(
            current_user.provider_id, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
            pay_basis_on=form.pay_basis_on.data, actor=current_user),
            "Contract year added" + (f", copied from {latest.label}: check its lines and funding" if latest else ""),
            url_for(OVERVIEW))
        if done:
            return done
    return _page(form, "Add a contract year", url_for(OVERVIEW), caption="Establishment and budget",
                 note=(f"It starts as a copy of {latest.label}'s budget lines and funding, for you to adjust. Pay "
                       "lines are priced at the pay points in force on the date you choose.") if latest else None)


def _year_or_404(year_id: int) -> ContractYear:
    year = get_establishment_record_or_404(ContractYear, year_id, for_user=current_user)
    require_allowed(year)
    return year


@bp.route("/years/<int:year_id>/pricing-date", methods=["GET", "POST"])
@permission_required("manage_budget")
def pricing_date(year_id: int):
    year = _year_or_404(year_id)
    form = PricingDateForm(pay_basis_on=year.pay_basis_on)
    if form.validate_on_submit():
        done = _done(form, lambda: setup.change_pricing_date(year, pay_basis_on=form.pay_basis_on.data,
                                                             actor=current_user),
                     f"{year.label}'s pay lines are priced at the pay points in force on "
                     f"{form.pay_basis_on.data.day} {form.pay_basis_on.data:%B %Y}", url_for(OVERVIEW))
        if done:
            return done
    return _page(form, f"Change {year.label}'s pricing date", url_for(OVERVIEW), caption="Establishment and budget")


@bp.route("/years/<int:year_id>/lines/new", methods=["GET", "POST"])
@bp.route("/lines/<int:budget_line_id>", methods=["GET", "POST"])
@permission_required("manage_budget")
def edit_line(year_id: int | None = None, budget_line_id: int | None = None):
    line = (get_establishment_record_or_404(BudgetLine, budget_line_id, for_user=current_user)
            if budget_line_id else None)
    year = line.contract_year if line else _year_or_404(year_id)
    require_allowed(year)
    posts = {p.id: p for p in _posts()}
    form = BudgetLineForm(obj=line, kind=line.kind.value if line else None,
                          post_ids=[p.id for p in line.posts] if line else None,
                          amount=line.amount_pence / 100 if line and line.amount_pence is not None else None)
    form.post_ids.choices = [(p.id, p.label) for p in posts.values()]
    if form.validate_on_submit():
        done = _done(form, lambda: setup.save_budget_line(
            line, year, kind=form.kind.data, name=form.name.data, amount_pence=form.amount.pence,
            posts=[posts[i] for i in dict.fromkeys(form.post_ids.data or []) if i in posts], actor=current_user),
            "Budget line saved", url_for(OVERVIEW, year=year.id))
        if done:
            return done
    return _page(form, f"Change {line.name}" if line else "Add a budget line", url_for(OVERVIEW, year=year.id),
                 caption=f"Budget for {year.label}")


@bp.route("/years/<int:year_id>/funding/new", methods=["GET", "POST"])
@bp.route("/funding/<int:funding_id>", methods=["GET", "POST"])
@permission_required("manage_budget")
def edit_funding(year_id: int | None = None, funding_id: int | None = None):
    funding = get_establishment_record_or_404(Funding, funding_id, for_user=current_user) if funding_id else None
    year = funding.contract_year if funding else _year_or_404(year_id)
    require_allowed(year)
    form = FundingForm(obj=funding, amount=funding.amount_pence / 100 if funding else None)
    if form.validate_on_submit():
        done = _done(form, lambda: setup.save_funding(funding, year, source=form.source.data,
                                                      amount_pence=form.amount.pence, actor=current_user),
                     "Funding saved", url_for(OVERVIEW, year=year.id))
        if done:
            return done
    if funding is None and year_id is None:
        abort(404)
    return _page(form, "Change funding" if funding else "Add funding", url_for(OVERVIEW, year=year.id),
                 caption=f"Budget for {year.label}")


@bp.route("/on-costs")
@permission_required("view_establishment")
def on_costs():
    rows = db.session.scalars(select(OnCostRule).where(settings_scope(OnCostRule, current_user))
                              .order_by(OnCostRule.provider_id.is_(None), OnCostRule.effective_from.desc())).all()
    return render_template("establishment/on_costs.html", rows=rows)


@bp.route("/on-costs/new", methods=["GET", "POST"])
@permission_required("manage_grades")
def new_on_cost_rule():
    form = OnCostRuleForm()
    if form.validate_on_submit():
        def percent(value):
            return None if value is None else int(value * 100)

        done = _done(form, lambda: setup.add_on_cost_rule(
            provider_id=owner_for_new_setting(current_user), effective_from=form.effective_from.data,
            method=form.method.data, ni_rate_bp=percent(form.ni_rate.data), ni_threshold_pence=form.ni_threshold.pence,
            pension_rate_bp=percent(form.pension_rate.data), pension_basis=form.pension_basis.data or "all",
            actor=current_user),
            "On-cost rule added. Costs from its date use it", url_for("establishment.on_costs"))
        if done:
            return done
    return _page(form, "Add an on-cost rule", url_for("establishment.on_costs"), caption="On-costs",
                 note="A provider's own rules replace the council's. Each rule applies from its date, so costs "
                      "before it do not change. With no rule, each grade's flat percentage is used.")
