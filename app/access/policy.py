"""What a role sees and how long it stays signed in: the small questions pages and sign-in
ask of a user's role. Every comparison of a role lives in app/access."""

from datetime import timedelta

from app.models.auth import Role, User


def session_lifetime(user: User, config) -> timedelta:
    """How long a device stays signed in after signing in, however active: staff see personal data."""
    if user.role == Role.VOLUNTEER:
        return timedelta(days=config["SESSION_DAYS_PARENT"])
    return timedelta(hours=config["SESSION_HOURS_STAFF"])


def idle_minutes(user: User, config) -> int:
    """How long a signed-in device may sit idle: staff are signed out sooner than parents."""
    return config["IDLE_MINUTES_PARENT"] if user.role == Role.VOLUNTEER else config["IDLE_MINUTES_STAFF"]


def needs_second_step(user: User) -> bool:
    """Staff see personal data and move money: they always take a second step at sign-in.
    A parent takes one only if they turned it on."""
    return user.role != Role.VOLUNTEER or user.two_step_method is not None


def may_turn_off_second_step(user: User) -> bool:
    return user.role == Role.VOLUNTEER


def role_label(user: User) -> str:
    """The user's role in words, for the signed-in line."""
    return user.role.label


def home_template(user: User) -> str:
    if not user.grant_confirmed:
        return "main/home_waiting.html"
    return f"main/home_{user.role.value}.html"


def is_parent(user: User) -> bool:
    """A parent on the pathway (volunteer or co-facilitator), signing in for themselves."""
    return user.role == Role.VOLUNTEER


def names_in_compliance(user: User) -> bool:
    """Compliance names people for their provider's staff; the council sees a summary per provider."""
    return user.role != Role.COORDINATOR


def sees_all_providers(user: User) -> bool:
    return user.role == Role.COORDINATOR


def sees_all_areas(user: User) -> bool:
    """HR, administrators and the co-ordinator choose any area; a facilitator has theirs."""
    return user.role != Role.AREA_FACILITATOR


def area_choices(user: User, areas: list) -> list:
    """The areas a user may pick from in filters and forms."""
    return [a for a in areas if sees_all_areas(user) or a.id == user.area_id]


def fixed_area_id(user: User) -> int | None:
    """The area a user is held to (a facilitator's own), or None."""
    return None if sees_all_areas(user) else user.area_id
