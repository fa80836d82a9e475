"""Charts as SVG, drawn on the server with matplotlib so the same chart can go
into a page or a PDF. Every chart is shown beside a table of its numbers."""

import functools
import hashlib
import io
import os
import re
from datetime import date

from markupsafe import Markup

BLUE, GREY, RED, GREEN = "#1d70b8", "#505a5f", "#d4351c", "#00703c"


@functools.cache
def _pyplot():
    """matplotlib, loaded the first time a chart is drawn: half a second that no other page,
    test or command should pay for."""
    import matplotlib  # lazy: a heavy library

    matplotlib.use("Agg")  # no display on a server
    from matplotlib import pyplot as plt  # lazy: a heavy library

    plt.rcParams.update({
        "svg.fonttype": "none",  # keep text as text: smaller, searchable, readable by screen readers
        "font.family": "sans-serif",
        "font.sans-serif": ["Liberation Sans", "Arial", "DejaVu Sans"],
        "font.size": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "text.parse_math": False,  # labels are user text (activity names): "$...$" is words, never maths
    })
    return plt


def _style_to_attributes(match: re.Match) -> str:
    """style="fill: #fff; font: 11px 'Arial'" -> fill="#fff" font-size="11px" font-family="Arial"."""
    attributes = []
    for declaration in match.group(1).split(";"):
        if ":" not in declaration:
            continue
        name, value = (part.strip() for part in declaration.split(":", 1))
        if name == "font":
            size, _, family = value.partition(" ")
            attributes += [f'font-size="{size}"', f'font-family="{family.replace(chr(39), "")}"']
        else:
            attributes.append(f'{name}="{value}"')
    return " ".join(attributes)


def _csp_safe(svg: str) -> str:
    """Our Content-Security-Policy refuses inline styles, so use presentation attributes."""
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    return re.sub(r'style="([^"]*)"', _style_to_attributes, svg)


def _svg(figure, title: str) -> Markup:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    _pyplot().close(figure)
    svg = _csp_safe(buffer.getvalue())
    svg = svg[svg.index("<svg"):]
    opening = f'<svg role="img" aria-label="{Markup.escape(title)}" class="pathway-chart" '
    svg = re.sub(r"<svg ", lambda _: opening, svg, count=1)  # a function: backslashes in the title are text
    svg = re.sub(r'(width|height)="[\d.]+pt"', "", svg, count=2)
    return Markup(svg)


# Drawing a chart takes a few hundred milliseconds, and the same figures always make the same
# SVG: each chart is kept, by a hash of its figures, in a cache on disk (diskcache, SQLite
# underneath) that every web and worker process shares, so a chart is drawn once, by
# whichever process needs it first. Raise CHART_STYLE when the drawing code changes.
CHART_STYLE = 2
_caches: dict[tuple[int, str], object] = {}


def _cache():
    """This process's handle on the app's shared cache (opened after any fork, never inherited;
    one per folder, for a process that runs more than one app, as the tests do)."""
    from diskcache import Cache
    from flask import current_app

    key = (os.getpid(), current_app.config["CHART_CACHE_DIR"])
    if key not in _caches:
        for stale in [k for k in _caches if k[0] != key[0]]:
            del _caches[stale]
        _caches[key] = Cache(key[1], size_limit=current_app.config["CHART_CACHE_BYTES"],
                             eviction_policy="least-recently-used")
    return _caches[key]


def drawn_once(draw):
    """Keep ``draw``'s SVG in the shared cache under a hash of its name and figures."""

    @functools.wraps(draw)
    def cached(*args) -> Markup:
        key = "chart:" + hashlib.sha256(repr((CHART_STYLE, draw.__name__, args)).encode()).hexdigest()
        cache = _cache()
        svg = cache.get(key)
        if svg is None:
            svg = str(draw(*args))
            cache.set(key, svg)
        return Markup(svg)

    return cached


def _pounds(value, _position=None) -> str:
    return f"£{value / 100:,.0f}"


