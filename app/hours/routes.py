from datetime import UTC, date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import can, get_hours_or_404, get_person_or_404, permission_required, sees_all_areas
from app.audit import services as audit
from app.audit.services import history_for
from app.auth.forms import EmptyForm
from app.extensions import db
from app.formatting import hours as hours_text
from app.hours.week import blank_week, copied_from_last_week, read_week, save_week
from app.ids import ids_from
from app.models.hours import Activity, HoursEntry, HoursStatus
from app.models.people import Person
from app.people.queries import all_areas, area_names
from app.periods import last_week, month_of, week_of
from app.views import whole_number

from . import queries
from .forms import CorrectionForm, HoursForm, HoursSettingsForm, RejectForm
from .queue import PEOPLE_PER_PAGE, QueuePage, queue_groups
from .rules import minutes_from_hours, week_start
from .services import (
    HoursError,
    approve_entries,
    correct_entry,
    delete_draft,
    log_hours,
    reject_entry,
    submit_entries,
    undo_approval,
    undo_problem,
    update_entry,
    withdraw_entry,
)

bp = Blueprint("hours", __name__)


def now() -> datetime:
    return datetime.now(UTC)


def _week(arg: str | None) -> date:
    """The Monday of the week asked for; a week that is not a date is this week, and says so."""
    try:
        return week_start(date.fromisoformat(arg)) if arg else week_start(date.today())
    except ValueError:
        flash("That link's week was not a date: this is this week's", "info")
        return week_start(date.today())


def _first_week(person: Person, today: date) -> date:
    """The week a parent most likely came to log: this week once it has hours, else last week."""
    this_week = week_of(today)
    return this_week[0] if queries.entries_between(person.id, *this_week) else last_week(today)[0]


def _errors_to_form(form, error: HoursError) -> None:
    for field, message in error.problems.items():
        (form[field] if field in form else form.hours).errors.append(message)


@bp.route("/hours")
@permission_required("view_own_record")
def my_hours():
    # Only the week is carried over: other query arguments must never reach URL building.
    week = request.args.get("week")
    return redirect(url_for("hours.person_hours", person_id=current_user.person_id, **({"week": week} if week else {})))


@bp.route("/people/<int:person_id>/hours")
@permission_required("view_person")
def person_hours(person_id: int):
    person = get_person_or_404(person_id, for_user=current_user)
    start = _week(request.args.get("week"))
    end = week_of(start)[1]
    month_start, month_end = month_of(start)
    drafts = can(current_user, "see_drafts", person)  # the council never sees what a parent has not sent
    return render_template(
        "hours/person_hours.html", person=person, start=start, end=end,
        entries=queries.entries_between(person.id, start, end, drafts=drafts),
        week_totals=queries.minutes_by_status(person.id, start, end, drafts=drafts),
        month_totals=queries.minutes_by_status(person.id, month_start, month_end, drafts=drafts),
        month_start=month_start, can_log=can(current_user, "log_hours_for", person),
        may_approve=can(current_user, "approve_hours", person),
        is_me=current_user.person_id == person.id, today=date.today(), form=EmptyForm())


def _hours_form(person, obj=None) -> HoursForm:
    form = HoursForm(obj=obj)
    form.activity_id.choices = [(a.id, a.name) for a in queries.active_activities(person.provider_id)]
    form.area_id.choices = [(a.id, a.name) for a in all_areas()]
    if current_user.person_id != person.id:  # entered on their behalf: the questions are about them
        form.worked_on.label.text = "Date they worked"
        form.activity_id.label.text = "What did they do?"
    if request.method == "GET" and obj is None:
        form.area_id.data = person.area_id
        form.worked_on.data = date.today()
    if obj is not None and request.method == "GET":
        form.hours.data = obj.minutes / 60
    return form


@bp.route("/people/<int:person_id>/hours/new", methods=["GET", "POST"])
@permission_required("log_hours_for", load=Person)
def log(person: Person):
    form = _hours_form(person)
    if form.validate_on_submit():
        try:
            entry = log_hours(person, worked_on=form.worked_on.data, minutes=form.minutes(),
                              activity=db.get_or_404(Activity, form.activity_id.data),
                              area_id=form.area_id.data, note=form.note.data, actor=current_user,
                              today=date.today(), submit=not form.save_draft.data, now=now())
        except HoursError as error:
            _errors_to_form(form, error)
        else:
            db.session.commit()
            what = "saved as a draft" if form.save_draft.data else "sent for approval"
            flash(f"{hours_text(entry.minutes)} hours on {entry.worked_on:%-d %B} {what}", "success")
            return redirect(url_for("hours.person_hours", person_id=person.id,
                                    week=week_start(entry.worked_on).isoformat()))
    return render_template("hours/log_hours.html", form=form, person=person, entry=None)


