"""Lesson 5: `RUN pip install --no-cache-dir -r requirements.txt` installs every declared dependency, leaving no cache."""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
from dataclasses import dataclass, field

from ..buildlog import INSTEAD_OF, describe_failure, missing_program, missing_program_cause
from ..context import Context, Unavailable
from ..dockerfile import Instruction
from ..result import Outcome, failed, passed, warning
from ..runner import check
from ..shell import shell_commands
from ..stages import dependency_stage, final_stage
from ..start import image_path, missing_path_advice

# pip options that take a value (the value is not a package to install)
VALUE_OPTIONS = {
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--cache-dir",
    "--src",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--progress-bar",
    "--root-user-action",
    "--log",
    "--upgrade-strategy",
    "--global-option",
    "--config-settings",
    "-C",
    "--proxy",
    "--timeout",
    "--retries",
    "--exists-action",
    "--cert",
    "--client-cert",
    "--report",
    "--only-binary",
    "--no-binary",
    "--python",
}
PIP_PROGRAM = re.compile(r"^(?:.*/)?pip(?:3(?:\.\d+)?)?$")
WINDOWS_LAUNCHERS = ("py", "py.exe", "python.exe", "python3.exe")
PYTHON_PROGRAM = re.compile(r"^(?:.*/)?python(?:3(?:\.\d+)?)?$")
COMPILER_PACKAGES = ("gcc", "build-essential", "clang")
COMPILER_MISSING = re.compile(
    r"you need a C compiler|gcc: (?:not found|No such file)|command '?gcc'? failed|"
    r"unable to execute '?gcc'?|error: command 'gcc'"
)
C_HEADERS_MISSING = re.compile(r"fatal error: (\S+?\.h): No such file or directory")
REQUIREMENTS_MISSING = re.compile(r"Could not open requirements? file[^\n]*")
PIP_CACHE = "/root/.cache/pip"


@dataclass
class PipInstall:
    """One `pip install …` command inside a RUN."""

    instruction: Instruction
    command: str  # the command as written
    requirement_files: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    sudo: bool = False

    @property
    def line(self) -> int:
        return self.instruction.line


def pip_install_of(words: list[str]) -> tuple[list[str], bool] | None:
    """The words after `install` if `words` runs pip install (pip, pip3, python -m pip, sudo …), else None."""
    sudo = False
    while words and (words[0] in ("sudo", "env", "exec", "command") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])):
        sudo = sudo or words[0] == "sudo"
        words = words[1:]
    if not words:
        return None
    rest = None
    if PIP_PROGRAM.match(words[0]):
        rest = words[1:]
    elif PYTHON_PROGRAM.match(words[0]) and len(words) >= 3 and words[1] == "-m" and words[2] == "pip":
        rest = words[3:]
    elif words[0] in WINDOWS_LAUNCHERS:  # `py -m pip install …`, `py -3 -m pip install …`: a Windows habit
        launcher = [w for w in words[1:4] if not re.match(r"^-\d", w)]
        if launcher[:2] == ["-m", "pip"]:
            rest = words[words.index("pip", 1) + 1 :]
    if rest is None:
        return None
    while rest and rest[0].startswith("-"):  # global options before the sub-command (pip -q install)
        rest = rest[1:]
    if not rest or rest[0] != "install":
        return None
    return rest[1:], sudo


def dependency_steps(context: Context, keyword: str | None = None) -> list[Instruction]:
    """The instructions of the stage that installs the dependencies: the final stage, or a build stage (lesson 13)."""
    stage = dependency_stage(context.dockerfile)
    return [
        i for i in context.dockerfile.instructions if i.stage == stage and (keyword is None or i.keyword == keyword)
    ]


