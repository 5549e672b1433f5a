"""Lesson 3: COPY puts the whole app from the build context into the image's WORKDIR.

The claims are about the image, so they are proved on it: the image is built (FROM, WORKDIR,
COPY: seconds, no downloads), its WORKDIR is read from its config and the app's files are read
from it. A COPY whose source is missing is diagnosed from the build's own error.
"""

from __future__ import annotations

import difflib
import fnmatch
import itertools
import posixpath
import re
import stat

from ..context import Context, Unavailable
from ..dockerfile import Instruction
from ..result import Outcome, failed, passed, warning
from ..runner import check
from ..shell import shell_commands
from ..stages import final_instructions, workdir_at

# What "the app" is in the image: its manifest, its start script and its code, relative to WORKDIR.
APP_FILES = ("requirements.txt", "bin/run_dev.sh", "together/app.py")
START_SCRIPT = "bin/run_dev.sh"
NOT_FOUND = re.compile(
    r'"([^"]+)"?:? not found|(?:stat|lstat) ([^:]+): no such file|COPY failed: file not found in build '
    r"context[^:]*: stat ([^:]+): file does not exist|forbidden path outside the build context: (\S+)"
)
DOCKERIGNORE_LESSON = "lesson11"  # the lesson whose step writes .dockerignore's patterns
ARCHIVE = re.compile(r"\.(tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz)$")


def copies(context: Context) -> list[Instruction]:
    """COPY and ADD instructions of the final image that take files from the build context."""
    return [i for i in final_instructions(context.dockerfile) if i.keyword in ("COPY", "ADD") and "from" not in i.flags]


def sources_and_destination(instruction: Instruction) -> tuple[list[str], str]:
    words = instruction.exec_form or instruction.words()  # flags such as --chown are not among them
    if len(words) < 2:
        return words, ""
    return words[:-1], words[-1]


def destination(context: Context, instruction: Instruction) -> str:
    """The absolute folder or file a COPY writes to, relative destinations joined to the WORKDIR at that line."""
    _, dest = sources_and_destination(instruction)
    base = workdir_at(context.dockerfile, instruction.line) or "/"
    return posixpath.normpath(posixpath.join(base, dest)) if dest else base


def copy_failure(context: Context) -> tuple[Instruction, str] | None:
    """(COPY, missing source) when the build stops at a COPY whose source is not in the build context."""
    build = context.build
    if build.complete or not build.failed_line:
        return None
    failing = next((i for i in copies(context) if i.line <= build.failed_line <= i.end_line), None)
    if failing is None:
        return None
    match = NOT_FOUND.search(build.result.log)
    if not match:
        return None
    missing = next(g for g in match.groups() if g)
    return failing, missing.strip().lstrip("/") or "."


def image_with_app(context: Context) -> str:
    """The image as far as its last COPY, or Unavailable/failed-build handling by the caller."""
    found = copies(context)
    if not found:
        raise Unavailable("needs a COPY (see copy-present)")
    if copy_failure(context):
        raise Unavailable("the COPY does not build (see copy-source-exists)")
    return context.image_until(found[-1].end_line)


def image_workdir(context: Context, image: str) -> str:
    """The WORKDIR recorded in the image's config ("" in the config means /), without a trailing slash."""
    config = context.image_config(image)
    return posixpath.normpath(config.get("WorkingDir") or "/")


def image_entry(context: Context, image: str, path: str):
    """The tar entry of `path` in `image` (mode, type), or None when it is not there; read once per run."""

    def read():
        members = context.engine.read_path(image, path)
        return members[0] if members else None

    return context.memo(("image-entry", image, path), read)


def app_files_in(context: Context, image: str, folder: str) -> dict[str, bool]:
    return {name: image_entry(context, image, posixpath.join(folder, name)) is not None for name in APP_FILES}


def inside(path: str, folder: str) -> bool:
    return folder == "/" or path == folder or path.startswith(folder.rstrip("/") + "/")


def dockerignore_patterns(context: Context) -> list[str]:
    path = context.workspace / ".dockerignore"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(context: Context, name: str) -> str | None:
    """The .dockerignore pattern that excludes `name` (or a folder above it), if any."""
    parts = name.strip("/").split("/")
    for pattern in dockerignore_patterns(context):
        if pattern.startswith("!"):
            continue
        clean = pattern.strip("/").removeprefix("./")
        for depth in range(1, len(parts) + 1):
            if fnmatch.fnmatch("/".join(parts[:depth]), clean):
                return pattern
    return None


