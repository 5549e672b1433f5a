"""Lesson 4: RUN apt-get installs gcc (uWSGI compiles C when pip installs it), non-interactively, from fresh lists.

gcc is proved on the image: `gcc --version` runs in a container of it. A step that fails is
diagnosed from the build's own output at the failing line (apt-get's "Abort.", "Unable to locate
package", the shell's "not found"); what only the text shows (apt instead of apt-get, the layer's
size) is read from the Dockerfile.
"""

from __future__ import annotations

import difflib
import re
import shlex

from ..context import Context, Unavailable
from ..dockerfile import Instruction
from ..result import Outcome, failed, passed, warning
from ..runner import check
from ..shell import shell_commands
from ..stages import dependency_instructions

PACKAGE_MANAGERS = ("apt-get", "apt", "aptitude")
FOREIGN_MANAGERS = {
    "apk": "Alpine's",
    "yum": "Red Hat's",
    "dnf": "Fedora's and Red Hat's",
    "microdnf": "Red Hat's",
    "zypper": "SUSE's",
    "pacman": "Arch Linux's",
    "brew": "macOS's Homebrew",
    "choco": "Windows'",
    "winget": "Windows'",
}
YES = re.compile(r"^(-y|--yes|--assume-yes|-qq|-[a-z]*y[a-z]*)$")
PROMPT = "Do you want to continue? [Y/n] Abort."
UNKNOWN_PACKAGE = re.compile(r"E: (?:Unable to locate package (\S+)|Package '([^']+)' has no installation candidate)")
COMPILER_PACKAGES = ("gcc", "build-essential", "g++", "clang", "cc", "python3-dev", "libc6-dev", "make")


