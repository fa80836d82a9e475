from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import Optional

from app.models.equality import PREFER_NOT, QUESTIONS


def _question(code: str) -> RadioField:
    """One optional question: its census answers, then "Prefer not to say"."""
    spec = QUESTIONS[code]
    return RadioField(spec["label"], choices=[*spec["answers"].items(), (PREFER_NOT, "Prefer not to say")],
                      description=spec.get("hint", ""), widget=GovRadioInput(), validators=[Optional()])


class EqualityQuestions:
    """The equality questions, every one optional; mixed into a form that asks them."""

    age_band = _question("age_band")
    sex = _question("sex")
    gender_same = _question("gender_same")
    ethnic_group = _question("ethnic_group")
    disability = _question("disability")
    caring = _question("caring")
    lived_experience = _question("lived_experience")

    def equality_answers(self) -> dict[str, str | None]:
        return {question: self[question].data or None for question in QUESTIONS}


class EqualityForm(EqualityQuestions, FlaskForm):
    submit = SubmitField("Save my answers", widget=GovSubmitInput())


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False

    year = SelectField("Contract year", coerce=int, widget=GovSelect(), validators=[Optional()])
    area = SelectField("Area", coerce=str, widget=GovSelect(), validators=[Optional()])
