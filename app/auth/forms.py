from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from app.auth.passwords import password_problem


class NotCommonPassword:
    """A WTForms validator: a password long and uncommon enough (app/auth/passwords.py)."""

    def __call__(self, form, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your password"), Length(max=1024)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", widget=GovPasswordInput(),
        validators=[DataRequired("Enter your current password")],
    )
    new_password = PasswordField(
        "New password", widget=GovPasswordInput(),
        description="At least 12 characters. A few unrelated words make a strong, memorable password.",
        validators=[DataRequired("Enter a new password"), NotCommonPassword()],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField("Code", widget=GovTextInput(),
                       validators=[DataRequired("Enter the code"), Length(max=40, message="Enter the code")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ChooseMethodForm(FlaskForm):
    method = RadioField("How will you get your sign-in codes?", widget=GovRadioInput(),
                        validators=[InputRequired("Choose how you will get your codes")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SignInSettingsForm(FlaskForm):
    email_codes = RadioField(
        "May staff get their sign-in codes by email?", widget=GovRadioInput(),
        choices=[("yes", "Yes, where an authenticator app is not possible"),
                 ("no", "No, staff must use an authenticator app")],
        validators=[InputRequired("Choose whether staff may get codes by email")])
    submit = SubmitField("Save", widget=GovSubmitInput())


class EmptyForm(FlaskForm):
    """A form with only a CSRF token, for buttons that change state."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


__all__ = ["ChangePasswordForm", "Email", "EmptyForm", "SignInForm"]


class NotificationsForm(FlaskForm):
    email = RadioField("Do you want emails about your hours, claims and certificates?", widget=GovRadioInput(),
                       choices=[("yes", "Yes, email me"), ("no", "No, only show them when I sign in")],
                       description="We email you when hours or a claim item are sent back, when a claim is paid "
                                   "and when you get a certificate. Your home page always shows them.",
                       validators=[InputRequired("Select whether you want these emails")])
    submit = SubmitField("Save", widget=GovSubmitInput())
