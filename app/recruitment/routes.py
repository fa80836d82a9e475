"""The way in: the public "I'd like to help" page, and the provider's board of parents on their
way to a first day as a Parent Volunteer."""

from collections import defaultdict
from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import applicant_scope, permission_required, public, sees_all_areas
from app.extensions import db, limiter
from app.ids import whole_number
from app.models.people import Area, Provider
from app.models.recruitment import CONTACT_BY, HEARD_FROM, RECOMMENDS, Applicant, ApplicantReference, RecruitmentStage
from app.models.training import CheckKind, Course
from app.training.queries import course_choices
from app.views import public_url, save_or_show

from . import services
from .forms import (
    AskReferenceForm,
    InterestForm,
    ReferenceForm,
    StageForm,
    StageNameForm,
    StartForm,
    WayInCheckForm,
    WayInTrainingForm,
    WithdrawForm,
)

bp = Blueprint("recruitment", __name__)


def _interest_limit() -> str:
    return current_app.config["INTEREST_RATE_LIMIT"]


@bp.route("/join")
@public
def providers():
    """Every provider's page, for a parent who arrived from the sign-in page."""
    return render_template("recruitment/providers.html",
                           providers=db.session.scalars(select(Provider).order_by(Provider.name)).all())


@bp.route("/join/<int:provider_id>", methods=["GET", "POST"])
@limiter.limit(_interest_limit, methods=["POST"])
@public
def express_interest(provider_id: int):
    provider = db.session.get(Provider, provider_id) or abort(404)
    form = InterestForm()
    areas = db.session.scalars(select(Area).order_by(Area.name)).all()
    form.area_id.choices = [("", "Choose where you live")] + [(a.id, a.name) for a in areas]
    if form.validate_on_submit():
        if not form.website.data:  # a bot fills in every box; it is thanked and nothing is kept
            area = next(a for a in areas if a.id == form.area_id.data)
            services.express_interest(provider, first_name=form.first_name.data, last_name=form.last_name.data,
                                      email=form.email.data, phone=form.phone.data, contact_by=form.contact_by.data,
                                      area=area, heard_from=form.heard_from.data, interests=form.interests.data,
                                      now=services.utc_now(), equality_answers=form.equality_answers())
            db.session.commit()
        return redirect(url_for("recruitment.thanks", provider_id=provider.id))
    return render_template("recruitment/interest.html", form=form, provider=provider)


@bp.route("/join/<int:provider_id>/thank-you")
@public
def thanks(provider_id: int):
    provider = db.session.get(Provider, provider_id) or abort(404)
    return render_template("recruitment/thanks.html", provider=provider)


@bp.route("/join/<int:provider_id>/poster")
@public
def poster(provider_id: int):
    """A printable poster for a group session, with the page's address as a QR code."""
    provider = db.session.get(Provider, provider_id) or abort(404)
    address = public_url("recruitment.express_interest", provider_id=provider.id)
    return render_template("recruitment/poster.html", provider=provider, address=address, qr=services.qr_svg(address))


@bp.route("/recruitment/")
@permission_required("manage_recruitment")
def board():
    """Everyone on their way in, by stage, for the user's provider (or area)."""
    stages = services.stages_for(current_user.provider_id)
    db.session.commit()  # the provider's stages, made the first time
    query = (select(Applicant).where(applicant_scope(current_user))
             .options(selectinload(Applicant.area)).order_by(Applicant.created_at))
    area_id = request.args.get("area", type=whole_number)
    if area_id:
        query = query.where(Applicant.area_id == area_id)
    show = request.args.get("show", "open")
    if show == "open":
        query = query.where(Applicant.withdrawn_on.is_(None), Applicant.started_on.is_(None))
    elif show == "withdrawn":
        query = query.where(Applicant.withdrawn_on.is_not(None))
    elif show == "started":
        query = query.where(Applicant.started_on.is_not(None))
    else:
        show = "all"
    by_stage = defaultdict(list)
    for applicant in db.session.scalars(query):
        by_stage[applicant.stage_id].append(applicant)
    areas = db.session.scalars(select(Area).order_by(Area.name)).all() if sees_all_areas(current_user) else []
    return render_template("recruitment/board.html", stages=stages, by_stage=by_stage, areas=areas, area_id=area_id,
                           show=show, count=sum(len(v) for v in by_stage.values()),
                           join_url=public_url("recruitment.express_interest", provider_id=current_user.provider_id))


