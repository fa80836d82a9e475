import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.certificates.services import award_milestones, revoke
from app.extensions import db
from app.hours.services import approve_entries
from app.models.auth import Role
from app.models.certificates import Certificate, CertificateKind
from app.models.jobs import Job, JobStatus
from app.models.people import Stage

from ..conftest import page
from ..factories import make_hours, make_person

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def _pdf_text(data: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_certificate_pdf_contains_name_course_and_number(world, sign_in):
    response = sign_in(world.user(Role.VOLUNTEER)).get(f"/certificates/{world.certificate.id}.pdf")
    assert response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    assert "Vera Volunteer" in text
    assert "Safeguarding children (level 1)" in text
    assert world.certificate.number in text
    assert f"/verify/{world.certificate.number}" in text


def test_the_printed_certificates_qr_code_scans_to_its_verify_page(world, sign_in, tmp_path):
    """Rasterised at 300 dpi as a printer would, the QR code (a crisp PNG) scans to the page that
    checks the certificate."""
    import subprocess

    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(sign_in(world.user(Role.VOLUNTEER)).get(f"/certificates/{world.certificate.id}.pdf").data)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(pdf), str(tmp_path / "page")], check=True)
    scanned = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page-1.png")], capture_output=True,
                             text=True).stdout.strip()
    assert scanned.endswith(f"/verify/{world.certificate.number}")


def test_milestones_are_issued_exactly_once_when_crossing_a_threshold(world):
    hr = world.user(Role.HR)
    entries = [make_hours(world.me, worked_on=date(2026, 3, d), hours="8", status="submitted") for d in range(2, 6)]
    approve_entries(entries[:3], actor=hr, now=NOW)  # 24 hours: not yet
    assert db.session.scalar(select(func.count()).select_from(Certificate)
                             .where(Certificate.kind == CertificateKind.MILESTONE)) == 0
    approve_entries(entries[3:], actor=hr, now=NOW)  # 32 hours: crosses 25
    award_milestones([world.me.id], today=date(2026, 11, 23), actor=hr)  # again: nothing new
    rows = db.session.execute(select(Certificate.milestone_hours, Certificate.title)
                              .where(Certificate.kind == CertificateKind.MILESTONE)).all()
    assert rows == [(25, "25 hours volunteering with families")]


def test_hours_after_moving_on_are_not_volunteer_hours(world):
    from app.people.services import record_stage_change

    hr = world.user(Role.HR)
    person = make_person(provider=world.provider, area=world.north, joined_on=date(2025, 1, 1))
    record_stage_change(person, Stage.CO_FACILITATOR, on=date(2026, 1, 1), actor=hr, reason="Ready")
    make_hours(person, worked_on=date(2025, 6, 1), hours="20")
    make_hours(person, worked_on=date(2026, 6, 1), hours="20")
    assert award_milestones([person.id], today=date(2026, 11, 23), actor=hr) == []


@pytest.mark.parametrize("state", ["genuine", "revoked", "unknown"])
def test_verification_page(world, client, state):
    number = world.certificate.number if state != "unknown" else "PW-AAAA-BBBB"
    if state == "revoked":
        revoke(world.certificate, reason="Issued in error", actor=world.user(Role.HR), now=NOW)
        db.session.commit()
    response = client.get(f"/verify/{number}")
    assert response.status_code == 200
    text = page(response).get_text(" ")
    heading = {"genuine": "This certificate is genuine", "revoked": "This certificate has been revoked",
               "unknown": "No certificate has that number"}[state]
    assert heading in text
    if state == "genuine":
        assert "Vera Volunteer" in text and "Completed Safeguarding children (level 1)" in text
        assert "Issued by Provider A" in text  # who stands behind it
    # Nothing beyond name, what was certified, date and issuer: no email, area, or reference.
    assert world.me.email not in text and world.me.ref not in text and "North Kent" not in text


def test_revoke_needs_a_reason_and_hr(world, sign_in):
    client = sign_in(world.user(Role.HR))
    response = client.post(f"/certificates/{world.certificate.id}/revoke", data={"reason": ""})
    assert "Enter the reason for revoking it" in response.get_data(as_text=True)
    client.post(f"/certificates/{world.certificate.id}/revoke", data={"reason": "Wrong course"})
    assert db.session.get(Certificate, world.certificate.id).revoked_reason == "Wrong course"


@pytest.mark.parametrize("fmt", ["zip", "pdf"])
def test_bulk_download_runs_as_a_job_with_progress(world, sign_in, fmt):
    client = sign_in(world.user(Role.HR))
    response = client.post("/certificates", data={"all": "1", "format": fmt})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 1, 1)
    status = client.get(f"/jobs/{job.id}.json").get_json()
    assert status["percent"] == 100
    data = client.get(f"/jobs/{job.id}/download").data
    if fmt == "zip":
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert names == [f"Volunteer-Vera-Completed-Safeguarding-children-level-1-{world.certificate.number}.pdf"]
    else:
        assert world.certificate.number in _pdf_text(data)
    client.post("/sign-out")
    assert sign_in(world.other_hr).get(f"/jobs/{job.id}/download").status_code == 404
