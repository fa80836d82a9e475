"""The structure the code keeps, checked by import-linter (.importlinter) and by reading it.
Each contract is shown to fail once: on a copy of the code with one bad import added."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"]


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*LINT, "--no-cache"], cwd=where, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory):
    """A fresh copy of app/, lint/ and .importlinter for each broken example."""
    def make(name: str) -> Path:
        where = tmp_path_factory.mktemp(name)
        shutil.copytree(ROOT / "app", where / "app", ignore=shutil.ignore_patterns("__pycache__", "static"))
        shutil.copytree(ROOT / "lint", where / "lint", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / ".importlinter", where / ".importlinter")
        return where
    return make


def test_the_code_keeps_its_contracts():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("module,line,broken", [
    # A foundation reaching up into a report.
    ("app/periods.py", "from app.returns import services as _up  # noqa", "Each layer imports only the layers"),
    # A service reaching up into the web.
    ("app/hours/services.py", "from app.hours import routes as _up  # noqa", "The web and the entry points are on top"),
    # A package importing a private module of another.
    ("app/people/services.py", "from app.hours import _hidden  # noqa", "Nothing imports another package's private"),
])
def test_each_contract_fails_when_a_bad_import_is_added(copy_of_the_code, module, line, broken):
    where = copy_of_the_code("broken")
    (where / "app" / "hours" / "_hidden.py").write_text('"""A private module."""\n')
    target = where / module
    target.write_text(target.read_text() + "\n" + line + "\n")
    result = _lint(where)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout


def test_two_packages_in_one_layer_may_not_import_each_other(copy_of_the_code):
    where = copy_of_the_code("cycle")
    for module, other in (("expenses", "spending"), ("spending", "expenses")):
        target = where / "app" / module / "services.py"
        target.write_text(target.read_text() + f"\nfrom app.{other} import services as _other  # noqa\n")
    result = _lint(where)
    assert result.returncode != 0
    assert "No two packages import each other, however indirectly BROKEN" in result.stdout


def _python_files():
    return sorted((ROOT / "app").rglob("*.py"))


def test_nothing_imports_another_packages_private_names():
    offenders = []
    for path in _python_files():
        own = path.relative_to(ROOT / "app").parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("app."):
                package = node.module.split(".")[1]
                offenders += [f"{path.relative_to(ROOT)}: {node.module}.{alias.name}" for alias in node.names
                              if alias.name.startswith("_") and package != own]
    assert offenders == []


def test_imports_of_our_own_modules_are_at_the_top_of_each_module():
    """An import written inside a function hid a cycle; fewer than 15 may remain, each with
    its reason on the line (``# lazy: ...``)."""
    inside = []
    for path in _python_files():
        source = path.read_text()
        lines = source.splitlines()
        for function in ast.walk(ast.parse(source)):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                own = (isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").startswith("app"))
                       or isinstance(node, ast.Import) and any(a.name.startswith("app") for a in node.names))
                if own:
                    inside.append((f"{path.relative_to(ROOT)}:{node.lineno}", "# lazy:" in lines[node.lineno - 1]))
    assert len(inside) < 15, inside
    assert [where for where, reason in inside if not reason] == []
