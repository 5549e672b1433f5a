"""Lesson 14: a user that is not root. The app's processes run as that user, read their files and cannot change them.

The app still starting and answering /statz is lesson 7's checks, which `checks lesson14` runs first
on the final image. The user ids come from /proc in a running container of the image; what the user
can read and write is tried in a throwaway container of the image, as the image's user.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
import time
from dataclasses import dataclass, field

from ..buildlog import describe_failure, missing_program, missing_program_cause
from ..context import Context, Unavailable
from ..dockerfile import Instruction
from ..engine import Container, Process
from ..probe import asked_port, listening_ports, start_timeout
from ..result import Outcome, failed, passed
from ..runner import check
from ..stages import final_stage

ROOT_NAMES = ("", "root", "0")
SYSTEM_BIN = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}
# what a step that needs root prints when it runs as another user (apt-get, dpkg, pip into the system's Python)
NEEDS_ROOT = re.compile(r"(?i)permission denied|are you root|must be (?:run as )?root|operation not permitted")
CREATES_USER = re.compile(r"^\s*(?:/usr/sbin/)?(?:useradd|adduser)\b")
SHOWN = 3  # paths named in a message
WORKERS_WAIT = 5  # seconds for the main process to start its workers, once it listens

# Runs as the image's user in a throwaway container: what it can read, and where a write succeeds.
FILE_PROBE = r"""
import json, os, stat, sys
out = {"uid": os.getuid(), "gid": os.getgid(), "roots": {}}
def entry(path):
    try:
        st = os.lstat(path)
        return {"path": path, "mode": "%o" % stat.S_IMODE(st.st_mode), "owner": st.st_uid, "group": st.st_gid}
    except OSError:
        return {"path": path, "mode": "?", "owner": -1, "group": -1}
for root in sys.argv[1:]:
    found = {"exists": os.path.isdir(root), "files": 0, "unreadable": [], "writable": [], "created": False, "refused": ""}
    out["roots"][root] = found
    if not found["exists"]:
        continue
    probe = os.path.join(root, ".checks-write-probe")
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        os.unlink(probe)
        found["created"] = True
    except OSError as exc:
        found["refused"] = exc.strerror or str(exc)
    if not os.access(root, os.R_OK | os.X_OK):
        found["unreadable"].append(entry(root))
    for folder, dirs, files in os.walk(root, onerror=lambda e: None):
        for name in dirs + files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            found["files"] += 1
            if os.path.isdir(path):
                if not os.access(path, os.R_OK | os.X_OK):
                    found["unreadable"].append(entry(path))
                elif os.access(path, os.W_OK | os.X_OK):
                    found["writable"].append(entry(path))
                continue
            try:
                os.close(os.open(path, os.O_RDONLY))
            except OSError:
                found["unreadable"].append(entry(path))
                continue
            try:  # opened for writing, nothing written
                os.close(os.open(path, os.O_WRONLY))
                found["writable"].append(entry(path))
            except OSError:
                pass
print(json.dumps(out))
"""
PYTHONS = "/usr/local/bin/python3 /usr/bin/python3 python3"
RUN_PROBE = f'for p in {PYTHONS}; do command -v "$p" >/dev/null 2>&1 && exec "$p" -c "$0" "$@"; done; exit 127'


# -- the image's user --------------------------------------------------------------------------
def final_image(context: Context) -> str:
    build = context.build
    if not build.complete:
        raise Unavailable(build.not_built)
    return build.final_image


def image_config(context: Context) -> dict:
    return context.image_config(final_image(context))


def image_user(context: Context) -> str:
    """The image's USER as Docker stores it: `name`, `uid`, `name:group`; empty for root."""
    return (image_config(context).get("User") or "").strip()


def is_root(user: str) -> bool:
    return user.split(":", 1)[0].strip() in ROOT_NAMES


def user_lines(context: Context, stage: int | None = None) -> list[Instruction]:
    return context.dockerfile.of("USER", stage)


def final_user_line(context: Context) -> Instruction | None:
    found = context.dockerfile.in_final_stage("USER")
    return found[-1] if found else None


def final_user_number(context: Context) -> int | None:
    last = final_user_line(context)
    return last.line if last is not None else None


