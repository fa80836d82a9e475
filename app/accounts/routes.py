"""Accounts screens (administrators and HR), parents' invitations, and getting back in."""

from datetime import UTC, date, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from app.access import (
    account_roles,
    accounts_scope,
    can,
    needs_second_step,
    permission_required,
    public,
)
from app.audit import services as audit
from app.auth import two_step
from app.auth.forms import EmptyForm, SignInSettingsForm
from app.auth.routes import await_second_step, complete_sign_in
from app.auth.services import unlock
from app.extensions import db, limiter
from app.ids import id_or_none
from app.mail import masked, send_email
from app.models.auth import AccountToken, Role, TokenKind, User
from app.models.mail import OutboxMessage
from app.models.people import Person, Provider
from app.people.queries import all_areas
from app.views import public_url, whole_number

from . import services
from .forms import (
    AccountForm,
    ChangeAccountForm,
    ChoosePasswordForm,
    ForgottenPasswordForm,
    InviteForm,
    LetterCodeForm,
    LinkPersonForm,
    StaffRoleForm,
)

bp = Blueprint("accounts", __name__)
STATUSES = {"active": "Switched on", "off": "Switched off", "locked": "Locked after failed sign-ins",
            "never": "Never signed in"}


def now() -> datetime:
    return datetime.now(UTC)


def _filtered(args) -> tuple:
    query = select(User).where(accounts_scope(current_user)).order_by(User.name)
    q = (args.get("q") or "").strip()[:100]
    if q:
        like = f"%{q.lower().replace('%', '').replace('_', '')}%"
        query = query.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    if args.get("role") in {r.value for r in Role}:
        query = query.where(User.role.in_([Role(args["role"])]))  # a list filter the user chose, not an access rule
    if id_or_none(args.get("area")) is not None:
        query = query.where(User.area_id == id_or_none(args.get("area")))
    status = args.get("status", "")
    query = query.where({"active": User.is_enabled, "off": ~User.is_enabled, "locked": User.locked_until > now(),
                         "never": User.last_sign_in_at.is_(None)}.get(status, User.id.is_not(None)))
    return query, {"q": q, "role": args.get("role", ""), "area": args.get("area", ""), "status": status}


@bp.route("/accounts")
@permission_required("manage_accounts")
def list_accounts():
    query, filters = _filtered(request.args)
    page = db.paginate(query, page=request.args.get("page", 1, type=whole_number), per_page=25, error_out=False)
    return render_template("accounts/list_accounts.html", page=page, filters=filters, roles=list(Role),
                           areas=all_areas(), statuses=STATUSES, now=now())


def _get_account_or_404(account_id: int) -> User:
    """An account the current user may manage.

    :raises NotFound: for one outside their provider (or the council's, for the co-ordinator).
    """
    account = db.session.scalar(select(User).where(User.id == account_id, accounts_scope(current_user)))
    if account is None:
        abort(404)
    return account


def _role_form(form, account: User | None = None):
    form.role.choices = [(r.value, r.label) for r in account_roles(current_user, account)]
    form.area_id.choices = [("", "No area")] + [(a.id, a.name) for a in all_areas()]
    return form


def invite_to_set_password(user: User, raw: str) -> None:
    link = public_url("accounts.set_password", token=raw)
    send_email(user.email, "You have been invited to Pathway",
               f"Hello {user.name},\n\n{current_user.name} has set up a Pathway account for you.\n\n"
               f"Choose your password here (the link works once, for 7 days): {link}",
               provider_id=user.provider_id)


def tell_of_grant(account: User) -> None:
    """Every grant of a staff role is emailed to the provider's other administrators and HR."""
    link = public_url("accounts.view_account", account_id=account.id)
    for watcher in services.grant_watchers(account):
        if watcher.id != current_user.id:
            send_email(watcher.email, f"{account.name} has been given the role {account.role.label}",
                       f"Hello {watcher.name},\n\n{current_user.name} has given {account.name} the role "
                       f"{account.role.label} in Pathway. It takes effect when another administrator or HR confirms "
                       "it. If you did not expect this, tell your provider's administrator.\n\n"
                       f"See the account: {link}",
                       provider_id=account.provider_id)