@bp.route("/hours/<int:entry_id>")
@permission_required("view_person")
def view_entry(entry_id: int):
    entry = get_hours_or_404(entry_id, for_user=current_user)
    return render_template(
        "hours/view_entry.html", entry=entry, history=history_for(entry),
        corrections=queries.corrections_of(entry.id), form=EmptyForm(),
        may_undo=entry.status == "approved" and undo_problem(entry, now=now()) is None)


@bp.route("/hours/<int:entry_id>/edit", methods=["GET", "POST"])
@permission_required("log_hours_for", load=HoursEntry)
def edit_entry(entry: HoursEntry):
    form = _hours_form(entry.person, obj=entry)
    if entry.is_editable and form.validate_on_submit():
        try:
            update_entry(entry, worked_on=form.worked_on.data, minutes=form.minutes(),
                         activity=db.get_or_404(Activity, form.activity_id.data),
                         area_id=form.area_id.data, note=form.note.data, actor=current_user,
                         today=date.today())
            if not form.save_draft.data:
                submit_entries([entry], actor=current_user, now=now())
        except HoursError as error:
            _errors_to_form(form, error)
        else:
            db.session.commit()
            flash("Hours saved" + ("" if form.save_draft.data else " and sent for approval"), "success")
            return redirect(url_for("hours.person_hours", person_id=entry.person_id,
                                    week=week_start(entry.worked_on).isoformat()))
    return render_template("hours/log_hours.html", form=form, person=entry.person, entry=entry)


@bp.route("/hours/<int:entry_id>/delete", methods=["GET", "POST"])
@permission_required("log_hours_for", load=HoursEntry)
def delete_entry(entry: HoursEntry):
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        person_id, week = entry.person_id, week_start(entry.worked_on).isoformat()
        try:
            delete_draft(entry, actor=current_user)
        except HoursError as error:
            flash(str(error), "info")
            return redirect(url_for("hours.view_entry", entry_id=entry.id))
        db.session.commit()
        flash("Draft deleted", "success")
        return redirect(url_for("hours.person_hours", person_id=person_id, week=week))
    return render_template("hours/delete_entry.html", entry=entry, form=form)


@bp.route("/people/<int:person_id>/hours/submit", methods=["POST"])
@permission_required("log_hours_for", load=Person)
def submit_week(person: Person):
    start = _week(request.form.get("week"))
    if EmptyForm().validate_on_submit():
        entries = queries.entries_between(person.id, *week_of(start))
        count = submit_entries(entries, actor=current_user, now=now())
        db.session.commit()
        flash(f"{count} {'entry' if count == 1 else 'entries'} sent for approval" if count
              else "There were no drafts to submit", "success")
    return redirect(url_for("hours.person_hours", person_id=person.id, week=start.isoformat()))


@bp.route("/approvals/hours", methods=["GET", "POST"])
@permission_required("approve_hours")
def approvals():
    area_id = request.args.get("area", type=whole_number)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        chosen = _chosen_for_approval()
        count = approve_entries(chosen, actor=current_user, now=now())
        db.session.commit()
        if count:
            people = {e.person.name for e in chosen}
            whose = f"{next(iter(people))}'s" if len(people) == 1 else f"{len(people)} people's"
            flash(f"Approved {whose} {count} {'entry' if count == 1 else 'entries'}, "
                  f"{hours_text(sum(e.minutes for e in chosen if e.status == HoursStatus.APPROVED))} hours", "success")
        else:
            flash("Select the hours you want to approve", "info")
        back = request.form.get("next", "")
        if back.startswith("/people/") and "//" not in back:  # back to the person's week it came from
            return redirect(back)
        return redirect(url_for("hours.approvals", area=area_id))
    page_number = max(1, request.args.get("page", 1, type=whole_number) or 1)
    queue = queries.queue_slice(current_user, area_id=area_id, page=page_number, per_page=PEOPLE_PER_PAGE)
    return render_template("hours/approvals.html", groups=queue_groups(queue.entries, queue.person_ids), form=form,
                           area_id=area_id, areas=area_names() if sees_all_areas(current_user) else [],
                           page=QueuePage(page_number, PEOPLE_PER_PAGE, queue.people), waiting=queue.waiting)


