"""Sign in as each role and screenshot the main pages (for looking at, not for CI).

Usage: python scripts/screenshots.py BASE_URL OUT_DIR
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "pathway-demo-2026"
PAGES = {
    "hr@example.org": ["/", "/people", "/people?q=zzz", "/establishment/", "/establishment/grades",
                       "/people/new"],
    "volunteer@example.org": ["/", "/me"],
    "facilitator@example.org": ["/", "/people"],
    "coordinator@example.org": ["/", "/people", "/establishment/"],
}


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(base + "/sign-in")
        page.screenshot(path=out / "sign-in.png", full_page=True)
        for email, paths in PAGES.items():
            for width in (1100, 375) if email.startswith("volunteer") else (1100,):
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                page.goto(base + "/sign-in")
                page.fill("#email", email)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                for path in paths:
                    page.goto(base + path)
                    name = f"{email.split('@')[0]}-{width}{path.replace('/', '_').replace('?', '-')}.png"
                    page.screenshot(path=out / name, full_page=True)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
