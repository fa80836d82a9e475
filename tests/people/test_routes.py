from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models.auth import Role
from app.models.people import Person, Stage

from ..conftest import error_messages, page, sign_in_with
from ..factories import make_person


def _form(world, **overrides):
    data = {"first_name": "Asha", "last_name": "Khan", "email": "asha@example.org",
            "phone": "01632 960 001", "area_id": str(world.north.id), "stage": "volunteer",
            "joined_on": ["3", "2", "2025"], "left_on": ["", "", ""],
            "has_lived_experience": "yes"}
    data.update(overrides)
    return data


def test_hr_adds_a_person(world, sign_in):
    client = sign_in(world.user(Role.HR))
    response = client.post("/people/new", data=_form(world))
    assert response.status_code == 302
    person = db.session.scalar(select(Person).where(Person.last_name == "Khan"))
    assert (person.provider_id, person.area_id, person.stage, person.joined_on) == (
        world.provider.id, world.north.id, Stage.VOLUNTEER, date(2025, 2, 3))
    assert response.headers["Location"] == f"/people/{person.id}"
    follow = client.get(response.headers["Location"])
    assert "Asha Khan has been added" in follow.get_data(as_text=True)


def test_add_person_errors_write_nothing(world, sign_in):
    client = sign_in(world.user(Role.HR))
    before = db.session.scalar(select(func.count(Person.id)))
    response = client.post("/people/new", data=_form(
        world, first_name="", email="not-an-email", joined_on=["31", "2", "2025"],
        has_lived_experience=""))
    assert response.status_code == 200
    assert error_messages(response) == [
        "Enter their first name",
        "Enter an email address in the correct format, like name@example.com",
        "Date they joined must be a real date, like 27 3 2024",
        "Select yes if they have lived experience",
    ]
    soup = page(response)
    assert soup.title.get_text().startswith("Error: ")
    assert soup.select_one(".govuk-error-summary")
    assert db.session.scalar(select(func.count(Person.id))) == before


def test_joined_in_the_future_is_refused(world, sign_in):
    client = sign_in(world.user(Role.HR))
    next_year = str(date.today().year + 1)
    response = client.post("/people/new", data=_form(world, joined_on=["1", "1", next_year]))
    assert error_messages(response) == ["The date they joined must be today or in the past"]


def test_hr_edits_a_person(world, sign_in):
    client = sign_in(world.user(Role.HR))
    data = _form(world, first_name="Vera", last_name="Changed", stage=None,
                 email=world.me.email, joined_on=["1", "1", "2024"])
    response = client.post(f"/people/{world.me.id}/edit", data=data)
    assert response.status_code == 302
    assert db.session.get(Person, world.me.id).last_name == "Changed"
    view = client.get(f"/people/{world.me.id}").get_data(as_text=True)
    assert "Changed last_name" in view  # the audit history shows on the page


def test_the_free_form_stage_change_is_gone(world, sign_in):
    """Moving someone on goes through the pathway's requirement check only: the old
    free-form "Record a stage change" cannot move a volunteer to Employee."""
    client = sign_in(world.user(Role.HR))
    response = client.post(f"/people/{world.me.id}/stage", data={
        "to_stage": "employee", "changed_on": ["6", "1", "2025"], "reason": "Appointed"})
    assert response.status_code in (404, 405)
    person = db.session.get(Person, world.me.id)
    assert person.stage == Stage.VOLUNTEER
    assert [c.to_stage for c in person.stage_changes] == [Stage.VOLUNTEER]


def test_search_filters_and_escapes_wildcards(world, sign_in):
    make_person(provider=world.provider, area=world.north, first_name="Percy", last_name="100%")
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    names = lambda r: [a.get_text(strip=True) for a in page(r).select("tbody a.govuk-link")]  # noqa: E731
    assert names(client.get("/people?q=vera")) == ["Volunteer, Vera"]
    assert names(client.get("/people?q=100%25")) == ["100%, Percy"]
    assert names(client.get("/people?q=%25")) == ["100%, Percy"]
    assert names(client.get(f"/people?area={world.south.id}")) == ["South, Sam"]
    assert "No people found" in client.get("/people?q=nobody").get_data(as_text=True)


def _ids_and_links(client, path):
    html = page(client.get(path))
    ids = [int(a["href"].rsplit("/", 1)[1]) for a in html.select("tbody a.govuk-link")]
    link = lambda selector: (html.select_one(selector) or {}).get("href")  # noqa: E731
    return ids, link(".govuk-pagination__next a"), link(".govuk-pagination__prev a"), html


