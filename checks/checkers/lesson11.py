"""Lesson 11: the build context the engine receives is small, keeps what the app needs, and no caches.

The context is measured, not predicted from the .dockerignore: checks builds a two-line probe
(`FROM <base image>` and `COPY . <folder>`) from the workspace, exactly as `docker build .` sends
it, and lists what arrived in the image with GNU find (the base image is Debian). The probe image is
labelled and removed with the run's other images. The .dockerignore is read only to name the line
responsible for what was found.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..context import Context, Unavailable
from ..result import Outcome, failed, passed
from ..runner import check

MAX_CONTEXT = 1_000_000  # bytes: the app is about 15 kB; a context over 1 MB carries something it should not
PROBE_FOLDER = "/checks-context"
IGNORE_FILE = ".dockerignore"
CACHE_NAMES = ("__pycache__", ".pytest_cache")
CACHE_SUFFIXES = (".pyc", ".pyo", ".pyd")
# folders a developer's workspace holds for the developer, and what each one is
KNOWN = {
    ".git": "git's history",
    ".venv": "your local virtualenv",
    "venv": "your local virtualenv",
    "env": "your local virtualenv",
    ".pytest_cache": "pytest's cache",
    "__pycache__": "Python's bytecode cache",
    "node_modules": "JavaScript packages",
    ".idea": "your editor's settings",
    ".vscode": "your editor's settings",
    ".mypy_cache": "mypy's cache",
    ".tox": "tox's environments",
}


@dataclass
class SentFile:
    path: str  # relative to the context's root, with / separators
    size: int
    kind: str  # f file, d directory, l symlink


@dataclass
class SentContext:
    """What `docker build` sent to the engine from the workspace, as the engine wrote it into a layer."""

    files: list[SentFile] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files if f.kind == "f")

    def has(self, path: str) -> bool:
        return any(f.path == path for f in self.files)

    def by_top_level(self) -> list[tuple[str, int]]:
        """(top-level name, bytes under it), largest first; folders get a trailing /."""
        sizes: dict[str, int] = {}
        for item in self.files:
            top, _, rest = item.path.partition("/")
            name = top + "/" if rest or item.kind == "d" else top
            sizes[name] = sizes.get(name, 0) + (item.size if item.kind == "f" else 0)
        return sorted(sizes.items(), key=lambda pair: (-pair[1], pair[0]))

    def caches(self) -> list[str]:
        """Python caches that were sent: __pycache__ folders (shown once) and loose .pyc files."""
        found: list[str] = []
        for item in self.files:
            parts = item.path.split("/")
            hit = next((i for i, part in enumerate(parts) if part in CACHE_NAMES), None)
            if hit is not None:
                name = "/".join(parts[: hit + 1]) + "/"
            elif item.kind == "f" and item.path.endswith(CACHE_SUFFIXES):
                name = item.path
            else:
                continue
            if name not in found:
                found.append(name)
        # the app's own caches first: those inside a virtualenv go with it (context-small names it)
        return sorted(found, key=lambda name: name.split("/")[0] in KNOWN)


def human(size: int) -> str:
    """Bytes in the units `docker` prints (decimal): 14.2 kB, 25.1 MB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def sent_context(context: Context) -> SentContext:
    """Build the probe from the workspace and list what the engine received (once per run)."""
    return context.memo("sent-context", lambda: _sent_context(context))


def _sent_context(context: Context) -> SentContext:
    engine = context.engine
    probe = f"FROM {context.course.base_image}\nCOPY . {PROBE_FOLDER}/\n"
    built = engine.build(context.workspace, probe)
    if not built.ok or built.image_id is None:  # ok means built, so it has an image
        raise Unavailable(f"could not send the build context to the engine: {built.error or built.tail(3)}")
    shown = engine.list_in_image(built.image_id, ["find", PROBE_FOLDER, "-mindepth", "1", "-printf", r"%s\t%y\t%P\n"])
    if shown.exit_code != 0:
        raise Unavailable(f"could not list the build context in the probe image: {shown.output.strip()[-200:]}")
    sent = SentContext()
    for line in shown.output.splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3 and parts[0].isdigit():
            sent.files.append(SentFile(parts[2], int(parts[0]), parts[1]))
    return sent


# -- the .dockerignore, to name the line responsible ------------------------------------------------
@dataclass
class IgnoreRule:
    line: int
    pattern: str  # as docker reads it: stripped, without a leading /, without the !
    exception: bool  # a `!` line: send it after all

    @property
    def text(self) -> str:
        return ("!" if self.exception else "") + self.pattern


