"""The co-ordinator's screens for the providers the council commissions and the areas it covers."""

from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.access import permission_required
from app.accounts.routes import invite_to_set_password
from app.budget.county import stored_county_budget
from app.budget.tasks import forecasts_now
from app.establishment.forms import FundingForm
from app.extensions import db
from app.models.auth import User
from app.models.council import CommissionYear, ReviewPoint
from app.models.establishment import Grade
from app.models.expenses import MileageRate, Vehicle
from app.models.people import Area, Person, Provider
from app.models.returns import VolunteerHourValue
from app.views import whole_number

from . import services
from .forms import (
    AreaForm,
    CommissionForm,
    CouncilPostForm,
    ExtensionForm,
    HourValueForm,
    LotForm,
    MileageRateForm,
    ProviderForm,
    ReviewForm,
    WorkOutForm,
)

bp = Blueprint("council", __name__, url_prefix="/council")


@bp.route("/providers", methods=["GET", "POST"])
@permission_required("manage_providers")
def providers():
    form = ProviderForm()
    if form.validate_on_submit():
        try:
            user, token = services.add_provider(name=form.name.data, person_name=form.person_name.data,
                                                email=form.email.data, role=form.role.data, actor=current_user,
                                                now=datetime.now(UTC))
        except services.CouncilError as error:
            form[error.args[0]].errors.append(error.args[1])
        else:
            invite_to_set_password(user, token)
            db.session.commit()
            flash(f"{form.name.data.strip()} added. {user.name} has been sent an invitation to {user.email}",
                  "success")
            return redirect(url_for("council.providers"))
    people = dict(db.session.execute(select(Person.provider_id, func.count()).where(Person.left_on.is_(None))
                                     .group_by(Person.provider_id)).all())
    accounts = dict(db.session.execute(select(User.provider_id, func.count()).group_by(User.provider_id)).all())
    rows = db.session.scalars(select(Provider).order_by(Provider.name)).all()
    return render_template("council/providers.html", form=form, rows=rows, people=people, accounts=accounts)


@bp.route("/areas", methods=["GET", "POST"])
@permission_required("manage_providers")
def areas():
    form = AreaForm()
    if form.validate_on_submit():
        try:
            area = services.add_area(name=form.name.data, actor=current_user)
        except services.CouncilError as error:
            form[error.args[0]].errors.append(error.args[1])
        else:
            db.session.commit()
            flash(f"{area.name} added", "success")
            return redirect(url_for("council.areas"))
    return render_template("council/areas.html", form=form,
                           rows=db.session.scalars(select(Area).order_by(Area.name)).all())


# The contract ------------------------------------------------------------------------------

CONTRACT = "council.contract"


def _no_contract_yet():
    flash("Set up the contract first", "important")
    return redirect(url_for(CONTRACT))


def _record_or_404(model, record_id: int):
    record = db.session.get(model, record_id)
    if record is None:
        abort(404)
    return record


@bp.route("/contract", methods=["GET", "POST"])
@permission_required("manage_commission")
def contract():
    """The whole contract on one page: years, review points, lots, funding and the county budget."""
    commission = services.the_commission()
    form = CommissionForm()
    if commission is None and form.validate_on_submit():
        try:
            services.set_up_commission(name=form.name.data, starts_on=form.starts_on.data, term=form.term.data,
                                       extension_years_allowed=int(form.extension_years_allowed.data),
                                       actor=current_user, council=form.council_name.data)
        except services.CouncilError as error:
            form[error.args[0]].errors.append(error.args[1])
        else:
            db.session.commit()
            flash("Contract set up. Add each year's funding and the lots", "success")
            return redirect(url_for(CONTRACT))
    if commission is None:
        return render_template("council/contract_set_up.html", form=form)
    today = date.today()
    year_id = request.args.get("year", type=whole_number)
    current = next((y for y in commission.years if y.id == year_id), None) or next(
        (y for y in commission.years if y.starts_on <= today <= y.ends_on), commission.years[0])
    return render_template("council/contract.html", commission=commission, today=today, year=current,
                           stored=stored_county_budget(current), extension=ExtensionForm(), work_out=WorkOutForm(),
                           upcoming=[p for p in commission.review_points if p.decision is None])


@bp.route("/contract/years/<int:commission_year_id>/forecasts", methods=["POST"])
@permission_required("manage_commission")
def work_out(commission_year_id: int):
    """Every provider's budget and forecast for the year, worked out again in the background."""
    year = _record_or_404(CommissionYear, commission_year_id)
    if WorkOutForm().validate_on_submit():
        forecasts_now(year.id)
        flash(f"Working out every provider's forecast for {year.label}. With many providers this takes a few "
              "minutes: refresh this page to see them", "success")
    return redirect(url_for(CONTRACT, year=year.id, _anchor="county"))


@bp.route("/contract/extension", methods=["POST"])
@permission_required("manage_commission")
def extension():
    commission = services.the_commission()
    if commission is None:
        return _no_contract_yet()
    form = ExtensionForm()
    if form.validate_on_submit():
        try:
            services.take_extension(commission, years=int(form.years.data), actor=current_user)
        except services.CouncilError as error:
            flash(error.args[1], "important")
        else:
            db.session.commit()
            flash("Extension recorded", "success")
    return redirect(url_for(CONTRACT))