def _person_for_new_account(form):
    """The person a provider's new staff account belongs to: chosen from those matching its name
    or email. None with an error on the form when there is none, or none was chosen."""
    if current_user.provider_id is None or Role(form.role.data) not in services.POWER_ROLES:
        return None, True
    matches = services.matching_people(current_user.provider_id, name=form.name.data, email=form.email.data)
    form.person_id.choices = [(p.id, f"{p.name} ({p.ref}){', ' + p.email if p.email else ''}") for p in matches]
    chosen = next((p for p in matches if p.id == form.person_id.data), None)
    if chosen is not None:
        return chosen, True
    if not matches:
        form.name.errors.append(f"There is nobody called {form.name.data} or with that email address among your "
                                "people. Add them as a person first, then give them a staff role from their record")
    else:
        form.person_id.errors.append("Select the person this account is for")
    return None, False


@bp.route("/accounts/new", methods=["GET", "POST"])
@permission_required("manage_accounts")
def new_account():
    form = _role_form(AccountForm())
    if form.validate_on_submit():
        person, found = _person_for_new_account(form)
        if found:
            try:
                user, raw = services.create_staff_account(
                    name=form.name.data, email=form.email.data, role=Role(form.role.data), area_id=form.area_id.data,
                    provider_id=current_user.provider_id, actor=current_user, now=now(), person=person)
            except services.AccountError as error:
                form[error.args[0]].errors.append(error.args[1])
            else:
                invite_to_set_password(user, raw)
                if not user.grant_confirmed:
                    tell_of_grant(user)
                db.session.commit()
                flash(f"Account created. {user.name} has been sent an invitation to {user.email}"
                      + ("" if user.grant_confirmed else ". Their role takes effect when another administrator or "
                         "HR confirms it"), "success")
                return redirect(url_for("accounts.list_accounts"))
    return render_template("accounts/new_account.html", form=form)


@bp.route("/people/<int:person_id>/staff-role", methods=["GET", "POST"])
@permission_required("grant_staff_role", load=Person)
def staff_role(person: Person):
    form = StaffRoleForm()
    form.role.choices = [(r.value, r.label) for r in services.POWER_ROLES]
    form.area_id.choices = [("", "No area")] + [(a.id, a.name) for a in all_areas()]
    if request.method == "GET":
        form.area_id.data = person.area_id
    if form.validate_on_submit():
        try:
            account, raw = services.grant_staff_role(person, role=Role(form.role.data), area_id=form.area_id.data,
                                                     actor=current_user, now=now())
        except services.AccountError as error:
            form[error.args[0]].errors.append(error.args[1])
        else:
            if raw:
                invite_to_set_password(account, raw)
            tell_of_grant(account)
            db.session.commit()
            flash(f"{person.name} has been given the role {account.role.label}. It takes effect when another "
                  "administrator or HR confirms it" + (f"; an invitation has gone to {account.email}" if raw else ""),
                  "success")
            return redirect(url_for("people.view_person", person_id=person.id))
    return render_template("accounts/staff_role.html", form=form, person=person, account=services.account_for(person))


@bp.route("/accounts/<int:account_id>/confirm", methods=["POST"])
@permission_required("confirm_grants")
def confirm_grant(account_id: int):
    account = _get_grant_or_404(account_id)
    if EmptyForm().validate_on_submit():
        try:
            services.confirm_grant(account, actor=current_user)
        except services.AccountError as error:
            flash(error.args[1], "important")
        else:
            db.session.commit()
            flash(f"{account.name}'s role {account.role.label} is confirmed and in effect", "success")
    return redirect(url_for("accounts.view_account", account_id=account.id)
                    if can(current_user, "manage_accounts", account) else url_for("main.home"))


