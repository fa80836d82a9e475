"""Validators shared across forms, with messages in plain words."""

from datetime import date

from wtforms.validators import ValidationError

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def email_problem(value: str) -> str | None:
    """What is wrong with an email address, or None. The library WTForms' Email validator uses
    (email-validator, without looking the domain up), so an import or a job cannot accept what
    a form would refuse: no line breaks, no spaces, a real domain shape."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return EMAIL_FORMAT
    return None


class NotInFuture:
    def __init__(self, message: str, today=date.today):
        self.message = message
        self.today = today

    def __call__(self, form, field):
        if field.data and field.data > self.today():
            raise ValidationError(self.message)


class OnOrAfter:
    """The field's date is on or after another date field's."""

    def __init__(self, other: str, message: str):
        self.other = other
        self.message = message

    def __call__(self, form, field):
        other = form[self.other].data
        if field.data and other and field.data < other:
            raise ValidationError(self.message)
