"""Equality monitoring: a person's own optional answers, and HR's report of how each group moves
along the way in and the pathway (counts, never names; small numbers hidden)."""

import io
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import permission_required
from app.delivery.services import areas_for
from app.exports import csv_writer
from app.extensions import db
from app.models.equality import QUESTIONS, SHORT_LABELS, reported_groups
from app.models.people import Area
from app.periods import contract_year_of, contract_year_starting

from . import services
from .forms import EqualityForm

bp = Blueprint("equality", __name__)
YEARS_BACK = 5


@bp.route("/account/equality", methods=["GET", "POST"])
@permission_required("answer_equality")
def my_answers():
    person = current_user.person
    if person is None:
        return render_template("equality/my_answers.html", form=None, person=None)
    form = EqualityForm()
    existing = services.answers_for(person=person)
    if request.method == "GET" and existing is not None:
        for question in QUESTIONS:
            form[question].data = getattr(existing, question)
    if form.validate_on_submit():
        services.save_answers(form.equality_answers(), person=person, actor=current_user)
        db.session.commit()
        flash("Thank you. Your answers are saved, kept apart from your record", "success")
        return redirect(url_for("equality.my_answers"))
    return render_template("equality/my_answers.html", form=form, person=person, answered=existing is not None)


def _choices() -> tuple[list[int], int, int | None, list[Area]]:
    """The contract years offered (newest first), the one asked for, and the area (None: all)."""
    current = contract_year_of(date.today())[0].year
    years = list(range(current, current - YEARS_BACK, -1))
    year = request.args.get("year", type=int)
    area_id = request.args.get("area", type=int)
    areas = areas_for(current_user.provider_id)
    return years, year if year in years else current, area_id if area_id in {a.id for a in areas} else None, areas


def _report():
    years, year, area_id, areas = _choices()
    start, end = contract_year_starting(year)
    tables = services.build_tables(start, end)
    unit = current_user.provider_id if area_id is None else (current_user.provider_id, area_id)
    return tables, unit, years, year, area_id, areas


@bp.route("/equality/")
@permission_required("read_equality")
def report():
    tables, unit, years, year, area_id, areas = _report()
    return render_template("equality/report.html", tables=tables, unit=unit, years=years, year=year,
                           area_id=area_id, areas=areas, questions=QUESTIONS, short=SHORT_LABELS,
                           groups=reported_groups, stages=services.STAGES, short_stages=services.SHORT_STAGES)


@bp.route("/equality/report.csv")
@permission_required("read_equality")
def report_csv():
    tables, unit, _, year, area_id, areas = _report()
    area = next((a.name for a in areas if a.id == area_id), "All areas")
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["contract_year", "area", "question", "group", "stage", "count", "share_pct"])
    for question in QUESTIONS:
        for group, label in reported_groups(question).items():
            for stage in services.STAGES:
                count = tables.cell(question, stage, group, unit)
                share = tables.share(question, stage, group, unit)
                writer.writerow([f"{year}/{(year + 1) % 100:02d}", area, SHORT_LABELS[question], label,
                                 services.SHORT_STAGES[stage], "c" if count is None else count,
                                 "c" if count is None else ("" if share is None else share)])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="equality-{year}.csv"'})
