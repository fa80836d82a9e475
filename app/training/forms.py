from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.fields import GovDateField, MoneyField, PlainDecimalField, PlainIntegerField
from app.ids import whole_number
from app.models.people import STAGE_LABELS
from app.models.training import CheckKind, TrainingResult
from app.validators import NotInFuture

STAGES = [(stage.value, label) for stage, label in STAGE_LABELS.items()]


class CourseForm(FlaskForm):
    name = StringField("Course name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the course name"), Length(max=120)])
    provider_name = StringField("Who runs it", widget=GovTextInput(),
                                validators=[DataRequired("Enter who runs the course"), Length(max=120)])
    hours = PlainDecimalField("Length in hours", widget=GovTextInput(), places=2, validators=[
        InputRequired("Enter the length in hours"), NumberRange(min=0, max=500, message="Between 0 and 500 hours")])
    cost = MoneyField("Cost per person, in pounds", validators=[
        InputRequired("Enter the cost, or 0"), NumberRange(min=0, max=100000, message="Between £0 and £100,000")])
    validity_months = PlainIntegerField("Valid for how many months?", widget=GovTextInput(),
                                   description="Leave blank if it never needs refreshing", validators=[
                                       Optional(), NumberRange(min=1, max=120, message="Between 1 and 120 months")])
    # No Optional(): it would clear the choice check's error, letting a hand-made "" through.
    required_for = SelectMultipleField("Which stages must have it?", widget=GovCheckboxesInput(), choices=STAGES)
    submit = SubmitField("Save course", widget=GovSubmitInput())


class TrainingRecordForm(FlaskForm):
    course_id = SelectField("Course", coerce=whole_number, widget=GovSelect(),
        validators=[InputRequired("Select a course")])
    completed_on = GovDateField("Date completed", validators=[
        InputRequired("Enter the date they completed it"), NotInFuture("The date must be today or in the past")])
    result = RadioField("Result", widget=GovRadioInput(), validators=[InputRequired("Select the result")],
                        choices=[(r.value, r.value.capitalize()) for r in TrainingResult])
    cost = MoneyField("Cost, in pounds (optional)",
                        description="Leave blank to use the course's usual cost",
                        validators=[Optional(), NumberRange(min=0, max=100000, message="Between £0 and £100,000")])
    submit = SubmitField("Record training", widget=GovSubmitInput())


class AttendanceForm(FlaskForm):
    course_id = SelectField("Course", coerce=whole_number, widget=GovSelect(),
        validators=[InputRequired("Select a course")])
    completed_on = GovDateField("Date of the session", validators=[
        InputRequired("Enter the date of the session"), NotInFuture("The date must be today or in the past")])
    area_id = SelectField("Area", coerce=whole_number, widget=GovSelect(), validators=[InputRequired("Select an area")])
    submit = SubmitField("Record attendance", widget=GovSubmitInput())


class CheckForm(FlaskForm):
    kind = RadioField("Which check?", widget=GovRadioInput(), validators=[InputRequired("Select the check")],
                      choices=[(k.value, k.label) for k in CheckKind])
    checked_on = GovDateField("Date of the check or certificate", validators=[
        InputRequired("Enter the date"), NotInFuture("The date must be today or in the past")])
    reference_number = StringField("Certificate or reference number (optional)", widget=GovTextInput(),
                                   validators=[Optional(), Length(max=40)])
    barred_list = BooleanField("Checked against the children's barred list", widget=GovCheckboxInput())
    for_paid_role = BooleanField("For a paid role (a volunteer's check does not cover paid work)",
                                 widget=GovCheckboxInput())
    update_service = BooleanField("Subscribed to the DBS Update Service", widget=GovCheckboxInput())
    renew_on = GovDateField("Next check due (optional)", validators=[Optional()])
    submit = SubmitField("Record check", widget=GovSubmitInput())


class RecommendForm(FlaskForm):
    note = TextAreaField("Why are you recommending them? (optional)", widget=GovTextArea(),
                         validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Record recommendation", widget=GovSubmitInput())


class ProgressForm(FlaskForm):
    # The next stage unless another is chosen; the route keeps it to the stages after theirs.
    to_stage = RadioField("Move them to", widget=GovRadioInput(), validate_choice=False, validators=[Optional()])
    skip_reason = TextAreaField("Why is a stage being skipped?", widget=GovTextArea(),
                                description="Only when moving past the next stage. This is recorded.",
                                validators=[Optional(), Length(max=1000)])
    post_id = SelectField("Post", coerce=whole_number, widget=GovSelect(),
        validators=[InputRequired("Select the post")])
    weekly_hours = PlainDecimalField("Contracted hours a week", widget=GovTextInput(), places=2, validators=[
        InputRequired("Enter the weekly hours (0 for sessional)"),
        NumberRange(min=0, max=48, message="Between 0 and 48 hours")])
    is_sessional = BooleanField("Paid by the hour (sessional)", widget=GovCheckboxInput())
    changed_on = GovDateField("Date of the move", validators=[InputRequired("Enter the date of the move")])
    override_reason = TextAreaField("Reason to go ahead although not every requirement is met", widget=GovTextArea(),
                                    description="Only if you are overriding a requirement. This is recorded.",
                                    validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Move to the next stage", widget=GovSubmitInput())


class RequirementForm(FlaskForm):
    min_hours = PlainIntegerField("Approved hours needed at the previous stage", widget=GovTextInput(),
                             validators=[InputRequired("Enter the hours, or 0"), NumberRange(min=0, max=5000)])
    references_needed = PlainIntegerField("References needed", widget=GovTextInput(),
                                     validators=[InputRequired("Enter a number, or 0"), NumberRange(min=0, max=5)])
    needs_dbs = BooleanField("Enhanced DBS check needed", widget=GovCheckboxInput())
    needs_recommendation = BooleanField("Manager's recommendation needed", widget=GovCheckboxInput())
    needs_right_to_work = BooleanField("Right to work check needed", widget=GovCheckboxInput())
    submit = SubmitField("Save requirements", widget=GovSubmitInput())


class CorrectStageForm(FlaskForm):
    reason = TextAreaField("What was wrong with it?", widget=GovTextArea(),
                           validators=[DataRequired("Enter what was wrong with the recorded change"),
                                       Length(max=1000, message="Reason must be 1000 characters or fewer")])
    submit = SubmitField("Correct the stage change", widget=GovSubmitInput())


class RevokeForm(FlaskForm):
    reason = TextAreaField("Why is it being revoked?", widget=GovTextArea(),
                           validators=[DataRequired("Enter the reason for revoking it"), Length(max=1000)])
    submit = SubmitField("Revoke certificate", widget=GovSubmitInput())
