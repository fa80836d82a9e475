"""What was not approved is "sent back", in every place a parent reads about it."""

from datetime import date

from app.extensions import db
from app.models.auth import Role

from ..factories import make_claim, make_hours


def test_a_parent_never_reads_rejected(world, sign_in):
    entry = make_hours(world.me, worked_on=date(2026, 2, 2), hours="2", status="rejected",
                       rejection_reason="Not a pathway activity")
    claim = make_claim(world.me, status="rejected", lines=[{"category": "Parking", "amount": 350,
                                                             "status": "rejected"}])
    db.session.commit()
    client = sign_in(world.user(Role.VOLUNTEER))
    pages = {url: client.get(url) for url in (
        "/", f"/people/{world.me.id}/hours?week=2026-02-02", f"/hours/{entry.id}",
        f"/people/{world.me.id}/hours/week?week=2026-02-02", f"/people/{world.me.id}/expenses",
        f"/expenses/{claim.id}")}
    assert {url: response.status_code for url, response in pages.items()} == {url: 200 for url in pages}
    for url, response in pages.items():
        assert "rejected" not in response.get_data(as_text=True).lower().replace('value="rejected"', ""), url
    assert "Sent back" in pages[f"/hours/{entry.id}"].get_data(as_text=True)
    assert "Sent back" in pages[f"/expenses/{claim.id}"].get_data(as_text=True)
