"""Layers point one way: db/ knows nothing of tracker/, and nothing headless loads Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEADLESS = [
    "db.models",
    "db.engine",
    "db.audit",
    "tracker.domain.dates",
    "tracker.domain.profiles",
    "tracker.domain.tolerance",
    "tracker.services.projects",
    "tracker.services.worked_example",
    "tracker.services.risks",
    "tracker.services.issues",
    "tracker.domain.change_control",
    "tracker.services.issue_changes",
    "tracker.services.issue_register",
    "tracker.services.issue_log",
    "tracker.services.links",
    "tracker.services.history",
    "tracker.services.lessons",
    "tracker.services.daily_log",
    "tracker.cli.issues",
    "tracker.cli.logs",
    "tracker.services.board",
    "tracker.services.board_review",
    "tracker.services.programme_board",
    "tracker.reports.minutes",
    "tracker.cli.board",
    "tracker.services.reports",
    "tracker.services.highlight",
    "tracker.services.quarterly",
    "tracker.reports.highlight",
    "tracker.reports.render",
    "tracker.reports.pdf",
    "tracker.cli.reports",
    "tracker.exports.table",
    "tracker.exports.workbook",
    "tracker.cli.main",
    "tracker.cli.commands",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_modules_load_without_textual(module):
    code = f"import sys, {module}; print('textual' in sys.modules, 'rich' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_db_imports_nothing_from_tracker():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in _imports(path) if m.split(".")[0] == "tracker"
        )
        for path in (ROOT / "db").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_ui_package_imports_textual():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tracker").rglob("*.py")
        if "ui" not in path.relative_to(ROOT / "tracker").parts
        and any(m.split(".")[0] == "textual" for m in _imports(path))
    ]
    assert offenders == []


def test_the_ui_holds_no_sql():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tracker" / "ui").rglob("*.py")
        if any(
            m.split(".")[0] in ("sqlmodel", "sqlalchemy") or m == "db.models"
            for m in _imports(path)
        )
    ]
    assert offenders == []


def test_version_and_help_do_not_load_the_database_layer():
    code = (
        "import sys; from tracker.cli.main import build_parser; print('sqlalchemy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "False", result.stderr
