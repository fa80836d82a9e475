"""Hardening from the outside test: user text in chart labels cannot break a page, and
nothing personal is kept by browsers or proxies."""

import pytest
from markupsafe import Markup

from app.auth.models import Role
from app.budget.charts import bar_chart


@pytest.mark.parametrize("label", ["Travel $\\evil$ costs", "$$", "a $b", "\\frac{1}{2} $x^2$", "$\\alpha"])
def test_chart_labels_are_words_never_maths(label):
    svg = bar_chart([label, "Workshop"], {"Hours": [3.0, 4.0]}, f"Hours by {label}", "Hours")
    assert "<svg" in svg and str(Markup.escape(label)) in svg


@pytest.mark.parametrize("path", ["/", "/people", "/establishment/budget.csv", "/budget/monitor.csv"])
def test_signed_in_pages_and_downloads_are_not_stored(world, sign_in, client, path):
    sign_in(world.user(Role.HR))
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_the_public_sign_in_page_may_be_cached_as_usual(client):
    assert "no-store" not in client.get("/sign-in").headers.get("Cache-Control", "")