def ignore_rules(workspace: Path) -> list[IgnoreRule]:
    path = workspace / IGNORE_FILE
    if not path.is_file():
        return []
    rules = []
    for number, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        exception = text.startswith("!")
        pattern = text[1:].strip() if exception else text
        pattern = posixpath.normpath(pattern.lstrip("/")) if pattern.lstrip("/") else pattern
        rules.append(IgnoreRule(number, pattern, exception))
    return rules


def matches(rule: IgnoreRule, path: str) -> bool:
    """Does the rule's pattern match `path` or one of its parent folders, as docker's matcher decides?"""
    from docker.utils.build import PatternMatcher

    try:
        return PatternMatcher([rule.pattern]).matches(path)
    except Exception:  # a pattern docker cannot compile either
        return False


def deciding_rule(rules: list[IgnoreRule], path: str) -> IgnoreRule | None:
    """The last line of .dockerignore that matches `path`: the one that decides whether it is sent."""
    found = None
    for rule in rules:
        if matches(rule, path):
            found = rule
    return found


def root_only_rule(rules: list[IgnoreRule], path: str) -> IgnoreRule | None:
    """A rule that would exclude `path` in .gitignore but, in .dockerignore, matches only at the top."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    for rule in rules:
        if not rule.exception and "/" not in rule.pattern and matches(IgnoreRule(rule.line, rule.pattern, False), name):
            return rule
    return None


def gitignored(workspace: Path, name: str) -> bool:
    """Is this top-level name in the workspace's .gitignore (a file docker build never reads)?"""
    path = workspace / ".gitignore"
    if not path.is_file():
        return False
    bare = name.rstrip("/")
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        text = raw.strip().lstrip("/").rstrip("/")
        if text and not text.startswith(("#", "!")) and text == bare:
            return True
    return False


def misnamed_ignore_files(workspace: Path) -> list[str]:
    """Files that look meant to be .dockerignore but that docker build does not read."""
    found = []
    for path in sorted(workspace.rglob("*")):
        relative = path.relative_to(workspace).as_posix()
        if any(part in KNOWN for part in relative.split("/")[:-1]) or not path.is_file():
            continue
        if relative == IGNORE_FILE or relative.endswith("Dockerfile.dockerignore"):
            continue  # BuildKit also reads <Dockerfile name>.dockerignore beside the Dockerfile
        squashed = re.sub(r"[^a-z]", "", path.name.lower())
        if squashed.startswith("dockerignore") or squashed.endswith("dockerignore"):
            found.append(relative)
    return found


def required_files(context: Context) -> list[str]:
    """The app's own files that the image needs (the sample app, less its tests and READMEs), in the workspace."""
    app = context.course.app_dir
    needed = []
    for path in sorted(app.rglob("*")):
        relative = path.relative_to(app).as_posix()
        if (
            not path.is_file()
            or relative.split("/")[0] in ("tests",)
            or relative.startswith(".")
            or "/." in relative
            or path.suffix in (".md", ".pyc")
            or "__pycache__" in relative
        ):
            continue
        if (context.workspace / relative).is_file():
            needed.append(relative)
    return needed


# -- checks ------------------------------------------------------------------------------------
@check("dockerignore-present")
def dockerignore_present(context: Context) -> Outcome:
    """The workspace has a .dockerignore at its top, named exactly so: the only place docker build reads it."""
    misnamed = misnamed_ignore_files(context.workspace)
    present = (context.workspace / IGNORE_FILE).is_file()
    if misnamed:
        where = misnamed[0]
        reason = (
            "docker build reads .dockerignore only at the top of the build context"
            if "/" in where
            else "docker build reads only a file named exactly `.dockerignore`"
        )
        beside = " beside the .dockerignore it does read" if present else ""
        return failed(
            f"expected your rules in {IGNORE_FILE}; found them in {where}{beside}: {reason} (Windows "
            "hides a .txt ending: `dir` or `ls -a` shows the full name). Move its lines into .dockerignore "
            "at the top of the folder and delete it",
            file=where,
        )
    if not present:
        return failed(
            f"expected a {IGNORE_FILE} at the top of the folder; found none, so docker build sends "
            "everything in the folder to the engine, and `COPY . .` copies it into the image"
        )
    return passed(f"{IGNORE_FILE}: {len(ignore_rules(context.workspace))} rules", file=IGNORE_FILE)


