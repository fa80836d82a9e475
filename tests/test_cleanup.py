"""The clean-up after every test (tests/conftest.py), on whichever database the run uses: the
next test must find the database as the migrations left it, whatever this one did."""

from sqlalchemy import func, select

from app.extensions import db
from app.models.hours import Activity
from app.models.people import Person, Provider

from .conftest import _empty_tables
from .factories import make_area, make_person, make_provider


def _activities() -> set[tuple]:
    return {tuple(row) for row in db.session.execute(select(Activity.__table__))}


def test_every_row_a_test_made_goes_and_changed_reference_data_comes_back():
    seeded = _activities()
    assert seeded, "the migrations seed activities"
    provider = make_provider()
    make_person(provider=provider, area=make_area("North Kent"))
    first = db.session.scalars(select(Activity).order_by(Activity.id)).first()
    first.is_active, first.name = False, "Renamed by a test"
    db.session.add(Activity(name="Added by a test"))
    db.session.commit()

    _empty_tables()

    assert db.session.scalar(select(func.count()).select_from(Provider)) == 0
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
    assert _activities() == seeded


def test_ids_start_again_after_emptying():
    make_provider()
    make_provider()
    db.session.commit()
    _empty_tables()
    assert make_provider().id == 1


def test_a_reference_row_added_after_a_rolled_back_one_gets_a_free_id():
    # The rolled-back row used an id from the activity sequence and left the table as it was,
    # so nothing is put back: the sequence must not go back to 1, among the seeded ids.
    db.session.add(Activity(name="Rolled back"))
    db.session.flush()
    db.session.rollback()
    _empty_tables()
    db.session.add(Activity(name="Kept for this test"))
    db.session.commit()
    kept = select(func.count()).select_from(Activity).where(Activity.name == "Kept for this test")
    assert db.session.scalar(kept) == 1
