from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from app.validators import NotCommonPassword


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


class EmptyForm(FlaskForm):
    """A form with only a CSRF token, for buttons that change state."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


__all__ = ["ChangePasswordForm", "Email", "EmptyForm", "SignInForm"]