def _applicant_page(applicant: Applicant, **forms):
    stage_form = forms.get("stage_form") or StageForm()
    stages = services.stages_for(applicant.provider_id)
    stage_form.stage_id.choices = [(s.id, s.name) for s in stages]
    if not stage_form.errors:  # offered: the stage after the one they are at
        ids = [s.id for s in stages]
        at = ids.index(applicant.stage_id) if applicant.stage_id in ids else -1
        stage_form.stage_id.data = ids[min(at + 1, len(ids) - 1)]
    references = db.session.scalars(select(ApplicantReference).where(
        ApplicantReference.applicant_id == applicant.id).order_by(ApplicantReference.requested_at)).all()
    training_form = forms.get("training_form") or WayInTrainingForm()
    training_form.course_id.choices = _courses()
    return render_template("recruitment/applicant.html", applicant=applicant, stage_form=stage_form,
                           training_form=training_form, check_form=forms.get("check_form") or WayInCheckForm(),
                           records=services.way_in_records(applicant),
                           check_kinds={k.value: k.label for k in CheckKind},
                           withdraw_form=forms.get("withdraw_form") or WithdrawForm(),
                           start_form=forms.get("start_form") or StartForm(),
                           reference_form=forms.get("reference_form") or AskReferenceForm(), references=references,
                           contact_by=CONTACT_BY, heard_from=HEARD_FROM, recommends=RECOMMENDS, now=services.utc_now())


def _saved(form, action, applicant: Applicant, message: str):
    return save_or_show(form, action, errors=(services.RecruitmentError,), message=message,
                        to=url_for("recruitment.view_applicant", applicant_id=applicant.id))


@bp.route("/recruitment/<int:applicant_id>")
@permission_required("manage_recruitment", load=Applicant)
def view_applicant(applicant: Applicant):
    services.opened(applicant)
    db.session.commit()
    return _applicant_page(applicant)


@bp.route("/recruitment/<int:applicant_id>/stage", methods=["POST"])
@permission_required("manage_recruitment", load=Applicant)
def move_applicant(applicant: Applicant):
    form = StageForm()
    form.stage_id.choices = [(s.id, s.name) for s in services.stages_for(applicant.provider_id)]
    if form.validate_on_submit():
        done = _saved(form, lambda: services.move_to_stage(applicant, stage_id=form.stage_id.data,
                                                           actor=current_user, now=services.utc_now()),
                      applicant, f"{applicant.name} moved on")
        if done:
            return done
    return _applicant_page(applicant, stage_form=form)


@bp.route("/recruitment/<int:applicant_id>/withdraw", methods=["POST"])
@permission_required("manage_recruitment", load=Applicant)
def withdraw_applicant(applicant: Applicant):
    form = WithdrawForm()
    if form.validate_on_submit():
        done = _saved(form, lambda: services.withdraw(applicant, reason=form.reason.data, note=form.note.data,
                                                      on=form.withdrawn_on.data, actor=current_user,
                                                      now=services.utc_now()),
                      applicant, f"Recorded that {applicant.name} withdrew")
        if done:
            return done
    return _applicant_page(applicant, withdraw_form=form)


@bp.route("/recruitment/<int:applicant_id>/start", methods=["POST"])
@permission_required("manage_recruitment", load=Applicant)
def start_applicant(applicant: Applicant):
    form = StartForm()
    if form.validate_on_submit():
        done = _saved(form, lambda: services.start_as_volunteer(applicant, on=form.started_on.data,
                                                                actor=current_user, now=services.utc_now()),
                      applicant, f"{applicant.name} is a Parent Volunteer")
        if done:  # saved and its message given: on to their new record rather than back to the application
            return redirect(url_for("people.view_person", person_id=applicant.person_id))
    return _applicant_page(applicant, start_form=form)


def _courses() -> list[tuple[int | str, str]]:
    return [("", "Choose a course"), *course_choices(current_user)]


