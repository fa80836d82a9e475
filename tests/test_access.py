"""Every registered route, for every role: allowed gets through, others are refused.

The expected answers come from the committed table app/route_permissions.txt,
not from the decorators: a change of who may do what must change that file
(``flask access routes``), and shows in review as a one-line diff.
"""

import ast
import re
from pathlib import Path

import pytest

from app.access import roles_table, route_table
from app.factory import create_app
from app.models.auth import Role

_APP = create_app("test")
ROUTE_ARGS = {"person_id": lambda world: world.me.id, "entry_id": lambda world: world.entry.id,
              "activity_id": lambda world: world.entry.activity_id,
              "claim_id": lambda world: world.claim.id,
              "line_id": lambda world: world.paid_claim.lines[0].id,
              "receipt_id": lambda world: world.claim.lines[0].receipt_id,
              "batch_id": lambda world: world.batch.id,
              "course_id": lambda world: world.course.id,
              "certificate_id": lambda world: world.certificate.id,
              "job_id": lambda world: world.job.id,
              "number": lambda world: world.certificate.number,
              "submission_id": lambda world: world.submission.id,
              "account_id": lambda world: world.user(Role.AREA_FACILITATOR).id,
              "action": lambda world: "unlock", "token": lambda world: "no-such-token",
              "kind": lambda world: "people",
              "contract_id": lambda world: _contract_of(world.me),
              "role_id": lambda world: _contract_of(world.me, volunteer=True),
              "applicant_id": lambda world: _applicant(world),
              "stage_id": lambda world: _stage(world),
              "provider_id": lambda world: world.provider.id,
              "post_id": lambda world: _establishment(world).post_id,
              "grade_id": lambda world: _establishment(world).grade_id,
              "year_id": lambda world: _establishment(world).year_id,
              "budget_line_id": lambda world: _establishment(world).budget_line_id,
              "funding_id": lambda world: _establishment(world).funding_id,
              "spend_id": lambda world: _spend(world),
              "review_id": lambda world: _commission().review_points[0].id,
              "commission_year_id": lambda world: _commission().years[0].id,
              "session_id": lambda world: _session(world),
              "import_id": lambda world: _import_batch(world), "month": lambda world: "2026-10"}


def _applicant(world) -> int:
    """A parent in North Kent (the world's facilitator's area) on their way in to the world's provider."""
    from datetime import UTC, datetime

    from flask import current_app

    from app.extensions import db
    from app.recruitment.services import express_interest

    with current_app.test_request_context():
        applicant = express_interest(world.provider, first_name="Ann", last_name="Applicant", email=None,
                                     phone="01632 960 001", contact_by="phone", area=world.north,
                                     heard_from="friend", interests="", now=datetime.now(UTC))
    db.session.commit()
    return applicant.id


def _stage(world) -> int:
    """The first stage of the way in at the world's provider."""
    from app.extensions import db
    from app.recruitment.services import stages_for

    stage = stages_for(world.provider.id)[0]
    db.session.commit()
    return stage.id


def _import_batch(world) -> int:
    """An import of the world's provider (of nothing), which HR may undo."""
    from datetime import UTC, datetime

    from app.extensions import db
    from app.models.imports import ImportBatch

    batch = ImportBatch(provider_id=world.provider.id, kind="people", file_name="people.csv", checksum="0" * 64,
                        imported_at=datetime.now(UTC))
    db.session.add(batch)
    db.session.commit()
    return batch.id


def _session(world) -> int:
    """A session of the world's provider in North Kent (the world's facilitator's area)."""
    from datetime import date, time

    from app.extensions import db
    from app.models.delivery import DeliverySession, Mode, Offer

    offer = db.session.scalar(db.select(Offer).order_by(Offer.sort_order))
    found = DeliverySession(provider_id=world.provider.id, offer_id=offer.id, area_id=world.north.id,
                            delivered_on=date(2026, 6, 2), starts_at=time(10), ends_at=time(12), mode=Mode.ONLINE,
                            out_of_hours=False, families_attended=5, families_new=2, families_phase_one=0,
                            families_pre_diagnosis=0)
    db.session.add(found)
    db.session.commit()
    return found.id


def _commission():
    from datetime import date

    from app.council import services
    from app.extensions import db

    commission = services.the_commission() or services.set_up_commission(
        name="Supporting Parents", starts_on=date(2025, 4, 1), term="three_years", extension_years_allowed=2,
        actor=None)
    db.session.commit()
    return commission


def _spend(world) -> int:
    """Spending of the world's provider, with an invoice, recorded by someone outside the roles tested."""
    from datetime import date

    from app.expenses.receipts import store_receipt
    from app.extensions import db
    from app.models.spending import Spend

    year = db.session.get(type(world.provider), world.provider.id) and _establishment_year(world)
    receipt = store_receipt(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "invoice.png", actor=None)
    spend = Spend(provider_id=world.provider.id, budget_line_id=year.budget_lines[0].id, spent_on=date(2031, 5, 1),
                  supplier="Library", description="Room hire", amount_pence=8500, receipt_id=receipt.id)
    db.session.add(spend)
    db.session.commit()
    return spend.id


