"""Deterministic synthetic data at scale: N providers, each in the four areas with the seed's
establishment; at N=50 about 5,000 people, 1,000,000 hour entries over three contract years,
100,000 expense lines, 30,000 training records with certificates, and about 80,000 sessions
delivered (three or so a week in each area). Bulk inserts throughout."""

import enum
import itertools
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select, text

from app.delivery import summary as session_days
from app.establishment import ledger
from app.extensions import db
from app.hours import summary as hours_summary
from app.models.certificates import Certificate, CertificateKind
from app.models.delivery import DeliverySession, Mode, Offer, SessionFacilitator
from app.models.establishment import Contract, VolunteerRole
from app.models.expenses import ClaimStatus, ExpenseCategory, ExpenseClaim, ExpenseLine, LineStatus, Vehicle
from app.models.hours import Activity, HoursEntry, HoursStatus
from app.models.people import Person, Provider, Stage, StageChange
from app.models.training import Course, TrainingRecord, TrainingResult
from app.periods import week_before, week_start
from app.training import current as training_current
from app.training.rules import expiry_date

from .establishment import AREAS, get_or_create, load_areas, load_contract_years, load_grades, load_posts
from .training import load_catalogue

PEOPLE_PER_PROVIDER = 100
HOURS_PER_PERSON = 200  # about 1.3 entries a week over three years
EXPENSE_LINES_PER_PROVIDER = 2000
TRAINING_PER_PROVIDER = 600
START = date(2024, 4, 1)
END = date(2027, 3, 31)
CHUNK = 20_000
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _bulk(model, rows: list[dict]) -> None:
    if rows and db.session.get_bind().dialect.name == "postgresql":
        _copy(model, rows)
        return
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])


def _copy(model, rows: list[dict]) -> None:
    """PostgreSQL's COPY, several times quicker than INSERTs for millions of rows. COPY is not
    an ORM statement, so the people it touched are put down here for the cost ledger to price
    once as the provider commits (app.establishment.ledger notices every other way of writing).
    The hours summary is counted once at the end of the load (``ScaleLoader.run``)."""
    columns = list(rows[0])
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([v.value if isinstance(v, enum.Enum) else v for v in row.values()])
    if model in (HoursEntry, Contract):
        ledger.to_price(db.session, {row["person_id"] for row in rows})


def _bulk_returning(model, rows: list[dict]) -> list[int]:
    """Insert rows and give their ids in order. On PostgreSQL the ids are taken from the table's
    sequence first and the rows copied in with them."""
    if rows and db.session.get_bind().dialect.name == "postgresql":
        table = model.__tablename__
        ids = list(db.session.scalars(text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                                           "FROM generate_series(1, :n) ORDER BY 1"), {"n": len(rows)}))
        _copy(model, [{"id": id_, **row} for id_, row in zip(ids, rows, strict=True)])
        return ids
    ids = []
    for start in range(0, len(rows), CHUNK):
        ids += list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                                       rows[start:start + CHUNK]))
    return ids


