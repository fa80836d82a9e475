"""Equality answers for the demo: most parents answer some questions, some decline, a few skip
the lot; the spread is roughly Kent's (mostly White British, mostly women at this service)."""

import random

from sqlalchemy import select

from app.equality.services import save_answers
from app.extensions import db
from app.models.equality import EqualityAnswers
from app.models.people import Person, Provider
from app.models.recruitment import Applicant

WEIGHTS = {
    "age_band": {"16_24": 8, "25_34": 38, "35_44": 38, "45_54": 12, "55_64": 3, "65_over": 1},
    "sex": {"female": 85, "male": 15},
    "gender_same": {"yes": 97, "no": 3},
    "ethnic_group": {"white_british": 78, "white_other": 6, "asian_indian": 3, "asian_pakistani": 2,
                     "black_african": 4, "black_caribbean": 1, "mixed_white_black_caribbean": 2,
                     "mixed_other": 1, "white_roma": 1, "other_arab": 1, "white_gypsy": 1},
    "disability": {"no": 75, "yes_a_little": 17, "yes_a_lot": 8},
    "caring": {"no": 80, "up_to_19": 14, "20_to_49": 4, "50_or_more": 2},
    "lived_experience": {"yes": 70, "no": 30},
}


def _answers(rng: random.Random) -> dict[str, str | None]:
    answers: dict[str, str | None] = {}
    for question, weights in WEIGHTS.items():
        roll = rng.random()
        if roll < 0.08:
            answers[question] = None
        elif roll < 0.14:
            answers[question] = "prefer_not"
        else:
            answers[question] = rng.choices(list(weights), weights=list(weights.values()))[0]
    return answers


def load_equality_answers(provider: Provider) -> int:
    """Answers for about four in five of the provider's applicants and people; returns how many."""
    if db.session.scalar(select(EqualityAnswers.id).where(EqualityAnswers.provider_id == provider.id).limit(1)):
        return 0
    rng = random.Random(7)
    added = 0
    for applicant in db.session.scalars(select(Applicant).where(Applicant.provider_id == provider.id,
                                                                Applicant.person_id.is_(None))
                                        .order_by(Applicant.id)):
        if rng.random() < 0.8:
            save_answers(_answers(rng), applicant=applicant)
            added += 1
    for person in db.session.scalars(select(Person).where(Person.provider_id == provider.id).order_by(Person.id)):
        if rng.random() < 0.8:
            save_answers(_answers(rng), person=person)
            added += 1
    return added
