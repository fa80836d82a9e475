"""The payments page's title is words only: a screen reader reads the title out."""

from app.auth.models import Role

from ..conftest import page


def test_the_payments_page_title_holds_no_markup(world, sign_in):
    client = sign_in(world.user(Role.HR))
    title = page(client.get("/payments")).title.get_text()
    assert title.startswith("Pay approved claims") and "<" not in title and "script" not in title
