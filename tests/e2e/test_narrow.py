"""Phones: every page every role can open, at 375 px wide, without the page scrolling sideways.
Wide tables scroll inside their own region (with a visible cue), never the whole page."""

import re

import pytest

from app.models.auth import Role

from ..factories import PASSWORD, app_code
from ..test_access import COMMITTED, ROUTES, _url
from .conftest import Journey

# Downloads and data, not pages.
NOT_PAGES = re.compile(r"(\.csv|\.pdf|\.xlsx|\.json|\.zip|/download|/receipt|/export|/template|healthz|/_bench)")
WIDTH = 375


def _pages_for(role: Role, world) -> list[str]:
    paths = []
    for rule, method in ROUTES:
        allowed = COMMITTED[(rule.endpoint, method)]
        if method != "GET" or allowed == "public" or role not in allowed or NOT_PAGES.search(rule.rule):
            continue
        paths.append(_url(rule, world))
    return sorted(set(paths))


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_no_page_scrolls_sideways_at_375_px(browser, server, world, role):
    user = world.user(role)
    visit = Journey(browser, server, f"narrow-{role.value}", width=WIDTH, code_for=lambda email: app_code(user))
    try:
        visit.page.goto(server + "/sign-in")
        visit.page.fill("#email", user.email)
        visit.page.fill("#password", PASSWORD)
        visit.click("button:has-text('Sign in')")
        if "/second-step" in visit.page.url:
            visit.page.fill("#code", app_code(user))
            visit.click("button:has-text('Continue')")
        wide = []
        for path in _pages_for(role, world):
            try:
                response = visit.page.goto(server + path)
            except Exception:  # noqa: BLE001 (a download started: not a page)
                continue
            html = response is not None and "text/html" in response.headers.get("content-type", "")
            if not html or response.status != 200:
                continue
            width = visit.page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                wide.append(f"{path} is {width} px wide")
                visit.page.screenshot(path=f"test-artifacts/journeys/narrow-{role.value}-"
                                           f"{re.sub(r'[^a-z0-9]+', '-', path)[:80]}.png", full_page=True)
        assert wide == [], f"{role.value}: pages wider than {WIDTH} px:\n" + "\n".join(wide)
    finally:
        visit.close()