def command_words(words: list[str]) -> list[str]:
    """A command without `sudo`, `env` and leading VAR=value assignments."""
    rest = list(words)
    while rest and (rest[0] in ("sudo", "env") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", rest[0])):
        rest = rest[1:]
    return rest


def system_commands(context: Context) -> list[tuple[Instruction, list[str]]]:
    """(RUN, command words) for every package-manager command of the image where the dependencies are built, in order."""
    found = []
    for instruction in dependency_instructions(context.dockerfile):
        if instruction.keyword != "RUN":
            continue
        for words in shell_commands(instruction):
            command = command_words(words)
            if command and (command[0] in PACKAGE_MANAGERS or command[0] in FOREIGN_MANAGERS):
                found.append((instruction, command))
    return found


def installs(context: Context) -> list[tuple[Instruction, list[str]]]:
    return [(i, c) for i, c in system_commands(context) if c[0] in PACKAGE_MANAGERS and "install" in c[1:]]


def packages(command: list[str]) -> list[str]:
    after = command[command.index("install") + 1 :]
    return [w for w in after if not w.startswith("-")]


def updates_before(context: Context, instruction: Instruction) -> tuple[bool, bool]:
    """(an update runs in the same RUN before the install, an update runs in an earlier RUN)."""
    same = earlier = False
    for other, command in system_commands(context):
        if command[0] not in PACKAGE_MANAGERS or "update" not in command[1:]:
            continue
        if other.line == instruction.line:
            same = True
        elif other.line < instruction.line:
            earlier = True
    return same, earlier


def install_runs(context: Context) -> list[Instruction]:
    runs = []
    for instruction, _ in system_commands(context):
        if instruction not in runs:
            runs.append(instruction)
    return runs


def failing_run(context: Context) -> Instruction | None:
    """The RUN the build stops at, if it is one of this lesson's package-manager RUNs."""
    build = context.build
    if build.complete or not build.failed_line:
        return None
    return next((i for i in install_runs(context) if i.line <= build.failed_line <= i.end_line), None)


def last_words(context: Context) -> str:
    """The failing step's last line of output, as BuildKit repeats it between `------` lines."""
    log = context.build.result.log
    blocks = re.findall(r"^------\n > \[[^\n]*\n(.*?)^------", log, re.MULTILINE | re.DOTALL)
    lines = [re.sub(r"^\d+\.\d+ ", "", line).strip() for line in (blocks[-1] if blocks else "").splitlines()]
    lines = [line for line in lines if line]
    return lines[-1] if lines else context.build.result.error


def failing_output(context: Context) -> str:
    """The build output of the failing step (BuildKit prints it between `------` lines, and as it runs)."""
    return context.build.result.log


def reached(context: Context, instruction: Instruction) -> bool:
    """Did the build run this instruction (it completed, or it stopped later)?"""
    build = context.build
    return build.complete or bool(build.failed_line and build.failed_line > instruction.end_line)


def stops_with(context: Context, instruction: Instruction, command: str) -> str:
    """` (the build stops with "sudo: not found")` when the build log shows it at this RUN, else ``."""
    failing = failing_run(context)
    if failing is not None and failing.line == instruction.line and f"{command}: not found" in failing_output(context):
        return f" (the build stops with `{command}: not found`)"
    return ""


def diagnosed_by(context: Context) -> str | None:
    """The check of this lesson that names why the failing RUN fails, if one does."""
    failing = failing_run(context)
    if failing is None:
        return None
    if context.build.result.stopped is not None:
        return "run-finishes"
    output = failing_output(context)
    if PROMPT in output:
        return "apt-yes"
    if UNKNOWN_PACKAGE.search(output):
        return (
            "apt-package-name"
            if any(updates_before(context, i) != (False, False) for i, _ in installs(context))
            else "apt-update"
        )
    if stops_with(context, failing, "sudo"):
        return "apt-no-sudo"
    if any(stops_with(context, failing, name) for name in FOREIGN_MANAGERS):
        return "apt-package-manager"
    if runs_as_another_user(context, failing, output):
        return "build-steps-as-root, lesson 14"
    return None


NEEDS_ROOT = re.compile(r"(?i)permission denied|are you root")


def runs_as_another_user(context: Context, failing: Instruction, output: str) -> bool:
    """Does the RUN fail because a USER before it, in its stage, switched away from root (lesson 14 names it)?"""
    users = [i for i in context.dockerfile.of("USER", failing.stage) if i.line < failing.line]
    return bool(users) and users[-1].arguments.split(":")[0] not in ("root", "0") and bool(NEEDS_ROOT.search(output))


@check("gcc-installed")
def gcc_installed(context: Context) -> Outcome:
    """gcc runs in the image: `gcc --version` succeeds in a container of it."""
    runs = install_runs(context)
    failing = failing_run(context)
    if failing is not None:
        cause = diagnosed_by(context)
        if cause:  # one failure per cause: the specific check names it
            raise Unavailable(f"the RUN on line {failing.line} fails (see {cause})")
        return failed(
            f"expected gcc in the image; found the RUN on line {failing.line} failing, so nothing is "
            f"installed (its last words: `{last_words(context)}`)",
            line=failing.line,
        )
    last = runs[-1].end_line if runs else max(i.end_line for i in context.dockerfile.instructions)
    image = context.image_until(last)
    result = context.engine.run_in_image(image, ["sh", "-c", "gcc --version"], timeout=60)
    if result.exit_code == 0:
        version = (result.output.strip().splitlines() or ["gcc runs"])[0]
        return passed(version, line=runs[-1].line if runs else None)
    missing = not_installed(context, [(i, c) for i, c in installs(context) if reached(context, i)])
    if missing:  # one failure per cause: apt-package-name names it
        raise Unavailable(f"`{missing[1]}` on line {missing[0].line} was not installed (see apt-package-name)")
    if not runs:
        return failed(
            "expected gcc in the image; found none: the python slim images have no C compiler, and no "
            "RUN installs one (uWSGI is C and is compiled when pip installs it)"
        )
    named = [p for _, c in installs(context) for p in packages(c)]
    provide = "does" if len(named) == 1 else "do"
    what = (
        f"installs {', '.join(named)}, which {provide} not provide the `gcc` command" if named else "installs nothing"
    )
    return failed(
        f"expected gcc in the image; found `gcc --version` failing ({result.output.strip()[:80]}): "
        f"the RUN on line {runs[-1].line} {what}",
        line=runs[-1].line,
    )


HELLO_C = '#include <stdio.h>\nint main(void) { puts("compiled"); return 0; }\n'
MISSING_HEADER = re.compile(r"fatal error: (\S+?\.h): No such file or directory")
HEADER_PACKAGES = ("libc6-dev", "libc-dev", "build-essential")


def without_recommends(context: Context) -> Instruction | None:
    """The RUN that installs gcc with --no-install-recommends but without the C headers, if there is one."""
    for instruction, command in installs(context):
        named = packages(command)
        if "--no-install-recommends" in command and not any(p in HEADER_PACKAGES for p in named):
            return instruction
    return None


@check("gcc-compiles")
def gcc_compiles(context: Context) -> Outcome:
    """gcc compiles and links a C program that includes <stdio.h> in a container of the image, as uWSGI's build does."""
    runs = install_runs(context)
    if not runs or failing_run(context) is not None:
        raise Unavailable("needs gcc in the image (see gcc-installed)")
    image = context.image_until(runs[-1].end_line)
    result = context.engine.run_in_image(
        image,
        [
            "sh",
            "-c",
            f"printf '%s' {shlex.quote(HELLO_C)} > /tmp/hello.c && gcc -o /tmp/hello /tmp/hello.c && /tmp/hello",
        ],
        timeout=60,
    )
    if result.exit_code == 0:
        return passed("a C program with #include <stdio.h> compiles and runs", line=runs[-1].line)
    if "gcc: not found" in result.output or "gcc: No such file" in result.output:
        raise Unavailable("needs gcc in the image (see gcc-installed)")
    header = MISSING_HEADER.search(result.output)
    if header:
        lean = without_recommends(context)
        cause = (
            (
                f"`--no-install-recommends` on line {lean.line} left out libc6-dev, which Debian's gcc only "
                "recommends, and the slim python images have no C headers of their own"
            )
            if lean
            else "no RUN installs libc6-dev, and the slim python images have no C headers of their own"
        )
        return failed(
            f"C headers missing: expected gcc to compile `#include <{header.group(1)}>`; found "
            f"`fatal error: {header.group(1)}: No such file or directory`: {cause}. Install libc6-dev "
            "with gcc (or build-essential)",
            line=(lean or runs[-1]).line,
        )
    output = " ".join(result.output.split())[:160]
    return failed(f"expected gcc to compile a small C program; found it failing: `{output}`", line=runs[-1].line)


@check("apt-yes")
def apt_yes(context: Context) -> Outcome:
    """apt-get install runs without asking: a build cannot answer "Do you want to continue? [Y/n]"."""
    found = installs(context)
    if not found:
        raise Unavailable("needs a RUN apt-get install")
    failing = failing_run(context)
    if failing is not None and PROMPT in failing_output(context):
        return failed(
            'expected `apt-get install -y`; found apt-get asking "Do you want to continue? [Y/n]": a build '
            "has no keyboard, so apt-get read no answer and aborted (the build log says `Abort.`)",
            line=failing.line,
        )
    for instruction, command in found:
        if not reached(context, instruction) and not any(YES.match(w) for w in command):
            return failed(
                'expected `apt-get install -y`; found no -y: apt-get will ask "Do you want to continue?" '
                "and abort, since a build cannot answer",
                line=instruction.line,
            )
    return passed(line=found[-1][0].line)


def unknown_packages(context: Context) -> tuple[Instruction, str] | None:
    failing = failing_run(context)
    if failing is None:
        return None
    match = UNKNOWN_PACKAGE.search(failing_output(context))
    return (failing, match.group(1) or match.group(2)) if match else None


@check("apt-update")
def apt_update(context: Context) -> Outcome:
    """`apt-get update` runs before `apt-get install`: the image ships without package lists."""
    found = installs(context)
    if not found:
        raise Unavailable("needs a RUN apt-get install")
    for instruction, _ in found:
        same, earlier = updates_before(context, instruction)
        if same or earlier:
            continue
        unknown = unknown_packages(context)
        evidence = f' (the build stops with "Unable to locate package {unknown[1]}")' if unknown else ""
        return failed(
            f"expected `apt-get update && apt-get install …`; found apt-get install with no update before "
            f"it: the image comes without package lists, so apt-get knows no packages{evidence}",
            line=instruction.line,
        )
    return passed(line=found[0][0].line)


@check("apt-update-same-run")
def apt_update_same_run(context: Context) -> Outcome:
    """apt-get update and apt-get install share one RUN, so the lists are never older than the install."""
    for instruction, _ in installs(context):
        same, earlier = updates_before(context, instruction)
        if earlier and not same:
            return warning(
                "expected `apt-get update && apt-get install …` in one RUN; found the update in an earlier "
                "RUN: Docker reuses that cached layer, so a later change to the install runs on old lists "
                '("404 Not Found" once Debian moves on)',
                line=instruction.line,
            )
    if not installs(context):
        raise Unavailable("needs a RUN apt-get install")
    return passed()


@check("apt-package-name")
def apt_package_name(context: Context) -> Outcome:
    """Every package apt-get is asked for exists in Debian (`gcc`, not a guess such as `build-essentials`)."""
    unknown = unknown_packages(context)
    if unknown is None:
        if not installs(context):
            raise Unavailable("needs a RUN apt-get install")
        failing = failing_run(context)
        ran = [(i, c) for i, c in installs(context) if reached(context, i)]
        if ran:
            missing = not_installed(context, ran)
            if missing:
                instruction, name = missing
                return failed(
                    f"expected a Debian package name; found `{name}`, which is not installed in the image: "
                    f"apt-get could not install it{hidden_failure(context, instruction, name)}",
                    line=instruction.line,
                )
        if failing is None or ran:
            return passed()
        raise Unavailable(f"the RUN on line {failing.line} fails for another reason")
    instruction, name = unknown
    same, earlier = updates_before(context, instruction)
    if not (same or earlier):
        raise Unavailable("the package lists were never downloaded (see apt-update)")
    close = difflib.get_close_matches(name, COMPILER_PACKAGES, n=1, cutoff=0.5)
    suggestion = f" (did you mean `{close[0]}`?)" if close else ": the C compiler's package is `gcc`"
    return failed(
        f"expected a Debian package name; found `{name}`, which apt-get cannot find after `apt-get update`{suggestion}",
        line=instruction.line,
    )


def package_name(word: str) -> str | None:
    """`gcc` of `gcc`, `gcc=4:14.2.0-1`, `gcc/bookworm`, `gcc:amd64`; None for a pattern apt-get expands."""
    if any(char in word for char in "*?[]^$"):
        return None
    return re.split(r"[=/:]", word, maxsplit=1)[0].lower() or None


def not_installed(context: Context, runs: list[tuple[Instruction, list[str]]]) -> tuple[Instruction, str] | None:
    """(RUN, package) for the first package an apt-get install names that the image has neither installed nor
    provided (a virtual package such as libc-dev counts when a package provides it): checked in the image."""
    if not runs:
        return None
    key = ("not-installed", tuple(i.line for i, _ in runs))  # one dpkg-query per run
    return context.memo(key, lambda: _not_installed(context, runs))


def _not_installed(context: Context, runs: list[tuple[Instruction, list[str]]]) -> tuple[Instruction, str] | None:
    last = max(instruction.end_line for instruction, _ in runs)
    listing = context.engine.list_in_image(
        context.image_until(last), ["dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Package} ${Provides}\\n"]
    )
    if listing.exit_code != 0:
        return None  # no dpkg in this image, or no whole listing: nothing to compare with
    present = set()
    for row in listing.output.splitlines():
        status, _, rest = row.partition(" ")
        if status.startswith("ii"):
            present.update(re.findall(r"(?:^|,\s*)([a-z0-9][a-z0-9+.-]*)", rest.replace(" ", ",")))
    if "dpkg" not in present:  # every Debian image has dpkg: a listing without it was cut short, not evidence
        return None
    removed = {
        (i.line, package_name(w))
        for i, c in system_commands(context)
        if c[0] in PACKAGE_MANAGERS and {"purge", "remove"} & set(c[1:])
        for w in c[c.index("purge" if "purge" in c else "remove") + 1 :]
        if not w.startswith("-")
    }
    for instruction, command in runs:
        for word in packages(command):
            name = package_name(word)
            later_removed = any(line > instruction.line and gone == name for line, gone in removed)
            if name and name not in present and not later_removed:  # a later purge is not a failed install
                return instruction, name
    return None


def hidden_failure(context: Context, instruction: Instruction, name: str) -> str:
    """Why the build went on although apt-get failed (`;`, `|| true`), from the RUN's text and the build log."""
    said = ""
    match = UNKNOWN_PACKAGE.search(context.build.result.log)
    if match and (match.group(1) or match.group(2)) == name:
        said = f' ("{match.group(0)[3:]}")'
    text = instruction.arguments
    if re.search(r"\|\|\s*(?:true|:|exit 0)", text):
        how = "`|| true` hides that failure"
    elif ";" in text:
        how = "`;` runs the next command whatever happened, so the build went on"
    else:
        how = "and the build went on"
    fix = ": join the commands with `&&`, so that a failing command stops the build" if "&&" not in how else ""
    return f"{said}; {how}{fix}. The C compiler's package is `gcc`" if name != "gcc" else f"{said}; {how}{fix}"


@check("apt-no-sudo")
def apt_no_sudo(context: Context) -> Outcome:
    """No RUN uses sudo: build steps already run as root, and the image has no sudo."""
    for instruction in dependency_instructions(context.dockerfile):
        if instruction.keyword == "RUN" and any(words[0] == "sudo" for words in shell_commands(instruction)):
            return failed(
                "expected commands without sudo; found `sudo`: RUN already runs as root, and the image has "
                f"no sudo command{stops_with(context, instruction, 'sudo')}",
                line=instruction.line,
            )
    return passed()


@check("apt-package-manager")
def apt_package_manager(context: Context) -> Outcome:
    """The package manager is Debian's apt-get: python:3.13-slim is Debian, not Alpine or Red Hat."""
    for instruction, command in system_commands(context):
        if command[0] in FOREIGN_MANAGERS:
            return failed(
                f"expected apt-get (the image is Debian); found `{command[0]}`, {FOREIGN_MANAGERS[command[0]]} "
                f"package manager, which this image does not have{stops_with(context, instruction, command[0])}",
                line=instruction.line,
            )
    return passed()


def last_output(stopped, lines: int = 4) -> str:
    """The stopped step's last output lines, quoted, for a message."""
    shown = [line for line in stopped.output if line.strip()][-lines:]
    if not shown:
        return "It printed nothing."
    return "Its last output:\n" + "\n".join(f"  > {line}" for line in shown)


@check("run-finishes")
def run_finishes(context: Context) -> Outcome:
    """Every RUN ends by itself: checks stops a step that runs on with no new output (or starts a server)."""
    if not any(i.keyword == "RUN" for i in context.dockerfile.instructions):
        raise Unavailable("needs a RUN")
    stopped = context.build.result.stopped
    if stopped is None:
        return passed()
    where = f"line {stopped.line}" if stopped.line else "a build step"
    if stopped.server:  # starting the server at build time is lesson 7's mistake: server-not-in-run names it
        raise Unavailable(f"the RUN on {where} starts a server (see `checks lesson7`)")
    return failed(
        f"expected every RUN to finish; found `{stopped.step}` {stopped.describe()}, so checks stopped the "
        "build: the build waits for each RUN's command to end, and a command that waits (`sleep infinity`, "
        "`tail -f`, a question, a server) never does. Start long-running programs with CMD, when a "
        "container starts; if this step is only slow and silent, allow it more with "
        f"CHECKS_STEP_SILENCE=120.\n{last_output(stopped)}",
        line=stopped.line,
    )


@check("apt-get-not-apt")
def apt_get_not_apt(context: Context) -> Outcome:
    """Scripts use apt-get: `apt` is for people at a terminal and warns that its interface may change."""
    for instruction, command in system_commands(context):
        if command[0] == "apt":
            return warning(
                "expected apt-get in a Dockerfile; found `apt`, whose output and options may change between "
                'releases (it prints "apt does not have a stable CLI interface")',
                line=instruction.line,
            )
    return passed()


@check("apt-no-recommends")
def apt_no_recommends(context: Context) -> Outcome:
    """apt-get install uses --no-install-recommends, so only what gcc needs is installed."""
    for instruction, command in installs(context):
        if "--no-install-recommends" not in command:
            return warning(
                "expected `apt-get install --no-install-recommends`; found it without, so the packages "
                "Debian merely recommends come too: a larger image, more to patch",
                line=instruction.line,
            )
    if not installs(context):
        raise Unavailable("needs a RUN apt-get install")
    return passed()


@check("apt-lists-removed")
def apt_lists_removed(context: Context) -> Outcome:
    """The RUN that downloads the package lists also deletes them (`rm -rf /var/lib/apt/lists/*`)."""
    runs = [i for i, c in system_commands(context) if c[0] in PACKAGE_MANAGERS and "update" in c[1:]]
    if not runs:
        raise Unavailable("needs a RUN apt-get update")
    removals = [
        i
        for i in dependency_instructions(context.dockerfile)
        if i.keyword == "RUN" and "/var/lib/apt/lists" in i.arguments and re.search(r"\brm\b", i.arguments)
    ]
    for instruction in runs:
        if any(r.line == instruction.line for r in removals):
            continue
        later = next((r for r in removals if r.line > instruction.line), None)
        if later is not None:
            return warning(
                f"expected the lists deleted in the RUN that downloads them; found them deleted in a "
                f"later RUN (line {later.line}), while the layer of line {instruction.line} keeps them "
                "(about 20 MB): end that RUN with `&& rm -rf /var/lib/apt/lists/*`",
                line=later.line,
            )
        return warning(
            "expected the RUN to end with `&& rm -rf /var/lib/apt/lists/*`; found the package lists "
            "`apt-get update` downloads (about 20 MB) left in the image",
            line=instruction.line,
        )
    return passed()
