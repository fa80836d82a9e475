"""Every route in app/route_permissions.txt, for every role that holds it: its query string and
every form its page shows, sent the payloads an outside test turned into server errors (numbers
past 64 bits, dates blank in every box, the same value twice in a multi-select, a percentage out
of range, words where a number goes). None may answer 500."""

import re

import pytest
from bs4 import BeautifulSoup

from app.models.auth import Role

from ..test_access import COMMITTED, ROUTE_ARGS, ROUTES, _url

HUGE = "99999999999999999999"
PAYLOADS = {"huge": HUGE, "blank": "", "words": "not a number", "percent": "150%", "minus": "-1"}
# Query-string names the pages read (filters, pickers, pages, periods).
QUERY_NAMES = ["area", "area_id", "page", "provider", "stage", "status", "q", "from", "to", "year", "month",
               "week", "person", "activity", "format", "role", "kind", "next", "course", "offer", "on", "day"]
# Routes whose POST ends the session or sends the test off-site: sent last, or not at all.
SKIP_POST = {"auth.sign_out", "auth.devices"}


def _forms(html: str):
    """(action, {field name: [values]}) for every POST form on a page, with multi-value fields."""
    soup = BeautifulSoup(html, "html.parser")
    for form in soup.select("form[method=post], form[method=POST]"):
        names: dict[str, int] = {}
        for field in form.select("input[name], select[name], textarea[name]"):
            if field.get("type") in ("file", "submit"):
                continue
            names[field["name"]] = names.get(field["name"], 0) + 1
        yield form.get("action") or "", names


def _filled(names: dict[str, int], payload: str) -> dict[str, list[str]]:
    data = {}
    for name, count in names.items():
        if name in ("csrf_token", "once"):
            continue
        # A multi-select or a three-box date gets its count of values; checkboxes get one twice.
        data[name] = [payload] * max(count, 2 if payload == "1" else count)
    return data


def _roles_for(endpoint: str, method: str) -> list[Role]:
    allowed = COMMITTED[(endpoint, method)]
    return list(Role) if allowed == "public" else [role for role in Role if role in allowed]


GET_ROUTES = [(rule, method) for rule, method in ROUTES if method == "GET"]


@pytest.mark.parametrize("rule,method", GET_ROUTES, ids=[rule.rule for rule, _ in GET_ROUTES])
def test_no_query_string_or_form_on_any_page_gives_a_server_error(world, sign_in, client, rule, method):
    for role in _roles_for(rule.endpoint, method):
        sign_in(world.user(role))
        path = _url(rule, world)
        for payload in PAYLOADS.values():
            query = "&".join(f"{name}={payload}" for name in QUERY_NAMES)
            response = client.get(f"{path}?{query}")
            assert response.status_code != 500, f"{role.value} GET {path}?{query}"
        page = client.get(path)
        assert page.status_code != 500, f"{role.value} GET {path}"
        if page.status_code == 200 and page.mimetype == "text/html" and rule.endpoint not in SKIP_POST:
            for action, names in _forms(page.get_data(as_text=True)):
                target = action if action.startswith("/") else path
                if any(target.startswith(p) for p in ("/sign-out", "/account/devices")):
                    continue
                for payload in (*PAYLOADS.values(), "1"):
                    response = client.post(target, data=_filled(names, payload))
                    assert response.status_code != 500, f"{role.value} POST {target} {payload!r} {names}"
        client.post("/sign-out")


POST_ONLY = [(rule, method) for rule, method in ROUTES if method == "POST"
             and (rule, "GET") not in ROUTES and rule.endpoint not in SKIP_POST]


@pytest.mark.parametrize("rule,method", POST_ONLY, ids=[rule.rule for rule, _ in POST_ONLY])
def test_no_payload_posted_to_an_action_gives_a_server_error(world, sign_in, client, rule, method):
    for role in _roles_for(rule.endpoint, method):
        sign_in(world.user(role))
        path = _url(rule, world)
        for payload in (*PAYLOADS.values(), "1"):
            data = {name: [payload, payload] for name in (*QUERY_NAMES, "entry", "claim", "certificate", "reason",
                                                          "decision", "approve", "reject", "amount", "on")}
            response = client.post(path, data=data)
            assert response.status_code != 500, f"{role.value} POST {path} {payload!r}"
        client.post("/sign-out")


def test_the_fuzz_reaches_every_route():
    covered = {rule.rule for rule, _ in GET_ROUTES} | {rule.rule for rule, _ in POST_ONLY}
    every = {rule.rule for rule, _ in ROUTES if rule.endpoint not in SKIP_POST}
    assert every - covered == set()
    assert all(re.match(r"^/", rule) for rule in covered) and ROUTE_ARGS
