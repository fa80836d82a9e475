from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.fields import GovDateField, PlainIntegerField, parse_clock
from app.ids import optional_id, whole_number
from app.models.delivery import Mode
from app.validators import NotInFuture


class ClockField(StringField):
    """A time of day typed as people write it: 9.30am, 09:30, 6pm."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("widget", GovTextInput())
        super().__init__(label, validators, **kwargs)

    @property
    def time(self):
        return parse_clock(self.data)

    def pre_validate(self, form):
        if self.data and self.time is None:
            raise ValidationError(f"Enter the {self.label.text.lower()} like 9.30am or 18:00")


def _count(label: str, required: str, hint: str | None = None):
    return PlainIntegerField(label, description=hint, validators=[
        InputRequired(required), NumberRange(min=0, max=500, message="Between 0 and 500")])


class SessionForm(FlaskForm):
    offer_id = RadioField("Which offer?", coerce=optional_id, widget=GovRadioInput(),
                          validators=[InputRequired("Choose the offer")])
    area_id = SelectField("Area", coerce=optional_id, widget=GovSelect(),
                          validators=[InputRequired("Choose the area")])
    cohort_id = SelectField("Programme cohort", coerce=optional_id, widget=GovSelect(), validators=[Optional()],
                            description="Programme sessions only")
    delivered_on = GovDateField("Date", validators=[InputRequired("Enter the date of the session"),
                                                    NotInFuture("The date must be today or in the past")])
    starts_at = ClockField("Start time", validators=[InputRequired("Enter the start time")])
    ends_at = ClockField("End time", validators=[InputRequired("Enter the end time")])
    mode = RadioField("How was it delivered?", widget=GovRadioInput(), default=Mode.FACE_TO_FACE.value,
                      choices=[(m.value, m.label) for m in Mode], validators=[InputRequired("Choose how")])
    venue = StringField("Venue (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=120)])
    out_of_hours = BooleanField("In the evening or at a weekend", widget=GovCheckboxInput(),
                                description="Worked out from the time and day if you leave it")
    facilitators = SelectMultipleField("Who facilitated it?", coerce=whole_number, widget=GovCheckboxesInput(),
                                       validators=[Optional()])
    leads = SelectMultipleField("Who led or co-led it?", coerce=whole_number, widget=GovCheckboxesInput(),
                                validators=[Optional()])
    families_attended = _count("Families who came", "Enter how many families came")
    families_new = _count("Of them, first time", "Enter how many came for the first time")
    families_phase_one = _count("Of them, on the Integrated Children's Services caseload",
                                "Enter how many were in phase one (0 if none)", "Phase one eligibility. A number only")
    families_pre_diagnosis = _count("Of them, before a diagnosis",
                                    "Enter how many were before a diagnosis (0 if none)", "A number only")
    submit = SubmitField("Record session", widget=GovSubmitInput())


class CohortForm(FlaskForm):
    name = StringField("Cohort name", widget=GovTextInput(), description="Like Cygnet, autumn, Sittingbourne",
                       validators=[InputRequired("Enter a name for the cohort"), Length(max=120)])
    programme = StringField("Programme", widget=GovTextInput(), description="Like Cygnet or EarlyBird",
                            validators=[InputRequired("Enter the programme"), Length(max=60)])
    area_id = SelectField("Area", coerce=optional_id, widget=GovSelect(),
                          validators=[InputRequired("Choose the area")])
    required_course_id = SelectField("Course its facilitators need (optional)", coerce=optional_id,
                                     widget=GovSelect(), validators=[Optional()],
                                     description="Such as the EarlyBird licence. A session without it is flagged")
    starts_on = GovDateField("First session", validators=[InputRequired("Enter the date of the first session")])
    sessions_planned = PlainIntegerField("Sessions in the run", validators=[
        InputRequired("Enter how many sessions"), NumberRange(min=1, max=52, message="Between 1 and 52")])
    submit = SubmitField("Add cohort", widget=GovSubmitInput())


class PlanForm(FlaskForm):
    effective_from = GovDateField("From", description="Usually the first day of a contract year",
                                  validators=[InputRequired("Enter the date the plan starts")])
    submit = SubmitField("Save plan", widget=GovSubmitInput())