def _chosen_for_approval() -> list[HoursEntry]:
    """The entries a press of the queue's buttons means: one person's week, every entry shown on
    the page, or the ticked ones; always within what the user may approve."""
    queue = queries.approval_queue(current_user)
    week = request.form.get("week", "")
    if week:
        person_id, _, start = week.partition(":")
        try:
            first = date.fromisoformat(start)
        except ValueError:
            return []
        return list(db.session.scalars(queue.where(
            HoursEntry.person_id == whole_number(person_id), HoursEntry.worked_on.between(*week_of(first)))))
    names = "shown" if request.form.get("all") else "entry"
    ids = sorted(ids_from(request.form.getlist(names)))
    return list(db.session.scalars(queue.where(HoursEntry.id.in_(ids)))) if ids else []


@bp.route("/hours/<int:entry_id>/reject", methods=["GET", "POST"])
@permission_required("approve_hours", load=HoursEntry)
def reject(entry: HoursEntry):
    form = RejectForm()
    if form.validate_on_submit():
        try:
            reject_entry(entry, reason=form.reason.data, actor=current_user, now=now())
        except HoursError as error:
            _errors_to_form(form, error)
        else:
            db.session.commit()
            flash(f"Hours sent back. {entry.person.name} can see why and correct them", "success")
            return redirect(url_for("hours.approvals"))
    return render_template("hours/reject.html", entry=entry, form=form)


@bp.route("/hours/<int:entry_id>/correct", methods=["GET", "POST"])
@permission_required("approve_hours", load=HoursEntry)
def correct(entry: HoursEntry):
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            correct_entry(entry, correct_minutes=minutes_from_hours(form.hours.data), reason=form.reason.data,
                          actor=current_user, now=now(), approve=True)
        except HoursError as error:
            _errors_to_form(form, error)
        else:
            db.session.commit()
            flash("Correction recorded. The original entry is kept in the history", "success")
            return redirect(url_for("hours.view_entry", entry_id=entry.id))
    return render_template("hours/correct.html", entry=entry, form=form,
                           corrections=queries.corrections_of(entry.id))


def _entry_action(entry: HoursEntry, action, done: str):
    """Take ``action`` on an entry from its page; its refusal or ``done`` is said back there."""
    if EmptyForm().validate_on_submit():
        try:
            action(entry, actor=current_user, now=now())
        except HoursError as error:
            flash(next(iter(error.problems.values())), "info")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("hours.view_entry", entry_id=entry.id))


@bp.route("/hours/<int:entry_id>/withdraw", methods=["POST"])
@permission_required("log_hours_for", load=HoursEntry)
def withdraw(entry: HoursEntry):
    return _entry_action(entry, withdraw_entry,
                         "Withdrawn. The hours are a draft again: change them, then send them for approval")


@bp.route("/hours/<int:entry_id>/undo-approval", methods=["POST"])
@permission_required("approve_hours", load=HoursEntry)
def undo(entry: HoursEntry):
    return _entry_action(entry, undo_approval,
                         "Approval undone. The hours are waiting for approval again")


@bp.route("/people/<int:person_id>/hours/week", methods=["GET", "POST"])
@permission_required("log_hours_for", load=Person)
def log_week(person: Person):
    start = _week(request.values.get("week")) if request.values.get("week") else _first_week(person, date.today())
    activities = {a.id: a for a in queries.active_activities(person.provider_id)}
    form, problems = EmptyForm(), {}
    if request.method == "POST" and form.validate_on_submit():
        week = read_week(start, request.form)
        try:
            count = save_week(person, week, activities=activities, actor=current_user, today=date.today(),
                              now=now())
        except HoursError as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
            flash(f"{count} {'day' if count == 1 else 'days'} of hours sent for approval", "success")
            return redirect(url_for("hours.person_hours", person_id=person.id, week=start.isoformat()))
    elif request.args.get("copy"):
        week = copied_from_last_week(person.id, start)
    else:
        week = blank_week(start)
    return render_template("hours/log_week.html", person=person, start=start, week=week, form=form,
                           activities=list(activities.values()), problems=problems, today=date.today(),
                           is_me=current_user.person_id == person.id)


@bp.route("/hours/settings", methods=["GET", "POST"])
@permission_required("manage_hours_settings")
def settings():
    provider = current_user.provider
    form = HoursSettingsForm(rounding="quarter" if provider.round_hours_to_quarter else "minute")
    if form.validate_on_submit():
        quarter = form.rounding.data == "quarter"
        if quarter != provider.round_hours_to_quarter:
            provider.round_hours_to_quarter = quarter
            audit.record(actor=current_user, action="update", entity=provider, provider_id=provider.id,
                         summary="Hours are now recorded " + ("to the nearest quarter hour" if quarter
                                                              else "to the minute"))
        db.session.commit()
        flash("Hours settings saved. Hours already recorded are not changed", "success")
        return redirect(url_for("hours.settings"))
    return render_template("hours/settings.html", form=form, provider=provider)