def test_list_pages_by_key_forwards_and_backwards(world, sign_in):
    """Pages follow each other by the row at their edge (no OFFSET): Next from the first page
    and Previous from the last both meet everyone once, in name order, namesakes by id."""
    for n in range(30):
        make_person(provider=world.provider, area=world.north, last_name="Zed", first_name=f"Z{n % 3}")
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    first, next_link, prev_link, html = _ids_and_links(client, "/people?q=zed")
    assert len(first) == 25 and prev_link is None and "after=" in next_link
    assert "30 people, showing Zed, Z0 to Zed, Z2" in html.select_one("[role=status]").get_text(" ", strip=True)
    second, none, back, html = _ids_and_links(client, next_link)
    assert len(second) == 5 and none is None and "before=" in back
    assert html.title.get_text().startswith("People, from Zed, Z")
    assert _ids_and_links(client, back)[0] == first
    expected = list(db.session.scalars(select(Person.id).where(Person.last_name == "Zed")
                                       .order_by(Person.last_name, Person.first_name, Person.id)))
    assert first + second == expected
    last = page(client.get("/people?q=zed")).select_one(".pathway-pagination-ends a[href*='last=1']")
    assert _ids_and_links(client, last["href"])[0] == expected[-25:]  # the last page is always full


def test_a_link_to_a_row_that_has_gone_shows_the_first_page(world, sign_in):
    client = sign_in(world.user(Role.HR))
    for path in ("/people?after=999999", "/people?before=999999", "/people?after=x", "/people?page=7"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _ids_and_links(client, path)[0] == _ids_and_links(client, "/people")[0]


def test_a_link_naming_someone_the_user_may_not_see_shows_the_first_page(world, sign_in):
    """Where another provider's person (or a leaver, filtered out) would fall in the order
    would tell something of their name: their id in a link positions nothing."""
    for n in range(30):
        make_person(provider=world.provider, area=world.north, last_name=f"M{n:02d}")
    stranger = make_person(provider=world.other_provider, area=world.north, last_name="M15")
    leaver = make_person(provider=world.provider, area=world.north, last_name="M20", left_on=date(2025, 1, 1))
    db.session.commit()
    client = sign_in(world.user(Role.HR))
    first = _ids_and_links(client, "/people")[0]
    for cursor in (stranger.id, leaver.id):
        assert _ids_and_links(client, f"/people?after={cursor}")[0] == first
        assert _ids_and_links(client, f"/people?before={cursor}")[0] == first
    assert _ids_and_links(client, f"/people?status=all&after={leaver.id}")[0] != first  # in the list: a place


def test_walking_the_pages_either_way_meets_everyone_once_whatever_the_names(world, sign_in):
    """Property: for any names (namesakes, case, a filter on), Next from the first page and
    Previous from the last page each list every match exactly once, in the database's order."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client = sign_in(world.user(Role.HR))
    made = []

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.sampled_from(["Ab", "ab", "Ac", "B"]), st.sampled_from(["x", "X", "y"]),
                              st.booleans()), max_size=60))
    def check(names):
        for person in made:
            db.session.delete(person)
        made.clear()
        for last, first, left in names:
            made.append(make_person(provider=world.provider, area=world.north, last_name=f"Qq-{last}",
                                    first_name=first, left_on=date(2025, 1, 1) if left else None))
        db.session.commit()
        expected = list(db.session.scalars(
            select(Person.id).where(Person.last_name.like("Qq-%"), Person.left_on.is_(None))
            .order_by(Person.last_name, Person.first_name, Person.id)))
        # A hyphen: a reference is letters and digits, so a random one (the world's people) never matches.
        forwards, path = [], "/people?q=qq-"
        while path:
            ids, path, _, _ = _ids_and_links(client, path)
            forwards += ids
        backwards, path = [], "/people?q=qq-&last=1"
        while path:
            ids, _, path, _ = _ids_and_links(client, path)
            backwards = ids + backwards
        assert forwards == expected and backwards == expected

    check()


def test_list_runs_a_fixed_number_of_queries(world, sign_in, app):
    from flask import g
    from sqlalchemy import event

    client = sign_in(world.user(Role.COORDINATOR))

    def count_queries(path):
        statements = []
        g.pop("_login_user", None)  # the test's app context outlives each request
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    def counts():
        # The first page after a change works out the filters' choices, the count and its rows;
        # asked again it is given them kept (app.generation); another page reads its rows alone.
        return [count_queries("/people"), count_queries("/people"), count_queries("/people?last=1")]

    small = counts()
    assert small[1] < small[2] < small[0]
    assert small[2] == small[1] + 1
    for _ in range(40):
        make_person(provider=world.other_provider, area=world.south)
    db.session.commit()
    middle = db.session.scalars(select(Person.id).order_by(Person.last_name, Person.first_name, Person.id)
                                .offset(30)).first()
    assert counts() == small
    # a page from a row named in the link: that row's place, then the page's rows
    assert count_queries(f"/people?after={middle}") == count_queries(f"/people?before={middle}") == small[1] + 2


def test_the_person_page_shows_the_contract_in_force_and_its_fte(world, sign_in):
    """FTE is worked out once, unrounded, and rounded only when shown: 16 hours is 0.43 FTE,
    and still 16 hours a week (not 15.91)."""
    from tests.factories import make_contract, make_post

    post = make_post(provider=world.provider, grade=None, area=world.north, title="Parent Co-Facilitator",
                     volunteer=False)
    make_contract(person=world.me, post=post, hours="16", starts_on=date(2024, 1, 1))
    db.session.commit()
    text = " ".join(page(sign_in(world.user(Role.HR)).get(f"/people/{world.me.id}")).get_text(" ").split())
    assert "0.43 FTE (16 hours a week)" in text


def test_editing_a_person_shows_their_lived_experience_answer_chosen(world, sign_in):
    world.me.has_lived_experience = True
    db.session.commit()
    page = sign_in(world.user(Role.HR)).get(f"/people/{world.me.id}/edit").get_data(as_text=True)
    assert 'value="yes" checked' in page and 'value="no" checked' not in page


def test_hours_entered_on_someones_behalf_ask_about_them(world, sign_in):
    page = sign_in(world.user(Role.AREA_FACILITATOR)).get(f"/people/{world.me.id}/hours/new").get_data(as_text=True)
    assert "Date they worked" in page and "What did they do?" in page and "Date you worked" not in page


def test_a_facilitators_area_filters_offer_only_their_area(world, sign_in):
    from ..conftest import page as soup

    client = sign_in(world.user(Role.AREA_FACILITATOR))
    for path in ("/budget/fte", "/delivery/", "/training/compliance", "/approvals/hours"):
        options = [o.get_text(strip=True) for o in soup(client.get(path)).select("select#area option")]
        assert "South Kent" not in options, path


def test_a_volunteer_role_is_never_shown_as_a_contract(world, sign_in):
    """The volunteer-expenses safeguard: a volunteer holds no fixed-hours document, so their role
    shows expected hours, never contracted hours or FTE, on their record and in their own export."""
    import io
    import zipfile

    from tests.factories import make_contract, make_post

    post = make_post(provider=world.provider, grade=None, area=world.north, title="Parent Volunteer")
    make_contract(person=world.me, post=post, hours="9.25", starts_on=date(2024, 1, 1))
    db.session.commit()
    client = sign_in(world.user(Role.VOLUNTEER))
    text = " ".join(page(client.get(f"/people/{world.me.id}")).get_text(" ").split())
    assert "a volunteer role, not a contract (about 9.25 hours a week expected)" in text
    assert "Contract in force" not in text and "0.25 FTE" not in text
    client.post("/sign-out")
    archive = zipfile.ZipFile(io.BytesIO(sign_in(world.user(Role.HR)).get(f"/people/{world.me.id}/export.zip").data))
    rows = archive.read("contracts.csv").decode("utf-8-sig")
    assert "Volunteer role: not a contract" in rows and ",9.25," in rows  # the expected hours, in their own column
    header = rows.splitlines()[0].split(",")
    row = next(line for line in rows.splitlines() if "Parent Volunteer" in line).split(",")
    assert row[header.index("Contracted hours a week")] == ""


def test_the_lists_kept_count_and_choices_follow_a_change_at_once(world, sign_in):
    """The count and the filters' choices are kept until the data changes: a person or an area
    added shows on the next page, for each user their own (another user's count is not theirs)."""
    from app.models.people import Area

    from ..conftest import page
    from ..factories import make_area

    def shown(client, path="/people"):
        soup = page(client.get(path))
        return (soup.select_one("p[role=status]").text.split(" ")[0],
                [o.text for o in soup.select("select#area option")])

    hr = sign_in(world.user(Role.HR))
    count, areas = shown(hr)
    assert shown(hr) == (count, areas)  # kept
    make_person(provider=world.provider, area=world.north)
    make_area("Mid Kent")
    db.session.commit()
    assert shown(hr) == (str(int(count) + 1), [areas[0]] + sorted(areas[1:] + ["Mid Kent"]))
    assert db.session.scalar(select(Area.id).where(Area.name == "Mid Kent")) is not None
    coordinator = sign_in(world.user(Role.COORDINATOR))
    everyone = int(shown(coordinator)[0])
    make_person(provider=world.provider, area=world.south)
    db.session.commit()
    assert shown(coordinator)[0] == str(everyone + 1)


def test_the_provider_column_is_for_those_who_see_every_provider(world, app, sign_in):
    """The co-ordinator's list names each row's provider, and each row links to its person; HR's
    list (one provider) has no provider column."""
    from ..conftest import sign_in_with

    coordinator = app.test_client()
    sign_in_with(coordinator, world.user(Role.COORDINATOR))
    html = page(coordinator.get("/people?q=Neighbour"))
    assert "Provider" in [th.get_text(strip=True) for th in html.select("thead th")]
    row = html.select_one("tbody tr")
    assert world.neighbour.provider.name in [td.get_text(strip=True) for td in row.select("td")]
    assert row.select_one("a")["href"] == f"/people/{world.neighbour.id}"
    hr = sign_in(world.user(Role.HR))
    html = page(hr.get("/people"))
    assert "Provider" not in [th.get_text(strip=True) for th in html.select("thead th")]
    assert len(html.select("tbody tr")[0].select("td")) == 5


def test_a_kept_page_of_the_list_shows_a_change_at_once(world, sign_in):
    """A page's rows are kept until the data changes: a person renamed, moved on or moved area
    shows so on the next look at the same page, and nobody else's list gains them."""
    from flask import g

    hr = sign_in(world.user(Role.HR))

    def rows() -> dict[int, list[str]]:
        g.pop("_login_user", None)
        soup = page(hr.get("/people?q=Neighbour"))
        return {int(tr.select_one("a")["href"].rsplit("/", 1)[1]): [td.get_text(" ", strip=True)
                                                                    for td in tr.select("td")]
                for tr in soup.select("tbody tr")}

    before = rows()
    assert world.neighbour.id in before and rows() == before  # kept
    person = db.session.get(Person, world.neighbour.id)
    person.first_name, person.stage, person.area_id = "Nadia", Stage.CO_FACILITATOR, world.south.id
    db.session.commit()
    after = rows()[world.neighbour.id]
    assert after[0].startswith("Neighbour, Nadia")
    assert Stage.CO_FACILITATOR.label in after and world.south.name in after


def test_a_kept_person_page_shows_a_change_at_once_and_only_to_its_user(world, app, sign_in):
    """A person's page is kept per user until the data changes: a rename, a contract given and
    a stage change show at the next look; another provider's HR, asking right after, is still
    refused, and so is a volunteer (it is not their record)."""
    from flask import g

    from tests.factories import make_contract, make_post

    hr = sign_in(world.user(Role.HR))
    path = f"/people/{world.neighbour.id}"

    def text(client) -> str:
        g.pop("_login_user", None)
        response = client.get(path)
        assert response.status_code == 200
        return " ".join(page(response).get_text(" ").split())

    before = text(hr)
    assert "Nina Neighbour" in before and text(hr) == before  # kept
    person = db.session.get(Person, world.neighbour.id)
    person.first_name, person.stage = "Nadia", Stage.CO_FACILITATOR
    post = make_post(provider=world.provider, grade=None, area=world.north, title="Parent Co-Facilitator",
                     volunteer=False)
    make_contract(person=person, post=post, hours="16", starts_on=date(2024, 1, 1))
    db.session.commit()
    after = text(hr)
    assert "Nadia Neighbour" in after and "Nina Neighbour" not in after
    assert Stage.CO_FACILITATOR.label in after and "0.43 FTE (16 hours a week)" in after

    for user, refused in ((world.other_hr, 404), (world.user(Role.VOLUNTEER), 404)):
        g.pop("_login_user", None)
        client = app.test_client()
        sign_in_with(client, user)
        g.pop("_login_user", None)
        assert client.get(path).status_code == refused
