"""Receipt files: checked by their content, stored outside the web root under random names."""

import secrets
from pathlib import Path

import filetype
from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

from app.extensions import db
from app.models.expenses import ExpenseClaim, ExpenseLine, Receipt

ALLOWED = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIC",
           "image/heif": "HEIC"}


class ReceiptError(ValueError):
    pass


def receipt_dir() -> Path:
    path = Path(current_app.config["RECEIPT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_upload(data: bytes, max_bytes: int) -> str:
    """The file's real type, judged by its content rather than its name.

    :raises ReceiptError: if it is empty, too large, or not a PDF, JPEG, PNG or HEIC.
    """
    if not data:
        raise ReceiptError("The selected file is empty")
    if len(data) > max_bytes:
        raise ReceiptError(f"The receipt must be smaller than {max_bytes // (1024 * 1024)}MB")
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ALLOWED:
        raise ReceiptError("The receipt must be a PDF, JPEG, PNG or HEIC file")
    return kind.mime


def used_bytes(person_id: int) -> int:
    """Receipt storage a person's claims hold."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Receipt.size_bytes), 0))
        .where(Receipt.id.in_(select(ExpenseLine.receipt_id).join(ExpenseClaim, ExpenseClaim.id == ExpenseLine.claim_id)
                              .where(ExpenseClaim.person_id == person_id)))) or 0


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def store_receipt(data: bytes, original_name: str, *, actor, person_id: int | None = None) -> Receipt:
    """Check and save an uploaded receipt; the caller commits. A receipt for a person's claim
    counts toward their storage quota (RECEIPT_QUOTA_BYTES).

    :raises ReceiptError: for a file that is not an acceptable receipt, or one over the quota.
    """
    mime = check_upload(data, current_app.config["RECEIPT_MAX_BYTES"])
    if person_id is not None:
        quota, used = current_app.config["RECEIPT_QUOTA_BYTES"], used_bytes(person_id)
        if used + len(data) > quota:
            raise ReceiptError(
                f"There is no room for this receipt: receipts on these claims already take {_megabytes(used)}MB "
                f"of {_megabytes(quota)}MB. Remove receipts from draft claims you no longer need, or ask HR")
    stored = secrets.token_hex(16)
    (receipt_dir() / stored).write_bytes(data)
    receipt = Receipt(stored_name=stored, original_name=(secure_filename(original_name) or "receipt")[:255],
                      content_type=mime, size_bytes=len(data), uploaded_by_id=actor.id if actor else None)
    db.session.add(receipt)
    db.session.flush()
    return receipt


def receipt_path(receipt: Receipt) -> Path:
    return receipt_dir() / receipt.stored_name


def forget_receipt(receipt: Receipt) -> None:
    """Delete a receipt no line uses any more: its row now, its file once the change is committed
    (a change rolled back keeps the file it still points to)."""
    if db.session.scalar(select(func.count()).select_from(ExpenseLine).where(ExpenseLine.receipt_id == receipt.id)):
        return
    db.session.delete(receipt)
    db.session().info.setdefault(DELETE_AFTER_COMMIT, []).append(receipt_path(receipt))


DELETE_AFTER_COMMIT = "receipt files to delete after commit"


@event.listens_for(Session, "after_commit")
def _delete_forgotten_files(session) -> None:
    for path in session.info.pop(DELETE_AFTER_COMMIT, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _keep_files_still_pointed_to(session) -> None:
    session.info.pop(DELETE_AFTER_COMMIT, None)


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic",
              "image/heif": ".heic"}


def serve_receipt(receipt: Receipt):
    """The file as a download, named with the extension its checked content has (a PDF uploaded
    as x.html comes back as x.pdf), never shown inline.

    :raises NotFound: when the file is missing.
    """
    from flask import abort, send_file

    path = receipt_path(receipt)
    if not path.is_file():
        abort(404)
    stem = Path(receipt.original_name).stem or "receipt"
    return send_file(path, mimetype=receipt.content_type, as_attachment=True, max_age=0,
                     download_name=stem + EXTENSIONS.get(receipt.content_type, ""))
