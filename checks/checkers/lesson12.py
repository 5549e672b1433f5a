"""Lesson 12: layer order for the cache. After a change to the app's code only, the dependencies are not reinstalled.

The proof is a real rebuild: checks copies what the build context sends (the workspace, less what
.dockerignore excludes) into a scratch folder, changes one line of the app's code there (a comment
unique to this run, so no earlier build can have cached it), builds the same Dockerfile again on
the engine and reads, from the builder's own output, which steps it ran and which it took from the
cache. The learner's files are never touched; the rebuilt image is labelled and removed.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..context import Context, Unavailable
from ..dockerfile import Instruction
from ..result import Outcome, failed, passed
from ..runner import check

CODE_FILE = "together/app.py"  # the app's code: what a developer changes every day
INSTALLERS = re.compile(r"\b(apt-get|apt|apk|pip3?|uv|poetry|conda)\b.*\binstall\b|\bpython3? -m pip install\b")
DEPENDENCY_FILES = (
    "requirements.txt",
    "requirements",
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "Pipfile",
    "Pipfile.lock",
    "setup.py",
    "setup.cfg",
)


@dataclass
class Step:
    """One Dockerfile step as the builder reported it in the rebuild."""

    text: str  # e.g. `RUN pip install --no-cache-dir -r requirements.txt`
    cached: bool
    line: int | None = None


@dataclass
class Rebuild:
    """The rebuild after a one-line change to the app's code."""

    steps: list[Step] = field(default_factory=list)
    seconds: float = 0.0
    first_seconds: float = 0.0  # the build of the unchanged workspace, for comparison

    def rerun(self) -> list[Step]:
        return [step for step in self.steps if not step.cached]


def installs_dependencies(instruction: Instruction) -> bool:
    return instruction.keyword == "RUN" and bool(INSTALLERS.search(" ".join(instruction.arguments.split())))


def copy_sources(instruction: Instruction) -> list[str]:
    """The context paths a COPY or ADD takes (not --from: those come from another stage)."""
    if instruction.keyword not in ("COPY", "ADD") or "from" in instruction.flags:
        return []
    words = instruction.exec_form or instruction.words()
    return [word.removeprefix("./").rstrip("/") or "." for word in words[:-1]]


def copies_code(instruction: Instruction) -> bool:
    """Does this COPY bring the app's code (together/app.py) into the image?"""
    for source in copy_sources(instruction):
        if source in (".", "*") or CODE_FILE == source or CODE_FILE.startswith(source + "/"):
            return True
        if any(ch in source for ch in "*?[") and re.fullmatch(
            source.replace(".", r"\.").replace("*", "[^/]*").replace("?", "[^/]"), CODE_FILE.split("/")[0]
        ):
            return True
    return False


def first_code_copy(context: Context) -> Instruction | None:
    return next((i for i in context.dockerfile.in_final_stage() if copies_code(i)), None)


def installs_after(context: Context, copy: Instruction) -> list[Instruction]:
    return [i for i in context.dockerfile.in_final_stage() if i.line > copy.line and installs_dependencies(i)]


# -- reading the builder's output -------------------------------------------------------------------
def steps_from_log(log: str) -> list[Step]:
    """The Dockerfile steps of a build and whether each came from the cache (BuildKit or the classic builder)."""
    steps: dict[str, Step] = {}
    order: list[str] = []
    for match in re.finditer(r"^#(\d+) \[(?:[\w.-]+ )?\s*\d+/\d+\] (.+)$", log, re.MULTILINE):
        vertex, text = match.group(1), " ".join(match.group(2).split())
        if text.startswith("FROM "):
            continue
        if vertex not in steps:
            steps[vertex] = Step(text, cached=False)
            order.append(vertex)
    for vertex in order:
        if re.search(rf"^#{vertex} CACHED\s*$", log, re.MULTILINE):
            steps[vertex].cached = True
    if order:
        return [steps[v] for v in order]
    # the classic builder: "Step 5/8 : RUN …" then " ---> Using cache"; Podman (Buildah): "STEP 5/8: …", in a
    # multi-stage build "[2/2] STEP 9/10: …", then "--> Using cache"
    found = []
    blocks = re.split(r"^(?:\[\d+/\d+\] )?(?:Step|STEP) \d+/\d+ ?: ", log, flags=re.MULTILINE)[1:]
    for block in blocks:
        first, _, rest = block.partition("\n")
        text = " ".join(first.split())
        if text.upper().startswith("FROM "):
            continue
        found.append(Step(text, cached="--> Using cache" in rest))
    return found


def locate_steps(context: Context, steps: list[Step]) -> None:
    """Give each step the line of the Dockerfile instruction it was built from."""
    instructions = context.dockerfile.in_final_stage()
    for step in steps:
        for instruction in instructions:
            written = " ".join(f"{instruction.keyword} {instruction.args}".split())
            if written == step.text or written.lower() == step.text.lower():
                step.line = instruction.line
                break


def rebuild_after_code_change(context: Context) -> Rebuild:
    """Build the workspace, change one line of the app's code in a copy of what it sends, build again (once per run)."""
    return context.memo("rebuild-after-code-change", lambda: _rebuild_after_code_change(context))


