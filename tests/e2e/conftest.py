"""A real server on a loopback port and headless Chromium (Debian's) driven by Playwright,
with axe-core run on every page a journey visits."""

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "journeys"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make installs it)")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.skip("no chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Journey:
    """One user's visit: every page is checked with axe and photographed."""

    def __init__(self, browser, base: str, name: str, *, width: int = 1100, code_for=None):
        self.base, self.name, self.step, self.code_for = base, name, 0, code_for
        # bypass_csp lets axe be injected; the app's own scripts run under its CSP as usual.
        self.context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True,
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.violations: list[str] = []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def check(self, label: str) -> None:
        """Run axe on the page and save a screenshot of it."""
        self.step += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{self.step:02d}-{slug}.png"), full_page=True)
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if _govuk_conditional_reveal(violation):
                continue
            # Serious and critical problems, and anything outside a landmark (axe's region rule).
            if violation["impact"] in ("serious", "critical") or violation["id"] == "region":
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.violations.append(f"{label}: {violation['id']} ({violation['impact']}) {targets}")

    def goto(self, path: str, label: str) -> None:
        self.page.goto(self.base + path)
        self.check(label)

    def sign_in(self, email: str, password: str = "pathway-demo-2026") -> None:
        self.page.goto(self.base + "/sign-in")
        self.check("sign in")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.click("button:has-text('Sign in')")
        if "/sign-in/second-step" in self.page.url:
            self.check("sign-in code")
            self.page.fill("#code", self.code_for(email))
            self.click("button:has-text('Continue')")
        self.check("home")

    def click(self, selector: str) -> None:
        """Click something that loads a new page, and wait for it."""
        with self.page.expect_navigation():
            self.page.click(selector)

    def press(self, key: str) -> None:
        """Press a key that submits a form or follows a link, and wait for the new page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def tab_to(self, selector: str, limit: int = 80) -> None:
        """Move focus with the Tab key alone until ``selector`` has it."""
        for _ in range(limit):
            if self.page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {selector}")

    def close(self) -> None:
        self.context.close()


def _sign_in_code(request, email: str) -> str:
    """The newest sign-in code emailed to ``email``: from the test SMTP server when the test
    runs one, otherwise from the outbox that keeps messages when there is no mail server."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models.mail import OutboxMessage

    if "smtp" in request.fixturenames:
        subjects = [m["Subject"] for m in request.getfixturevalue("smtp")
                    if m["To"] == email and "sign-in code" in m["Subject"]]
    else:
        db.session.commit()  # see what the server wrote since
        subjects = db.session.scalars(select(OutboxMessage.subject).where(
            OutboxMessage.to == email, OutboxMessage.subject.contains("sign-in code")).order_by(OutboxMessage.id)).all()
    return re.search(r"\d{6}", subjects[-1]).group(0)


@pytest.fixture
def journey(request, browser, server):
    journeys = []

    def start(name: str, **kwargs) -> Journey:
        journeys.append(Journey(browser, server, name, code_for=lambda email: _sign_in_code(request, email), **kwargs))
        return journeys[-1]

    yield start
    for item in journeys:
        item.close()
    problems = [v for item in journeys for v in item.violations]
    assert problems == [], "Accessibility problems:\n" + "\n".join(problems)




def _govuk_conditional_reveal(violation: dict) -> bool:
    """GOV.UK Frontend's conditional reveal puts aria-expanded on a radio on purpose: screen
    readers announce it, though ARIA does not list it for radios (a known issue the design system
    keeps, alphagov/govuk-frontend#979). Only that finding, on those radios, is let through."""
    return violation["id"] == "aria-allowed-attr" and all(
        "govuk-radios__input" in node["html"] and "aria-expanded" in node["html"] for node in violation["nodes"])