def _get_grant_or_404(account_id: int) -> User:
    """An account whose role waits for confirmation, which the current user may confirm.

    :raises NotFound: otherwise.
    """
    account = db.session.get(User, account_id)
    if account is None or not can(current_user, "confirm_grants", account):
        abort(404)
    return account


@bp.route("/accounts/<int:account_id>/link", methods=["POST"])
@permission_required("manage_accounts", load=User)
def link_person(account: User):
    form = LinkPersonForm()
    if form.validate_on_submit():
        person = db.session.scalar(select(Person).where(func.upper(Person.ref) == form.ref.data.strip().upper(),
                                                        Person.provider_id == account.provider_id))
        if person is None:
            flash("There is no person with that reference at your provider", "important")
        else:
            services.link_person(account, person, actor=current_user)
            if not account.grant_confirmed:
                tell_of_grant(account)
            db.session.commit()
            flash(f"{account.name}'s account is linked to {person.name}", "success")
    return redirect(url_for("accounts.view_account", account_id=account.id))


@bp.route("/accounts/<int:account_id>", methods=["GET", "POST"])
@permission_required("manage_accounts", load=User)
def view_account(account: User):
    form = _role_form(ChangeAccountForm(obj=account, role=account.role.value), account)
    if form.validate_on_submit():
        try:
            changes = services.change_account(account, role=Role(form.role.data), area_id=form.area_id.data,
                                              actor=current_user)
        except services.AccountError as error:
            form[error.args[0]].errors.append(error.args[1])
        else:
            if "role" in changes and not account.grant_confirmed:
                tell_of_grant(account)
            db.session.commit()
            flash("Changes saved. They will sign in again" if changes else "Nothing was changed", "success")
            return redirect(url_for("accounts.view_account", account_id=account.id))
    return render_template("accounts/view_account.html", account=account, form=form, action=EmptyForm(), now=now(),
                           two_step_names=two_step.METHOD_NAMES, link_form=LinkPersonForm())


@bp.route("/accounts/<int:account_id>/<action>", methods=["POST"])
@permission_required("manage_accounts", load=User)
def account_action(account: User, action: str):
    if action not in ("unlock", "switch_off", "switch_on"):
        abort(404)
    if EmptyForm().validate_on_submit():
        if action == "unlock":
            unlock(account, actor=current_user)
            message = f"{account.name}'s account is unlocked"
        else:
            services.set_enabled(account, action == "switch_on", actor=current_user, reason="by " + current_user.name)
            message = f"{account.name}'s account is switched {'on' if action == 'switch_on' else 'off'}"
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("accounts.view_account", account_id=account.id))


@bp.route("/accounts/<int:account_id>/reset-two-step", methods=["POST"])
@permission_required("reset_second_step", load=User)
def reset_second_step(account: User):
    if EmptyForm().validate_on_submit():
        two_step.reset(account, actor=current_user)
        db.session.commit()
        flash(f"{account.name}'s two-step sign-in is reset. They set it up again when they next sign in", "success")
    return redirect(url_for("accounts.view_account", account_id=account.id))


@bp.route("/admin/sign-in-settings", methods=["GET", "POST"])
@permission_required("manage_sign_in_settings")
def sign_in_settings():
    provider = db.session.get(Provider, current_user.provider_id)
    form = SignInSettingsForm(email_codes="yes" if provider.email_codes_allowed else "no")
    if form.validate_on_submit():
        allowed = form.email_codes.data == "yes"
        if allowed != provider.email_codes_allowed:
            provider.email_codes_allowed = allowed
            audit.record(actor=current_user, action="update", entity=provider, provider_id=provider.id,
                         summary="Staff " + ("may" if allowed else "may no longer") + " get sign-in codes by email")
        db.session.commit()
        flash("Sign-in settings saved" + ("" if allowed else ". Staff who used email codes will set up an "
                                          "authenticator app when they next sign in"), "success")
        return redirect(url_for("accounts.sign_in_settings"))
    return render_template("accounts/sign_in_settings.html", form=form, provider=provider)


