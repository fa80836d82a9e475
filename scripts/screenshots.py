"""Sign in as each role and screenshot the main pages at 1280 px and 375 px (for looking at,
not for CI). Staff take the second sign-in step with the code the demo's worker keeps in the
outbox (there is no mail server), read from the same database.

Usage: DATABASE_URL=sqlite:///... python scripts/screenshots.py BASE_URL OUT_DIR
"""

import os
import re
import sqlite3
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "pathway-demo-2026"
PAGES = {
    "hr@example.org": ["/", "/people", "/establishment/", "/budget/", "/budget/fte", "/imports/", "/approvals/hours",
                       "/payments", "/returns/", "/equality/", "/pathway", "/recruitment/", "/privacy"],
    "volunteer@example.org": ["/", "/hours", "/expenses", "/account/equality"],
    "facilitator@example.org": ["/", "/approvals/hours", "/approvals/expenses", "/people"],
    "admin@example.org": ["/", "/accounts"],
    "coordinator@example.org": ["/", "/returns/", "/council/contract"],
}


def _code_for(email: str, after: int) -> str:
    """The newest sign-in code the worker kept for ``email`` (waits for the worker)."""
    path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
    for _ in range(100):
        with sqlite3.connect(path) as db:
            row = db.execute("SELECT id, subject FROM outbox_message WHERE \"to\" = ? AND id > ? "
                             "AND subject LIKE '%sign-in code%' ORDER BY id DESC LIMIT 1", (email, after)).fetchone()
        if row:
            return re.search(r"\d{6}", row[1]).group(0)
        time.sleep(0.2)
    raise RuntimeError(f"No sign-in code for {email}: is the worker running?")


def _last_outbox_id() -> int:
    path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT coalesce(max(id), 0) FROM outbox_message").fetchone()[0]


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/sign-in")
        page.screenshot(path=out / "sign-in.png", full_page=True)
        for email, paths in PAGES.items():
            for width in (1280, 375):
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                page.goto(base + "/sign-in")
                before = _last_outbox_id()
                page.fill("#email", email)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state()
                if "/second-step" in page.url:
                    page.fill("#code", _code_for(email, before))
                    page.click("button:has-text('Continue')")
                    page.wait_for_load_state()
                for path in paths:
                    page.goto(base + path)
                    name = f"{email.split('@')[0]}-{width}{path.rstrip('/').replace('/', '_') or '_home'}.png"
                    page.screenshot(path=out / name.replace("?", "-"), full_page=True)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