def monthly_spend_chart(months: list[date], actual: list[int], profile: int, today: date) -> Markup:
    """Cumulative spend by month against an even profile of the budget."""
    return _monthly_spend_chart(tuple(months), tuple(actual), profile, today)


@drawn_once
def _monthly_spend_chart(months: tuple, actual: tuple, profile: int, today: date) -> Markup:
    figure, axes = _pyplot().subplots(figsize=(8, 3.6))
    labels = [m.strftime("%b") for m in months]
    cumulative, running = [], 0
    for month, spent in zip(months, actual, strict=True):
        running += spent
        cumulative.append(running if month <= today else None)
    axes.plot(labels, [profile * (i + 1) for i in range(len(months))], color=GREY, linestyle="--",
              label="Even profile of the budget")
    shown = [(label, value) for label, value in zip(labels, cumulative, strict=True) if value is not None]
    if shown:
        axes.plot([s[0] for s in shown], [s[1] for s in shown], color=BLUE, marker="o", linewidth=2.5,
                  label="Actual spend to date")
    axes.yaxis.set_major_formatter(_pounds)  # matplotlib wraps a function as a FuncFormatter
    axes.set_ylim(bottom=0)
    axes.legend(frameon=False, loc="upper left")
    axes.set_title("Cumulative spend against an even profile", loc="left")
    return _svg(figure, "Line chart of cumulative spend by month against an even profile; "
                        "the numbers are in the table that follows")


def fte_chart(groups: list[str], budgeted: list[float], used: list[float]) -> Markup:
    """FTE used against budgeted FTE for each post group, as paired bars."""
    return _fte_chart(tuple(groups), tuple(budgeted), tuple(used))


@drawn_once
def _fte_chart(groups: tuple, budgeted: tuple, used: tuple) -> Markup:
    figure, axes = _pyplot().subplots(figsize=(8, 0.6 + 0.55 * max(len(groups), 1)))
    positions = range(len(groups))
    axes.barh([p + 0.2 for p in positions], budgeted, height=0.38, color=GREY, label="Budgeted FTE")
    colours = [RED if b and u > b * 1.05 else BLUE for b, u in zip(budgeted, used, strict=True)]
    axes.barh([p - 0.2 for p in positions], used, height=0.38, color=colours, label="FTE used")
    axes.set_yticks(list(positions), groups)
    axes.invert_yaxis()
    axes.legend(frameon=False, loc="lower right")
    axes.set_title("FTE used against budget", loc="left")
    return _svg(figure, "Bar chart of FTE used against budgeted FTE by post; "
                        "the numbers are in the table that follows")


PALETTE = [BLUE, "#f47738", GREEN, GREY, "#4c2c92"]


def bar_chart(labels: list[str], series: dict[str, list[float]], title: str, unit: str, *,
              horizontal: bool = False) -> Markup:
    """Grouped bars, one colour a series; the numbers are always in a table beside it."""
    return _bar_chart(tuple(labels), tuple((k, tuple(v)) for k, v in series.items()), title, unit, horizontal)


@drawn_once
def _bar_chart(labels: tuple, series_items: tuple, title: str, unit: str, horizontal: bool) -> Markup:
    series = dict(series_items)
    count = max(len(labels), 1)
    figure, axes = _pyplot().subplots(figsize=(8, 0.6 + 0.45 * count) if horizontal else (8, 3.6))
    width = 0.8 / max(len(series), 1)
    for index, (name, values) in enumerate(series.items()):
        positions = [p + (index - (len(series) - 1) / 2) * width for p in range(len(labels))]
        if horizontal:
            axes.barh(positions, values, height=width, color=PALETTE[index % len(PALETTE)], label=name)
        else:
            axes.bar(positions, values, width=width, color=PALETTE[index % len(PALETTE)], label=name)
    if horizontal:
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.set_xlabel(unit)
    else:
        axes.set_xticks(range(len(labels)), labels)
        axes.set_ylabel(unit)
    if len(series) > 1:
        axes.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(series))
    axes.set_title(title, loc="left")
    return _svg(figure, f"{title}; the numbers are in the table that follows")
