"""Session registers and reminders: the area facilitator's tools for people
who find logging their own hours hard."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import area_choices, permission_required
from app.auth.forms import EmptyForm
from app.extensions import db
from app.models.hours import Activity
from app.models.people import Person
from app.people.queries import all_areas
from app.views import public_url, whole_number

from . import queries
from .forms import RegisterForm
from .reminders import remind_everyone
from .routes import bp, now
from .rules import minutes_from_hours
from .services import HoursError, record_register, register_message


def _register_rows(people) -> tuple[list, dict[int, str]]:
    """(person, minutes) for each ticked row, and a message for each bad row."""
    chosen, problems = [], {}
    for person in people:
        if not request.form.get(f"worked-{person.id}"):
            continue
        raw = request.form.get(f"hours-{person.id}", "").strip()
        minutes = minutes_from_hours(raw) if raw else None
        if minutes is None or minutes <= 0 or minutes > 24 * 60:
            problems[person.id] = (f"Enter {person.name}'s hours as a number more than 0 "
                                   "and no more than 24, like 2 or 1.5")
        else:
            chosen.append((person, minutes))
    return chosen, problems


@bp.route("/hours/register", methods=["GET", "POST"])
@permission_required("record_register")
def register():
    form = RegisterForm(area_id=current_user.area_id)
    form.activity_id.choices = [(a.id, a.name) for a in queries.active_activities(current_user.provider_id)]
    areas = area_choices(current_user, all_areas())
    form.area_id.choices = [(a.id, a.name) for a in areas]
    area_id = form.area_id.data or (areas[0].id if areas else None)
    day = form.worked_on.data or date.today()
    people = queries.people_in_scope(current_user, area_id=area_id, on=day) if area_id else []
    problems = {}
    if request.form.get("save") and form.validate_on_submit():
        chosen, problems = _register_rows(people)
        if not chosen and not problems:
            form.worked_on.errors.append("Tick at least one person who worked this session")
        elif not problems:
            try:
                entries = record_register(
                    chosen, worked_on=day, activity=db.get_or_404(Activity, form.activity_id.data),
                    area_id=area_id, actor=current_user, today=date.today(), now=now())
            except HoursError as error:
                problems = {int(k.split("-")[1]): v for k, v in error.problems.items()}
            else:
                db.session.commit()
                flash(register_message(entries), "success")
                return redirect(url_for("hours.register"))
    return render_template("hours/register.html", form=form, people=people, problems=problems,
                           posted=request.form)


@bp.route("/hours/reminders")
@permission_required("remind")
def reminders():
    start, end, people = queries.quiet_last_week(current_user, today=date.today(),
                                                 area_id=request.args.get("area", type=whole_number))
    return render_template("hours/reminders.html", start=start, end=end, people=people,
                           form=EmptyForm())


@bp.route("/hours/reminders/<int:person_id>", methods=["POST"])
@permission_required("remind", load=Person)
def send_reminder(person: Person):
    if EmptyForm().validate_on_submit():
        _say(remind_everyone([person], actor=current_user, now=now(), link=public_url("hours.my_hours")))
    return redirect(url_for("hours.reminders"))


@bp.route("/hours/reminders", methods=["POST"])
@permission_required("remind")
def send_reminders():
    """Everyone listed, in one click (each at most once a week)."""
    if EmptyForm().validate_on_submit():
        _, _, people = queries.quiet_last_week(current_user, today=date.today(),
                                               area_id=request.form.get("area", type=whole_number))
        _say(remind_everyone(people, actor=current_user, now=now(), link=public_url("hours.my_hours")))
    return redirect(url_for("hours.reminders"))


def _say(outcome: dict) -> None:
    db.session.commit()
    sent = outcome["sent"]
    if sent:
        flash(f"Reminder sent to {sent[0].name}" if len(sent) == 1 else f"Reminders sent to {len(sent)} people",
              "success")
    for reason, words in (("this week", "were already reminded this week"),
                          ("no email", "have no email address: give them a call instead"),
                          ("bad email", "have an email address mail cannot be sent to: correct it on their record, "
                                        "or give them a call")):
        names = [p.name for p in outcome[reason]]
        if len(names) == 1:
            words = words.replace("were", "was").replace("have", "has")
        if names:
            flash(f"{', '.join(names)} {words}", "info")
