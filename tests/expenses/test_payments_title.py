"""The payments page's title is words only: a screen reader reads the title out."""

from app.models.auth import Role

from ..conftest import page


def test_the_payments_page_title_holds_no_markup(world, sign_in):
    client = sign_in(world.user(Role.HR))
    title = page(client.get("/payments")).title.get_text()
    assert title.startswith("Pay approved claims") and "<" not in title and "script" not in title


def test_an_approver_is_offered_approve_and_send_back_never_withdraw(world, sign_in):
    from app.extensions import db
    from app.models.expenses import ClaimStatus, ExpenseClaim

    client = sign_in(world.user(Role.AREA_FACILITATOR))
    shown = client.get(f"/expenses/{world.claim.id}").get_data(as_text=True)
    assert "Withdraw the claim" not in shown and "Approve" in shown
    assert client.post(f"/expenses/{world.claim.id}/withdraw").status_code == 403
    assert db.session.get(ExpenseClaim, world.claim.id).status == ClaimStatus.SUBMITTED
    client.post("/sign-out")
    parent = sign_in(world.user(Role.VOLUNTEER))
    assert "Withdraw the claim" in parent.get(f"/expenses/{world.claim.id}").get_data(as_text=True)
