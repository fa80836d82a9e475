"""Every state-changing route refuses a missing or wrong CSRF token, whoever is signed in."""

import pytest
from bs4 import BeautifulSoup

from app.factory import create_app
from app.models.auth import Role

from ..factories import PASSWORD, app_code

_APP = create_app("test")
POSTS = sorted({rule.rule for rule in _APP.url_map.iter_rules() if "POST" in rule.methods})


@pytest.fixture
def strict_client(app):
    strict = create_app("test", WTF_CSRF_ENABLED=True, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        RECEIPT_DIR=app.config["RECEIPT_DIR"], JOB_RESULTS_DIR=app.config["JOB_RESULTS_DIR"])
    return strict.test_client()


def _token(client, path: str) -> str:
    return BeautifulSoup(client.get(path).data, "html.parser").select_one("input[name=csrf_token]")["value"]


def _sign_in(client, user):
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD,
                                             "csrf_token": _token(client, "/sign-in")})
    assert response.headers["Location"].endswith("/sign-in/second-step")
    response = client.post("/sign-in/second-step", data={"code": app_code(user),
                                                         "csrf_token": _token(client, "/sign-in/second-step")})
    assert response.status_code == 302


def _fill(rule: str) -> str:
    import re

    return re.sub(r"<(?:int:)?[a-z_]+>", "1", rule)


@pytest.mark.parametrize("rule", POSTS)
def test_post_without_or_with_a_wrong_token_is_refused(world, strict_client, rule):
    _sign_in(strict_client, world.user(Role.HR))
    assert strict_client.post(_fill(rule), data={}).status_code == 400
    assert strict_client.post(_fill(rule), data={"csrf_token": "forged"}).status_code == 400


def test_a_real_token_is_accepted(world, strict_client):
    _sign_in(strict_client, world.user(Role.HR))
    token = BeautifulSoup(strict_client.get("/account/password").data, "html.parser").select_one(
        "input[name=csrf_token]")["value"]
    response = strict_client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert strict_client.get("/").status_code == 302  # signed out