@check("copy-present")
def copy_present(context: Context) -> Outcome:
    """A COPY (or ADD) brings files from the build context into the image."""
    found = copies(context)
    if not found:
        copying_run = next(
            (
                i
                for i in final_instructions(context.dockerfile)
                if i.keyword == "RUN" and any(words[0] in ("cp", "mv", "rsync") for words in shell_commands(i))
            ),
            None,
        )
        if copying_run is not None:
            return failed(
                "expected `COPY . .`; found a RUN that copies files instead: RUN runs inside the image, "
                "which cannot see your computer's files, only COPY brings them in",
                line=copying_run.line,
            )
        return failed(
            "expected `COPY . .` after WORKDIR; found no COPY, so the image has none of the app's "
            "files: an image sees nothing of your computer unless a COPY puts it there"
        )
    return passed(f"{len(found)} COPY instruction{'s' if len(found) > 1 else ''}", line=found[0].line)


@check("copy-after-workdir")
def copy_after_workdir(context: Context) -> Outcome:
    """No COPY with a relative destination runs before a WORKDIR is set (it would copy into /)."""
    dockerfile = context.dockerfile
    for instruction in copies(context):
        _, dest = sources_and_destination(instruction)
        if not dest or dest.startswith("/"):
            continue
        if workdir_at(dockerfile, instruction.line) is None:
            later = [i for i in final_instructions(dockerfile) if i.keyword == "WORKDIR" and i.line > instruction.line]
            after = f"; the WORKDIR on line {later[0].line} comes too late" if later else ""
            return failed(
                f"expected WORKDIR before `COPY {instruction.arguments}`; found the COPY first, so `{dest}` "
                f"means / and the app's files land among the system's folders{after}",
                line=instruction.line,
            )
    return passed()


# What the builder says when it cannot get an image, and what the learner can do about it.
PULL_PROBLEMS = (
    (
        ("toomanyrequests", "rate limit"),
        "Docker Hub's pull rate limit was reached: log in (`docker login`) or wait, "
        "and pull once for the whole room (`docker save` / `docker load`)",
    ),
    (
        ("no such host", "dial tcp", "i/o timeout", "connection refused", "network is unreachable", "TLS handshake"),
        "the engine cannot reach the registry (no network, a proxy, or a firewall): pull the image while you are online",
    ),
    (
        ("not found", "manifest unknown", "pull access denied", "does not exist"),
        "the registry has no image by that name and tag: check both on Docker Hub",
    ),
    (
        ("x509", "certificate"),
        "a proxy intercepts TLS and the engine does not trust its certificate: see Troubleshooting",
    ),
)


@check("base-image-available")
def base_image_available(context: Context) -> Outcome:
    """The engine has the base image (or can pull it): the build gets past FROM."""
    dockerfile = context.dockerfile
    build = context.build
    if build.complete:
        return passed(dockerfile.final_stage.image if dockerfile.final_stage else "")
    from_lines = {stage.line: stage for stage in dockerfile.stages}
    stage = from_lines.get(build.failed_line) if build.failed_line is not None else None
    if stage is None:
        return passed("the build gets past FROM")
    error = (build.result.error or build.result.tail(3)).strip()
    cause = next(
        (advice for words, advice in PULL_PROBLEMS if any(w in error for w in words)), "the builder could not get it"
    )
    said = error if len(error) <= 300 else "…" + error[-300:]
    return failed(
        f"expected Docker to get {stage.image}; found it cannot: {cause} (the builder said: {said})", line=stage.line
    )


