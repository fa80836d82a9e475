"""A list's links built from one pattern are the links url_for builds, id by id."""

import pytest
from flask import url_for
from hypothesis import given
from hypothesis import strategies as st

from app.ids import MAX_ID, link_pattern


@pytest.mark.parametrize(("endpoint", "key", "values"), [
    ("hours.reject", "entry_id", {}),
    ("hours.person_hours", "person_id", {}),
    ("hours.person_hours", "person_id", {"week": "2026-11-23"}),
    ("people.view_person", "person_id", {}),
])
def test_a_pattern_gives_the_same_link_as_url_for(app, endpoint, key, values):
    with app.test_request_context():
        pattern = link_pattern(endpoint, key, **values)
        assert pattern.count("{}") == 1

        @given(st.integers(min_value=1, max_value=MAX_ID))
        def same(record_id):
            assert pattern.format(record_id) == url_for(endpoint, **{key: record_id}, **values)

        same()