@bp.route("/recruitment/<int:applicant_id>/training", methods=["POST"])
@permission_required("record_way_in_training", load=Applicant)
def record_training(applicant: Applicant):
    form = WayInTrainingForm()
    form.course_id.choices = _courses()
    if form.validate_on_submit():
        course = db.session.get(Course, form.course_id.data)
        done = _saved(form, lambda: services.record_way_in_training(
            applicant, course=course, done_on=form.done_on.data, result=form.result.data, actor=current_user,
            today=date.today(), now=services.utc_now()), applicant, f"{course.name} recorded for {applicant.name}")
        if done:
            return done
    return _applicant_page(applicant, training_form=form)


@bp.route("/recruitment/<int:applicant_id>/checks", methods=["POST"])
@permission_required("record_way_in_checks", load=Applicant)
def record_check(applicant: Applicant):
    form = WayInCheckForm()
    if form.validate_on_submit():
        done = _saved(form, lambda: services.record_way_in_check(
            applicant, kind=form.kind.data, done_on=form.checked_on.data, reference_number=form.reference_number.data,
            barred_list=form.barred_list.data, actor=current_user, today=date.today(), now=services.utc_now()),
            applicant, f"Check recorded for {applicant.name}")
        if done:
            return done
    return _applicant_page(applicant, check_form=form)


@bp.route("/recruitment/<int:applicant_id>/references", methods=["POST"])
@permission_required("manage_recruitment", load=Applicant)
def ask_reference(applicant: Applicant):
    form = AskReferenceForm()
    if form.validate_on_submit():
        done = _saved(form, lambda: services.ask_for_reference(
            applicant, referee_name=form.referee_name.data, referee_email=form.referee_email.data, actor=current_user,
            now=services.utc_now()), applicant, f"{form.referee_name.data.strip()} has been emailed the reference form")
        if done:
            return done
    return _applicant_page(applicant, reference_form=form)


@bp.route("/reference/<token>", methods=["GET", "POST"])
@limiter.limit(_interest_limit, methods=["POST"])
@public
def give_reference(token: str):
    """A referee's one-use form: the applicant's name and the provider's, and four questions."""
    reference, problem = services.reference_for(token, now=services.utc_now())
    if problem:
        return render_template("recruitment/reference_done.html", message=problem)
    form = ReferenceForm()
    if form.validate_on_submit():
        services.answer_reference(reference, known_for=form.known_for.data, recommends=form.recommends.data,
                                  comments=form.comments.data, now=services.utc_now())
        db.session.commit()
        return render_template("recruitment/reference_done.html",
                               message="Thank you. Your reference has been sent")
    return render_template("recruitment/reference.html", form=form, reference=reference)


@bp.route("/recruitment/stages", methods=["GET", "POST"])
@permission_required("manage_recruitment_stages")
def stages():
    """The provider's stages of the way in: rename one, or add one before the last."""
    form = StageNameForm()
    if form.validate_on_submit():
        done = save_or_show(form, lambda: services.add_stage(current_user.provider_id, name=form.name.data,
                                                             actor=current_user),
                            errors=(services.RecruitmentError,), message=f"Added {form.name.data.strip()}",
                            to=url_for("recruitment.stages"))
        if done:
            return done
    found = services.stages_for(current_user.provider_id)
    db.session.commit()
    return render_template("recruitment/stages.html", stages=found, form=form)


@bp.route("/recruitment/stages/<int:stage_id>", methods=["GET", "POST"])
@permission_required("manage_recruitment_stages")
def rename_stage(stage_id: int):
    stage = db.session.get(RecruitmentStage, stage_id)
    if stage is None or stage.provider_id != current_user.provider_id:
        abort(404)
    form = StageNameForm(name=stage.name)
    if form.validate_on_submit():
        done = save_or_show(form, lambda: services.rename_stage(stage, name=form.name.data, actor=current_user),
                            errors=(services.RecruitmentError,), message="The stage is renamed",
                            to=url_for("recruitment.stages"))
        if done:
            return done
    return render_template("recruitment/stage_form.html", stage=stage, form=form)
