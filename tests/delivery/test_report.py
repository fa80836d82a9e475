"""Delivery figures against a hand-computed fixture: four weeks of June 2026 in North Kent."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from app.delivery.services import delivery_report, record_session
from app.extensions import db
from app.models.delivery import Cohort, Offer
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Person, Stage

from ..factories import make_area, make_person, make_provider, make_user

JUNE = (date(2026, 6, 1), date(2026, 6, 28))  # Monday 1 to Sunday 28: four whole weeks


def _offer(name: str) -> Offer:
    return db.session.scalar(db.select(Offer).where(Offer.name == name))


@pytest.fixture
def june():
    from app.models.auth import Role

    provider, north = make_provider(), make_area("North Kent")
    make_area("South Kent")
    parent = make_person(provider=provider, area=north, stage=Stage.CO_FACILITATOR, has_lived_experience=True)
    worker = make_person(provider=provider, area=north, stage=Stage.EMPLOYEE, has_lived_experience=False)
    recorder = make_user(Role.AREA_FACILITATOR, provider=provider, area=north)
    cohort = Cohort(provider_id=provider.id, offer_id=_offer("Evidence-based programme").id, area_id=north.id,
                    name="Cygnet June", programme="Cygnet", starts_on=date(2026, 6, 2), sessions_planned=8)
    db.session.add(cohort)
    db.session.flush()

    def session(offer, day, start, end, attended, new, *, lead, mode="face_to_face", with_cohort=None):
        record_session(provider_id=provider.id, offer=_offer(offer), area=north, delivered_on=day, starts_at=start,
                       ends_at=end, mode=mode, venue=None, out_of_hours=None, facilitators=[(lead, True)],
                       families_attended=attended, families_new=new, families_phase_one=0,
                       families_pre_diagnosis=0, cohort=with_cohort, actor=recorder, today=date(2026, 11, 29),
                       now=datetime.now(UTC))

    for week in range(4):
        monday = JUNE[0] + timedelta(weeks=week)
        if week < 3:  # no group in the fourth week
            session("Peer support group", monday, time(10), time(12), 10, 4, lead=parent)
        for day in (1, 3):
            session("1:1 family advice", monday + timedelta(days=day), time(13), time(14), 2, 1, lead=worker,
                    mode="online")
            session("Evidence-based programme", monday + timedelta(days=day), time(9, 30), time(12), 12,
                    12 if (week, day) == (0, 1) else 0, lead=worker, with_cohort=cohort)
        if week in (0, 2):  # workshops in the evening, fortnightly
            session("Workshop", monday + timedelta(days=2), time(18), time(19, 30), 12, 12, lead=parent)
    db.session.commit()
    return provider, north, recorder


def test_the_delivery_figures_match_the_hand_computed_ones(june):
    provider, north, _ = june
    report = delivery_report(provider_ids=[provider.id], areas=[north], start=JUNE[0], end=JUNE[1])
    by_offer = {f.offer.name: f for f in report.offers}
    # Planned per week per area: 1, 2, 1 and 2; four weeks.
    assert [(name, by_offer[name].delivered, by_offer[name].planned, by_offer[name].short_weeks) for name in (
        "Peer support group", "1:1 family advice", "Workshop", "Evidence-based programme")] == [
        ("Peer support group", 3, 4, 1), ("1:1 family advice", 8, 8, 0), ("Workshop", 2, 4, 2),
        ("Evidence-based programme", 8, 8, 0)]
    # Families reached (first time): 3 x 4 + 8 x 1 + 2 x 12 + 12 = 56; attendances 30 + 16 + 24 + 96 = 166.
    assert (report.sessions, report.families_new, report.families_attended) == (21, 56, 166)
    # Against the plan: 564 a year for one area over 28 days, offer by offer: 7.4 + 1.8 + 23.0 + 11.0.
    assert report.planned_families == Decimal("43.2")
    # Hours: 3 x 2 + 8 x 1 + 2 x 1.5 + 8 x 2.5 = 37 hours; per session 1.76, per family reached 0.66.
    assert (report.minutes, report.hours_per_session, report.hours_per_family) == (
        2220, Decimal("1.76"), Decimal("0.66"))
    # Face to face 13 of 21; evenings or weekends 2 of 21; led by a parent with lived experience 5 of 21.
    assert (report.share(report.face_to_face), report.share(report.out_of_hours),
            report.share(report.parent_led)) == (Decimal("61.9"), Decimal("9.5"), Decimal("23.8"))
    # Beside the 2019 baseline (31 programmes and 372 families a year county-wide, 4 areas):
    # one area for 28 days is 0.6 programmes and 7.1 families; with the promised 42%: 10.1.
    assert (report.programmes, report.programme_families) == (1, 12)
    assert (report.baseline_programmes, report.baseline_families, report.target_families) == (
        Decimal("0.6"), Decimal("7.1"), Decimal("10.1"))


def test_recording_a_session_submits_each_facilitators_hours(june):
    provider, north, recorder = june
    entries = db.session.scalars(db.select(HoursEntry).where(HoursEntry.note.contains("session"))).all()
    assert len(entries) == 21 and {e.status for e in entries} == {HoursStatus.SUBMITTED}
    assert sum(e.minutes for e in entries) == 2220
    assert {e.entered_by_id for e in entries} == {recorder.id}


def test_delivery_measures_in_the_returns_csv_and_a_submitted_return_stays_as_it_was(june):
    import csv
    import io

    from app.returns.outputs import to_csv
    from app.returns.services import build_return, from_submission, submit_return

    provider, north, recorder = june
    ret = build_return(start=JUNE[0], end=JUNE[1], provider=provider)
    rows = {(r["area"], r["measure"], r["breakdown"]): r["value"] for r in csv.DictReader(io.StringIO(to_csv(ret)))}
    assert rows[("North Kent", "sessions_delivered", "peer_support")] == "3"
    # The provider holds no lot: its plan counts once, across its two areas (4 in all, 2 each).
    assert rows[("All", "sessions_planned", "workshop")] == "4"
    assert rows[("North Kent", "sessions_planned", "workshop")] == "2"
    assert rows[("North Kent", "families_reached", "programme")] == "12"
    assert rows[("North Kent", "hours_per_family", "")] == "0.66"
    assert rows[("North Kent", "parent_led_pct", "")] == "23.8"
    submission = submit_return(ret, provider=provider, actor=recorder, now=datetime.now(UTC))
    db.session.commit()
    record_session(provider_id=provider.id, offer=_offer("Workshop"), area=north, delivered_on=date(2026, 6, 24),
                   starts_at=time(18), ends_at=time(19), mode="online", venue=None, out_of_hours=None,
                   facilitators=[(db.session.scalar(db.select(Person).where(Person.provider_id == provider.id)),
                                  True)], families_attended=10, families_new=10, families_phase_one=0,
                   families_pre_diagnosis=0, cohort=None, actor=recorder, today=date(2026, 11, 29),
                   now=datetime.now(UTC))
    db.session.commit()
    frozen = from_submission(db.session.get(type(submission), submission.id))
    assert frozen.value("sessions_delivered", "workshop", "North Kent") == 2
    assert build_return(start=JUNE[0], end=JUNE[1], provider=provider).value(
        "sessions_delivered", "workshop", "North Kent") == 3


def _plan_form(offers, **changes):
    data = {"effective_from": ["1", "6", "2026"]}
    plan = {"Peer support group": (1, 12, 8, 96), "1:1 family advice": (2, 2, 12, 24), "Workshop": (1, 12, 25, 300),
            "Evidence-based programme": (2, 24, 12, 144), **changes}
    for offer in offers:
        per_week, families, cohorts, per_year = plan[offer.name]
        data.update({f"sessions_per_week-{offer.id}": str(per_week), f"families_per_session-{offer.id}": str(families),
                     f"cohorts_per_year-{offer.id}": str(cohorts), f"families_per_year-{offer.id}": str(per_year),
                     f"churn-{offer.id}": "weekly"})
    return data


def test_hr_sets_the_providers_own_plan_and_delivery_is_measured_against_it(june, app):
    from app.delivery.services import offers
    from app.models.auth import Role

    from ..conftest import error_messages, sign_in_with

    provider, north, _ = june
    hr = make_user(Role.HR, provider=provider)
    db.session.commit()
    client = app.test_client()
    sign_in_with(client, hr)
    workshop_id = _offer("Workshop").id
    bad = client.post("/delivery/plan", data={**_plan_form(offers()), f"sessions_per_week-{workshop_id}": "x"})
    assert "Enter Workshop's sessions a week as a number" in error_messages(bad)
    assert client.post("/delivery/plan", data=_plan_form(offers(), Workshop=(2, 12, 50, 600))).status_code == 302
    report = delivery_report(provider_ids=[provider.id], areas=[north], start=JUNE[0], end=JUNE[1])
    workshop = next(f for f in report.offers if f.offer.name == "Workshop")
    assert (workshop.planned, workshop.short_weeks) == (8, 4)
    other = make_provider()
    db.session.commit()
    assert delivery_report(provider_ids=[other.id], areas=[north], start=JUNE[0], end=JUNE[1]).offers[2].planned == 4


def test_delivery_and_plan_count_the_same_weeks(june):
    """1 April to 30 June 2026 is 91 days: 13 weeks, the part weeks at either end in proportion, as
    sessions on every day of the period are counted (not the 12 whole weeks inside it)."""
    provider, north, _ = june
    report = delivery_report(provider_ids=[provider.id], areas=[north], start=date(2026, 4, 1), end=date(2026, 6, 30))
    workshop = next(o for o in report.offers if o.offer.name == "Workshop")
    assert workshop.weeks == 13 and workshop.planned == workshop.planned_per_week * 13


def test_a_provider_with_no_lot_is_planned_once(june, app):
    """Across its areas the plan counts once: the to-do names it once, not once an area."""
    from app.delivery.services import short_of_plan

    provider, _, _ = june
    short = [(p.name, area) for p, area, _, _ in short_of_plan(date(2026, 7, 6), date(2026, 7, 12), below=0.9)]
    assert short.count((provider.name, None)) == 1
    assert not [a for name, a in short if name == provider.name and a is not None]