def _establishment_year(world):
    from app.extensions import db
    from app.models.establishment import ContractYear

    return db.session.get(ContractYear, _establishment(world).year_id)


def _establishment(world):
    """A post, a council-wide grade and a contract year (with a line and funding) of the world's provider."""
    from types import SimpleNamespace

    from app.extensions import db

    if hasattr(world, "establishment"):
        return world.establishment

    from .factories import make_contract_year, make_grade, make_post

    grade = make_grade("T" + str(world.provider.id))
    post = make_post(provider=world.provider, grade=grade)
    year = make_contract_year(world.provider, start_year=2031)
    db.session.commit()
    world.establishment = SimpleNamespace(post_id=post.id, grade_id=grade.id, year_id=year.id,
                                          budget_line_id=year.budget_lines[0].id, funding_id=year.funding[0].id)
    return world.establishment


def _contract_of(person, *, volunteer: bool = False) -> int:
    """A contract of the person's (in a paid post), or their volunteer role."""
    from app.extensions import db

    from .factories import make_contract, make_post

    contract = make_contract(person=person, post=make_post(provider=person.provider, grade=None, volunteer=volunteer))
    db.session.commit()
    return contract.id
# Where an allowed request answers with a redirect rather than a page.
# (A claim already sent, posted again, answers with the claim page saying so.)
REDIRECTS = {
    ("people.my_record", "GET"): {Role.VOLUNTEER},
    ("auth.sign_in", "GET"): set(Role),
    ("auth.sign_in", "POST"): set(Role),
    ("auth.sign_out", "POST"): set(Role),
    ("hours.my_hours", "GET"): {Role.VOLUNTEER},
    ("hours.submit_week", "POST"): {Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.HR},
    ("hours.approvals", "POST"): {Role.AREA_FACILITATOR, Role.HR},
    ("hours.send_reminder", "POST"): {Role.AREA_FACILITATOR, Role.HR},
    ("hours.toggle_activity", "POST"): {Role.HR},
    ("expenses.my_expenses", "GET"): {Role.VOLUNTEER},
    ("expenses.new_claim", "POST"): {Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.HR},
    ("expenses.remove_item", "POST"): {Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.HR},
    ("expenses.decide", "POST"): {Role.AREA_FACILITATOR, Role.HR},
    ("training.recommend_person", "POST"): {Role.AREA_FACILITATOR, Role.HR},
    ("certificates.person_certificates", "GET"): set(Role),
    ("certificates.bulk", "POST"): {Role.HR},
    ("returns.submit", "POST"): {Role.HR},
    # The world has no contract yet: adding a lot goes back to set it up first.
    ("council.new_lot", "GET"): {Role.COORDINATOR},
    ("council.new_council_post", "GET"): {Role.COORDINATOR},
}
# Public, but only part-way through signing in: without a password just entered they send
# everyone (signed in or not) back to the sign-in page.
MID_SIGN_IN = {"auth.second_step", "auth.set_up_second_step"}
# Answered with no page at all: "Stay signed in" on the timeout warning.
NO_CONTENT = {("auth.keep_alive", "POST")}


# Allowed by role, but the record in the test world is outside that user's scope.
# An empty POST to the return download is a bad request: it needs a format.
BAD_REQUEST = {("returns.download", "POST")}
SCOPED_OUT = {
    ("jobs.progress", Role.COORDINATOR), ("jobs.status", Role.COORDINATOR), ("jobs.download", Role.COORDINATOR),
    ("jobs.try_again", Role.COORDINATOR),
    # The world's volunteer has only joined: there is no stage change to correct.
    ("training.correct_stage", Role.HR),
    # The world's contract is in a post with no grade: it has no pay points to move.
    ("people.change_point", Role.HR),
    # The world's facilitator's account is the provider's: the council's co-ordinator keeps only council accounts.
    ("accounts.view_account", Role.COORDINATOR), ("accounts.account_action", Role.COORDINATOR),
    ("accounts.reset_second_step", Role.COORDINATOR), ("accounts.link_person", Role.COORDINATOR),
    # The world's accounts hold confirmed roles: there is nothing to confirm.
    ("accounts.confirm_grant", Role.HR), ("accounts.confirm_grant", Role.ADMIN),
    ("accounts.confirm_grant", Role.COORDINATOR),
}
# Allowed by role, but the record in the test world is the user's own (none: the world's
# staff are not linked to a person; tests/test_segregation.py covers their own records).
OWN_RECORD: set = set()
# Allowed by role, but the world's activity and course are council-wide: the co-ordinator
# keeps those, and a provider's HR may not change them.
NOT_THEIRS = {("/hours/activities/<int:activity_id>/toggle", Role.HR),
              ("/training/courses/<int:course_id>/edit", Role.HR),
              ("/establishment/grades/<int:grade_id>/pay-points/new", Role.HR),
              ("/establishment/grades/<int:grade_id>/points/new", Role.HR),
              ("/establishment/grades/<int:grade_id>/hourly-rates/new", Role.HR),
              # The world's parent is a volunteer: only a co-facilitator records sessions.
              ("/delivery/sessions/new", Role.VOLUNTEER),
              # Only whoever sent a claim takes it back: an approver decides it.
              ("/expenses/<int:claim_id>/withdraw", Role.AREA_FACILITATOR),
              ("/expenses/<int:claim_id>/withdraw", Role.HR)}


ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "app" / "route_permissions.txt"


