from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.fields import GovDateField, MoneyField, PlainDecimalField, PlainIntegerField
from app.ids import optional_id, whole_number

BASIS = [("salaried", "Salaried: contracted hours a week"), ("sessional", "Sessional: paid by the hour, no set hours")]


def _hours():
    return PlainDecimalField("Contracted hours a week", places=2, description="Full time is 37 hours",
                             validators=[Optional(), NumberRange(min=0.25, max=48,
                                                                 message="Between 0.25 and 48 hours a week")])


def _basis():
    return RadioField("How are they paid?", widget=GovRadioInput(), choices=BASIS,
                      validators=[InputRequired("Choose salaried or sessional")])


class ContractForm(FlaskForm):
    post_id = SelectField("Post", coerce=whole_number, widget=GovSelect(),
        validators=[InputRequired("Select the post")])
    basis = _basis()
    weekly_hours = _hours()
    starts_on = GovDateField("Start date", validators=[InputRequired("Enter the start date")])
    point = PlainIntegerField("Pay point (optional)",
                              description="The point on the post's grade they start on, like 12. Leave it empty to "
                                          "cost them at the grade's mid-point",
                              validators=[Optional(), NumberRange(min=1, max=99,
                                                                  message="The point must be between 1 and 99")])
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


POST_BASIS = [("salaried", "Salaried: on a grade, with contracted hours"),
              ("sessional", "Sessional: on a grade, paid by the hour"),
              ("volunteer", "Volunteer: no pay, expenses only")]


class PostForm(FlaskForm):
    title = StringField("Post title", widget=GovTextInput(),
                        validators=[DataRequired("Enter the post title"), Length(max=120)])
    basis = RadioField("How is it paid?", widget=GovRadioInput(), choices=POST_BASIS,
                       validators=[InputRequired("Choose how the post is paid")])
    grade_id = SelectField("Grade", coerce=optional_id,
                           widget=GovSelect(), validators=[Optional()])
    area_id = SelectField("Area", coerce=optional_id,
                          widget=GovSelect(), validators=[Optional()])
    number_of_posts = PlainIntegerField("Number of posts", validators=[
        InputRequired("Enter the number of posts"), NumberRange(min=0, max=500, message="Between 0 and 500 posts")])
    budgeted_fte = PlainDecimalField("Budgeted FTE, for all of these posts together", places=2, validators=[
        InputRequired("Enter the budgeted FTE"), NumberRange(min=0, max=500, message="Between 0 and 500 FTE")])
    starts_on = GovDateField("From (optional)", validators=[Optional()])
    ends_on = GovDateField("To (optional)", validators=[Optional()])
    submit = SubmitField("Save post", widget=GovSubmitInput())


class GradeForm(FlaskForm):
    code = StringField("Grade code", widget=GovTextInput(), description="Short, like KR6",
                       validators=[DataRequired("Enter the grade code"), Length(max=20)])
    name = StringField("Grade name", widget=GovTextInput(), description="Like Kent Range 6",
                       validators=[DataRequired("Enter the grade name"), Length(max=120)])
    submit = SubmitField("Add grade", widget=GovSubmitInput())


def _money(label: str, required: str):
    return MoneyField(label, validators=[InputRequired(required),
                                         NumberRange(min=0, max=1_000_000, message="Between £0 and £1,000,000")])


class PayPointForm(FlaskForm):
    effective_from = GovDateField("From", validators=[InputRequired("Enter the date these figures start")])
    minimum = _money("Minimum salary", "Enter the minimum salary")
    mid_point = _money("Mid-point salary", "Enter the mid-point salary")
    maximum = _money("Maximum salary", "Enter the maximum salary")
    on_cost = PlainDecimalField("Employer on-costs, as a percentage of salary", places=2,
                                description="National Insurance and pension together, like 30",
                                validators=[InputRequired("Enter the on-cost percentage"),
                                            NumberRange(min=0, max=100, message="Between 0%% and 100%%")])
    submit = SubmitField("Add pay point", widget=GovSubmitInput())