def pip_installs(context: Context) -> list[PipInstall]:
    """Every `pip install` in a RUN of the stage that installs the dependencies (the final one, or a build stage), in order."""
    found = []
    for instruction in dependency_steps(context, "RUN"):
        for words in shell_commands(instruction):
            parsed = pip_install_of(words)
            if parsed is None:
                continue
            arguments, sudo = parsed
            install = PipInstall(instruction, " ".join(words), sudo=sudo)
            expecting = None
            for word in arguments:
                if expecting:
                    if expecting in ("-r", "--requirement"):
                        install.requirement_files.append(word)
                    expecting = None
                elif word.startswith("--requirement=") or (
                    word.startswith("-r") and len(word) > 2 and not word.startswith("--")
                ):
                    install.requirement_files.append(word.split("=", 1)[1] if "=" in word else word[2:])
                elif word in VALUE_OPTIONS:
                    expecting = word
                elif word.startswith("-"):
                    install.options.append(word.split("=", 1)[0])
                else:
                    install.packages.append(word)
            found.append(install)
    return found


def main_install(context: Context) -> PipInstall:
    """The pip install the lesson is about: the one reading a requirements file, else the first."""
    installs = pip_installs(context)
    if not installs:
        raise Unavailable("needs a RUN pip install (see pip-install-present)")
    return next((i for i in installs if i.requirement_files), installs[0])


def declared_requirements(context: Context) -> dict[str, str]:
    """requirements.txt of the workspace: {normalised name: line as written}."""
    path = context.workspace / "requirements.txt"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        return {}
    declared = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name = re.split(r"[<>=!~;\[ @]", line, maxsplit=1)[0]
        declared[normalise(name)] = line
    return declared


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def package_name(spec: str) -> str:
    return normalise(re.split(r"[<>=!~;\[ @]", spec, maxsplit=1)[0])


def brings_requirements(instruction: Instruction) -> bool:
    """Could this COPY/ADD put requirements.txt into the image?"""
    if instruction.keyword not in ("COPY", "ADD") or "from" in instruction.flags:
        return False
    form = instruction.exec_form
    words = form if form is not None else instruction.words()
    words = [w for w in words if not w.startswith("--")]
    for source in words[:-1]:
        source = source.rstrip("/")
        if source in ("", ".", "./") or fnmatch.fnmatch("requirements.txt", posixpath.basename(source)):
            return True
    return False


def compiler_install_line(context: Context) -> int | None:
    """The line of the first RUN in the final stage that installs a C compiler with apt-get/apt."""
    for instruction in dependency_steps(context, "RUN"):
        for words in shell_commands(instruction):
            if words and words[0] in ("apt-get", "apt", "sudo") and "install" in words:
                if any(word in COMPILER_PACKAGES or word.startswith("gcc-") for word in words):
                    return instruction.line
    return None


def pip_step_failure(context: Context, install: PipInstall) -> str | None:
    """The build log of the pip step when the build failed exactly there, else None."""
    build = context.build
    if build.complete or build.failed_line is None:
        return None
    if install.instruction.line <= build.failed_line <= install.instruction.end_line:
        return build.result.log
    return None


@check("pip-install-present")
def pip_install_present(context: Context) -> Outcome:
    """The final stage has a RUN that runs `pip install`."""
    installs = pip_installs(context)
    if installs:
        return passed(installs[0].command, line=installs[0].line)
    for instruction in dependency_steps(context):
        if instruction.keyword in ("CMD", "ENTRYPOINT") and re.search(r"\bpip3?\b.*\binstall\b", instruction.args):
            return failed(
                f"expected pip install in a RUN instruction; found it in {instruction.keyword}, which runs "
                "only when a container starts, every time",
                line=instruction.line,
            )
    return failed(
        "expected `RUN pip install --no-cache-dir -r requirements.txt` after the apt-get line; found no "
        "pip install, so Flask and uWSGI are not in the image"
    )


