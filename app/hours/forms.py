
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
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
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.fields import GovDateField, PlainDecimalField, parse_clock
from app.ids import whole_number
from app.validators import NotInFuture

from .rules import HOURS_RULE, minutes_between, minutes_from_hours

NOTE_HINT = "Optional. Do not write the names of children or families."


class HoursForm(FlaskForm):
    worked_on = GovDateField("Date you worked", validators=[
        InputRequired("Enter the date you worked"),
        NotInFuture("The date you worked must be today or in the past")])
    hours = PlainDecimalField(
        "How many hours?", widget=GovTextInput(), places=2, invalid_message="Enter the hours as a number, like 2.5",
        validators=[Optional(), NumberRange(min=0, max=24, message=HOURS_RULE)],
        description="Hours and minutes as a decimal: 7.4 is 7 hours 24 minutes")
    start_time = StringField("Start time (optional)", widget=GovTextInput(),
                             validators=[Optional(), Length(max=10, message="Enter a time like 9:30am or 14:15")])
    end_time = StringField("End time (optional)", widget=GovTextInput(),
                           validators=[Optional(), Length(max=10, message="Enter a time like 9:30am or 14:15")])
    activity_id = RadioField("What did you do?", coerce=whole_number, widget=GovRadioInput(),
                             validators=[InputRequired("Select an activity")])
    area_id = SelectField("Area", coerce=whole_number, widget=GovSelect(),
                          validators=[InputRequired("Select an area")])
    note = TextAreaField("Note", widget=GovTextArea(), description=NOTE_HINT, validators=[
        Optional(), Length(max=500, message="Note must be 500 characters or fewer")])
    submit = SubmitField("Submit for approval", widget=GovSubmitInput())
    save_draft = SubmitField("Save as draft", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.minutes() is None and not self.hours.errors and not self.start_time.errors:
            if self.start_time.data or self.end_time.data:
                self.start_time.errors.append("Enter a start and end time like 9:30am, or the number of hours")
            else:
                self.hours.errors.append("Enter how many hours you worked")
            return False
        return valid

    def minutes(self) -> int | None:
        if self.hours.errors:
            return None
        if self.hours.data is not None:
            minutes = minutes_from_hours(self.hours.data)
            if not minutes:
                self.hours.errors.append(HOURS_RULE)
                return None
            return minutes
        start, end = parse_clock(self.start_time.data), parse_clock(self.end_time.data)
        if start and end:  # "9.30am", "9:30", "14.15" and "2.15pm" are all understood
            minutes = minutes_between(f"{start:%H:%M}", f"{end:%H:%M}")
            if minutes == 0:
                self.start_time.errors.append("The end time must be after the start time")
                return None
            return minutes
        return None


class RejectForm(FlaskForm):
    reason = TextAreaField("Why are you rejecting these hours?", widget=GovTextArea(),
                           description="They will see this, so say what to correct.",
                           validators=[DataRequired("Enter the reason, so they know what to correct"),
                                       Length(max=1000, message="Reason must be 1000 characters or fewer")])
    submit = SubmitField("Reject hours", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    hours = PlainDecimalField("What should the hours be?", widget=GovTextInput(), places=2,
                         validators=[InputRequired("Enter the correct number of hours"),
                                     NumberRange(min=0, max=24, message="Hours must be between 0 and 24")])
    reason = TextAreaField("Why are they being corrected?", widget=GovTextArea(),
                           validators=[DataRequired("Enter why the hours are being corrected"),
                                       Length(max=1000, message="Reason must be 1000 characters or fewer")])
    submit = SubmitField("Record correction", widget=GovSubmitInput())


class RegisterForm(FlaskForm):
    worked_on = GovDateField("Date of the session", validators=[
        InputRequired("Enter the date of the session"),
        NotInFuture("The date of the session must be today or in the past")])
    activity_id = SelectField("Activity", coerce=whole_number, widget=GovSelect(),
                              validators=[InputRequired("Select an activity")])
    area_id = SelectField("Area", coerce=whole_number, widget=GovSelect(),
                          validators=[InputRequired("Select an area")])
    submit = SubmitField("Save register", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    confirm = BooleanField("Yes", widget=GovCheckboxInput())
    submit = SubmitField("Continue", widget=GovSubmitInput())


class HoursSettingsForm(FlaskForm):
    rounding = RadioField(
        "How are hours recorded?", widget=GovRadioInput(),
        choices=[("minute", "To the minute: 7.4 hours is 7 hours 24 minutes"),
                 ("quarter", "To the nearest quarter hour, as our payroll pays")],
        validators=[InputRequired("Choose how hours are recorded")])
    submit = SubmitField("Save", widget=GovSubmitInput())