def _code(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def _stage_plan(index: int) -> list[Stage]:
    if index < 6:
        return [Stage.EMPLOYEE] if index != 0 else [Stage.VOLUNTEER, Stage.CO_FACILITATOR, Stage.EMPLOYEE]
    if index < 24:
        return [Stage.VOLUNTEER, Stage.CO_FACILITATOR]
    return [Stage.VOLUNTEER]


class ScaleLoader:
    def __init__(self, providers: int, seed: int, today: date, echo=print):
        self.count, self.seed, self.today, self.echo = providers, seed, today, echo
        self.now = datetime.now(UTC)
        self.superuser: bool | None = None

    def run(self) -> None:
        areas, grades = load_areas(), load_grades()
        self.activities = list(db.session.scalars(select(Activity.id)))
        self.categories = {c.name: c.id for c in db.session.scalars(select(ExpenseCategory))}
        self.courses = list(load_catalogue().values())
        self.offers = list(db.session.scalars(select(Offer.id)))
        # The hours summary and sessions by day are counted once at the end from the raw rows, and
        # training records' superseded_on checked then, not again for every provider's people and
        # days as they are loaded. A load stopped part-way leaves them behind its committed
        # providers until it is run again (it adds only the providers missing, then counts) or
        # `flask summaries rebuild` is.
        deferred = (hours_summary.DEFERRED, session_days.DEFERRED, training_current.DEFERRED)
        db.session.info.update(dict.fromkeys(deferred, True))
        try:
            self._providers(areas, grades)
        finally:
            for key in deferred:
                db.session.info.pop(key, None)
        hours_summary.rebuild(db.session.connection())
        session_days.rebuild(db.session.connection())
        training_current.rebuild(db.session.connection())
        db.session.commit()
        # Fresh statistics, so the query planner knows the tables' new sizes.
        db.session.execute(text("ANALYZE"))
        db.session.commit()

    def _providers(self, areas, grades) -> None:
        for number in range(1, self.count + 1):
            name = f"Scale Provider {number:03d}"
            if db.session.scalar(select(Provider.id).where(Provider.name == name)):
                continue
            # Each provider has its own stream: the same provider always gets the same data.
            self.rng = random.Random(self.seed * 1000 + number)
            self._without_reference_checks()
            provider, _ = get_or_create(Provider, name=name)
            posts = load_posts(provider, areas, grades)
            load_contract_years(provider, posts, starts=(2024, 2025, 2026))
            self._provider(provider, areas, posts)
            db.session.commit()
            if number % 5 == 0 or number == self.count:
                self.echo(f"  {number} of {self.count} providers")

    def _without_reference_checks(self) -> None:
        """On PostgreSQL, for this provider's transaction, as ``pg_restore --disable-triggers``
        does: every row copied in names only rows the loader has just made or read, so the
        foreign keys' checks, one query per row and two-thirds of the load's time, are skipped.
        Only a superuser may; anyone else's load runs the checks. (No table has a trigger of its
        own; tests/demo/test_scale.py checks every reference after a load.)"""
        if db.session.get_bind().dialect.name != "postgresql":
            return
        if self.superuser is None:
            self.superuser = db.session.scalar(text("SELECT current_setting('is_superuser')")) == "on"
        if self.superuser:
            db.session.execute(text("SET LOCAL session_replication_role = replica"))

    def _provider(self, provider: Provider, areas, posts) -> None:
        rng = self.rng
        people, plans = [], []
        for index in range(PEOPLE_PER_PROVIDER):
            joined = START + timedelta(days=rng.randint(-400, 500))
            # Each step of the pathway about ten months after the last, never in the future.
            plan = [(stage, joined + timedelta(days=301 * step)) for step, stage in enumerate(_stage_plan(index))]
            plan = [(stage, on) for stage, on in plan if on < self.today - timedelta(days=30)]
            left = plan[-1][1] + timedelta(days=rng.randint(60, 500)) if rng.random() < 0.12 else None
            people.append({"ref": "S" + _code(rng, 8), "provider_id": provider.id,
                           "area_id": areas[AREAS[index % 4]].id, "first_name": f"Given{index}",
                           "last_name": f"Family{rng.randint(1, 9999)}", "email": None, "phone": None,
                           "stage": plan[-1][0], "joined_on": joined,
                           "left_on": left if left and left < self.today else None,
                           "has_lived_experience": rng.random() < 0.75, "created_at": self.now, "updated_at": self.now})
            plans.append(plan)
        ids = _bulk_returning(Person, people)
        self._histories(ids, people, plans, posts)
        self._hours(ids, people)
        self._expenses(ids, people)
        self._training(ids, people)
        self._sessions(provider, ids, people, areas)

    def _histories(self, ids, people, plans, posts) -> None:
        changes, contracts, roles = [], [], []
        titles = {Stage.VOLUNTEER: "Parent Volunteer", Stage.CO_FACILITATOR: "Parent Co-Facilitator",
                  Stage.EMPLOYEE: "Area Facilitator"}
        for person_id, person, plan in zip(ids, people, plans, strict=True):
            previous = None
            for step, (stage, on) in enumerate(plan):
                changes.append({"person_id": person_id, "changed_on": on, "from_stage": previous, "to_stage": stage,
                                "reason": "Joined" if previous is None else "Met the requirements",
                                "created_at": self.now})
                post = next(p for p in posts[titles[stage]] if p.area_id in (person["area_id"], None))
                ends = plan[step + 1][1] - timedelta(days=1) if step + 1 < len(plan) else person["left_on"]
                if post.is_volunteer:  # a volunteer role, with the hours they expect to give: never a contract
                    roles.append({"person_id": person_id, "post_id": post.id, "starts_on": on, "ends_on": ends,
                                  "expected_weekly_hours": 9.25})
                else:
                    contracts.append({"person_id": person_id, "post_id": post.id, "starts_on": on, "ends_on": ends,
                                      "weekly_hours": {Stage.CO_FACILITATOR: 18.5, Stage.EMPLOYEE: 37}[stage],
                                      "is_sessional": False})
                previous = stage
        _bulk(StageChange, changes)
        _bulk(Contract, contracts)
        _bulk(VolunteerRole, roles)

    def _hours(self, ids, people) -> None:
        rng, rows = self.rng, []
        last_week = week_before(self.today)[0]
        for person_id, person in zip(ids, people, strict=True):
            first = max(START, person["joined_on"])
            last = min(d for d in (END, person["left_on"], self.today - timedelta(days=1)) if d)
            span = (last - first).days
            if span <= 0:
                continue
            for _ in range(HOURS_PER_PERSON):
                day = first + timedelta(days=rng.randint(0, span))
                status = HoursStatus.APPROVED if day < last_week else HoursStatus.SUBMITTED
                rows.append({"person_id": person_id, "area_id": person["area_id"],
                             "activity_id": rng.choice(self.activities), "worked_on": day,
                             "minutes": rng.choice((60, 90, 120, 150, 180, 240)), "status": status,
                             "is_on_behalf": False, "created_at": self.now, "submitted_at": self.now,
                             "decided_at": self.now if status == HoursStatus.APPROVED else None})
        _bulk(HoursEntry, rows)

    def _expenses(self, ids, people) -> None:
        rng = self.rng
        claims, lines_for = [], []
        for _ in range(EXPENSE_LINES_PER_PROVIDER // 5):
            index = rng.randrange(len(ids))
            person = people[index]
            day = max(START, person["joined_on"]) + timedelta(days=rng.randint(0, 700))
            if day >= self.today:
                day = self.today - timedelta(days=rng.randint(1, 60))
            paid = day < self.today - timedelta(days=45)
            claims.append({"person_id": ids[index], "status": ClaimStatus.PAID if paid else ClaimStatus.SUBMITTED,
                           "is_on_behalf": False, "submitted_at": self.now, "created_at": self.now,
                           "paid_on": day + timedelta(days=30) if paid else None,
                           "payment_reference": "SCALE" if paid else None})
            lines_for.append((day, paid))
        claim_ids = _bulk_returning(ExpenseClaim, claims)
        lines = []
        for claim_id, (day, paid) in zip(claim_ids, lines_for, strict=True):
            for _ in range(5):
                miles = rng.randint(20, 200) / 10
                lines.append({"claim_id": claim_id, "category_id": self.categories["Mileage"], "spent_on": day,
                              "description": "Peer support group", "amount_pence": int(miles * 45), "miles": miles,
                              "vehicle": Vehicle.CAR, "imported_without_receipt": True,
                              "status": LineStatus.APPROVED if paid else LineStatus.PENDING, "created_at": self.now})
        _bulk(ExpenseLine, lines)

    def _training(self, ids, people) -> None:
        rng, records = self.rng, []
        for _ in range(TRAINING_PER_PROVIDER):
            index = rng.randrange(len(ids))
            course: Course = rng.choice(self.courses)
            done = max(START, people[index]["joined_on"]) + timedelta(days=rng.randint(0, 600))
            done = min(done, self.today - timedelta(days=1))
            records.append({"person_id": ids[index], "course_id": course.id, "completed_on": done,
                            "expires_on": expiry_date(done, course.validity_months),
                            "result": TrainingResult.PASSED, "cost_pence": course.cost_pence, "created_at": self.now,
                            "superseded_on": None})
        # Each record superseded by the next of its person's course (their ids follow this list's
        # order): written with the rows, so the stamping at the end of the load finds nothing to
        # change rather than rewriting most of the table.
        ordered = sorted(range(len(records)), key=lambda i: (records[i]["person_id"], records[i]["course_id"],
                                                              records[i]["completed_on"], i))
        for earlier, later in itertools.pairwise(ordered):
            if records[earlier]["person_id"] == records[later]["person_id"] and (
                    records[earlier]["course_id"] == records[later]["course_id"]):
                records[earlier]["superseded_on"] = records[later]["completed_on"]
        record_ids = _bulk_returning(TrainingRecord, records)
        names = {c.id: c.name for c in self.courses}
        _bulk(Certificate, [{"number": f"PW-{_code(rng, 4)}-{_code(rng, 5)}", "person_id": r["person_id"],
                             "kind": CertificateKind.COURSE, "title": f"Completed {names[r['course_id']]}",
                             "issued_on": r["completed_on"], "training_record_id": record_id,
                             "created_at": self.now} for r, record_id in zip(records, record_ids, strict=True)])



    def _sessions(self, provider: Provider, ids, people, areas) -> None:
        """About three sessions a week in each area, each led by one or two of the area's people."""
        if not self.offers:
            return
        rng, sessions, leaders = self.rng, [], []
        by_area = {}
        for person_id, person in zip(ids, people, strict=True):
            by_area.setdefault(person["area_id"], []).append((person_id, person))
        first_monday = week_start(START)
        weeks = (min(END, self.today) - first_monday).days // 7
        for area_id, team in by_area.items():
            for week in range(weeks):
                monday = first_monday + timedelta(weeks=week)
                for _ in range(rng.choice((2, 3, 3, 4))):
                    day = monday + timedelta(days=rng.randint(0, 6))
                    evening = rng.random() < 0.2
                    attended = rng.randint(3, 12)
                    sessions.append({
                        "provider_id": provider.id, "offer_id": rng.choice(self.offers), "area_id": area_id,
                        "delivered_on": day, "starts_at": time(18) if evening else time(10),
                        "ends_at": time(20) if evening else time(12),
                        "mode": Mode.ONLINE if rng.random() < 0.15 else Mode.FACE_TO_FACE,
                        "out_of_hours": evening or day.weekday() >= 5, "families_attended": attended,
                        "families_new": rng.randint(0, attended // 3), "families_phase_one": 0,
                        "families_pre_diagnosis": 0, "created_at": self.now})
                    here = [pid for pid, p in team if p["joined_on"] <= day and (p["left_on"] or END) >= day]
                    leaders.append(rng.sample(here, min(len(here), rng.choice((1, 2)))))
        session_ids = _bulk_returning(DeliverySession, sessions)
        _bulk(SessionFacilitator, [{"session_id": session_id, "person_id": person_id, "leads": index == 0}
                                   for session_id, chosen in zip(session_ids, leaders, strict=True)
                                   for index, person_id in enumerate(chosen)])
