"""Equality monitoring: optional answers, kept apart from the person record.

A parent may answer when they say they would like to help (then the answers belong to the
applicant, and move to their person record when they start) or later from their own account.
Every question can be declined ("Prefer not to say"); a question left blank is "Not answered".
The categories are the ONS 2021 census's; reports group some of them (``REPORTED``) so that
fewer cells are too small to show.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.people import utcnow

PREFER_NOT = "prefer_not"
NOT_ANSWERED = "not_answered"

# Each question: its wording, hint, and answers (code: label), in the order offered.
QUESTIONS: dict[str, dict] = {
    "age_band": {
        "label": "What is your age?",
        "answers": {"16_24": "16 to 24", "25_34": "25 to 34", "35_44": "35 to 44", "45_54": "45 to 54",
                    "55_64": "55 to 64", "65_over": "65 or over"},
    },
    "sex": {
        "label": "What is your sex?",
        "hint": "A question about gender identity follows",
        "answers": {"female": "Female", "male": "Male"},
    },
    "gender_same": {
        "label": "Is the gender you identify with the same as your sex registered at birth?",
        "answers": {"yes": "Yes", "no": "No"},
    },
    "ethnic_group": {
        "label": "What is your ethnic group?",
        "answers": {
            "asian_indian": "Asian or Asian British: Indian", "asian_pakistani": "Asian or Asian British: Pakistani",
            "asian_bangladeshi": "Asian or Asian British: Bangladeshi",
            "asian_chinese": "Asian or Asian British: Chinese", "asian_other": "Any other Asian background",
            "black_african": "Black, Black British, Caribbean or African: African",
            "black_caribbean": "Black, Black British, Caribbean or African: Caribbean",
            "black_other": "Any other Black, Black British or Caribbean background",
            "mixed_white_black_caribbean": "Mixed or multiple ethnic groups: White and Black Caribbean",
            "mixed_white_black_african": "Mixed or multiple ethnic groups: White and Black African",
            "mixed_white_asian": "Mixed or multiple ethnic groups: White and Asian",
            "mixed_other": "Any other Mixed or multiple ethnic background",
            "white_british": "White: English, Welsh, Scottish, Northern Irish or British",
            "white_irish": "White: Irish", "white_gypsy": "White: Gypsy or Irish Traveller",
            "white_roma": "White: Roma", "white_other": "Any other White background",
            "other_arab": "Other ethnic group: Arab", "other_any": "Any other ethnic group",
        },
    },
    "disability": {
        "label": "Do you have a physical or mental health condition or illness that has lasted or is expected "
                 "to last 12 months or more, and reduces your ability to carry out day-to-day activities?",
        "hint": "This is the Equality Act 2010's meaning of disability",
        "answers": {"yes_a_lot": "Yes, a lot", "yes_a_little": "Yes, a little", "no": "No"},
    },
    "caring": {
        "label": "Do you look after, or give any help or support to, anyone because of long-term physical or "
                 "mental health conditions or illnesses, or problems related to old age, besides your child?",
        "hint": "Do not count anything you do as part of paid work",
        "answers": {"no": "No", "up_to_19": "Yes, 19 hours a week or less", "20_to_49": "Yes, 20 to 49 hours a week",
                    "50_or_more": "Yes, 50 or more hours a week"},
    },
    "lived_experience": {
        "label": "Have you or your family used the Supporting Parents service, or one like it?",
        "answers": {"yes": "Yes", "no": "No"},
    },
}

# How answers are grouped in reports (a detailed answer: its reported group's code).
REPORTED: dict[str, dict[str, str]] = {
    "ethnic_group": {code: code.split("_", 1)[0] for code in QUESTIONS["ethnic_group"]["answers"]},
    "disability": {"yes_a_lot": "disabled", "yes_a_little": "disabled", "no": "not_disabled"},
    "caring": {"no": "no", "up_to_19": "yes", "20_to_49": "yes", "50_or_more": "yes"},
}
REPORTED_LABELS: dict[str, dict[str, str]] = {
    "ethnic_group": {"asian": "Asian or Asian British", "black": "Black, Black British, Caribbean or African",
                     "mixed": "Mixed or multiple ethnic groups", "white": "White", "other": "Other ethnic group"},
    "disability": {"disabled": "Disabled", "not_disabled": "Not disabled"},
    "caring": {"yes": "Yes, an unpaid carer", "no": "No"},
}
SHORT_LABELS = {"age_band": "Age", "sex": "Sex", "gender_same": "Gender identity the same as sex at birth",
                "ethnic_group": "Ethnic group", "disability": "Disability", "caring": "Unpaid carer",
                "lived_experience": "Lived experience of the service"}


def reported_groups(question: str) -> dict[str, str]:
    """The groups a report shows for ``question`` (code: label), then Prefer not to say and Not answered."""
    groups = dict(REPORTED_LABELS.get(question) or QUESTIONS[question]["answers"])
    return {**groups, PREFER_NOT: "Prefer not to say", NOT_ANSWERED: "Not answered"}


def reported(question: str, answer: str | None) -> str:
    """The reported group of one answer (None: not answered)."""
    if answer is None:
        return NOT_ANSWERED
    if answer == PREFER_NOT:
        return PREFER_NOT
    return REPORTED.get(question, {}).get(answer, answer)


def _allowed(question: str) -> str:
    codes = ", ".join(f"'{code}'" for code in [*QUESTIONS[question]["answers"], PREFER_NOT])
    return f"{question} IS NULL OR {question} IN ({codes})"


class EqualityAnswers(db.Model):
    """One person's (or applicant's) answers; never joined to the person record in a page."""

    __tablename__ = "equality_answers"
    __table_args__ = tuple(CheckConstraint(_allowed(q), name=f"known_{q}") for q in QUESTIONS) + (
        CheckConstraint("person_id IS NOT NULL OR applicant_id IS NOT NULL", name="belongs_to_someone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicant.id", ondelete="CASCADE"), unique=True)
    age_band: Mapped[str | None] = mapped_column(String(20))
    sex: Mapped[str | None] = mapped_column(String(20))
    gender_same: Mapped[str | None] = mapped_column(String(20))
    ethnic_group: Mapped[str | None] = mapped_column(String(40))
    disability: Mapped[str | None] = mapped_column(String(20))
    caring: Mapped[str | None] = mapped_column(String(20))
    lived_experience: Mapped[str | None] = mapped_column(String(20))
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