@check("pip-install-requirements")
def pip_install_requirements(context: Context) -> Outcome:
    """pip installs from requirements.txt (`-r`), so every declared dependency, at its pinned version, is installed."""
    install = main_install(context)
    declared = declared_requirements(context)
    if install.requirement_files:
        extra = [p for p in install.packages if package_name(p) not in declared]
        if extra:
            return warning(
                f"also installs {', '.join(extra)}, which requirements.txt does not declare: add "
                "them to the manifest so every dependency is in one place",
                line=install.line,
            )
        return passed(f"-r {install.requirement_files[0]}", line=install.line)
    manifests = [p for p in install.packages if p.endswith(".txt") or "requirements" in p]
    if manifests:
        return failed(
            f"expected `pip install -r {manifests[0]}`; found `{install.command}`: without -r, pip looks "
            f"for a package named {manifests[0]!r} on PyPI",
            line=install.line,
        )
    if not install.packages:
        return failed(
            f"expected `pip install -r requirements.txt`; found `{install.command}`, which installs nothing",
            line=install.line,
        )
    named = {package_name(p): p for p in install.packages}
    missing = [spec for name, spec in declared.items() if name not in named]
    unpinned = [
        spec
        for name, spec in declared.items()
        if name in named and named[name].replace(" ", "") != spec.replace(" ", "")
    ]
    if missing or unpinned:
        problems = []
        if missing:
            problems.append(f"it leaves out {', '.join(missing)}")
        if unpinned:
            problems.append(f"it does not pin {', '.join(unpinned)} as requirements.txt does")
        return failed(
            f"expected `pip install -r requirements.txt`; found packages installed by name "
            f"({' '.join(install.packages)}): {'; '.join(problems)}",
            line=install.line,
        )
    return warning(
        "installs the same pinned packages as requirements.txt, but by name: the versions are now "
        "written twice; use `-r requirements.txt`",
        line=install.line,
    )


@check("requirements-before-pip")
def requirements_before_pip(context: Context) -> Outcome:
    """requirements.txt is in the image (copied, relative to WORKDIR) before the pip install that reads it."""
    install = main_install(context)
    if not install.requirement_files:
        raise Unavailable("needs pip install -r requirements.txt")
    if "mount" not in install.instruction.flags:
        before = [i for i in dependency_steps(context) if i.line < install.line and brings_requirements(i)]
        after = [i for i in dependency_steps(context) if i.line > install.line and brings_requirements(i)]
        if not before:
            where = f"; the COPY on line {after[0].line} comes after it" if after else ""
            return failed(
                f"expected requirements.txt in the image before pip install (line {install.line}) reads "
                f"it; found no COPY of it before that line{where}",
                line=install.line,
            )
    log = pip_step_failure(context, install)
    if log is not None:
        missing = REQUIREMENTS_MISSING.search(log)
        if missing:
            return failed(
                f"pip could not find {install.requirement_files[0]} in the image: {missing.group(0).strip()} "
                "(a relative path is read from WORKDIR; COPY it there)",
                line=install.line,
            )
    return passed(f"{install.requirement_files[0]} is copied before line {install.line}", line=install.line)


@check("gcc-before-pip")
def gcc_before_pip(context: Context) -> Outcome:
    """gcc is installed before pip install, because uWSGI is compiled from C source during the install."""
    install = main_install(context)
    compiler_line = compiler_install_line(context)
    if compiler_line is not None and compiler_line > install.line:
        return failed(
            f"expected gcc to be installed before pip install (line {install.line}); found it installed "
            f"after, on line {compiler_line}: uWSGI is compiled while pip installs it",
            line=install.line,
        )
    log = pip_step_failure(context, install)
    missing = COMPILER_MISSING.search(log) if log is not None else None
    if missing is not None:
        return failed(
            f"pip install (line {install.line}) failed compiling uWSGI: "
            f"{missing.group(0)}; install gcc with apt-get before it",
            line=install.line,
        )
    return passed(f"gcc is installed on line {compiler_line}" if compiler_line else "", line=install.line)


