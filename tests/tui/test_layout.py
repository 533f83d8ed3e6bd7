"""The front end's shape: steps never import the app, the app stays small, every step asked by the table has a
screen, and the screens of asking steps compose no field of their own."""

from __future__ import annotations

import ast
from pathlib import Path

import wizard.tui
from wizard.service.fields import STEPS
from wizard.tui.steps import STEP_TITLES

TUI = Path(wizard.tui.__file__).parent


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # TYPE_CHECKING blocks included
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_step_imports_the_app():
    steps = sorted((TUI / "steps").glob("*.py"))
    assert len(steps) == 10
    for path in [*steps, TUI / "state.py", TUI / "fields.py", TUI / "workers.py", TUI / "writing.py"]:
        assert "wizard.tui.app" not in imported(path), path.name


def test_the_app_is_small_and_no_file_is_long():
    assert len((TUI / "app.py").read_text().splitlines()) < 200
    for path in TUI.rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 300, path.name


def test_the_steps_are_the_tables_then_docs_review_publish():
    assert list(STEP_TITLES) == [*STEPS, "docs", "review", "publish"]
    assert list(STEP_TITLES) == ["identity", "interfaces", "images", "resources", "running", "docs", "review",
                                  "publish"]


def test_asking_steps_restate_no_field():
    from wizard.service.fields import FIELDS

    labels = {f.label for f in FIELDS}
    for step in STEPS:
        source = (TUI / "steps" / f"{step}.py").read_text(encoding="utf-8")
        tree = ast.parse(source)
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        assert not strings & (labels - {STEP_TITLES[step]}), step  # "Interfaces" is a step too
        assert "AnswerField(" not in source and "compose_step" not in source, step
    assert "def " not in (TUI / "steps" / "running.py").read_text()  # the table gives it everything
