"""Who owns shared settings: the council sets what applies across the contract (stage
requirements, the standard activities and courses); each provider keeps its own. A
provider's change never reaches another provider, and every change is in a history
that both the council and the providers affected can read."""

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.hours import Activity
from app.models.training import Course, StageRequirement

from .conftest import page
from .factories import activity


def _activity_names(client, person_id) -> set[str]:
    form = page(client.get(f"/people/{person_id}/hours/new"))
    return {label.get_text(strip=True) for label in form.select("input[name=activity_id] + label")}


def test_a_providers_own_activity_is_theirs_alone(world, sign_in, client):
    sign_in(world.user(Role.HR))
    client.post("/hours/activities", data={"name": "Walk and talk"})
    added = db.session.scalar(db.select(Activity).where(Activity.name == "Walk and talk"))
    assert added.provider_id == world.provider.id
    assert "Walk and talk" in _activity_names(client, world.me.id)
    client.post("/sign-out")
    sign_in(world.other_hr)
    assert "Walk and talk" not in _activity_names(client, world.stranger.id)
    assert "Walk and talk" not in client.get("/hours/activities").get_data(as_text=True)
    assert client.post(f"/hours/activities/{added.id}/toggle").status_code == 404
    assert db.session.get(Activity, added.id).is_active


def test_a_provider_cannot_retire_a_council_activity_for_everyone(world, sign_in, client):
    group = activity("Peer support group")
    db.session.commit()
    sign_in(world.user(Role.HR))
    assert client.post(f"/hours/activities/{group.id}/toggle").status_code == 403
    assert db.session.get(Activity, group.id).is_active
    client.post("/sign-out")
    sign_in(world.user(Role.COORDINATOR))
    client.post(f"/hours/activities/{group.id}/toggle")
    assert not db.session.get(Activity, group.id).is_active
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.entity_type == "Activity"))
    assert event.is_council_setting and event.provider_id is None


def test_a_provider_cannot_reprice_a_council_course(world, sign_in, client):
    sign_in(world.user(Role.HR))
    data = {"name": world.course.name, "provider_name": "Anyone", "hours": "3", "cost": "999",
            "validity_months": "1", "required_for": ["co_facilitator"]}
    assert client.post(f"/training/courses/{world.course.id}/edit", data=data).status_code == 403
    course = db.session.get(Course, world.course.id)
    assert (course.cost_pence, course.validity_months) != (99900, 1)


def test_a_providers_own_course_is_invisible_to_another(world, sign_in, client):
    sign_in(world.user(Role.HR))
    client.post("/training/courses/new", data={"name": "Our induction", "provider_name": "Us", "hours": "2",
                                               "cost": "0", "required_for": ["volunteer"]})
    ours = db.session.scalar(db.select(Course).where(Course.name == "Our induction"))
    assert ours.provider_id == world.provider.id
    client.post("/sign-out")
    sign_in(world.other_hr)
    assert "Our induction" not in client.get("/training/courses").get_data(as_text=True)
    assert client.get(f"/training/courses/{ours.id}/edit").status_code == 404
    # Nor is it required of the other provider's people.
    text = client.get(f"/people/{world.stranger.id}/pathway").get_data(as_text=True)
    assert "Our induction" not in text


def test_stage_requirements_are_the_councils_and_everyone_sees_the_change(world, sign_in, client):
    sign_in(world.user(Role.HR))
    assert client.get("/training/requirements").status_code == 403
    client.post("/sign-out")
    sign_in(world.user(Role.COORDINATOR))
    row = db.session.scalar(db.select(StageRequirement).where(StageRequirement.stage == "co_facilitator"))
    prefix = row.stage.value
    client.post("/training/requirements", data={
        f"{prefix}-min_hours": "40", f"{prefix}-references_needed": "0", f"{prefix}-needs_dbs": "y",
        f"{prefix}-needs_recommendation": "y", f"{prefix}-submit": "Save requirements"})
    assert db.session.get(StageRequirement, row.id).min_hours == 40
    client.post("/sign-out")
    for hr in (world.user(Role.HR), world.other_hr):
        sign_in(hr)
        assert "Changed the requirements for Parent Co-Facilitator" in client.get("/audit").get_data(as_text=True)
        client.post("/sign-out")
