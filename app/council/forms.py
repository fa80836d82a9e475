from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length


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