@check("pip-install-builds")
def pip_install_builds(context: Context) -> Outcome:
    """The pip install step runs to completion in the build."""
    install = main_install(context)
    build = context.build
    if build.complete or (build.failed_line or 0) > install.instruction.end_line:
        return passed(line=install.line)
    log = pip_step_failure(context, install)
    if log is None:
        raise Unavailable("the build fails before the pip install step")
    if REQUIREMENTS_MISSING.search(log) or COMPILER_MISSING.search(log):
        raise Unavailable("explained by requirements-before-pip / gcc-before-pip")
    if not install.requirement_files and any(p.endswith(".txt") for p in install.packages):
        raise Unavailable("explained by pip-install-requirements")
    headers = C_HEADERS_MISSING.search(log)
    if headers:
        lean = (
            " (gcc only recommends libc6-dev, and --no-install-recommends leaves it out)"
            if "--no-install-recommends" in context.dockerfile.text
            else ""
        )
        return failed(
            f"C headers missing: pip install (line {install.line}) failed compiling uWSGI with "
            f"`fatal error: {headers.group(1)}: No such file or directory`: gcc is there but the C "
            f"library's headers are not; install libc6-dev with gcc{lean}",
            line=install.line,
        )
    if install.sudo or re.search(r"sudo: (?:not found|command not found)", log):
        return failed(
            "expected `RUN pip install …`; found `sudo pip install`: there is no sudo in the image, and "
            "RUN already runs as root",
            line=install.line,
        )
    program = missing_program(log)
    if program is not None:
        cause = (
            missing_program_cause(program)
            if program in INSTEAD_OF
            else f"`{program}` is not in this image: the pip of the image's Python is `pip` (or `python -m pip`)"
        )
        return failed(
            f"the build stops at line {install.line} with `{program}: not found`: {cause}",
            line=install.line,
        )
    no_match = re.search(r"No matching distribution found for (\S+)", log)
    if no_match:
        return failed(f"pip cannot find {no_match.group(1)} on PyPI: is the name or version right?", line=install.line)
    if re.search(r"externally-managed-environment", log):
        return failed(
            "pip refuses to install into the system Python (externally managed): use the official python "
            "image, whose Python is yours to install into",
            line=install.line,
        )
    return failed(
        f"expected pip install to finish; {describe_failure(log, context.dockerfile.text, build.failed_line)}",
        line=install.line,
    )


@check("pip-no-cache")
def pip_no_cache(context: Context) -> Outcome:
    """The image holds no pip download cache (`--no-cache-dir`, PIP_NO_CACHE_DIR, or the cache removed in the same RUN)."""
    install = main_install(context)
    image = context.image_until(install.instruction.end_line)
    members = context.engine.read_path(image, PIP_CACHE)
    files = [m for m in members or [] if m.isfile()]
    if files:
        size = sum(m.size for m in files) / 1_000_000
        return failed(
            f"expected no pip cache in the image; found {PIP_CACHE} with {len(files)} files ({size:.1f} MB) "
            f"that every copy of the image carries: add --no-cache-dir to pip install",
            line=install.line,
        )
    return passed(f"no {PIP_CACHE} in the image", line=install.line)


def app_image(context: Context, install: PipInstall) -> str:
    """The image the app runs in, as far as it is known: the whole image when it builds (an ENV PATH may come
    after the install, and a build stage's packages reach the app only through what the final stage copies),
    else the image up to the pip install of the final stage."""
    build = context.build
    if build.complete:
        return build.final_image
    if install.instruction.stage != final_stage(context.dockerfile).index:
        raise Unavailable(
            build.not_built + " (the dependencies installed in a build stage reach the app only through what the "
            "final stage copies)"
        )
    return context.image_until(install.instruction.end_line)


def multi_stage_cause(context: Context) -> tuple[str, str] | None:
    """In a multi-stage build (lesson 13's step), the final stage's line that brings the dependencies over."""
    dockerfile = context.dockerfile
    final = final_stage(dockerfile)
    if dependency_stage(dockerfile) == final.index:
        return None
    copied = next((i for i in dockerfile.in_final_stage("COPY") if "from" in i.flags), None)
    return (f"{copied.keyword} {copied.args}" if copied else f"FROM {final.written}"), "lesson13"