def created_users(context: Context) -> list[tuple[str, Instruction]]:
    """(name, RUN) for every useradd/adduser in the Dockerfile: the name is the command's last word."""
    found = []
    for instruction in context.dockerfile.of("RUN"):
        for command in re.split(r"&&|\|\||;|\n", instruction.arguments):
            if CREATES_USER.match(command):
                try:
                    words = shlex.split(command)
                except ValueError:
                    words = command.split()
                if len(words) > 1 and not words[-1].startswith("-"):
                    found.append((words[-1], instruction))
    return found


def stage_name(context: Context, index: int) -> str:
    stage = next(s for s in context.dockerfile.stages if s.index == index)
    return stage.name or str(index)


def names_in(text: str) -> set[str]:
    return {line.split(":", 1)[0] for line in text.splitlines() if ":" in line}


# -- what the user can read and write, tried in the image ---------------------------------------
@dataclass
class FileProbe:
    uid: int
    roots: dict[str, dict]

    def all(self, key: str) -> list[dict]:
        return [item for found in self.roots.values() for item in found[key]]

    def created(self) -> list[str]:
        return [root for root, found in self.roots.items() if found["created"]]


def app_folders(context: Context) -> list[str]:
    """The WORKDIR, and every virtualenv on PATH (the folder above a bin/ that is not a system folder)."""
    config = image_config(context)
    folders = [config.get("WorkingDir") or "/"]
    env = dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item)
    for entry in env.get("PATH", "").split(":"):
        entry = entry.rstrip("/")
        if entry and entry not in SYSTEM_BIN:
            folder = posixpath.dirname(entry) if posixpath.basename(entry) == "bin" else entry
            if folder not in folders and folder != "/":
                folders.append(folder)
    return folders


def file_probe(context: Context) -> FileProbe:
    """Run FILE_PROBE as the image's user on the app's folders (once per run)."""
    return context.memo("lesson14-file-probe", lambda: _file_probe(context))


def _file_probe(context: Context) -> FileProbe:
    image = final_image(context)
    if not user_exists_in_image(context):
        raise Unavailable("needs USER to name a user of the image (see user-exists)")
    try:
        shown = context.engine.run_in_image(image, ["sh", "-c", RUN_PROBE, FILE_PROBE, *app_folders(context)])
    except Exception as exc:  # the engine refused to start it
        raise Unavailable(
            f"cannot start a container of the image as its user: {getattr(exc, 'explanation', exc)}"
        ) from exc
    lines = [line for line in shown.output.splitlines() if line.startswith("{")]
    if shown.exit_code != 0 or not lines:
        raise Unavailable(f"cannot run python3 in the image as its user: {shown.output.strip()[-200:] or 'no output'}")
    data = json.loads(lines[-1])
    return FileProbe(data["uid"], data["roots"])


def user_exists_in_image(context: Context) -> bool:
    return missing_account(context) is None


def missing_account(context: Context) -> tuple[str, str] | None:
    """(kind, name) of the USER's user or group that the image's /etc/passwd or /etc/group lacks; None when all exist."""
    return context.memo("lesson14-missing-account", lambda: _missing_account(context))


def _missing_account(context: Context) -> tuple[str, str] | None:
    user = image_user(context)
    name, _, group = user.partition(":")
    wanted = [("user", name.strip(), "/etc/passwd"), ("group", group.strip(), "/etc/group")]
    for kind, value, path in wanted:
        if value and not value.isdigit():
            shown = context.engine.run_in_image(final_image(context), ["cat", path], user="0:0")
            if value not in names_in(shown.output):
                return (kind, value)
    return None


# -- the running container -----------------------------------------------------------------------
@dataclass
class Running:
    """A container of the image started with its own CMD, seen from inside once the app listens."""

    start_error: str = ""
    exited: bool = False
    logs: str = ""
    processes: list[Process] = field(default_factory=list)  # PID 1 and its descendants
    port_start: int | None = None  # net.ipv4.ip_unprivileged_port_start in the container


def running(context: Context, sysctls: dict | None = None) -> Running:
    """Start a container of the image (labelled, no port published), wait until the app listens, read /proc, remove it."""
    return context.memo(("lesson14-running", repr(sysctls)), lambda: _running(context, sysctls))


