from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from app.equality.forms import EqualityQuestions
from app.fields import GovDateField
from app.ids import optional_id, whole_number
from app.models.recruitment import CONTACT_BY, HEARD_FROM, RECOMMENDS, WITHDRAWN_BECAUSE
from app.models.training import CheckKind, TrainingResult
from app.validators import NotInFuture


class InterestForm(EqualityQuestions, FlaskForm):
    """A parent's "I'd like to help": as short as it can be, on a phone."""

    first_name = StringField("First name", widget=GovTextInput(),
                             validators=[DataRequired("Enter your first name"),
                                         Length(max=80, message="First name must be 80 characters or fewer")])
    last_name = StringField("Last name", widget=GovTextInput(),
                            validators=[DataRequired("Enter your last name"),
                                        Length(max=80, message="Last name must be 80 characters or fewer")])
    contact_by = RadioField("How should we get in touch?", choices=list(CONTACT_BY.items()), widget=GovRadioInput(),
                            validators=[InputRequired("Select how we should get in touch")])
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[Optional(), Length(max=254, message="Email address must be 254 characters or fewer"),
                                   Email("Enter an email address like name@example.com")])
    phone = StringField("Phone number", widget=GovTextInput(),
                        validators=[Optional(), Length(max=30, message="Phone number must be 30 characters or fewer"),
                                    Regexp(r"^[0-9 +()-]+$", message="Enter a phone number, like 01632 960 001")])
    area_id = SelectField("Where do you live?", coerce=optional_id, widget=GovSelect(),
                          validators=[InputRequired("Select where you live")])
    heard_from = RadioField("How did you hear about us?", choices=list(HEARD_FROM.items()), widget=GovRadioInput(),
                            validators=[InputRequired("Select how you heard about us")])
    interests = TextAreaField("What might you like to do? (optional)", widget=GovTextArea(),
                              description="For example, helping at a peer support group, or making the tea",
                              validators=[Optional(), Length(max=1000, message="Keep this to 1,000 characters")])
    consent = BooleanField("I agree to be contacted about volunteering", widget=GovCheckboxInput(),
                           validators=[DataRequired("Tick the box to say we may contact you")])
    # Left empty by people; filled in by bots that fill in every box. Hidden from view and from screen readers.
    website = StringField("Leave this empty")
    submit = SubmitField("Send", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        """The way we get in touch needs its address (an empty optional box skips field checks)."""
        valid = super().validate(extra_validators)
        needed = {"email": (self.email, "Enter your email address, or choose another way to get in touch"),
                  "phone": (self.phone, "Enter your phone number, or choose another way to get in touch")}
        if self.contact_by.data in needed:
            field, message = needed[self.contact_by.data]
            if not (field.data or "").strip():
                field.errors = [*field.errors, message]
                valid = False
        return valid


class StageForm(FlaskForm):
    stage_id = SelectField("Move to", coerce=whole_number, widget=GovSelect(),
                           validators=[InputRequired("Select a stage")])
    submit = SubmitField("Move", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    reason = RadioField("Why did they withdraw?", choices=list(WITHDRAWN_BECAUSE.items()), widget=GovRadioInput(),
                        validators=[InputRequired("Select why they withdrew")])
    note = StringField("More about why (optional)", widget=GovTextInput(),
                       validators=[Optional(), Length(max=200, message="Keep this to 200 characters")])
    withdrawn_on = GovDateField("When", validators=[InputRequired("Enter the date they withdrew")])
    submit = SubmitField("Record that they withdrew", widget=GovSubmitInput())


class StartForm(FlaskForm):
    started_on = GovDateField("Their first day as a Parent Volunteer",
                              validators=[InputRequired("Enter their first day"),
                                          NotInFuture("Their first day must be today or in the past")])
    submit = SubmitField("Start them as a Parent Volunteer", widget=GovSubmitInput())


class AskReferenceForm(FlaskForm):
    referee_name = StringField("Referee's name", widget=GovTextInput(),
                               validators=[DataRequired("Enter the referee's name"),
                                           Length(max=120, message="The name must be 120 characters or fewer")])
    referee_email = EmailField("Referee's email address", widget=GovTextInput(),
                               validators=[DataRequired("Enter the referee's email address"),
                                           Length(max=254, message="Email address must be 254 characters or fewer"),
                                           Email("Enter an email address like name@example.com")])
    submit = SubmitField("Email them the reference form", widget=GovSubmitInput())


class ReferenceForm(FlaskForm):
    """What a referee is asked: three short questions, nothing else."""

    known_for = StringField("How do you know them, and for how long?", widget=GovTextInput(),
                            description="For example, a neighbour for 5 years",
                            validators=[DataRequired("Say how you know them, and for how long"),
                                        Length(max=200, message="Keep this to 200 characters")])
    recommends = RadioField("Would you recommend them to volunteer with parents of children with additional needs?",
                            choices=list(RECOMMENDS.items()), widget=GovRadioInput(),
                            validators=[InputRequired("Select yes, not sure or no")])
    comments = TextAreaField("Is there anything we should know? (optional)", widget=GovTextArea(),
                             validators=[Optional(), Length(max=2000, message="Keep this to 2,000 characters")])
    submit = SubmitField("Send the reference", widget=GovSubmitInput())


class StageNameForm(FlaskForm):
    name = StringField("Stage name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the stage's name"),
                                   Length(max=80, message="The name must be 80 characters or fewer")])
    submit = SubmitField("Save", widget=GovSubmitInput())


class WayInTrainingForm(FlaskForm):
    course_id = SelectField("Course", coerce=optional_id, widget=GovSelect(),
                            validators=[InputRequired("Select a course")])
    done_on = GovDateField("Date completed", validators=[InputRequired("Enter the date they completed it"),
                                                         NotInFuture("The date must be today or in the past")])
    result = RadioField("Result", widget=GovRadioInput(), validators=[InputRequired("Select the result")],
                        choices=[(r.value, r.value.capitalize()) for r in TrainingResult])
    submit = SubmitField("Record training", widget=GovSubmitInput())


class WayInCheckForm(FlaskForm):
    kind = RadioField("Which check?", widget=GovRadioInput(), validators=[InputRequired("Select the check")],
                      choices=[(k.value, k.label) for k in CheckKind])
    checked_on = GovDateField("Date of the check or certificate", validators=[
        InputRequired("Enter the date"), NotInFuture("The date must be today or in the past")])
    reference_number = StringField("Certificate or reference number (optional)", widget=GovTextInput(),
                                   validators=[Optional(), Length(max=40, message="Keep this to 40 characters")])
    barred_list = BooleanField("Checked against the children's barred list", widget=GovCheckboxInput())
    submit = SubmitField("Record check", widget=GovSubmitInput())
