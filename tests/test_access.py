"""Every registered route, for every role: allowed gets through, others are refused.

The route list comes from app.url_map, so a new route without an access rule,
or whose rule disagrees with this matrix, fails here.
"""

import pytest

from app import create_app
from app.auth.models import Role

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
              "submission_id": lambda world: world.submission.id}
# Where an allowed request answers with a redirect rather than a page.
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
    ("expenses.submit", "POST"): {Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.HR},
    ("expenses.decide", "POST"): {Role.AREA_FACILITATOR, Role.HR},
    ("training.recommend_person", "POST"): {Role.AREA_FACILITATOR, Role.HR},
    ("certificates.person_certificates", "GET"): set(Role),
    ("certificates.bulk", "POST"): {Role.HR},
    ("returns.submit", "POST"): {Role.HR},
}


# Allowed by role, but the record in the test world is outside that user's scope.
# An empty POST to the return download is a bad request: it needs a format.
BAD_REQUEST = {("returns.download", "POST")}
SCOPED_OUT = {
    ("jobs.progress", Role.COORDINATOR), ("jobs.status", Role.COORDINATOR), ("jobs.download", Role.COORDINATOR),
}


def _routes():
    for rule in _APP.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


ROUTES = list(_routes())


def test_every_route_declares_who_may_use_it():
    undeclared = [str(rule) for rule, _ in ROUTES
                  if not hasattr(_APP.view_functions[rule.endpoint], "allowed_roles")]
    assert undeclared == []


def _url(rule, world) -> str:
    args = {name: ROUTE_ARGS[name](world) for name in rule.arguments}
    with _APP.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


@pytest.mark.parametrize("rule,method", ROUTES, ids=[f"{m} {r.rule}" for r, m in ROUTES])
@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_access_matrix(app, world, sign_in, client, rule, method, role):
    allowed = app.view_functions[rule.endpoint].allowed_roles
    if role is not None:
        sign_in(world.user(role))
    response = client.open(_url(rule, world), method=method, data={})
    if allowed == "public":
        expected = {302} if role and (rule.endpoint, method) in REDIRECTS else {200}
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
    elif role in REDIRECTS.get((rule.endpoint, method), set()):
        expected = {302}
    else:
        expected = {200} if method == "GET" else {200, 302}
    assert response.status_code in expected, f"{role} {method} {rule.rule}"