def _running(context: Context, sysctls: dict | None) -> Running:
    image = final_image(context)
    port = asked_port(context)
    seen = Running()
    with context.engine.run(image, sysctls=sysctls) as container:
        seen.start_error = container.start_error
        deadline = time.monotonic() + start_timeout()
        while not seen.start_error and time.monotonic() < deadline:
            if container.state().ended:
                seen.exited = True
                break
            if any(p.endswith(f":{port}") for p in listening_ports(container)):
                seen.processes = processes_after_workers(container)
                seen.port_start = unprivileged_port_start(container)
                break
            time.sleep(0.5)
        if not seen.start_error and not seen.exited and not seen.processes:  # running, though not on the port
            seen.processes = processes_of(container)
        try:
            seen.logs = container.logs(tail=60)
        except Exception:
            pass
    return seen


def processes_after_workers(container: Container) -> list[Process]:
    """The processes once PID 1 has started children (uWSGI's workers come after it loads the app), within WORKERS_WAIT s."""
    deadline = time.monotonic() + WORKERS_WAIT
    found = processes_of(container)
    while len(found) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
        found = processes_of(container)
    return found


def processes_of(container: Container) -> list[Process]:
    """PID 1 and its descendants (not the `exec` that reads them)."""
    found = container.processes()
    family, added = {1}, True
    while added:
        added = False
        for process in found:
            if process.ppid in family and process.pid not in family:
                family.add(process.pid)
                added = True
    return [p for p in found if p.pid in family]


def unprivileged_port_start(container: Container) -> int | None:
    result = container.exec(["cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start"])
    text = result.output.strip()
    return int(text) if result.exit_code == 0 and text.isdigit() else None


def needs_a_running_app(context: Context) -> Running:
    seen = running(context)
    if seen.start_error or seen.exited or not seen.processes:
        raise Unavailable("needs a running container of the image (see container-starts)")
    return seen


# -- checks ------------------------------------------------------------------------------------
@check("build-steps-as-root")
def build_steps_as_root(context: Context) -> Outcome:
    """No step that needs root (apt-get, pip into the system's Python) runs after USER switched to another user."""
    build = context.build
    if build.complete:
        return passed()
    line = build.failed_line
    dockerfile = context.dockerfile
    failing = next((i for i in dockerfile.instructions if line and i.line <= line <= i.end_line), None)
    if failing is None or failing.keyword != "RUN":
        raise Unavailable("the build stops for another reason (see the checks above)")
    before = [i for i in user_lines(context, failing.stage) if i.line < failing.line]
    if not before or is_root(before[-1].arguments):
        raise Unavailable("the build stops for another reason (see the checks above)")
    user = before[-1]
    unknown = re.search(r"unable to find user (\S+?):", build.result.log)
    if unknown:
        return failed(
            f"expected the user `{unknown.group(1)}` to exist when USER on line {user.line} switches to it; "
            f"found none, so the step on line {failing.line} cannot run (`unable to find user "
            f"{unknown.group(1)}`): create the user first, then write USER",
            line=user.line,
            hint="Put `RUN useradd …` before USER: a RUN after USER already runs as that user.",
        )
    said = [strip_step(text) for text in build.result.log.splitlines() if NEEDS_ROOT.search(text)]
    if not said:
        raise Unavailable("the build stops for another reason (see the checks above)")
    return failed(
        f"expected the step on line {failing.line} to run as root; it runs as `{user.arguments}`, set by USER on "
        f"line {user.line}, and fails: `{said[0]}`. Installing needs root: move `USER {user.arguments}` after "
        "it, to the end of the final stage",
        line=user.line,
    )


def strip_step(text: str) -> str:
    """A BuildKit log line without its `#6 0.249 ` prefix."""
    return re.sub(r"^#\d+ \d+\.\d+ ", "", text).strip()


@check("user-exists")
def user_exists(context: Context) -> Outcome:
    """The final stage's USER names a user (and group) of the image's /etc/passwd (/etc/group), or a number."""
    creating = failing_user_creation(context)
    if creating is not None:
        return creating
    user = image_user(context)
    line = final_user_line(context)
    if is_root(user):
        raise Unavailable("needs USER in the final stage (see runs-as-non-root)")
    missing = missing_account(context)
    where = line.line if line else None
    if missing is None:
        return passed(f"USER {user}", line=where)
    kind, name = missing
    cause, hint = missing_cause(context, kind, name)
    return failed(
        f"expected the {kind} `{name}` in the image's {'/etc/passwd' if kind == 'user' else '/etc/group'}; "
        f"found none, so Docker refuses to start a container (`unable to find {kind} {name}`): {cause}",
        line=where,
        hint=hint,
    )


