"""GOV.UK's timeout warning in a real browser: before an idle session ends a dialog warns;
"Stay signed in" keeps the session; if nobody answers, the session ends and what was typed
is put back after signing in again. The browser's clock is moved on, not waited for."""

from datetime import date

from sqlalchemy import select

from app.demo import load_demo
from app.extensions import db
from app.models.auth import User, UserSession


def _open_form(journey, person_id: int):
    parent = journey("timeout", width=375)
    parent.page.clock.install()
    parent.sign_in("volunteer@example.org")
    parent.goto(f"/people/{person_id}/hours/new", "log hours")
    parent.page.fill("#hours", "2.5")
    parent.page.fill("#note", "Ran the Tuesday group with Sam")
    return parent


def test_the_warning_offers_to_stay_signed_in(app, journey):
    load_demo(today=date.today())
    db.session.commit()
    user = db.session.scalar(select(User).where(User.email == "volunteer@example.org"))
    parent = _open_form(journey, user.person_id)
    dialog = parent.page.locator("#timeout-warning")
    assert not dialog.is_visible()
    parent.page.clock.run_for("07:57:30")  # 8 hours for a parent; the warning comes a few minutes before
    dialog.wait_for(state="visible")
    assert "You will be signed out soon" in dialog.inner_text()
    parent.check("timeout warning")
    parent.page.click("button:has-text('Stay signed in')")
    dialog.wait_for(state="hidden")
    assert parent.page.input_value("#note") == "Ran the Tuesday group with Sam"  # nothing lost, still here


def test_when_nobody_answers_the_session_ends_and_the_entries_come_back(app, journey):
    load_demo(today=date.today())
    db.session.commit()
    user = db.session.scalar(select(User).where(User.email == "volunteer@example.org"))
    parent = _open_form(journey, user.person_id)
    with parent.page.expect_navigation(url="**/sign-in?next=*"):
        parent.page.clock.run_for("08:00:00")
    parent.check("signed out when idle")
    assert "We signed you out because you had not done anything" in parent.page.inner_text("main")
    db.session.commit()
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == user.id)) is None  # really ended
    parent.page.fill("#email", "volunteer@example.org")
    parent.page.fill("#password", "pathway-demo-2026")
    parent.click("button:has-text('Sign in')")
    parent.check("back at the form")
    assert parent.page.url.endswith(f"/people/{user.person_id}/hours/new")
    assert parent.page.input_value("#hours") == "2.5"
    assert parent.page.input_value("#note") == "Ran the Tuesday group with Sam"
    assert "We kept what you had typed" in parent.page.inner_text("main")