@bp.route("/people/<int:person_id>/invite", methods=["GET", "POST"])
@permission_required("invite_people", load=Person)
def invite_person(person: Person):
    form = InviteForm(how="email" if person.email else "letter")
    if form.validate_on_submit():
        if form.how.data == "email" and not person.email:
            form.how.errors.append(f"{person.name} has no email address: print a letter instead")
        else:
            user = services.parent_account(person, actor=current_user)
            kind = TokenKind.INVITE if form.how.data == "email" else TokenKind.LETTER
            raw = services.issue_token(user, kind, actor=current_user, now=now())
            if kind == TokenKind.INVITE:
                invite_to_set_password(user, raw)
                db.session.commit()
                flash(f"Invitation sent to {person.email}", "success")
                return redirect(url_for("people.view_person", person_id=person.id))
            db.session.commit()
            return render_template("accounts/letter.html", person=person, code=raw, user=user,
                                   address=public_url("accounts.letter_code"),
                                   expires=now() + services.LIFETIMES[kind])
    return render_template("accounts/invite.html", form=form, person=person, state=services.account_state(person))


def _choose_password(token: AccountToken | None, form, template: str, **context):
    if form.validate_on_submit() and token is not None:
        try:
            services.use_token(token, password=form.password.data, now=now())
        except services.AccountError as error:
            form.password.errors.append(error.args[1])
        else:
            db.session.commit()
            return _signed_in_after_choosing(token.user)
    return render_template(template, form=form, token=token, **context)


def _signed_in_after_choosing(user: User):
    """Choosing a password signs a parent straight in; staff go on to their second step."""
    if needs_second_step(user):
        response = await_second_step(user, None)
    else:
        response = complete_sign_in(user, second_step=None, next_page=None)
    flash("Your password is saved" + ("" if needs_second_step(user) else ": you are signed in"), "success")
    return response


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
@public
def set_password(token: str):
    found = services.find_token(token, (TokenKind.INVITE, TokenKind.RESET), now=now())
    return _choose_password(found, ChoosePasswordForm(), "accounts/choose_password.html")


@bp.route("/account/letter-code", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@public
def letter_code():
    form = LetterCodeForm()
    found = None
    if form.validate_on_submit():
        found = services.find_token(form.code.data, (TokenKind.LETTER,), now=now())
        if found is None:
            form.code.errors.append("That code is not right, or has been used or has expired. Ask for a new letter")
            return render_template("accounts/letter_code.html", form=form)
    return _choose_password(found, form, "accounts/letter_code.html")


def _reset_key() -> str:
    return (request.form.get("email") or "").strip().lower() or "-"


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=_reset_key)
@limiter.limit("20 per hour", methods=["POST"])
@public
def forgot_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        found = services.reset_token_for(form.email.data, now=now())
        if found is not None:
            user, raw = found
            link = public_url("accounts.set_password", token=raw)
            send_email(user.email, "Reset your Pathway password",
                       f"Hello {user.name},\n\nSomeone asked to reset your Pathway password. If it was you, choose a "
                       f"new one here (the link works once, for 1 hour): {link}\n\nIf it was not you, ignore this "
                       "message: your password has not changed.", provider_id=user.provider_id)
        db.session.commit()
        # The same page whether or not the address has an account.
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/admin/outbox")
@permission_required("view_outbox")
def outbox():
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.provider_id == current_user.provider_id)
                                  .order_by(OutboxMessage.id.desc()).limit(50)).all()
    shown = [{"to": m.to, "subject": masked(m.subject), "body": masked(m.body), "created_at": m.created_at}
             for m in messages]
    return render_template("accounts/outbox.html", messages=shown,
                           smtp=bool(current_app.config.get("SMTP_HOST")), today=date.today())

