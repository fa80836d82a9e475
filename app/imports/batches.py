"""Imports that can be taken back. Each file imported is a batch; every row the import adds
(through the ORM or a bulk insert) carries the batch's id, so undoing it removes exactly what it
added, while nothing has been built on it. The same file twice is refused with the date it was
imported.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.extensions import db
from app.formatting import long_date
from app.models.auth import User
from app.models.certificates import Certificate
from app.models.delivery import DeliverySession, SessionFacilitator
from app.models.establishment import Contract, Post, VolunteerRole, budget_line_post
from app.models.expenses import ExpenseClaim
from app.models.hours import HoursEntry, HoursStatus
from app.models.imports import ImportBatch
from app.models.payroll import PayrollLine
from app.models.people import Person
from app.models.returns import ReturnSubmission
from app.models.training import Check, TrainingRecord

from .csvfile import ImportFailed, ImportReport

UNDO_WITHIN = timedelta(weeks=2)
CURRENT = "import batch being written"
# What an undo deletes, in the order the references between them allow.
TRACKED = (Certificate, TrainingRecord, Check, ExpenseClaim, HoursEntry, DeliverySession, PayrollLine, Contract,
           VolunteerRole, Person, Post)
WORDS = {Certificate: "certificates", TrainingRecord: "training records", Check: "checks",
         ExpenseClaim: "expense claims", HoursEntry: "hours entries", DeliverySession: "sessions",
         PayrollLine: "payroll lines", Contract: "contracts", VolunteerRole: "volunteer roles", Person: "people",
         Post: "posts"}


class UndoRefused(ValueError):
    """The batch cannot be undone; args[0] is every reason, in words."""


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def earlier_import(provider_id: int, kind: str, digest: str) -> ImportBatch | None:
    """The same file already imported as this kind for this provider, and not undone."""
    return db.session.scalar(select(ImportBatch).where(
        ImportBatch.provider_id == provider_id, ImportBatch.kind == kind, ImportBatch.checksum == digest,
        ImportBatch.undone_at.is_(None)).order_by(ImportBatch.id).limit(1))


def current_batch_id() -> int | None:
    """The batch an import running in this session is writing (for bulk inserts), or None."""
    return db.session.info.get(CURRENT)


@event.listens_for(Session, "before_flush")
def _tag_new_rows(session, _context, _instances) -> None:
    batch_id = session.info.get(CURRENT)
    if batch_id is None:
        return
    for row in session.new:
        if isinstance(row, TRACKED) and row.import_batch_id is None:
            row.import_batch_id = batch_id


def run_import(importer, text: str, *, kind: str, file_name: str, data: bytes, provider, actor, at: datetime,
               **kwargs) -> tuple[ImportReport, ImportBatch]:
    """Run ``importer`` as a new batch: refused whole when the same file was imported already.

    :raises ImportFailed: for the same file again, or any bad row (nothing is written).
    """
    digest = checksum(data)
    earlier = earlier_import(provider.id, kind, digest)
    if earlier is not None:
        report = ImportReport(kind)
        report.error(1, f"This file was imported on {long_date(earlier.imported_at)} at "
                        f"{earlier.imported_at:%H:%M} by {earlier.imported_by_label or 'the command line'}, as "
                        f"{earlier.file_name}. Nothing was imported again. To import it afresh, undo that import "
                        "first")
        raise ImportFailed(report)
    batch = ImportBatch(provider_id=provider.id, kind=kind, file_name=(file_name or "upload")[:255], checksum=digest,
                        imported_by_id=actor.id if actor else None,
                        imported_by_label=actor.name if actor else "the command line", imported_at=at)
    db.session.add(batch)
    db.session.flush()
    db.session.info[CURRENT] = batch.id
    try:
        report = importer(text, provider=provider, actor=actor, **kwargs)
        db.session.flush()
    finally:
        db.session.info.pop(CURRENT, None)
    batch.rows_added, batch.rows_skipped = report.created, len(getattr(report, "skipped", []))
    audit.record(actor=actor, action="import", entity=batch, provider_id=provider.id,
                 summary=f"Imported {file_name}: {report.created} {kind} rows"
                         + (f", {batch.rows_skipped} skipped as probable duplicates" if batch.rows_skipped else ""))
    return report, batch


def what_it_added(batch: ImportBatch) -> dict[str, int]:
    """Rows still carrying the batch's id, by kind, in words."""
    counts = {}
    for model in TRACKED:
        count = db.session.scalar(select(func.count()).select_from(model).where(model.import_batch_id == batch.id))
        if count:
            counts[WORDS[model]] = count
    return counts


@dataclass(frozen=True)
class _Blocker:
    model: type
    words: str


# Rows made since, for the people a batch added, that an undo would have to delete too.
_BUILT_ON_PEOPLE = (_Blocker(HoursEntry, "hours logged for them since"),
                    _Blocker(ExpenseClaim, "expense claims made for them since"),
                    _Blocker(TrainingRecord, "training recorded for them since"),
                    _Blocker(Check, "checks recorded for them since"),
                    _Blocker(Contract, "contracts given them since"),
                    _Blocker(VolunteerRole, "volunteer roles given them since"),
                    _Blocker(Certificate, "certificates issued to them since"),
                    _Blocker(PayrollLine, "payroll lines imported for them since"))


