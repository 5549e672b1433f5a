"""The import graph of checks/: no cycle, and the docker SDK's objects stay inside the engine (issue 20).

Every import counts, the ones inside functions too (a lazy import is still a dependency); only
imports under `if TYPE_CHECKING:` are left out, since they never run.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from support import ROOT

PACKAGE = ROOT / "checks"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under `if TYPE_CHECKING:`."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for child in ast.walk(inner):
                    skipped.add(id(child))
    return skipped


def imports_of(path: Path, known: set[str], root: Path = ROOT) -> set[str]:
    """The checks.* modules `path` imports (relative imports resolved, `from . import x` as checks.x)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped = _type_checking_only(tree)
    here = module_name(path, root).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            while name and name not in known:  # checks.engine.Engine -> checks.engine
                name = name.rpartition(".")[0]
            if name and name != "checks":
                found.add(name)
    found.discard(module_name(path, root))
    return found


def graph() -> dict[str, set[str]]:
    paths = [p for p in PACKAGE.rglob("*.py") if "site" not in p.relative_to(PACKAGE).parts[:1]]
    known = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, known) for p in paths}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module (Tarjan), as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle_through_a_lazy_import(tmp_path):
    package = tmp_path / "checks"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import x\n")
    (package / "b.py").write_text("def f():\n    from . import c\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import f\n")
    (package / "d.py").write_text("from checks.a import y\n")
    (package / "e.py").write_text("def g():\n    from .d import y\n")
    (package / "f.py").write_text("from . import e\n")
    known = {"checks.a", "checks.b", "checks.c", "checks.d", "checks.e", "checks.f"}
    paths = {f"checks.{name}": package / f"{name}.py" for name in "abcdef"}
    edges = {name: imports_of(path, known, tmp_path) for name, path in paths.items()}
    assert edges["checks.b"] == {"checks.c"} and edges["checks.c"] == set()  # TYPE_CHECKING is no edge
    assert cycles(edges) == []
    (package / "c.py").write_text("from .a import z\n")
    edges["checks.c"] = imports_of(package / "c.py", known, tmp_path)
    assert cycles(edges) == [["checks.a", "checks.b", "checks.c"]]


def test_checks_has_no_import_cycle():
    edges = graph()
    assert len(edges) > 40
    assert cycles(edges) == []


SDK_USE = re.compile(
    r"\.attrs\b|\.reload\(\)|\.exec_run\(|\.top\(\)|\bengine\.client\b"
    r"|\.client\.(?:api|images|containers|networks|volumes)\b"
)


MATCHER = "docker.utils.build"


def test_only_the_engine_imports_the_docker_sdk():
    importers = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            # docker.utils.build: the SDK's .dockerignore matcher (lessons 11, 12), plain functions, no engine
            if any(name == "docker" or name.startswith("docker.") and name != MATCHER for name in names):
                importers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert importers and all(place.startswith("checks/engine.py:") for place in importers), importers


def test_no_module_outside_the_engine_touches_a_docker_sdk_object():
    """Checks get plain values (ContainerInfo, ImageInfo, RunResult) and Container handles from the engine."""
    touching = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "engine.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SDK_USE.search(line)
    ]
    assert touching == []


def test_the_sdk_detector_sees_what_checks_did_before():
    for line in (
        'state = container.attrs.get("State")',
        "container.reload()",
        'code, output = container.exec_run(["cat", "/proc/1/cmdline"])',
        'target.top().get("Processes")',
        "engine.client.images.get(name)",
        "self.engine.client.api.timeout = 900",
    ):
        assert SDK_USE.search(line), line
    assert not SDK_USE.search("return request.client.host if request.client else '?'")


def test_no_two_classes_of_checks_share_a_name():
    """A name means one thing across checks/ (there were two Report and two Outcome classes)."""
    where: dict[str, list[str]] = {}
    for path in sorted((ROOT / "checks").rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(str(path.relative_to(ROOT)))
    assert {name: files for name, files in where.items() if len(files) > 1} == {}
