from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.fields import GovDateField, MoneyField
from app.ids import optional_id
from app.validators import NotInFuture


class SpendForm(FlaskForm):
    budget_line_id = SelectField("Budget line", coerce=optional_id, widget=GovSelect(),
                                 validators=[InputRequired("Choose the budget line")])
    spent_on = GovDateField("Date of the invoice or receipt", validators=[
        InputRequired("Enter the date"), NotInFuture("The date must be today or in the past")])
    supplier = StringField("Supplier", widget=GovTextInput(), description="Who was paid, like Sittingbourne Library",
                           validators=[DataRequired("Enter the supplier"), Length(max=120)])
    description = StringField("What it was for", widget=GovTextInput(), validators=[
        DataRequired("Say what it was for"), Length(max=200)])
    amount = MoneyField("Amount", description="Including VAT, like £85.00", validators=[
        InputRequired("Enter the amount"), NumberRange(min=0.01, max=100_000, message="Between £0.01 and £100,000")])
    area_id = SelectField("Area", coerce=optional_id, widget=GovSelect(), validators=[Optional()])
    course_id = SelectField("For a course? (training lines only)", coerce=optional_id, widget=GovSelect(),
                            description="A course's invoice is already counted through its training records, "
                                        "so it is kept here but not counted twice",
                            validators=[Optional()])
    receipt = FileField("Invoice or receipt", widget=GovFileInput(), description="A PDF, JPEG, PNG or HEIC file")
    submit = SubmitField("Record spending", widget=GovSubmitInput())


class DecideForm(FlaskForm):
    reason = TextAreaField("Why are you sending it back?", widget=GovTextArea(),
                           validators=[Optional(), Length(max=500)])
