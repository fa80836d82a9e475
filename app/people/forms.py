from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from app.extensions import db
from app.fields import GovDateField
from app.ids import optional_id, whole_number
from app.models.people import STAGE_LABELS, LeavingReason
from app.validators import NotInFuture, OnOrAfter

STAGE_CHOICES = [(stage.value, label) for stage, label in STAGE_LABELS.items()]
YES_NO = [("yes", "Yes"), ("no", "No")]


class PersonForm(FlaskForm):
    first_name = StringField(
        "First name", widget=GovTextInput(),
        validators=[DataRequired("Enter their first name"),
                    Length(max=80, message="First name must be 80 characters or fewer")],
    )
    last_name = StringField(
        "Last name", widget=GovTextInput(),
        validators=[DataRequired("Enter their last name"),
                    Length(max=80, message="Last name must be 80 characters or fewer")],
    )
    email = EmailField(
        "Email address (optional)", widget=GovTextInput(),
        validators=[Optional(), Length(max=254),
                    Email("Enter an email address in the correct format, like name@example.com")],
    )
    phone = StringField(
        "Phone number (optional)", widget=GovTextInput(),
        validators=[Optional(), Length(max=30, message="Phone number must be 30 characters or fewer"),
                    Regexp(r"^[0-9 +()-]+$", message="Enter a phone number, like 01632 960 001")],
    )
    area_id = SelectField("Area", coerce=whole_number, widget=GovSelect(),
                          validators=[InputRequired("Select an area")])
    stage = RadioField("Pathway stage", choices=STAGE_CHOICES, widget=GovRadioInput(),
                       validators=[InputRequired("Select their pathway stage")])
    joined_on = GovDateField(
        "Date they joined",
        validators=[InputRequired("Enter the date they joined"),
                    NotInFuture("The date they joined must be today or in the past")],
    )
    left_on = GovDateField(
        "Date they left (optional)",
        validators=[Optional(), OnOrAfter(
            "joined_on", "The date they left must be on or after the date they joined")],
    )
    leaving_reason_id = SelectField(
        "Why did they leave?", coerce=optional_id, widget=GovSelect(),
        description="Leaving for paid work or training is the pathway working")
    has_lived_experience = RadioField(
        "Do they have lived experience of the neurodevelopmental pathway as a parent or carer?",
        choices=YES_NO, widget=GovRadioInput(),
        validators=[InputRequired("Select yes if they have lived experience")],
    )
    email_without_account = BooleanField(
        "Email them news of their hours, claims and certificates even though they have no sign-in",
        widget=GovCheckboxInput(),
        description="Usually only people you have invited to sign in are emailed: the links in the emails open "
                    "Pathway")
    submit = SubmitField("Save", widget=GovSubmitInput())

    def details(self) -> dict:
        return {
            "first_name": self.first_name.data.strip(),
            "last_name": self.last_name.data.strip(),
            "email": (self.email.data or "").strip() or None,
            "phone": (self.phone.data or "").strip() or None,
            "area_id": self.area_id.data,
            "joined_on": self.joined_on.data,
            "left_on": self.left_on.data,
            "leaving_reason_id": self.leaving_reason_id.data if self.left_on.data else None,
            "has_lived_experience": self.has_lived_experience.data == "yes",
            "email_without_account": bool(self.email_without_account.data),
        }

    def with_reasons(self):
        """Offer the leaving reasons kept as data."""
        from sqlalchemy import select

        reasons = db.session.scalars(select(LeavingReason).order_by(LeavingReason.sort_order)).all()
        self.leaving_reason_id.choices = [("", "Choose a reason")] + [(r.id, r.label) for r in reasons]
        return self

    def validate_leaving_reason_id(self, field):
        from wtforms.validators import ValidationError

        if self.left_on.data and not field.data:
            raise ValidationError("Choose why they left, or Not known")


class EditPersonForm(PersonForm):
    stage = None  # the stage changes only through a recorded stage change


class PeopleFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search by name, reference or email", widget=GovTextInput(),
                    validators=[Optional(), Length(max=100)])
    area = SelectField("Area", widget=GovSelect(), validators=[Optional()])
    stage = SelectField("Stage", widget=GovSelect(), validators=[Optional()],
                        choices=[("", "All stages"), *STAGE_CHOICES])
    provider = SelectField("Provider", widget=GovSelect(), validators=[Optional()])
    status = SelectField("Status", widget=GovSelect(), validators=[Optional()],
                         choices=[("current", "Current"), ("left", "Left"), ("all", "All")],
                         default="current")
    submit = SubmitField("Apply filters", widget=GovSubmitInput())