class PayAwardForm(FlaskForm):
    effective_from = GovDateField("From", description="Usually 1 April",
                                  validators=[InputRequired("Enter the date the award takes effect")])
    how = RadioField("How is the award given?", widget=GovRadioInput(),
                     choices=[("percent", "A percentage on every figure"), ("flat", "A flat amount on every figure"),
                              ("table", "New figures for each grade")],
                     validators=[InputRequired("Choose how the award is given")])
    percent = PlainDecimalField("Percentage", places=2, validators=[
        Optional(), NumberRange(min=-20, max=50, message="Between -20%% and 50%%")])
    flat = MoneyField("Flat amount a year", validators=[
        Optional(), NumberRange(min=0, max=100_000, message="Between £0 and £100,000")])
    submit = SubmitField("Preview the award", widget=GovSubmitInput())


KIND_CHOICES = [("pay", "Pay: priced from its posts"), ("volunteer_expenses", "Volunteer expenses"),
                ("training", "Training and development"), ("non_pay", "Other non-pay spending")]


class ContractYearForm(FlaskForm):
    starts_on = GovDateField("Start", validators=[InputRequired("Enter the first day of the year")])
    ends_on = GovDateField("End", validators=[InputRequired("Enter the last day of the year")])
    pay_basis_on = GovDateField("Price pay lines at the pay points in force on", description=(
        "Usually the year's start, so pay awards during the year show as price variance. "
        "The council's own costing priced every year at 1 April 2021."),
        validators=[InputRequired("Enter the date to price pay at")])
    submit = SubmitField("Add contract year", widget=GovSubmitInput())


class PricingDateForm(FlaskForm):
    pay_basis_on = GovDateField("Price pay lines at the pay points in force on", description=(
        "Usually the year's start. Changing it re-prices every pay line of the year."),
        validators=[InputRequired("Enter the date to price pay at")])
    submit = SubmitField("Save pricing date", widget=GovSubmitInput())


class BudgetLineForm(FlaskForm):
    kind = RadioField("What kind of line?", widget=GovRadioInput(), choices=KIND_CHOICES,
                      validators=[InputRequired("Choose the kind of line")])
    name = StringField("Name", widget=GovTextInput(), validators=[DataRequired("Enter the line's name"),
                                                                   Length(max=120)])
    amount = MoneyField("Annual amount", description="Not for pay lines: they are priced from their posts",
                        validators=[Optional(), NumberRange(min=0, max=10_000_000,
                                                            message="Between £0 and £10,000,000")])
    post_ids = SelectMultipleField("Posts this line is for", coerce=whole_number, widget=GovCheckboxesInput(),
                                   description="A pay line is priced from its posts; any other line shows them",
                                   validators=[Optional()])
    submit = SubmitField("Save line", widget=GovSubmitInput())


class FundingForm(FlaskForm):
    source = StringField("Who funds it?", widget=GovTextInput(), description="Like Kent County Council",
                         validators=[DataRequired("Enter who funds it"), Length(max=120)])
    amount = _money("Amount for the year", "Enter the amount")
    submit = SubmitField("Save funding", widget=GovSubmitInput())


