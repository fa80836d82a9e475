from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from app.access import can, home_template, permission_required, person_scope, public, visible_providers
from app.extensions import db
from app.golive.services import checklist
from app.main.todo import todo_for
from app.models.people import Person, Provider, Stage

bp = Blueprint("main", __name__)



def stage_counts(user, today: date) -> dict[tuple[int, Stage], int]:
    """Current people by provider and stage, within the user's scope, in one query."""
    rows = db.session.execute(
        select(Person.provider_id, Person.stage, func.count())
        .where(person_scope(user), (Person.left_on.is_(None)) | (Person.left_on >= today))
        .group_by(Person.provider_id, Person.stage)
    ).all()
    return {(provider_id, stage): count for provider_id, stage, count in rows}


@bp.route("/")
@permission_required("use_account")
def home():
    today = date.today()
    counts = stage_counts(current_user, today) if can(current_user, "view_people") else {}
    tasks = checklist(current_user.provider_id, today=today) if can(current_user, "view_go_live") else []
    return render_template(
        home_template(current_user), counts=counts, stages=list(Stage),
        providers=visible_providers(current_user), today=today, todos=todo_for(current_user, today=today),
        tasks=tasks, done=sum(t.done for t in tasks),
    )


@bp.route("/healthz")
@public
def health():
    db.session.execute(select(Provider.id).limit(1))
    return {"status": "ok"}


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")


def floor_page():
    """The benchmark's yardstick: a 50-row table through the same templates, with no database."""
    rows = [(f"Person {n}", f"P{n:06d}", "Parent Volunteer", "North Kent") for n in range(50)]
    return render_template("main/floor.html", rows=rows)
