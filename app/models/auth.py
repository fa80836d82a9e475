"""Sign-in accounts. Each has exactly one role and, for parents, a linked person."""

import enum
import secrets
from datetime import datetime

from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, Enum, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.people import Area, Person, Provider, utcnow


class Role(enum.StrEnum):
    VOLUNTEER = "volunteer"
    AREA_FACILITATOR = "area_facilitator"
    HR = "hr"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.VOLUNTEER: "Parent (volunteer or co-facilitator)",
    Role.AREA_FACILITATOR: "Area facilitator",
    Role.HR: "HR staff",
    Role.COORDINATOR: "Service co-ordinator (council)",
    Role.ADMIN: "Administrator",
}


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role <> 'area_facilitator' OR area_id IS NOT NULL", name="facilitator_has_area"
        ),
        CheckConstraint("role <> 'volunteer' OR person_id IS NOT NULL", name="parent_has_person"),
        CheckConstraint(
            "role = 'coordinator' OR provider_id IS NOT NULL", name="scoped_to_provider"
        ),
        CheckConstraint("failed_sign_ins >= 0", name="failures_non_negative"),
        CheckConstraint("failed_codes >= 0", name="code_failures_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="role", native_enum=False, create_constraint=True, length=30,
             values_callable=lambda e: [m.value for m in e])
    )
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id", ondelete="RESTRICT"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="RESTRICT"))
    # The human behind the account. Every "not on your own record" rule compares people, so a
    # second account of the same person is the same person (several accounts may share one).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    # Flask-Login's id. Rotated at sign-out and password change, so a copied
    # session cookie stops working the moment its session ends.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Email when hours or claim items are sent back, a claim is paid, a certificate issued.
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    # Wrong second-step codes, counted apart from wrong passwords: only a passed second step
    # resets it, so typing the password again between guesses never clears it.
    failed_codes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A staff role that can approve, pay or grant takes effect only when a second person
    # (another administrator or HR, or the council's co-ordinator) confirms it.
    grant_confirmed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The second step of signing in (app/auth/two_step.py): "app" (an authenticator app's
    # code), "email" (a code sent by email) or None (not set up). Staff must have one.
    two_step_method: Mapped[str | None] = mapped_column(String(10))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last app code's time step, so a code seen over someone's shoulder cannot be used again.
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    email_code_hash: Mapped[str | None] = mapped_column(String(64))
    email_code_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    provider: Mapped[Provider | None] = relationship()
    area: Mapped[Area | None] = relationship()
    person: Mapped[Person | None] = relationship()
    granted_by: Mapped["User | None"] = relationship(remote_side="User.id", foreign_keys=[granted_by_id])

    # The signed-in device this user object was loaded for (a UserSession token).
    device_token = None  # type: str | None  (not a column)
    # When that device's session ends however active it is (not a column).
    device_ends_at = None  # type: datetime | None

    def get_id(self) -> str:
        return self.device_token or self.session_token

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    @property
    def role_label(self) -> str:
        return self.role.label


class UserSession(db.Model):
    """One signed-in browser or device. Signing in elsewhere adds another; signing out,
    "sign out everywhere" and a password change remove them."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # How this device passed the second step ("app", "email", "recovery"), or None when the
    # account needed none: a staff account's device without one is never let in.
    second_step: Mapped[str | None] = mapped_column(String(10))

    user: Mapped[User] = relationship()


class KnownDevice(db.Model):
    """A browser an account has signed in from before (it is not locked out by someone guessing at
    the account). The cookie holds only a random id; which accounts it knows stays here."""

    __tablename__ = "known_device"
    __table_args__ = (UniqueConstraint("token_hash", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RecoveryCode(db.Model):
    """One of ten single-use codes shown once when the second step is set up. Only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TokenKind(enum.StrEnum):
    INVITE = "invite"  # an emailed link to choose a first password, 7 days
    LETTER = "letter"  # a short code on a printed letter, 14 days
    RESET = "reset"  # an emailed link to choose a new password, 1 hour


class AccountToken(db.Model):
    """A single-use link or code that lets someone choose a password. Only its hash is kept."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TokenKind] = mapped_column(Enum(TokenKind, name="token_kind", native_enum=False,
                                                 create_constraint=True, length=20,
                                                 values_callable=lambda e: [m.value for m in e]))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class AnonymousUser(AnonymousUserMixin):
    """Someone not signed in: they may take no named action."""

    person_id = None

    def can(self, permission: str, record=None) -> bool:
        return False

    def refusal(self, permission: str, record=None) -> str | None:
        return "Sign in first"
