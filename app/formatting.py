"""Template filters: money, dates, FTE, in the forms people expect to read."""

import html
from datetime import date, datetime
from decimal import Decimal

from markupsafe import Markup


def article(word: str) -> str:
    """"a" or "an" before a word as it is said: "an Employee", "a Parent Volunteer"."""
    return "an" if (word or "")[:1].lower() in "aeiou" else "a"


def pounds(pence: int | Decimal | None, *, pence_shown: bool = False) -> str:
    if pence is None:
        return "-"
    value = Decimal(pence) / 100
    shown = f"{abs(value):,.2f}" if pence_shown else f"{abs(value):,.0f}"
    sign = "-" if value < 0 and shown.strip("0.,") else ""  # a few pence over is "£0", never "-£0"
    return f"{sign}£{shown}"


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def date_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y} at {value:%H:%M}"


def browser_name(user_agent: str | None) -> str:
    """A device in words a person recognises, from its User-Agent: "Chrome on Android"."""
    agent = user_agent or ""
    browser = next((name for key, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                           ("Safari/", "Safari")) if key in agent), "A browser")
    system = next((name for key, name in (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                          ("Windows", "Windows"), ("Mac OS", "a Mac"), ("Linux", "Linux"))
                   if key in agent), "")
    return f"{browser} on {system}" if system else browser


def hours(minutes: int | None, *, signed: bool = False) -> str:
    """Minutes as decimal hours to two places, trailing zeros dropped: 444 is "7.4", 445 "7.42"."""
    value = round((minutes or 0) / 60, 2)
    return f"{value:+g}" if signed else f"{value:g}"


def fte(value) -> str:
    if value is None:
        return "-"
    text = f"{Decimal(value):.2f}"
    return text[:-1] if text.endswith("0") else text


def seconds_left(user) -> int:
    """Seconds until the signed-in device's session ends however active it is (0 when unknown)."""
    from datetime import UTC, datetime

    ends = getattr(user, "device_ends_at", None)
    return max(0, int((ends - datetime.now(UTC)).total_seconds())) if ends else 0


def _escaped(value) -> str:
    """``value`` safe in HTML text or a quoted attribute. ``html.escape`` rather than markupsafe's
    ``escape``: the same characters, without making a Markup object of each (a third the time)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _options(choices) -> Markup:
    """<option>s from (value, label, selected) in one pass: a filter with every provider has
    hundreds, and a template loop over them (each option two escapes through Jinja, or a macro
    call) was a quarter of the co-ordinator's list pages."""
    return Markup("".join(
        f'<option value="{_escaped(value)}"{" selected" if selected else ""}>{_escaped(label)}</option>'
        for value, label, selected in choices))


def select_options(field) -> Markup:
    """A select field's options as GOV.UK Frontend's select draws them."""
    return _options((value, label, selected) for value, label, selected, *_ in field.iter_choices())


def id_options(rows, chosen=None) -> Markup:
    """Options for rows with an ``id`` and a ``name`` (providers, areas), the one whose id is
    ``chosen`` selected."""
    return _options((row.id, row.name, row.id == chosen) for row in rows)
