from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.fields import GovDateField, PlainDecimalField

BASIS = [("salaried", "Salaried: contracted hours a week"), ("sessional", "Sessional: paid by the hour, no set hours")]


def _hours():
    return PlainDecimalField("Contracted hours a week", places=2, description="Full time is 37 hours",
                             validators=[Optional(), NumberRange(min=0.25, max=48,
                                                                 message="Between 0.25 and 48 hours a week")])


def _basis():
    return RadioField("How are they paid?", widget=GovRadioInput(), choices=BASIS,
                      validators=[InputRequired("Choose salaried or sessional")])


class ContractForm(FlaskForm):
    post_id = SelectField("Post", coerce=int, widget=GovSelect(), validators=[InputRequired("Select the post")])
    basis = _basis()
    weekly_hours = _hours()
    starts_on = GovDateField("Start date", validators=[InputRequired("Enter the start date")])
    submit = SubmitField("Save contract", widget=GovSubmitInput())


class ChangeHoursForm(FlaskForm):
    basis = _basis()
    weekly_hours = _hours()
    from_date = GovDateField("From", description="The first day of the new hours",
                             validators=[InputRequired("Enter the first day of the new hours")])
    submit = SubmitField("Save new hours", widget=GovSubmitInput())


class EndContractForm(FlaskForm):
    ends_on = GovDateField("Last day of the contract", validators=[InputRequired("Enter the last day")])
    submit = SubmitField("End contract", widget=GovSubmitInput())
