"""Charts are drawn once and shared by every process: a chart another process drew is served
from the shared cache (a different process never draws it again); other figures draw anew."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from flask import current_app

from app.budget import charts

ROOT = Path(__file__).resolve().parents[2]
FIGURES = (["North", "South"], {"Hours": [12.0, 7.5]}, "Hours by area", "Hours")


def _key(*args) -> str:
    return "chart:" + hashlib.sha256(repr((charts.CHART_STYLE, "_bar_chart", args)).encode()).hexdigest()


def _in_another_process(labels, series) -> str:
    code = ("import sys; sys.path.insert(0, '.'); from app.factory import create_app; "
            "from app.budget.charts import bar_chart;"
            "app = create_app('test', CHART_CACHE_DIR=sys.argv[1], SQLALCHEMY_DATABASE_URI='sqlite://')\n"
            "with app.app_context():\n"
            f"    print(bar_chart({labels!r}, {series!r}, 'Hours by area', 'Hours'))")
    return subprocess.run([sys.executable, "-c", code, current_app.config["CHART_CACHE_DIR"]], cwd=ROOT,
                          capture_output=True, text=True, check=True, env={**os.environ}).stdout


def test_a_chart_drawn_here_is_served_to_another_process_from_the_shared_cache():
    drawn = charts.bar_chart(*FIGURES)
    assert drawn.startswith("<svg") and "Hours by area" in drawn
    key = _key(("North", "South"), (("Hours", (12.0, 7.5)),), "Hours by area", "Hours", False)
    assert charts._cache().get(key) == str(drawn)
    # Mark the kept copy: only a process that reads the shared cache, not one that draws, can return it.
    charts._cache().set(key, '<svg id="kept"></svg>')
    assert '<svg id="kept"></svg>' in _in_another_process(*FIGURES[:2])
    # Other figures are a different chart, drawn afresh.
    other = _in_another_process(["North", "South"], {"Hours": [3.0, 4.0]})
    assert "kept" not in other and "<svg" in other