@bp.route("/contract/years/<int:commission_year_id>/funding", methods=["GET", "POST"])
@permission_required("manage_commission")
def year_funding(commission_year_id: int):
    year = _record_or_404(CommissionYear, commission_year_id)
    form = FundingForm()
    if form.validate_on_submit():
        services.set_funding(year, source=form.source.data, amount_pence=form.amount.pence, actor=current_user)
        db.session.commit()
        flash(f"{year.label} funding saved", "success")
        return redirect(url_for(CONTRACT, year=year.id))
    return render_template("establishment/setup_form.html", form=form, heading=f"Funding for {year.label}",
                           caption="The contract", back=url_for(CONTRACT, year=year.id),
                           note="A source already listed for the year is changed, not added twice.")


@bp.route("/contract/reviews/<int:review_id>", methods=["GET", "POST"])
@permission_required("manage_commission")
def review(review_id: int):
    point = _record_or_404(ReviewPoint, review_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            services.decide_review(point, decision=form.decision.data, note=form.note.data, actor=current_user,
                                   today=date.today())
        except services.CouncilError as error:
            form[error.args[0]].errors.append(error.args[1])
        else:
            db.session.commit()
            flash("Decision recorded", "success")
            return redirect(url_for(CONTRACT))
    return render_template("establishment/setup_form.html", form=form, caption="The contract",
                           heading=f"Review of {point.due_on:%-d %B %Y}", back=url_for(CONTRACT))


@bp.route("/contract/lots/new", methods=["GET", "POST"])
@permission_required("manage_commission")
def new_lot():
    commission = services.the_commission()
    if commission is None:
        return _no_contract_yet()
    form = LotForm()
    providers = {p.id: p for p in db.session.scalars(select(Provider).order_by(Provider.name))}
    areas = {a.id: a for a in db.session.scalars(select(Area).order_by(Area.name))}
    years = {y.id: y for y in commission.years}
    form.provider_id.choices = [(p.id, p.name) for p in providers.values()]
    form.area_ids.choices = [(a.id, a.name) for a in areas.values()]
    form.first_year_id.choices = [(y.id, y.label) for y in years.values()]
    form.last_year_id.choices = [("", "To the end of the contract")] + [(y.id, y.label) for y in years.values()]
    if form.validate_on_submit():
        last = years.get(form.last_year_id.data)
        try:
            services.add_lot(commission, name=form.name.data, provider=providers[form.provider_id.data],
                             areas=[areas[i] for i in form.area_ids.data or [] if i in areas],
                             offers=form.offers.data or "", first_year_on=years[form.first_year_id.data].starts_on,
                             last_year_on=last.starts_on if last else None, actor=current_user)
        except services.CouncilError as error:
            form[error.args[0]].errors.append(error.args[1])
        else:
            db.session.commit()
            flash("Lot added", "success")
            return redirect(url_for(CONTRACT))
    return render_template("establishment/setup_form.html", form=form, caption="The contract",
                           heading="Add a lot", back=url_for(CONTRACT))


@bp.route("/rates", methods=["GET", "POST"])
@permission_required("manage_rates")
def rates():
    """Dated rates for the whole contract: the volunteer hour value and HMRC mileage rates."""
    hour, mileage = HourValueForm(prefix="hour"), MileageRateForm(prefix="mileage")
    mileage.vehicle.choices = [(v.value, v.label) for v in Vehicle]
    which = request.form.get("which")
    try:
        if which == "hour" and hour.validate_on_submit():
            services.add_hour_value(effective_from=hour.effective_from.data, pence_per_hour=hour.amount.pence,
                                    source=hour.source.data, actor=current_user)
        elif which == "mileage" and mileage.validate_on_submit():
            services.add_mileage_rate(vehicle=mileage.vehicle.data, effective_from=mileage.effective_from.data,
                                      pence_per_mile=mileage.pence_per_mile.data,
                                      threshold_miles=mileage.threshold_miles.data,
                                      pence_after_threshold=mileage.pence_after_threshold.data, actor=current_user)
        else:
            which = None
    except services.CouncilError as error:
        (hour if which == "hour" else mileage)[error.args[0]].errors.append(error.args[1])
    else:
        if which:
            db.session.commit()
            flash("Rate added", "success")
            return redirect(url_for("council.rates"))
    return render_template(
        "council/rates.html", hour=hour, mileage=mileage,
        values=db.session.scalars(select(VolunteerHourValue).order_by(VolunteerHourValue.effective_from.desc())).all(),
        mileage_rates=db.session.scalars(select(MileageRate).order_by(MileageRate.vehicle,
                                                                      MileageRate.effective_from.desc())).all())


@bp.route("/contract/council-posts/new", methods=["GET", "POST"])
@permission_required("manage_commission")
def new_council_post():
    commission = services.the_commission()
    if commission is None:
        return _no_contract_yet()
    form = CouncilPostForm()
    grades = {g.id: g for g in db.session.scalars(select(Grade).where(Grade.provider_id.is_(None))
                                                  .order_by(Grade.code))}
    form.grade_id.choices = [(g.id, f"{g.code}: {g.name}") for g in grades.values()]
    if form.validate_on_submit():
        try:
            services.add_council_post(commission, title=form.title.data, grade=grades.get(form.grade_id.data),
                                      fte=form.fte.data, actor=current_user)
        except services.CouncilError as error:
            form[error.args[0]].errors.append(error.args[1])
        else:
            db.session.commit()
            flash("The council's post is added to the county budget", "success")
            return redirect(url_for(CONTRACT) + "#county")
    return render_template("establishment/setup_form.html", form=form, caption="The contract",
                           heading="Add a council post", back=url_for(CONTRACT),
                           note="A post on the council's side, such as the Service Co-ordinator: it counts in the "
                                "county budget, not in any provider's establishment.")