@check("copy-source-exists")
def copy_source_exists(context: Context) -> Outcome:
    """Every COPY source is in the build context: the build does not stop at a COPY with "not found"."""
    if not copies(context):
        raise Unavailable("needs a COPY (see copy-present)")
    for instruction in copies(context):
        if "from" in instruction.flags:
            continue
        outside = [
            s
            for s in sources_and_destination(instruction)[0]
            if posixpath.normpath(s) == ".." or posixpath.normpath(s).startswith("../")
        ]
        if outside:
            return failed(
                f"expected sources inside the build context (the folder you build, "
                f"{context.workspace.name}/); found `{outside[0]}`: a build sees only that folder, so `..` "
                "cannot reach the one above it. BuildKit reads it as the build folder itself (the older "
                'builder refuses it: "forbidden path outside the build context"); keep what the image '
                "needs inside the folder and write `COPY . .`",
                line=instruction.line,
            )
    failure = copy_failure(context)
    if failure is None:
        build = context.build
        if build.complete or (build.failed_line and build.failed_line >= copies(context)[0].line):
            return passed()  # BuildKit looks up every COPY's sources before it runs the steps
        where = f"at line {build.failed_line}" if build.failed_line else "(see base-image-available)"
        raise Unavailable(f"the build stops before its COPY, {where}")
    instruction, missing = failure
    written = next(
        (
            s
            for s in sources_and_destination(instruction)[0]
            if s.strip("./") == missing.strip("/") or s.endswith(missing)
        ),
        missing,
    )
    message = (
        f"expected `{written}` in the build context (the folder you build, {context.workspace.name}/); the build "
        f'stops with "not found"'
    )
    if written.startswith("..") or written.startswith("/"):
        message += ": COPY sources are relative to the build context, and Docker sends nothing outside it"
    elif (context.workspace / missing).exists() and ignored(context, missing):
        pattern = ignored(context, missing)
        message += f": it is there, but .dockerignore excludes it (pattern `{pattern}`)"
        return failed(message, line=instruction.line, caused_by=(f"{pattern}", DOCKERIGNORE_LESSON))
    else:
        files = (p for p in context.workspace.rglob("*") if not {"__pycache__", ".git", ".venv"} & set(p.parts))
        names = [str(p.relative_to(context.workspace)) for p in itertools.islice(files, 2000)]  # a big venv stays cheap
        close = (
            [n for n in names if n.lower() == missing.lower()]
            or [n for n in names if posixpath.basename(n) == posixpath.basename(missing)]
            or difflib.get_close_matches(missing, names, n=1, cutoff=0.6)
        )
        if close:
            message += f" (did you mean `{close[0]}`? paths start at the build context, and case matters)"
        else:
            message += "; to copy the whole app write `COPY . .`"
    return failed(message, line=instruction.line)


@check("copy-into-workdir")
def copy_into_workdir(context: Context) -> Outcome:
    """Every COPY writes inside the image's WORKDIR, the folder the container starts in."""
    if not copies(context):
        raise Unavailable("needs a COPY (see copy-present)")
    build = context.build
    failing = next(
        (i for i in copies(context) if build.failed_line and i.line <= build.failed_line <= i.end_line), None
    )
    if failing is not None and copy_failure(context) is None:
        error = build.result.error
        if "cannot copy to non-directory" in error:
            return failed(
                f"expected the app in a folder of its own; found the build stopping at this COPY with "
                f"`cannot copy to non-directory: …/{error.rsplit('/', 1)[-1]}`: it copies into "
                f"{destination(context, failing)}, where the app's bin/ collides with the system's /bin",
                line=failing.line,
            )
        return failed(
            f"expected the COPY to put the app into the WORKDIR; found the build stopping at it: {error}",
            line=failing.line,
        )
    image = image_with_app(context)
    workdir = image_workdir(context, image)
    if all(app_files_in(context, image, workdir).values()):
        # the app is in the WORKDIR; a file also copied elsewhere (requirements.txt to /tmp for the
        # install, a config to /etc) is another step's business
        return passed(f"into {workdir}", line=copies(context)[-1].line)
    for instruction in copies(context):
        dest = destination(context, instruction)
        if not inside(dest, workdir):
            return failed(
                f"expected the app in the WORKDIR, {workdir}, where the container starts and looks for "
                f"./{START_SCRIPT}; found `COPY {instruction.arguments}` putting it in {dest}: make the "
                "destination `.` (the WORKDIR)",
                line=instruction.line,
            )
    return passed(f"into {workdir}", line=copies(context)[-1].line)


