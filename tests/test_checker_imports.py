"""Checker modules import only core modules (checks.*), never another lesson's module (issue 12)."""

from __future__ import annotations

import ast
from pathlib import Path

from support import ROOT

CHECKERS = ROOT / "checks" / "checkers"


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a checker module, relative imports resolved."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ["checks", "checkers"][: max(0, 2 - node.level + 1)] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.append((node.lineno, module))
            if node.module is None:  # `from . import lesson2`, `from .. import status`: the names are modules
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def test_the_resolver_sees_lesson_imports(tmp_path):
    sample = tmp_path / "lesson99.py"
    sample.write_text(
        "from .lesson2 import x\nfrom . import lesson3\nfrom ..stages import y\nfrom .. import status\n"
        "import checks.checkers.lesson4\nfrom checks.checkers.lesson5 import z\n"
    )
    assert [m for _, m in imported_modules(sample)] == [
        "checks.checkers.lesson2",
        "checks.checkers",
        "checks.checkers.lesson3",
        "checks.stages",
        "checks",
        "checks.status",
        "checks.checkers.lesson4",
        "checks.checkers.lesson5",
    ]


def test_no_checker_module_imports_another():
    modules = sorted(CHECKERS.glob("lesson*.py"))
    assert len(modules) >= 13
    crossing = [
        f"{path.name}:{line} imports {module}"
        for path in modules
        for line, module in imported_modules(path)
        if module.startswith("checks.checkers.")
    ]
    assert not crossing, "a lesson module imports another; move what they share to a core module:\n" + "\n".join(
        crossing
    )