def failing_user_creation(context: Context) -> Outcome | None:
    """A failure naming the cause when the build stops at the RUN that creates the user (`adduser: not found`)."""
    build = context.build
    if build.complete or not build.failed_line:
        return None
    made = next((i for _, i in created_users(context) if i.line <= build.failed_line <= i.end_line), None)
    if made is None:
        return None
    program = missing_program(build.result.log)
    if program is not None:
        return failed(
            f"expected the RUN on line {made.line} to create the user; the build stops there with "
            f"`{program}: not found`: {missing_program_cause(program)}",
            line=made.line,
            hint="On Debian's slim images: `RUN useradd --system --no-create-home --shell /usr/sbin/nologin together`.",
        )
    return failed(
        f"expected the RUN on line {made.line} to create the user; "
        + describe_failure(build.result.log, context.dockerfile.text, build.failed_line),
        line=made.line,
    )


def missing_cause(context: Context, kind: str, name: str) -> tuple[str, str | None]:
    """Why the image lacks the user (or group) USER names, and the hint that follows from it."""
    made = [(n, i) for n, i in created_users(context) if n == name]
    final = final_stage(context.dockerfile).index
    if kind == "group":
        return (
            f"`useradd --user-group` (Debian's default) makes a group named like the user; no RUN makes `{name}`",
            f"Name the user's own group in USER, or create `{name}` with groupadd before useradd.",
        )
    if made and all(i.stage != final for _, i in made):
        return (
            f"line {made[0][1].line} creates it in the stage `{stage_name(context, made[0][1].stage)}`, and the final "
            "stage starts afresh from its own FROM",
            f"Move `{made[0][1].arguments}` into the final stage, before USER.",
        )
    others = [(n, i) for n, i in created_users(context) if i.stage == final]
    if others:
        other, instruction = others[-1]
        return (
            f"line {instruction.line} creates `{other}`, not `{name}`",
            f"Write `USER {other}`, the user line {instruction.line} creates.",
        )
    return "no RUN of the final stage creates it", None


@check("runs-as-non-root")
def runs_as_non_root(context: Context) -> Outcome:
    """The app's main process (PID 1) and every process it starts run with a user id other than 0, read from /proc."""
    user = image_user(context)
    if not is_root(user) and not user_exists_in_image(context):
        raise Unavailable("needs USER to name a user of the image (see user-exists)")
    seen = needs_a_running_app(context)
    as_root = [p for p in seen.processes if p.uid == 0]
    if not as_root:
        uids = ", ".join(map(str, sorted({p.uid for p in seen.processes})))
        return passed(f"{described(seen.processes)} run as uid {uids} (USER {user})", line=final_user_number(context))
    return failed(
        f"expected no process running as root; found uid 0 for {described(as_root)}: {root_cause(context, user)}",
        line=root_line(context),
    )


def described(processes: list[Process]) -> str:
    """`PID 1 (uwsgi) and the 2 processes it started`: worker PIDs change from run to run."""
    main = next((p for p in processes if p.pid == 1), None)
    others = [p for p in processes if p.pid != 1]
    started = f"the {len(others)} process{'es' if len(others) != 1 else ''} it started"
    if main is None:
        return started.removeprefix("the ")
    return f"PID 1 ({main.name})" + (f" and {started}" if others else "")


def root_cause(context: Context, user: str) -> str:
    """Why the container's processes run as root, from the Dockerfile."""
    last = final_user_line(context)
    if last is not None and is_root(last.arguments):
        return f"the last USER of the final stage, line {last.line}, switches back to root"
    if not is_root(user):
        return f"the image's USER is `{user}`, but the command started by CMD runs as root (su, sudo or gosu in it?)"
    earlier = user_lines(context)
    if earlier:
        return (
            f"`USER {earlier[-1].arguments}` on line {earlier[-1].line} is in the stage "
            f"`{stage_name(context, earlier[-1].stage)}`; the final stage starts afresh from its FROM, as root, "
            "and has no USER of its own"
        )
    return "the final stage has no USER, and a container runs as root unless the image says otherwise"


