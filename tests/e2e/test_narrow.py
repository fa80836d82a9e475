"""Every page every role can open, on a phone (375 px) and a laptop (1280 px): none scrolls
sideways on the phone (wide tables scroll inside their own region, with a visible cue), and
axe-core finds no serious or critical problem, and nothing outside a landmark, at either width."""

import re

import pytest

from app.models.auth import Role

from ..factories import PASSWORD, app_code
from ..test_access import COMMITTED, ROUTES, _url
from .conftest import AXE, Journey, _govuk_conditional_reveal

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


def _axe_problems(page, path: str) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{path}: {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']][:2]}"
            for v in result["violations"]
            if not _govuk_conditional_reveal(v) and (v["impact"] in ("serious", "critical") or v["id"] == "region")]


@pytest.mark.parametrize("width", [WIDTH, 1280])
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_page_fits_a_phone_and_passes_axe(browser, server, world, role, width):
    user = world.user(role)
    visit = Journey(browser, server, f"narrow-{role.value}-{width}", width=width,
                    code_for=lambda email: app_code(user))
    try:
        visit.page.goto(server + "/sign-in")
        visit.page.fill("#email", user.email)
        visit.page.fill("#password", PASSWORD)
        visit.click("button:has-text('Sign in')")
        if "/second-step" in visit.page.url:
            visit.page.fill("#code", app_code(user))
            visit.click("button:has-text('Continue')")
        wide, axe = [], []
        for path in _pages_for(role, world):
            try:
                response = visit.page.goto(server + path)
            except Exception:  # noqa: BLE001 (a download started: not a page)
                continue
            html = response is not None and "text/html" in response.headers.get("content-type", "")
            if not html or response.status != 200:
                continue
            axe += _axe_problems(visit.page, path)
            scroll = visit.page.evaluate("document.documentElement.scrollWidth")
            if width == WIDTH and scroll > WIDTH:
                wide.append(f"{path} is {scroll} px wide")
                visit.page.screenshot(path=f"test-artifacts/journeys/narrow-{role.value}-"
                                           f"{re.sub(r'[^a-z0-9]+', '-', path)[:80]}.png", full_page=True)
        assert wide == [], f"{role.value}: pages wider than {WIDTH} px:\n" + "\n".join(wide)
        assert axe == [], f"{role.value} at {width} px: accessibility problems:\n" + "\n".join(axe)
    finally:
        visit.close()