@check("copy-whole-app")
def copy_whole_app(context: Context) -> Outcome:
    """The app's manifest, start script and code (requirements.txt, bin/run_dev.sh, together/) are in the WORKDIR."""
    image = image_with_app(context)
    workdir = image_workdir(context, image)
    present = app_files_in(context, image, workdir)
    if all(present.values()):
        return passed(f"{', '.join(APP_FILES)} in {workdir}", line=copies(context)[-1].line)
    if not any(present.values()) and any(not inside(destination(context, i), workdir) for i in copies(context)):
        raise Unavailable("the COPY writes outside the WORKDIR (see copy-into-workdir)")
    missing = [name for name, there in present.items() if not there]
    found = [name for name, there in present.items() if there]
    message = f"expected {', '.join(missing)} in {workdir}; found " + (
        ", ".join(found) if found else "none of the app's files"
    )
    if "together/app.py" in missing and image_entry(context, image, posixpath.join(workdir, "app.py")):
        message += ": " + folder_contents_copy(context)
    else:
        nested = next(
            (
                d
                for d in (destination(context, i) for i in copies(context))
                if d != workdir and image_entry(context, image, posixpath.join(d, "requirements.txt"))
            ),
            None,
        )
        excluded = [(name, ignored(context, name)) for name in missing if ignored(context, name)]
        if nested:
            message += f" (the app is in {nested}: copy to `.`, not to a subfolder)"
        elif excluded:
            message += f" (.dockerignore excludes {excluded[0][0]} with the pattern `{excluded[0][1]}`)"
            return failed(message, line=copies(context)[-1].line, caused_by=(f"{excluded[0][1]}", DOCKERIGNORE_LESSON))
        else:
            message += ": copy the whole build context with `COPY . .`"
    return failed(message, line=copies(context)[-1].line)


def folder_contents_copy(context: Context) -> str:
    """Why the app's folders arrived flattened: the learner's COPY names folders (or a wildcard matching them), and
    COPY copies what is inside a folder it names, not the folder."""
    naming = [
        (instruction, source)
        for instruction in copies(context)
        for source in sources_and_destination(instruction)[0]
        if source.rstrip("/") not in ("", ".", "./")
        and fnmatch.fnmatch("together", source.rstrip("/").removeprefix("./"))
    ]
    if not naming:
        return "COPY copies what is inside a folder it names, not the folder; write `COPY . .`"
    instruction, source = naming[0]
    written = f"`{instruction.keyword} {instruction.arguments}`"
    if any(ch in source for ch in "*?["):
        return (
            f"{written} copies what is inside each folder `{source}` matches (together/, bin/), not the folders "
            "themselves, so their files land side by side in the WORKDIR; write `COPY . .`"
        )
    return f"{written} copies what is inside together/, not the folder; write `COPY {source.rstrip('/')} together`"


@check("copy-script-executable")
def copy_script_executable(context: Context) -> Outcome:
    """bin/run_dev.sh is executable in the image, so `./bin/run_dev.sh` can start the app."""
    image = image_with_app(context)
    workdir = image_workdir(context, image)
    entry = image_entry(context, image, posixpath.join(workdir, START_SCRIPT))
    if entry is None:
        raise Unavailable(f"needs {START_SCRIPT} in the WORKDIR (see copy-whole-app)")
    if entry.mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
        return passed(f"mode {stat.filemode(entry.mode | stat.S_IFREG)}")
    mode = f"{stat.filemode(entry.mode | stat.S_IFREG)} ({entry.mode & 0o777:o})"
    local = context.workspace / START_SCRIPT
    chmod = next((i for i in copies(context) if "chmod" in i.flags), None)
    if chmod is not None:
        return failed(
            f"expected {START_SCRIPT} to be executable in the image; found {mode}: "
            f"`--chmod={chmod.flags['chmod']}` takes the execute permission away",
            line=chmod.line,
        )
    if local.is_file() and not local.stat().st_mode & stat.S_IXUSR:
        return failed(
            f"expected {START_SCRIPT} to be executable in the image; found {mode}, because it is not "
            f"executable in your workspace either: run `chmod +x {START_SCRIPT}` (in git: "
            f"`git update-index --chmod=+x {START_SCRIPT}`)",
            file=START_SCRIPT,
        )
    return failed(
        f"expected {START_SCRIPT} to be executable in the image; found {mode}: "
        f"a later step removes the execute permission"
    )


@check("copy-not-add")
def copy_not_add(context: Context) -> Outcome:
    """Local files are copied with COPY, not ADD (ADD also unpacks archives and downloads URLs)."""
    for instruction in copies(context):
        if instruction.keyword != "ADD":
            continue
        sources, _ = sources_and_destination(instruction)
        local = [
            s for s in sources if not re.match(r"^[a-z]+://", s) and not ARCHIVE.search(s) and not s.startswith("git@")
        ]
        if local:
            return warning(
                f"expected COPY for files from the build context; found `ADD {instruction.arguments}`: "
                "ADD would also unpack a tar archive or download a URL, so COPY says what you mean",
                line=instruction.line,
            )
    return passed()
