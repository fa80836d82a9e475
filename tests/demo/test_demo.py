from sqlalchemy import func, select

from app.extensions import db
from app.models.auth import User
from app.models.establishment import BudgetLine, Contract, PayPoint, Post
from app.models.people import Person, Stage, StageChange
from app.people.services import stage_history_consistent

COUNTED = [Person, StageChange, Contract, Post, PayPoint, BudgetLine, User]


def _counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in COUNTED}


def test_demo_command_is_idempotent_and_prints_sign_ins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "hr@example.org" in first.output and "pathway-demo-2026" in first.output
    once = _counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert _counts() == once
    assert 28 <= once["Person"] <= 40


def test_demo_covers_every_stage_with_consistent_histories(app):
    app.test_cli_runner().invoke(args=["demo"])
    people = db.session.scalars(select(Person)).all()
    assert {p.stage for p in people} == set(Stage)
    assert all(stage_history_consistent(p) for p in people)
    assert any(len(p.stage_changes) == 3 for p in people)  # volunteer all the way to employee


def test_demo_certificates_and_payments_are_spread_over_the_year(app, monkeypatch):
    from app.models.certificates import Certificate, CertificateKind
    from app.models.expenses import ExpenseClaim

    monkeypatch.setenv("PORT", "5055")
    output = app.test_cli_runner().invoke(args=["demo"]).output
    assert "Sign in at http://127.0.0.1:5055" in output  # the address it is really served on
    milestones = db.session.scalars(select(Certificate.issued_on).where(
        Certificate.kind == CertificateKind.MILESTONE)).all()
    assert len({(day.year, day.month) for day in milestones}) >= 4  # each the day its hours were reached
    paid = set(db.session.scalars(select(ExpenseClaim.paid_on).where(ExpenseClaim.paid_on.is_not(None))))
    assert len({day.month for day in paid}) >= 6


def test_no_demo_volunteer_holds_a_contract_of_any_kind(app):
    """Every volunteer has a volunteer role with the hours they expect to give, never a contract:
    the fixed-hours document the volunteer-expenses safeguard exists to avoid."""
    from app.models.establishment import VolunteerRole

    app.test_cli_runner().invoke(args=["demo"])
    in_volunteer_posts = select(func.count(Contract.id)).join(Post, Post.id == Contract.post_id).where(
        Post.is_volunteer)
    assert db.session.scalar(in_volunteer_posts) == 0
    volunteers = db.session.scalars(select(Person).where(Person.stage == Stage.VOLUNTEER,
                                                         Person.left_on.is_(None))).all()
    roles = {role.person_id: role for role in db.session.scalars(select(VolunteerRole))}
    assert volunteers and all(v.id in roles for v in volunteers)
    assert all(roles[v.id].expected_weekly_hours == 9.25 for v in volunteers)


def test_the_demo_has_a_year_of_applicants_in_each_area_with_withdrawals(app):
    from app.models.people import Area
    from app.models.recruitment import Applicant

    app.test_cli_runner().invoke(args=["demo"])
    applicants = db.session.scalars(select(Applicant)).all()
    areas = set(db.session.scalars(select(Area.id)))
    assert {a.area_id for a in applicants} == areas
    withdrawn = [a for a in applicants if a.withdrawn_on is not None]
    assert withdrawn and len(withdrawn) < len(applicants) / 2
    assert len({a.withdrawn_reason for a in withdrawn}) >= 3
    assert len({a.stage_id for a in applicants}) >= 4  # spread along the way in
    # Most answered the optional equality questions; some declined one or skipped them all.
    from app.models.equality import EqualityAnswers

    answers = db.session.scalars(select(EqualityAnswers)).all()
    assert len(answers) > len(applicants) / 2
    assert any(a.sex == "prefer_not" for a in answers) and len({a.ethnic_group for a in answers}) >= 4


def test_the_demo_s_forecasts_are_worked_out_from_the_ledger_as_committed(app):
    """The co-ordinator's home page reads forecasts worked out in the background; the demo works
    out the first after its data (and the cost ledger written as it commits) is in."""
    from datetime import date

    from app.budget.county import county_budget, current_year
    from app.models.establishment import ProviderForecast

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    year = current_year(date.today())
    live = {row.contract_year_id: (row.budget_pence, row.forecast_pence)
            for row in county_budget(year, today=date.today()).rows}
    stored = {row.contract_year_id: (row.budget_pence, row.forecast_pence)
              for row in db.session.scalars(select(ProviderForecast))}
    assert stored == live and len(stored) == 1
