"""The co-ordinator's screens for the providers the council commissions and the areas it covers."""

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.access import permission_required
from app.accounts.routes import invite_to_set_password
from app.auth.models import User
from app.extensions import db
from app.people.models import Area, Person, Provider

from . import services
from .forms import AreaForm, ProviderForm

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