@check("context-small")
def context_small(context: Context) -> Outcome:
    """The build context the engine receives, measured on the engine, is under 1 MB; else the largest things sent are named."""
    sent = sent_context(context)
    if sent.size <= MAX_CONTEXT:
        return passed(f"the engine received {human(sent.size)} in {sum(f.kind == 'f' for f in sent.files)} files")
    largest = [(name, size) for name, size in sent.by_top_level() if size >= 20_000][:5]
    shown = []
    for name, size in largest:
        what = KNOWN.get(name.rstrip("/"))
        notes = [what] if what else []
        if gitignored(context.workspace, name):
            notes.append("listed in .gitignore, which docker build does not read")
        shown.append(f"{name} {human(size)}" + (f" ({'; '.join(notes)})" if notes else ""))
    lines = ", ".join(name.rstrip("/") for name, _ in largest if not is_required(context, name))
    advice = (
        f"add these lines to {IGNORE_FILE}: {lines}"
        if lines
        else f"keep out what the image does not need in {IGNORE_FILE}"
    )
    return failed(
        f"expected a build context under {human(MAX_CONTEXT)}; the engine received {human(sent.size)}. "
        f"The largest things sent: {', '.join(shown)}. Each build sends all of it, and `COPY . .` puts it "
        f"in the image: {advice}",
        file=IGNORE_FILE if (context.workspace / IGNORE_FILE).is_file() else None,
    )


def is_required(context: Context, top_level: str) -> bool:
    bare = top_level.rstrip("/")
    return any(path == bare or path.startswith(bare + "/") for path in required_files(context))


@check("context-keeps-app")
def context_keeps_app(context: Context) -> Outcome:
    """Every file of the app the image needs (requirements.txt, bin/run_dev.sh, the app's package) still reaches the engine."""
    sent = sent_context(context)
    rules = ignore_rules(context.workspace)
    missing = [path for path in required_files(context) if not sent.has(path)]
    if not missing:
        return passed(f"sent: {', '.join(required_files(context))}")
    path = missing[0]
    rule = deciding_rule(rules, path)
    others = f" (and {len(missing) - 1} more: {', '.join(missing[1:4])})" if len(missing) > 1 else ""
    if rule is not None and not rule.exception:
        return failed(
            f"expected {path} in the build context; `{rule.text}` keeps it out{others}, so `COPY . .` "
            f"cannot copy it and the image cannot {purpose(path)}. Make the pattern narrower, or add "
            f"`!{path}` after it",
            file=IGNORE_FILE,
            line=rule.line,
        )
    return failed(
        f"expected {path} in the build context; the engine did not receive it{others}, so the image cannot "
        f"{purpose(path)}",
        file=IGNORE_FILE,
    )


def purpose(path: str) -> str:
    if path == "requirements.txt":
        return "install the app's dependencies (`pip install -r requirements.txt` fails)"
    if path.startswith("bin/"):
        return "start the app (CMD runs ./bin/run_dev.sh)"
    return "run the app (uWSGI imports together.app)"


@check("pycache-not-sent")
def pycache_not_sent(context: Context) -> Outcome:
    """No Python cache (__pycache__, .pyc, .pytest_cache) reaches the engine, in any folder."""
    sent = sent_context(context)
    caches = sent.caches()
    if not caches:
        return passed()
    rules = ignore_rules(context.workspace)
    rule = root_only_rule(rules, caches[0])
    own = [name for name in caches if name.split("/")[0] not in KNOWN]
    inside = sorted({name.split("/")[0] + "/" for name in caches if name.split("/")[0] in KNOWN})
    listed = ", ".join(own[:4]) + (f" and {len(own) - 4} more" if len(own) > 4 else "")
    if inside:  # a virtualenv's own caches: named by their folder, which context-small names too
        listed = (listed + " and more " if listed else "caches ") + "inside " + ", ".join(inside)
    why = (
        "they change each time you run the app or its tests, so `COPY . .` copies something new and every step "
        "after it runs again"
    )
    if rule is not None:
        return failed(
            f"expected no Python caches in the build context; found {listed}: in .dockerignore, unlike "
            f".gitignore, `{rule.pattern}` matches only at the top of the folder. Write `**/{rule.pattern}` "
            f"to match it in every folder ({why})",
            file=IGNORE_FILE,
            line=rule.line,
        )
    return failed(
        f"expected no Python caches in the build context; found {listed}: {why}. Add `**/__pycache__` and "
        f"`**/*.py[cod]` to {IGNORE_FILE}",
        file=IGNORE_FILE if (context.workspace / IGNORE_FILE).is_file() else None,
    )
