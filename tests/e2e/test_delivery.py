"""An area facilitator records a session on a phone (375 px wide) in well under a minute, and
the delivery page shows it; every page is checked with axe and photographed."""

import time
from datetime import date

from sqlalchemy import select

from app.demo import load_demo
from app.extensions import db
from app.models.delivery import DeliverySession


def test_a_session_is_recorded_on_a_phone_in_under_a_minute(app, journey):
    load_demo(today=date.today())
    db.session.commit()
    before = db.session.scalar(select(db.func.count()).select_from(DeliverySession))
    f = journey("delivery-phone", width=375)
    f.sign_in("facilitator@example.org")
    started = time.monotonic()
    f.goto("/delivery/sessions/new", "record a session")
    assert f.page.evaluate("document.documentElement.scrollWidth") <= 375
    f.page.check("label:has-text('Peer support group')")
    f.page.fill("#starts_at", "10am")
    f.page.fill("#ends_at", "12pm")
    f.page.check("input[name=facilitators] >> nth=0")
    f.page.check("input[name=leads] >> nth=0")
    f.page.fill("#families_attended", "9")
    f.page.fill("#families_new", "2")
    f.page.fill("#families_phase_one", "3")
    f.page.fill("#families_pre_diagnosis", "1")
    f.click("button:has-text('Record session')")
    elapsed = time.monotonic() - started
    f.check("session recorded")
    assert "Session recorded" in f.page.inner_text("main")
    assert elapsed < 60
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(DeliverySession)) == before + 1
    f.goto("/delivery/", "delivery against the plan")
    assert f.page.evaluate("document.documentElement.scrollWidth") <= 375
    assert "Families reached" in f.page.inner_text("main")
