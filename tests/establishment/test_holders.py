"""Who holds a post on a day is one answer: after a holder leaves, the establishment page, the
budget and the return agree the post is vacant, and leaving ends their contract on their last day."""

from datetime import date

from sqlalchemy import select

from app.establishment.services import establishment_fill
from app.extensions import db
from app.models.auth import Role
from app.models.establishment import Contract
from app.returns.services import build_return

from ..factories import make_contract, make_grade, make_person, make_post


def test_a_leaver_holds_nothing_on_the_establishment_or_in_the_return(world, sign_in):
    post = make_post(provider=world.provider, grade=make_grade("KR9"), area=world.north, title="Area Facilitator")
    holder = make_person(provider=world.provider, area=world.north, first_name="Lee", last_name="Leaver",
                         joined_on=date(2025, 4, 1))
    make_contract(person=holder, post=post, hours="37", starts_on=date(2025, 4, 1))
    db.session.commit()
    day = date(2026, 6, 30)
    before = {f.post.id: f for f in establishment_fill(world.provider.id, day)}[post.id]
    assert float(before.contracted_fte) == 1.0
    client = sign_in(world.user(Role.HR))
    response = client.post(f"/people/{holder.id}/edit", data={
        "first_name": "Lee", "last_name": "Leaver", "email": holder.email, "phone": "", "area_id": str(world.north.id),
        "joined_on": ["1", "4", "2025"], "left_on": ["31", "5", "2026"], "leaving_reason_id": _reason(),
        "has_lived_experience": "yes"})
    assert response.status_code == 302
    contract = db.session.scalar(select(Contract).where(Contract.person_id == holder.id))
    assert contract.ends_on == date(2026, 5, 31)
    after = {f.post.id: f for f in establishment_fill(world.provider.id, day)}[post.id]
    ret = build_return(start=date(2026, 4, 1), end=day, provider=world.provider)
    assert float(after.contracted_fte) == 0.0
    assert ret.value("vacancy_fte", "Area Facilitator") == 1.0


def test_a_leaving_date_set_without_ending_the_contract_still_leaves_the_post_vacant(world):
    post = make_post(provider=world.provider, grade=None, area=world.north, title="Admin Assistant")
    holder = make_person(provider=world.provider, area=world.north, joined_on=date(2025, 4, 1))
    make_contract(person=holder, post=post, hours="37", starts_on=date(2025, 4, 1))
    holder.left_on = date(2026, 5, 31)  # an older record: the contract was never ended
    db.session.commit()
    day = date(2026, 6, 30)
    fill = {f.post.id: f for f in establishment_fill(world.provider.id, day)}[post.id]
    ret = build_return(start=date(2026, 4, 1), end=day, provider=world.provider)
    assert float(fill.contracted_fte) == 0.0 and fill.people == 0
    assert ret.value("vacancy_fte", "Admin Assistant") == 1.0


def _reason() -> str:
    from app.models.people import LeavingReason

    return str(db.session.scalar(select(LeavingReason.id).order_by(LeavingReason.sort_order)))