def undo_blockers(batch: ImportBatch, *, now: datetime) -> list[str]:
    """Why the batch cannot be undone, in words; empty when it can."""
    if batch.undone_at is not None:
        return [f"It was undone on {long_date(batch.undone_at)}"]
    imported = batch.imported_at if batch.imported_at.tzinfo else batch.imported_at.replace(tzinfo=now.tzinfo)
    reasons = []
    if now - imported > UNDO_WITHIN:
        reasons.append(f"It was imported more than {UNDO_WITHIN.days} days ago, on {long_date(imported)}")
    people = select(Person.id).where(Person.import_batch_id == batch.id)
    for blocker in _BUILT_ON_PEOPLE:
        count = _count(blocker.model, blocker.model.person_id.in_(people), _not_in(blocker.model, batch))
        if count:
            reasons.append(f"{count} {blocker.words}")
    reasons += _approved_since(batch, imported) + _paid(batch, people) + _facilitated(batch, people)
    reasons += _on_posts(batch) + _returns_since(batch, imported)
    accounts = _count(User, User.person_id.in_(people))
    if accounts:
        reasons.append(f"{accounts} of the people it added have a sign-in")
    return reasons


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def _not_in(model, batch: ImportBatch):
    return model.import_batch_id.is_(None) | (model.import_batch_id != batch.id)


def _approved_since(batch: ImportBatch, imported: datetime) -> list[str]:
    count = _count(HoursEntry, HoursEntry.import_batch_id == batch.id, HoursEntry.status == HoursStatus.APPROVED,
                   HoursEntry.decided_at > imported + timedelta(seconds=1))
    corrected = _count(HoursEntry, HoursEntry.corrects_id.in_(
        select(HoursEntry.id).where(HoursEntry.import_batch_id == batch.id)), _not_in(HoursEntry, batch))
    return ([f"{count} of its hours entries were approved since"] if count else []) + (
        [f"{corrected} of its hours entries were corrected since"] if corrected else [])


def _paid(batch: ImportBatch, people) -> list[str]:
    count = _count(ExpenseClaim, ExpenseClaim.import_batch_id == batch.id, ExpenseClaim.batch_id.is_not(None))
    return [f"{count} of its expense claims were paid since"] if count else []


def _facilitated(batch: ImportBatch, people) -> list[str]:
    count = _count(SessionFacilitator, SessionFacilitator.person_id.in_(people), SessionFacilitator.session_id.in_(
        select(DeliverySession.id).where(_not_in(DeliverySession, batch))))
    return [f"{count} sessions recorded since name the people it added"] if count else []


def _on_posts(batch: ImportBatch) -> list[str]:
    posts = select(Post.id).where(Post.import_batch_id == batch.id)
    count = _count(Contract, Contract.post_id.in_(posts), _not_in(Contract, batch))
    lines = db.session.scalar(select(func.count()).select_from(budget_line_post)
                              .where(budget_line_post.c.post_id.in_(posts))) or 0
    return ([f"{count} contracts made since are on the posts it added"] if count else []) + (
        [f"{lines} budget lines pay for the posts it added"] if lines else [])


def _returns_since(batch: ImportBatch, imported: datetime) -> list[str]:
    found = db.session.scalar(select(ReturnSubmission).where(
        (ReturnSubmission.provider_id == batch.provider_id) | ReturnSubmission.provider_id.is_(None),
        ReturnSubmission.submitted_at > imported).order_by(ReturnSubmission.submitted_at).limit(1))
    return [f"A workforce return was submitted on {long_date(found.submitted_at)}, after it"] if found else []


def undo(batch: ImportBatch, *, actor, now: datetime) -> dict[str, int]:
    """Remove everything the batch added; returns what was removed, in words.

    :raises UndoRefused: naming everything that blocks it.
    """
    reasons = undo_blockers(batch, now=now)
    if reasons:
        raise UndoRefused(reasons)
    removed = what_it_added(batch)
    sessions = select(DeliverySession.id).where(DeliverySession.import_batch_id == batch.id)
    db.session.execute(delete(SessionFacilitator).where(SessionFacilitator.session_id.in_(sessions)))
    for model in TRACKED:  # the hours summary recounts what a bulk delete of hours or people touches
        db.session.execute(delete(model).where(model.import_batch_id == batch.id),
                           execution_options={"synchronize_session": False})
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch.id)
    batch.undone_at, batch.undone_by_id = now, actor.id if actor else None
    audit.record(actor=actor, action="undo_import", entity=batch, provider_id=batch.provider_id,
                 summary=f"Undid the import of {batch.file_name} ({long_date(batch.imported_at)}): removed "
                         + ", ".join(f"{n} {w}" for w, n in removed.items()))
    db.session.flush()
    return removed


def recent_batches(provider_id: int, *, limit: int = 20) -> list[ImportBatch]:
    return list(db.session.scalars(select(ImportBatch).where(ImportBatch.provider_id == provider_id)
                                   .order_by(ImportBatch.imported_at.desc(), ImportBatch.id.desc()).limit(limit)))


def get_batch(batch_id: int, provider_id: int) -> ImportBatch | None:
    return db.session.scalar(select(ImportBatch).where(ImportBatch.id == batch_id,
                                                       ImportBatch.provider_id == provider_id))

