"""The activities people log hours against: the council's, kept by the co-ordinator for the
whole contract, and each provider's own, kept by its HR."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from sqlalchemy import func, select
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.access import owner_for_new_setting, permission_required, require_allowed, settings_scope
from app.audit import services as audit
from app.auth.forms import EmptyForm
from app.extensions import db
from app.models.hours import Activity

from .routes import bp


class ActivityForm(FlaskForm):
    name = StringField("Activity name", widget=GovTextInput(), validators=[
        DataRequired("Enter the activity name"),
        Length(max=80, message="Activity name must be 80 characters or fewer")])
    submit = SubmitField("Add activity", widget=GovSubmitInput())


@bp.route("/hours/activities", methods=["GET", "POST"])
@permission_required("manage_activities")
def activities():
    form = ActivityForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if db.session.scalar(select(Activity.id).where(func.lower(Activity.name) == name.lower())):
            form.name.errors.append("There is already an activity with that name")
        else:
            order = db.session.scalar(select(func.coalesce(func.max(Activity.sort_order), 0))) + 1
            activity = Activity(name=name, sort_order=order, provider_id=owner_for_new_setting(current_user))
            db.session.add(activity)
            db.session.flush()
            audit.record(actor=current_user, action="create", entity=activity, provider_id=activity.provider_id,
                         council=activity.provider_id is None, summary=f"Added the activity {name}")
            db.session.commit()
            flash(f"{name} added. People can now log hours against it", "success")
            return redirect(url_for("hours.activities"))
    rows = db.session.scalars(select(Activity).where(settings_scope(Activity, current_user))
                              .order_by(Activity.sort_order, Activity.name)).all()
    return render_template("hours/activities.html", form=form, activities=rows, toggle=EmptyForm())


@bp.route("/hours/activities/<int:activity_id>/toggle", methods=["POST"])
@permission_required("manage_activities")
def toggle_activity(activity_id: int):
    activity = db.first_or_404(select(Activity).where(Activity.id == activity_id,
                                                      settings_scope(Activity, current_user)))
    require_allowed(activity)
    if EmptyForm().validate_on_submit():
        activity.is_active = not activity.is_active
        verb = "Restored" if activity.is_active else "Retired"
        audit.record(actor=current_user, action="update", entity=activity, provider_id=activity.provider_id,
                     council=activity.provider_id is None,
                     summary=f"{verb} the activity {activity.name}")
        db.session.commit()
        flash(f"{activity.name} {'restored' if activity.is_active else 'retired: existing hours keep it'}",
              "success")
    return redirect(url_for("hours.activities"))
