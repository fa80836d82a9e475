"""The demo's year of sessions: close to the plan in three areas and short in West Kent."""

from datetime import date, timedelta

from app.delivery.services import delivery_report
from app.demo import load_demo
from app.extensions import db
from app.models.people import Area, Provider

TODAY = date(2026, 11, 29)


def test_the_demo_is_close_to_plan_in_three_areas_and_short_in_one(world, sign_in, client):
    load_demo(today=TODAY)
    db.session.commit()
    provider = db.session.scalar(db.select(Provider).where(Provider.name == "Kent Parent Pathways CIC"))
    start, end = TODAY - timedelta(days=TODAY.weekday() + 7 * 52), TODAY - timedelta(days=TODAY.weekday() + 1)
    share = {}
    for area in db.session.scalars(db.select(Area).where(Area.name.like("% Kent"))):
        report = delivery_report(provider_ids=[provider.id], areas=[area], start=start, end=end)
        planned = sum(item.planned for item in report.offers)
        share[area.name] = report.sessions / float(planned)
    assert min(v for k, v in share.items() if k != "West Kent") > 0.9
    assert share["West Kent"] < 0.75
