"""A provider adds requirements of its own on top of the council's, on a screen, audited; other
providers and the council's rows are untouched."""

from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.auth import Role
from app.models.people import Stage
from app.models.training import ProviderRequirement, StageRequirement


def test_hr_adds_its_own_requirement_for_a_stage(world, sign_in):
    client = sign_in(world.user(Role.HR))
    assert "The council asks" in client.get("/training/our-requirements").get_data(as_text=True)
    before = [(r.stage, r.min_hours) for r in db.session.scalars(select(StageRequirement))]
    response = client.post("/training/our-requirements", data={
        "co_facilitator-min_hours": "60", "co_facilitator-references_needed": "1",
        "co_facilitator-needs_recommendation": "y", "co_facilitator-submit": "Save"})
    assert response.status_code == 302
    [row] = db.session.scalars(select(ProviderRequirement)).all()
    assert (row.provider_id, row.stage, row.min_hours, row.references_needed, row.needs_recommendation) == (
        world.provider.id, Stage.CO_FACILITATOR, 60, 1, True)
    assert [(r.stage, r.min_hours) for r in db.session.scalars(select(StageRequirement))] == before
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "ProviderRequirement"))


def test_only_hr_sets_a_providers_own_requirements(world, sign_in):
    for role in (Role.AREA_FACILITATOR, Role.ADMIN, Role.COORDINATOR, Role.VOLUNTEER):
        client = sign_in(world.user(role))
        assert client.get("/training/our-requirements").status_code == 403
        client.post("/sign-out")