def where_installed_instead(context: Context, image: str) -> str:
    """Why the `python` on PATH does not see the packages: where pip really put them, and the line that fixes it."""
    search = "find / -xdev \\( -path /proc -o -path /sys \\) -prune -o -path '*/flask/__init__.py' -print 2>/dev/null | head -n 3"
    shown = context.engine.run_in_image(image, ["sh", "-c", search + "; true"], user="0:0")
    found = [line.strip() for line in shown.output.splitlines() if line.strip().startswith("/")]
    if not found:
        return "pip's packages are nowhere in this image" + (
            ": the final stage copies nothing the build stage installed them into"
            if len(context.dockerfile.stages) > 1
            else ""
        )
    folder = posixpath.dirname(posixpath.dirname(found[0]))  # the site-packages (or --target) folder
    venv = folder.split("/lib/python")[0] if "/lib/python" in folder else None
    if venv and context.engine.read_path(image, venv + "/pyvenv.cfg"):
        return (
            f"they are in the virtualenv {venv}, and PATH ({image_path(context, image)}) does not lead to its "
            f"python: add `ENV PATH={venv}/bin:$PATH` to the final stage"
        )
    if venv:
        return (
            f"they are under {venv} (pip's --prefix or --user folder), which the image's python does not read: "
            f"install with the final image's own layout (copy a --prefix folder to /usr/local) or use a virtualenv"
        )
    return f"they are in {folder} (pip's --target folder), which Python does not read: add `ENV PYTHONPATH={folder}`"


IMPORT_PROBE = """
import importlib.metadata as metadata, json, sys
names = json.loads(sys.argv[1])
found = {}
for name in names:
    try:
        found[name] = metadata.version(name)
    except metadata.PackageNotFoundError:
        found[name] = None
try:
    import flask
    found["import flask"] = "ok"
except Exception as exc:
    found["import flask"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(found))
"""


@check("pip-dependencies-import")
def pip_dependencies_import(context: Context) -> Outcome:
    """In the image, the `python` on PATH has every package of requirements.txt at its pinned version, flask imports, and `uwsgi` runs."""
    install = main_install(context)
    image = app_image(context, install)
    declared = declared_requirements(context)
    uwsgi_key = ("uwsgi-version", image)

    def uwsgi_version():
        return context.engine.run_in_image(image, ["sh", "-c", "uwsgi --version"], user="0:0")

    context.in_background(uwsgi_key, uwsgi_version)  # independent of the probe: both at once
    # as root: whether the image's USER exists, and may read the packages, is lesson 14's to say
    probe = context.engine.run_in_image(image, ["python", "-c", IMPORT_PROBE, json.dumps(sorted(declared))], user="0:0")
    try:
        found = json.loads(probe.output.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return failed(
            f"expected `python` to run in the image; found: {probe.output.strip()[-300:] or probe.exit_code}",
            line=install.line,
        )
    missing = [declared[name] for name in sorted(declared) if not found.get(name)]
    if missing:
        return failed(
            f"expected {', '.join(missing)} installed for the image's `python`; found them missing: "
            + where_installed_instead(context, image),
            line=install.line,
            caused_by=multi_stage_cause(context),
        )
    wrong = [
        f"{declared[name]} (found {found[name]})"
        for name in sorted(declared)
        if "==" in declared[name] and declared[name].split("==", 1)[1].strip() != found[name]
    ]
    if wrong:
        return failed(
            f"expected the pinned versions; found other versions installed: {', '.join(wrong)}", line=install.line
        )
    if found.get("import flask") != "ok":
        return failed(
            f"expected `import flask` to work in the image; found {found.get('import flask')}", line=install.line
        )
    uwsgi = context.memo(uwsgi_key, uwsgi_version)
    if uwsgi.exit_code != 0:
        advice = missing_path_advice(context, image, "uwsgi")
        return failed(
            f"expected the `uwsgi` command on PATH (bin/run_dev.sh runs it); found: "
            f"{uwsgi.output.strip()[-200:] or f'exit code {uwsgi.exit_code}'}" + (f": {advice}" if advice else ""),
            line=install.line,
            caused_by=multi_stage_cause(context),
        )
    versions = ", ".join(f"{name} {found[name]}" for name in sorted(declared))
    return passed(f"{versions}; uwsgi {uwsgi.output.strip()}", line=install.line)
