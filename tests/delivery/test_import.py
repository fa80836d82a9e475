"""Importing sessions (CSV on the screen, XLSX on the command line): all or nothing, with
line-numbered problems, creating each facilitator's hours as the screen does."""

import io

from openpyxl import Workbook

from app.extensions import db
from app.models.auth import Role
from app.models.delivery import DeliverySession
from app.models.hours import HoursEntry, HoursStatus
from app.models.people import Stage

from ..conftest import page
from ..factories import make_person

HEADER = ("offer,area,date,start,end,mode,venue,out_of_hours,facilitators,leads,families_attended,families_new,"
          "families_phase_one,families_pre_diagnosis,cohort\n")


def test_sessions_import_creates_sessions_and_hours(world, sign_in, client):
    a, b = (make_person(provider=world.provider, area=world.north, stage=Stage.CO_FACILITATOR) for _ in range(2))
    db.session.commit()
    sign_in(world.user(Role.HR))
    body = (HEADER + f"Peer support group,North Kent,2026-11-02,10:00,12:00,face_to_face,Library,,{a.ref};{b.ref},"
            f"{a.ref},10,3,2,1,\n"
            f"Workshop,North Kent,2026-11-04,6.30pm,8pm,online,,yes,{b.ref},,12,12,0,0,\n")
    response = client.post("/imports/", data={"kind": "sessions", "file": (io.BytesIO(body.encode()), "s.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(DeliverySession)) == 2
    hours = db.session.scalars(db.select(HoursEntry).where(HoursEntry.note.contains("session"))).all()
    assert sorted(h.minutes for h in hours) == [90, 120, 120]
    assert {h.status for h in hours} == {HoursStatus.SUBMITTED}


def test_a_bad_row_imports_nothing_and_says_which_line(world, sign_in, client):
    a = make_person(provider=world.provider, area=world.north, stage=Stage.CO_FACILITATOR)
    db.session.commit()
    sign_in(world.user(Role.HR))
    body = (HEADER + f"Peer support group,North Kent,2026-11-02,10:00,12:00,face_to_face,,,{a.ref},,10,3,0,0,\n"
            f"Workshop,Mars,2026-11-04,noon,8pm,online,,,NOBODY,,5,9,0,0,\n")
    response = client.post("/imports/", data={"kind": "sessions", "file": (io.BytesIO(body.encode()), "s.csv")},
                           content_type="multipart/form-data")
    problems = [[c.get_text(strip=True) for c in tr.select("td")] for tr in page(response).select("table tbody tr")]
    assert ["3", "area 'Mars' is not an area"] in problems
    assert ["3", "start 'noon' is not a time like 10:00"] in problems
    assert ["3", "facilitator 'NOBODY' is not a person at this provider"] in problems
    assert db.session.scalar(db.select(DeliverySession)) is None
    assert db.session.scalar(db.select(HoursEntry).where(HoursEntry.note.contains("session"))) is None


def test_the_command_line_reads_a_workbook(app, world, tmp_path):
    a = make_person(provider=world.provider, area=world.south, stage=Stage.EMPLOYEE)
    db.session.commit()
    book = Workbook()
    book.active.append(HEADER.strip().split(","))
    book.active.append(["1:1 family advice", "South Kent", "2026-11-05", "13:00", "14:00", "online", "", "", a.ref,
                        a.ref, 2, 1, 0, 1, ""])
    path = tmp_path / "sessions.xlsx"
    book.save(path)
    result = app.test_cli_runner().invoke(args=["import", "sessions", str(path), "--provider", world.provider.name])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(DeliverySession)).families_pre_diagnosis == 1