def root_line(context: Context) -> int:
    last = final_user_line(context)
    if last is not None:
        return last.line
    earlier = user_lines(context)
    return earlier[-1].line if earlier else final_stage(context.dockerfile).line


@check("app-files-readable")
def app_files_readable(context: Context) -> Outcome:
    """As the image's user, every folder and file of the WORKDIR and of the virtualenv on PATH opens for reading."""
    probe = file_probe(context)
    unreadable = probe.all("unreadable")
    counted = sum(found["files"] for found in probe.roots.values())
    if not unreadable:
        return passed(
            f"uid {probe.uid} reads all {counted} files and folders of {', '.join(probe.roots)}",
            line=final_user_number(context),
        )
    first = unreadable[0]
    shown = ", ".join(f"{u['path']} (mode {u['mode']}, owner uid {u['owner']})" for u in unreadable[:SHOWN])
    more = f" and {len(unreadable) - SHOWN} more" if len(unreadable) > SHOWN else ""
    cause, line = unreadable_cause(context, first["path"])
    return failed(
        f"expected uid {probe.uid} to read the app; found {len(unreadable)} it cannot read: {shown}{more}. {cause}",
        line=line,
    )


def unreadable_cause(context: Context, path: str) -> tuple[str, int | None]:
    """The instruction that took the other users' read permission, when the Dockerfile shows one."""
    for instruction in reversed(context.dockerfile.in_final_stage()):
        if instruction.keyword in ("COPY", "ADD") and "chmod" in instruction.flags:
            mode = instruction.flags["chmod"]
            return (
                f"`--chmod={mode}` on line {instruction.line} gives every file mode {mode}, which lets only the "
                "owner (and group) read it, and the owner is root: drop --chmod (COPY keeps your files' modes), "
                "or give the others read permission (`--chmod=755` for folders and scripts)",
                instruction.line,
            )
        if instruction.keyword == "RUN" and re.search(r"\bchmod\b", instruction.arguments):
            return (
                f"`{instruction.arguments}` on line {instruction.line} takes the read permission from the other "
                "users, and the app's user is one of them: remove it",
                instruction.line,
            )
    return (
        "COPY keeps the modes the files have in your folder: there they are readable by their owner only "
        "(a umask of 077?). `chmod -R a+rX .` in your folder fixes them",
        None,
    )


@check("app-cannot-write")
def app_cannot_write(context: Context) -> Outcome:
    """As the image's user, creating a file in the WORKDIR and the virtualenv fails, and no file of them opens for writing."""
    probe = file_probe(context)
    if probe.uid == 0:
        raise Unavailable("needs a user that is not root (see runs-as-non-root)")
    created = probe.created()
    writable = probe.all("writable")
    if not created and not writable:
        refused = "; ".join(f"{root}: {found['refused']}" for root, found in probe.roots.items() if found["exists"])
        return passed(f"uid {probe.uid} cannot write: {refused}", line=final_user_number(context))
    places = created + [w["path"] for w in writable if w["path"] not in created]
    shown = ", ".join(places[:SHOWN]) + (f" and {len(places) - SHOWN} more" if len(places) > SHOWN else "")
    cause, line = writable_cause(context)
    return failed(f"expected uid {probe.uid} not to change the app; found it can write {shown}. {cause}", line=line)


def writable_cause(context: Context) -> tuple[str, int | None]:
    """The instruction that gave the user the app's files, when the Dockerfile shows one."""
    why = (
        "uWSGI starts new workers from the files on disk, so a hole in the app that writes a file becomes code that "
        "runs from then on"
    )
    for instruction in reversed(context.dockerfile.in_final_stage()):
        if instruction.keyword in ("COPY", "ADD") and "chown" in instruction.flags:
            return (
                f"`--chown={instruction.flags['chown']}` on line {instruction.line} makes the user the owner of "
                f"what it copies: {why}. Drop --chown and let root own the files",
                instruction.line,
            )
        if instruction.keyword == "RUN" and re.search(r"\bchown\b|\bchmod\b", instruction.arguments):
            return (
                f"`{instruction.arguments}` on line {instruction.line} lets the user write them: {why}. Remove it",
                instruction.line,
            )
    return (
        f"the files are writable by the user in your folder or in the image: {why}. Let root own them, "
        "with write permission for their owner only",
        None,
    )
