"""A pay line that cannot be priced (its grade has no pay point on the year's pricing date) is
flagged where it is shown, and every costed page still answers, for HR and the co-ordinator."""

from datetime import date

import pytest

from app.extensions import db
from app.models.auth import Role
from app.models.establishment import BudgetLine, BudgetLineKind, ContractYear, Grade

from ..factories import make_contract, make_person, make_post


@pytest.fixture
def unpriced(world):
    grade = Grade(code="NEW1", name="A grade with no pay point yet", provider_id=world.provider.id)
    db.session.add(grade)
    db.session.flush()
    post = make_post(provider=world.provider, grade=grade, area=world.north, title="Outreach Worker")
    year = db.session.scalar(db.select(ContractYear).where(ContractYear.provider_id == world.provider.id))
    year.budget_lines.append(BudgetLine(kind=BudgetLineKind.PAY, name="Outreach pay", sort_order=9, posts=[post]))
    holder = make_person(provider=world.provider, area=world.north, joined_on=date(2026, 4, 1))
    make_contract(person=holder, post=post, hours="37", starts_on=date(2026, 4, 1))
    db.session.commit()
    return year


COSTED = {Role.HR: ["/establishment/", "/budget/", "/budget/monitor.csv", "/budget/fte",
                    "/returns/?from=2026-04-01&to=2026-06-30", "/returns/return.csv?from=2026-04-01&to=2026-06-30",
                    "/establishment/budget.csv"],
          Role.COORDINATOR: ["/establishment/", "/budget/", "/returns/?from=2026-04-01&to=2026-06-30&provider=all",
                             "/returns/return.csv?from=2026-04-01&to=2026-06-30", "/council/contract"]}


@pytest.mark.parametrize("role", list(COSTED))
def test_every_costed_page_answers_with_the_line_flagged(world, sign_in, unpriced, role):
    client = sign_in(world.user(role))
    for path in COSTED[role]:
        response = client.get(path)
        assert response.status_code == 200, (role, path, response.status_code)
    shown = client.get("/establishment/").get_data(as_text=True)
    assert "Cannot be priced: no pay point for grade NEW1 on 1 April 2026" in shown
    if role == Role.HR:  # the monitor reads the ledger, which says which months it could not price
        monitor = client.get("/budget/").get_data(as_text=True)
        assert "Some pay cannot be priced: no pay point for grade NEW1 on 1 April 2026" in monitor


def test_a_years_pricing_date_can_be_changed_audited_and_the_line_is_priced(world, sign_in, unpriced):
    from app.models.audit import AuditEvent
    from app.models.establishment import PayPoint

    grade = db.session.scalar(db.select(Grade).where(Grade.code == "NEW1"))
    db.session.add(PayPoint(grade_id=grade.id, financial_year=2026, effective_from=date(2026, 5, 1),
                            min_pence=2_400_000, mid_pence=2_500_000, max_pence=2_600_000, on_cost_bp=3000))
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    assert "Cannot be priced" in client.get("/establishment/").get_data(as_text=True)
    response = client.post(f"/establishment/years/{unpriced.id}/pricing-date",
                           data={"pay_basis_on": ["1", "5", "2026"]})
    assert response.status_code == 302
    assert db.session.get(ContractYear, unpriced.id).pay_basis_on == date(2026, 5, 1)
    assert "Cannot be priced" not in client.get("/establishment/").get_data(as_text=True)
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.entity_type == "ContractYear",
                                                         AuditEvent.action == "update"))