def _rebuild_after_code_change(context: Context) -> Rebuild:
    build = context.build
    if not build.complete:
        raise Unavailable(build.not_built)
    if not (context.workspace / CODE_FILE).is_file():
        raise Unavailable(f"needs the app's code, {CODE_FILE}, in the workspace")
    engine = context.engine
    with tempfile.TemporaryDirectory(prefix="checks-rebuild-") as scratch:
        copy = Path(scratch) / (context.workspace.resolve().name or "workspace")
        copy_sent_files(context.workspace, copy)
        code = copy / CODE_FILE
        code.write_text(
            code.read_text(encoding="utf-8") + f"\n# a one-line change (checks run {engine.run_id})\n", encoding="utf-8"
        )
        started = time.monotonic()
        result = engine.build(copy, context.dockerfile.text)
        seconds = time.monotonic() - started
    if not result.ok:
        raise Unavailable(f"the rebuild after a change to {CODE_FILE} failed: {result.error[-200:]}")
    rebuild = Rebuild(steps_from_log(result.log), seconds, build.result.seconds)
    if not rebuild.steps:
        raise Unavailable("the builder's output does not say which steps came from the cache")
    locate_steps(context, rebuild.steps)
    return rebuild


def copy_sent_files(workspace: Path, target: Path) -> None:
    """Copy what `docker build` sends from the workspace (not what .dockerignore excludes), and .dockerignore."""
    from docker.utils.build import exclude_paths

    ignore = workspace / ".dockerignore"
    patterns = []
    if ignore.is_file():
        patterns = [
            line.strip()
            for line in ignore.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]
    target.mkdir(parents=True)
    for name in sorted(exclude_paths(str(workspace), patterns)):
        source = workspace / name
        destination = target / name
        if source.is_symlink():
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.symlink_to(source.readlink())
        elif source.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        elif source.is_file():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    if ignore.is_file():
        shutil.copy2(ignore, target / ".dockerignore")


# -- checks ------------------------------------------------------------------------------------
@check("code-copied-after-deps")
def code_copied_after_deps(context: Context) -> Outcome:
    """Every step that installs dependencies (apt-get, pip) comes before the COPY that brings in the app's code."""
    copy = first_code_copy(context)
    if copy is None:
        raise Unavailable(f"needs a COPY of the app's code ({CODE_FILE})")
    later = installs_after(context, copy)
    if not later:
        return passed(f"line {copy.line}: {copy.keyword} {copy.arguments}", line=copy.line)
    numbers = [str(i.line) for i in later]
    names = f"line {numbers[0]}" if len(numbers) == 1 else f"lines {', '.join(numbers[:-1])} and {numbers[-1]}"
    wanted = [f for f in DEPENDENCY_FILES if (context.workspace / f).is_file()] or ["requirements.txt"]
    return failed(
        f"expected the dependencies installed before the app's code is copied; found `{copy.keyword} "
        f"{copy.arguments}` on line {copy.line}, before the install on {names}: a change to any file it "
        f"copies, {CODE_FILE} included, makes Docker run every step after it again. Copy "
        f"{' and '.join(wanted)} alone first (`COPY {' '.join(wanted)} ./`), install, then `COPY . .`",
        line=copy.line,
    )


@check("deps-cached-after-code-change")
def deps_cached_after_code_change(context: Context) -> Outcome:
    """Measured by a real rebuild after a one-line change to the app's code: no step that installs dependencies runs again."""
    copy = first_code_copy(context)
    later = installs_after(context, copy) if copy is not None else []
    if copy is not None and later:  # the order on the page already answers it: no rebuild to wait for
        return failed(
            f"expected the install steps from the cache after a change to {CODE_FILE}; the order on the page "
            f"already shows that a rebuild would run again {', '.join(f'`{i.keyword} {i.arguments}`' for i in later)}"
            f": the first step that is not cached, `{copy.keyword} {copy.arguments}` (line {copy.line}), copies the "
            "changed file, and every step after it runs again (known without a rebuild; checks measures one once "
            "the order is right). Move the install steps above the COPY of the app's code",
            line=copy.line,
        )
    rebuild = rebuild_after_code_change(context)
    rerun = rebuild.rerun()
    installs = [step for step in rerun if INSTALLERS.search(step.text) and step.text.startswith("RUN")]
    timing = f"rebuilt in {rebuild.seconds:.1f} s"
    if not installs:
        ran = ", ".join(f"`{step.text}`" for step in rerun) or "nothing"
        return passed(
            f"after a change to {CODE_FILE}, {timing}: it ran {ran} and took the rest from the cache",
            line=rerun[0].line if rerun else None,
        )
    cause = rerun[0]
    where = f" (line {cause.line})" if cause.line else ""
    return failed(
        f"expected the install steps from the cache after a change to {CODE_FILE}; {timing}, it ran again "
        f"{', '.join(f'`{step.text}`' for step in installs)}: the first step that was not cached, "
        f"`{cause.text}`{where}, copies the changed file, and every step after it runs again. "
        "Move the install steps above the COPY of the app's code",
        line=cause.line,
    )
