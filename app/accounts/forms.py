from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from app.auth.forms import NotCommonPassword
from app.ids import optional_id


class AccountForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(), validators=[
        DataRequired("Enter their full name"), Length(max=120, message="Name must be 120 characters or fewer")])
    email = EmailField("Email address", widget=GovTextInput(), validators=[
        DataRequired("Enter their email address"),
        Email("Enter an email address in the right format, like name@example.org", check_deliverability=False),
        Length(max=254)])
    role = RadioField("Role", widget=GovRadioInput(), validators=[InputRequired("Select their role")])
    area_id = SelectField("Area (area facilitators only)", coerce=optional_id,
                          widget=GovSelect(), validators=[Optional()])
    person_id = RadioField("Which person is this account for?", widget=GovRadioInput(), choices=[],
                           coerce=optional_id, validate_choice=False, validators=[Optional()])
    submit = SubmitField("Create account and send invitation", widget=GovSubmitInput())


class StaffRoleForm(FlaskForm):
    role = RadioField("Which staff role?", widget=GovRadioInput(), validators=[InputRequired("Select their role")])
    area_id = SelectField("Area (area facilitators only)", coerce=optional_id,
                          widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Give them this role", widget=GovSubmitInput())


class LinkPersonForm(FlaskForm):
    ref = StringField("Their person reference", widget=GovTextInput(), description="On their record, like P0012",
                      validators=[DataRequired("Enter their person reference"), Length(max=20)])
    submit = SubmitField("Link to this person", widget=GovSubmitInput())


class ChangeAccountForm(FlaskForm):
    role = RadioField("Role", widget=GovRadioInput(), validators=[InputRequired("Select their role")])
    area_id = SelectField("Area (area facilitators only)", coerce=optional_id,
                          widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class InviteForm(FlaskForm):
    how = RadioField("How should they get their invitation?", widget=GovRadioInput(),
                     choices=[("email", "By email: a link to choose a password, valid for 7 days"),
                              ("letter", "A printed letter with a short code, valid for 14 days")],
                     validators=[InputRequired("Select how to send the invitation")])
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ChoosePasswordForm(FlaskForm):
    password = PasswordField("Choose a password", widget=GovPasswordInput(),
                             description="At least 12 characters. A few unrelated words are easy to remember.",
                             validators=[DataRequired("Enter a password"), NotCommonPassword()])
    submit = SubmitField("Save password", widget=GovSubmitInput())


class LetterCodeForm(ChoosePasswordForm):
    code = StringField("Code from your letter", widget=GovTextInput(),
                       description="8 letters and numbers, like ABCD-2345",
                       validators=[DataRequired("Enter the code from your letter"), Length(max=20)])


class ForgottenPasswordForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(), validators=[
        DataRequired("Enter your email address"), Length(max=254)])
    submit = SubmitField("Send me a link", widget=GovSubmitInput())