def _committed() -> dict[tuple[str, str], set[Role] | str]:
    """(endpoint, method) -> the roles allowed, or "public", as the committed table says."""
    expected = {}
    for line in TABLE.read_text().splitlines():
        method, _rule, endpoint, _permission, *roles = line.split()
        expected[(endpoint, method)] = "public" if roles == ["everyone"] else {Role(r) for r in roles}
    return expected


COMMITTED = _committed()


def _routes():
    for rule in _APP.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


ROUTES = list(_routes())


def test_every_route_declares_a_named_permission():
    undeclared = [str(rule) for rule, _ in ROUTES if not hasattr(_APP.view_functions[rule.endpoint], "permission")]
    assert undeclared == []


def test_committed_route_table_is_current():
    """Run `flask --app wsgi access routes > app/route_permissions.txt` after changing who may do what."""
    assert route_table(_APP) == TABLE.read_text().splitlines()


def test_readme_roles_table_matches_the_permissions():
    readme = (ROOT / "README.md").read_text()
    assert "\n".join(roles_table()) in readme, "run `flask --app wsgi access roles` and paste it in the README"


# Access decisions compare the acting user's role; filtering a list of accounts by role is data.
ROLE_COMPARISON = re.compile(r"\b(current_user|user|for_user|actor)\.role\b(?!_label)")


def test_nothing_outside_access_compares_roles():
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        if "access" in path.relative_to(ROOT / "app").parts[:1] or "demo" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ROLE_COMPARISON.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    for path in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\bRole\.|current_user\.role\b(?!_label)", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def _url(rule, world) -> str:
    args = {name: ROUTE_ARGS[name](world) for name in rule.arguments}
    with _APP.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


@pytest.mark.parametrize("rule,method", ROUTES, ids=[f"{m} {r.rule}" for r, m in ROUTES])
@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_access_matrix(app, world, sign_in, client, rule, method, role):
    allowed = COMMITTED[(rule.endpoint, method)]
    if role is not None:
        sign_in(world.user(role))
    response = client.open(_url(rule, world), method=method, data={})
    if allowed == "public":
        expected = {302} if (role and (rule.endpoint, method) in REDIRECTS) or rule.endpoint in MID_SIGN_IN else {200}
    elif role is None:
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]
        return
    elif role not in allowed:
        expected = {403}
    elif (rule.endpoint, method) in BAD_REQUEST:
        expected = {400}
    elif (rule.endpoint, role) in SCOPED_OUT:
        expected = {404}
    elif (rule.endpoint, role) in OWN_RECORD or (rule.rule, role) in NOT_THEIRS:
        expected = {403}
    elif role in REDIRECTS.get((rule.endpoint, method), set()):
        expected = {302}
    elif (rule.endpoint, method) in NO_CONTENT:
        expected = {204}
    else:
        expected = {200} if method == "GET" else {200, 302}
    assert response.status_code in expected, f"{role} {method} {rule.rule}"


STAFF_ROLES = [Role.AREA_FACILITATOR, Role.HR, Role.ADMIN, Role.COORDINATOR]


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda r: r.value)
def test_with_only_the_password_done_no_page_opens(app, world, client, role):
    """A staff account that has entered its password but not its code is not signed in:
    every route that is not public sends it back to sign in, and none answers with a page."""
    user = world.user(role)
    response = client.post("/sign-in", data={"email": user.email, "password": "correct horse battery"})
    assert response.headers["Location"].endswith("/sign-in/second-step")
    opened = []
    for rule, method in ROUTES:
        if COMMITTED[(rule.endpoint, method)] == "public":
            continue
        response = client.open(_url(rule, world), method=method, data={})
        if response.status_code != 302 or "/sign-in" not in response.headers["Location"]:
            opened.append(f"{method} {rule.rule} {response.status_code}")
    assert opened == []
    assert client.get("/sign-in/second-step").status_code == 200  # still waiting for the code


def test_no_view_names_its_permission_twice():
    """A view declares its permission once, in its decorator: ``load=`` hands it the record,
    already checked, and ``allowed``/``require_allowed``/``view_scope`` ask the same permission
    again without naming it."""
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for view in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
            declared = [d.args[0].value for d in view.decorator_list if isinstance(d, ast.Call)
                        and getattr(d.func, "id", "") == "permission_required"]
            named = {node.value for statement in view.body for node in ast.walk(statement)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str)}
            if declared and declared[0] in named:
                offenders.append(f"{path.relative_to(ROOT)}: {view.name} names {declared[0]!r} again")
    assert offenders == []


def test_auth_models_do_not_import_access():
    source = (ROOT / "app" / "models" / "auth.py").read_text()
    assert "app.access" not in source and "from app import access" not in source
