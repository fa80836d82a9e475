from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import EmailField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from app.fields import GovDateField, MoneyField, PlainDecimalField, PlainIntegerField
from app.ids import optional_id, whole_number
from app.models.council import Decision, Term


class ProviderForm(FlaskForm):
    name = StringField("Provider's name", widget=GovTextInput(), validators=[
        DataRequired("Enter the provider's name"), Length(max=120, message="Name must be 120 characters or fewer")])
    person_name = StringField("Full name", widget=GovTextInput(), validators=[
        DataRequired("Enter the full name of their first member of staff"), Length(max=120)])
    email = EmailField("Email address", widget=GovTextInput(), validators=[
        DataRequired("Enter their email address"),
        Email("Enter an email address in the right format, like name@example.org", check_deliverability=False),
        Length(max=254)])
    role = RadioField("Their role", widget=GovRadioInput(), default="admin",
                      choices=[("admin", "Administrator: creates the provider's other accounts"),
                               ("hr", "HR staff: sets up the establishment and people")],
                      validators=[InputRequired("Choose their role")])
    submit = SubmitField("Add provider and send invitation", widget=GovSubmitInput())


class AreaForm(FlaskForm):
    name = StringField("Area name", widget=GovTextInput(), description="Like North Kent", validators=[
        DataRequired("Enter the area's name"), Length(max=60, message="Name must be 60 characters or fewer")])
    submit = SubmitField("Add area", widget=GovSubmitInput())


class CommissionForm(FlaskForm):
    name = StringField("Name of the contract", widget=GovTextInput(),
                       description="Like Supporting Parents of Children with SEND",
                       validators=[DataRequired("Enter the contract's name"), Length(max=120)])
    council_name = StringField("The council commissioning it", widget=GovTextInput(),
                               description="As certificates, returns and emails should name it, like "
                                           "Kent County Council",
                               validators=[DataRequired("Enter the council's name"), Length(max=120)])
    starts_on = GovDateField("Start", validators=[InputRequired("Enter the date the contract starts")])
    term = RadioField("Term", widget=GovRadioInput(), choices=[(t.value, t.label) for t in Term],
                      validators=[InputRequired("Choose the term")])
    extension_years_allowed = RadioField("Optional extension", widget=GovRadioInput(), default="2",
                                         choices=[("0", "None"), ("1", "Up to 1 year"), ("2", "Up to 2 years")],
                                         validators=[InputRequired("Choose the extension allowed")])
    submit = SubmitField("Set up the contract", widget=GovSubmitInput())


class ExtensionForm(FlaskForm):
    years = RadioField("How many years?", widget=GovRadioInput(), choices=[("1", "1 year"), ("2", "2 years")],
                       validators=[InputRequired("Choose how many years")])
    submit = SubmitField("Take the extension", widget=GovSubmitInput())


class WorkOutForm(FlaskForm):
    submit = SubmitField("Work out the forecasts again now", widget=GovSubmitInput())


class ReviewForm(FlaskForm):
    decision = RadioField("Decision", widget=GovRadioInput(), choices=[(d.value, d.label) for d in Decision],
                          validators=[InputRequired("Choose the decision")])
    note = TextAreaField("Notes", widget=GovTextArea(), description="What changes, or why it ends",
                         validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class LotForm(FlaskForm):
    name = StringField("Lot name", widget=GovTextInput(), description="Like Lot 1: North and West Kent",
                       validators=[DataRequired("Enter the lot's name"), Length(max=120)])
    provider_id = SelectField("Provider", coerce=whole_number, widget=GovSelect(),
                              validators=[InputRequired("Choose the provider")])
    area_ids = SelectMultipleField("Areas", coerce=whole_number, widget=GovCheckboxesInput(), validators=[Optional()])
    offers = StringField("Offers (optional)", widget=GovTextInput(),
                         description="Which parts of the service, like all four offers, or workshops only",
                         validators=[Optional(), Length(max=300)])
    first_year_id = SelectField("From the year", coerce=whole_number, widget=GovSelect(),
                                validators=[InputRequired("Choose the first year")])
    last_year_id = SelectField("To the year", coerce=optional_id, widget=GovSelect(),
                               validators=[Optional()])
    submit = SubmitField("Add lot", widget=GovSubmitInput())


class HourValueForm(FlaskForm):
    effective_from = GovDateField("From", validators=[InputRequired("Enter the date the value starts")])
    amount = MoneyField("Value of an hour of volunteering", description="Usually the National Living Wage, like £12.21",
                        validators=[InputRequired("Enter the hourly value"),
                                    NumberRange(min=0.01, max=100, message="Between £0.01 and £100")])
    source = StringField("Where it comes from", widget=GovTextInput(), description="Like National Living Wage 2025",
                         validators=[DataRequired("Say where the value comes from"), Length(max=120)])
    submit = SubmitField("Add hourly value", widget=GovSubmitInput())


class MileageRateForm(FlaskForm):
    vehicle = SelectField("Vehicle", widget=GovSelect(), validators=[InputRequired("Choose the vehicle")])
    effective_from = GovDateField("From", validators=[InputRequired("Enter the date the rate starts")])
    pence_per_mile = PlainIntegerField("Pence a mile", description="Like 45",
                                       validators=[InputRequired("Enter the pence a mile"),
                                                   NumberRange(min=0, max=500, message="Between 0 and 500 pence")])
    threshold_miles = PlainIntegerField("After how many miles in a tax year does it change? (optional)",
                                        description="Like 10000 for cars", validators=[
                                            Optional(), NumberRange(min=1, max=100_000,
                                                                    message="Between 1 and 100,000 miles")])
    pence_after_threshold = PlainIntegerField("Pence a mile after that (optional)", description="Like 25",
                                              validators=[Optional(), NumberRange(
                                                  min=0, max=500, message="Between 0 and 500 pence")])
    submit = SubmitField("Add mileage rate", widget=GovSubmitInput())


class CouncilPostForm(FlaskForm):
    title = StringField("Post title", widget=GovTextInput(), description="Like Service Co-ordinator",
                        validators=[DataRequired("Enter the post title"), Length(max=120)])
    grade_id = SelectField("Grade, on the council's pay scale", coerce=whole_number, widget=GovSelect(),
                           validators=[InputRequired("Choose the grade")])
    fte = PlainDecimalField("FTE", places=2, description="Like 1.0", validators=[
        InputRequired("Enter the FTE"), NumberRange(min=0.01, max=50, message="Between 0.01 and 50 FTE")])
    submit = SubmitField("Add post", widget=GovSubmitInput())
