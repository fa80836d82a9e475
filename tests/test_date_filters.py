"""A date filter that is not a date is a message on its field, on every page that filters by
date, never "Page not found"."""

import pytest

from app.models.auth import Role

from .conftest import page


@pytest.mark.parametrize("url,field", [
    ("/returns/?from=2026-02-30", "from"),
    ("/budget/fte?on=someday", "on"),
    ("/pathway?from=2026-13-01", "from"),
    ("/pathway?to=2026-04-31", "to"),
])
def test_a_bad_date_filter_is_a_message_on_its_field(world, sign_in, url, field):
    response = sign_in(world.user(Role.HR)).get(url)
    assert response.status_code == 200
    soup = page(response)
    assert soup.title.text.startswith("Error: ")
    assert soup.select_one(".govuk-error-summary__list a")["href"] == f"#{field}"
    assert soup.find(id=f"{field}-error").get_text(" ", strip=True) == "Error: Enter a real date, like 2026-04-01"
    assert "govuk-input--error" in soup.find(id=field)["class"]


def test_a_week_that_is_not_a_date_shows_this_week_and_says_so(world, sign_in):
    client = sign_in(world.user(Role.VOLUNTEER))
    for url in (f"/people/{world.me.id}/hours?week=someday", f"/people/{world.me.id}/hours/week?week=2026-02-30"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "That link&#39;s week was not a date: this is this week&#39;s" in response.get_data(as_text=True)