class OnCostRuleForm(FlaskForm):
    effective_from = GovDateField("From", description="National Insurance changes on 6 April; pension often 1 April",
                                  validators=[InputRequired("Enter the date the rule starts")])
    method = RadioField("How are on-costs worked out?", widget=GovRadioInput(),
                        choices=[("statutory", "Employer National Insurance above a threshold, plus pension"),
                                 ("flat", "Each grade's flat on-cost percentage (as the council's costing does)")],
                        validators=[InputRequired("Choose how on-costs are worked out")])
    ni_rate = PlainDecimalField("Employer National Insurance rate", places=2, description="Like 15",
                                validators=[Optional(), NumberRange(min=0, max=50, message="Between 0%% and 50%%")])
    ni_threshold = MoneyField("Secondary threshold, a year for each person", description="Like 5,000",
                              validators=[Optional(), NumberRange(min=0, max=100_000,
                                                                  message="Between £0 and £100,000")])
    pension_rate = PlainDecimalField("Employer pension rate", places=2, description="Like 20",
                                     validators=[Optional(), NumberRange(min=0, max=50,
                                                                         message="Between 0%% and 50%%")])
    pension_basis = RadioField("What is pension charged on?", widget=GovRadioInput(), default="all",
                               choices=[("all", "All pay"),
                                        ("qualifying", "Qualifying earnings: pay between the band's lower and upper "
                                                       "limits (£6,240 and £50,270 a year)")],
                               validators=[Optional()])
    submit = SubmitField("Add rule", widget=GovSubmitInput())


class GradePointForm(FlaskForm):
    point = PlainIntegerField("Point number", description="The spinal column point, like 12",
                              validators=[InputRequired("Enter the point number"),
                                          NumberRange(min=1, max=99, message="The point must be between 1 and 99")])
    annual = _money("Annual salary at this point", "Enter the annual salary")
    effective_from = GovDateField("From", validators=[InputRequired("Enter the date this amount starts")])
    submit = SubmitField("Save point", widget=GovSubmitInput())


class HourlyRateForm(FlaskForm):
    rate = MoneyField("Pay for an hour", description="Before on-costs and holiday pay, like 13.50",
                      validators=[InputRequired("Enter the pay for an hour"),
                                  NumberRange(min=0.01, max=1000, message="Between £0.01 and £1,000 an hour")])
    effective_from = GovDateField("From", validators=[InputRequired("Enter the date this rate starts")])
    submit = SubmitField("Save hourly rate", widget=GovSubmitInput())


class PlacementForm(FlaskForm):
    point = SelectField("Point", coerce=whole_number, widget=GovSelect(),
                        validators=[InputRequired("Select the point")])
    effective_from = GovDateField("From", validators=[InputRequired("Enter the date they go on this point")])
    reason = StringField("Why", widget=GovTextInput(), description="For example: starting salary, promotion, "
                         "a correction agreed with payroll",
                         validators=[DataRequired("Enter why they are on this point"),
                                     Length(max=200, message="Why must be 200 characters or fewer")])
    submit = SubmitField("Save point", widget=GovSubmitInput())


class PaySettingsForm(FlaskForm):
    increment_on = RadioField(
        "When do people go up a point?", widget=GovRadioInput(),
        choices=[("april", "On 1 April each year"), ("anniversary", "On the anniversary of going on their point")],
        validators=[InputRequired("Choose when people go up a point")])
    pay_proration = RadioField(
        "How does your payroll pay a part month?", widget=GovRadioInput(),
        choices=[("calendar", "By calendar days: a twelfth of the salary x days employed / days in the month"),
                 ("working", "By working days: Monday to Friday employed / Monday to Friday in the month")],
        validators=[InputRequired("Choose how a part month is paid")])
    allowance = MoneyField(
        "Employment Allowance for this tax year", description="Leave it empty if you cannot claim it. It is set "
        "against your employer National Insurance from April until it is used up, like 10,500",
        validators=[Optional(), NumberRange(min=0, max=100_000, message="Between £0 and £100,000")])
    holiday_accrual = PlainDecimalField(
        "Holiday pay on sessional pay, as a percentage", places=2,
        description="12.07 is 5.6 weeks' leave for the 46.4 weeks worked",
        validators=[InputRequired("Enter the holiday pay percentage"),
                    NumberRange(min=0, max=30, message="Between 0%% and 30%%")])
    submit = SubmitField("Save", widget=GovSubmitInput())


class PensionOptOutForm(FlaskForm):
    opted_out_on = GovDateField("Date they opted out", description="No employer pension is costed for them from "
                                "this date", validators=[InputRequired("Enter the date they opted out")])
    submit = SubmitField("Record opt-out", widget=GovSubmitInput())
