from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.fields import GovDateField, MoneyField, PlainDecimalField
from app.ids import whole_number
from app.models.expenses import Vehicle
from app.validators import NotInFuture


class LineForm(FlaskForm):
    category_id = RadioField("What is it for?", coerce=whole_number, widget=GovRadioInput(),
                             validators=[InputRequired("Select what the expense is for")])
    spent_on = GovDateField("Date", validators=[InputRequired("Enter the date of the expense"),
                                                 NotInFuture("The date must be today or in the past")])
    description = StringField("What was it? (or the purpose of the journey)", widget=GovTextInput(),
                              validators=[DataRequired("Enter what the expense was"),
                                          Length(max=200, message="Keep this to 200 characters or fewer")])
    amount = MoneyField("Amount, in pounds", invalid_message="Enter the amount in pounds, like 3.50", validators=[
        Optional(), NumberRange(min=0.01, max=1000, message="The amount must be between £0.01 and £1,000")])
    journey_from = StringField("From", widget=GovTextInput(), validators=[Optional(), Length(max=120)])
    journey_to = StringField("To", widget=GovTextInput(), validators=[Optional(), Length(max=120)])
    miles = PlainDecimalField("Miles", widget=GovTextInput(), places=1, validators=[
        Optional(), NumberRange(min=0.1, max=1000, message="Miles must be between 0.1 and 1,000")])
    vehicle = RadioField("How did you travel?", widget=GovRadioInput(), validators=[Optional()],
                         choices=[(v.value, v.label) for v in Vehicle])
    receipt = FileField("Receipt", widget=GovFileInput(),
                        description="A photo or scan: PDF, JPEG, PNG or HEIC, smaller than 10MB. "
                                    "Not needed for mileage.")
    submit = SubmitField("Add to claim", widget=GovSubmitInput())

    def amount_pence(self) -> int | None:
        return int(self.amount.data * 100) if self.amount.data is not None else None


class DecisionForm(FlaskForm):
    reason = TextAreaField("Reason (needed if you reject)", widget=GovTextArea(),
                           validators=[Optional(), Length(max=1000)])
    approve = SubmitField("Approve", widget=GovSubmitInput())
    reject = SubmitField("Reject", widget=GovSubmitInput())


class PaymentForm(FlaskForm):
    paid_on = GovDateField("Date paid", validators=[InputRequired("Enter the date the payment was made")])
    reference = StringField("Payment reference", widget=GovTextInput(), validators=[
        DataRequired("Enter the payment reference"), Length(max=60)])
    as_batch = BooleanField("Pay these as one batch (for the finance system's CSV)")
    future_ok = BooleanField("Yes, the payment is booked for a date in the future")
    submit = SubmitField("Mark selected claims as paid", widget=GovSubmitInput())


class AdjustmentForm(FlaskForm):
    amount = MoneyField("Adjustment, in pounds",
                          description="Use a minus sign to take money back, like -2.50",
                          validators=[InputRequired("Enter the adjustment"),
                                      NumberRange(min=-1000, max=1000, message="Between -£1,000 and £1,000")])
    reason = TextAreaField("Why?", widget=GovTextArea(), validators=[
        DataRequired("Enter the reason for the adjustment"), Length(max=1000)])
    submit = SubmitField("Record adjustment", widget=GovSubmitInput())
