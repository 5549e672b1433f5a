"""Lesson 10: a debugging sidecar shares the app container's PID and network namespaces.

Proved twice: from the sidecar's configuration (HostConfig.PidMode / NetworkMode name
`container:<id>`, resolved to the app's container) and at run time (a process started in each
container sees the same namespace inodes in /proc/self/ns). Then the learner answers a question
that only a look through the sidecar answers: the PIDs of uWSGI's workers.
"""

from __future__ import annotations

import os
import re

from ..context import Context, Unavailable
from ..engine import ContainerInfo
from ..learner import age, app_container, made_by_checks, seconds_since
from ..result import Outcome, failed, passed
from ..runner import check

KINDS = {"pid": ("PidMode", "--pid", "PID"), "net": ("NetworkMode", "--net", "network")}
RESTARTED_AFTER_CREATE = 3  # seconds: an app container started this long after its creation was restarted


def app(context: Context):
    container = app_container(context)
    if container is None or container.status != "running":
        raise Unavailable("needs the app's container running (see container-running)")
    return container


def mode_target(container, kind: str) -> str | None:
    """The container id or name that `kind` (pid, net) of `container` is shared with, or None."""
    value = str(container.host_config.get(KINDS[kind][0]) or "")
    return value.split(":", 1)[1] if value.startswith("container:") else None


def is_sidecar(container) -> bool:
    return not made_by_checks(container) and any(mode_target(container, kind) for kind in KINDS)


def resolve(context: Context, target: str):
    """The container a `container:<target>` names, or None if it no longer exists."""
    return context.engine.find_container(target)


def targets_app(context: Context, sidecar, app_id: str) -> bool:
    return any(
        (found := resolve(context, t)) is not None and found.id == app_id
        for t in (mode_target(sidecar, kind) for kind in KINDS)
        if t
    )


def sidecar(context: Context):
    """The running sidecar to grade: one attached to the app if there is one, else the newest."""

    def find():
        running = [c for c in context.engine.containers() if is_sidecar(c)]
        if not running:
            return None
        app_container_ = app_container(context)
        app_id = app_container_.id if app_container_ is not None else ""
        return max(running, key=lambda c: (targets_app(context, c, app_id), c.created))

    return context.memo("sidecar", find)


def require_sidecar(context: Context):
    found = sidecar(context)
    if found is None:
        raise Unavailable("needs a running sidecar (see sidecar-running)")
    return found


def namespaces(context: Context, container: ContainerInfo) -> dict[str, str] | None:
    """{'pid': 'pid:[4026…]', 'net': 'net:[4026…]'} of a process in `container`, or None if unreadable."""
    command = ["sh", "-c", "readlink /proc/self/ns/pid; readlink /proc/self/ns/net"]
    result = context.engine.attach(container).exec(command)
    lines = result.output.split()
    if result.exit_code == 0 and len(lines) == 2:
        return {"pid": lines[0], "net": lines[1]}
    # no shell in the image: try the engine's /proc (a local Linux engine)
    pid = container.state.pid
    try:
        return {kind: os.readlink(f"/proc/{pid}/ns/{kind}") for kind in KINDS} if pid else None
    except OSError:
        return None


@check("sidecar-running")
def sidecar_running(context: Context) -> Outcome:
    """A container that shares another container's namespaces (a sidecar) is running."""
    found = sidecar(context)
    if found is not None:
        return passed(f"{found.name} ({found.image}) is running")
    target = app_container(context)
    command = (
        f"docker run --rm -it --pid=container:{target.name if target else '<app>'} "
        f"--net=container:{target.name if target else '<app>'} busybox sh"
    )
    if target is not None and target.status == "running":
        started = target.state.started_at
        ended = [
            c
            for c in context.engine.containers(all=True, filters={"status": "exited"})
            if is_sidecar(c) and targets_app(context, c, target.id)
        ]
        ended = [
            c
            for c in ended
            if c.state.finished_at >= c.state.started_at
            and seconds_since(c.state.finished_at) + 5 >= seconds_since(started)
        ]
        if ended:
            gone = ended[0]
            return failed(
                f"expected a running sidecar; {gone.name} ended (exit code {gone.state.exit_code}) "
                f"when the app container {target.name} restarted {age(started)}: a restart gives the app new "
                f"namespaces and ends every process in its old PID namespace. Start the sidecar again: "
                f"`{command}`"
            )
        created = target.created
        if seconds_since(created) - seconds_since(started) > RESTARTED_AFTER_CREATE:
            return failed(
                f"expected a running sidecar; found none. The app container {target.name} was restarted "
                f"{age(started)}, which ends a sidecar that shares its PID namespace: start it again with "
                f"`{command}`"
            )
    return failed(
        f"expected a sidecar attached to the app; no running container shares another's namespaces. In a "
        f"second terminal run `{command}`"
    )


@check("sidecar-attached")
def sidecar_attached(context: Context) -> Outcome:
    """The containers the sidecar shares namespaces with are the app's container, as it runs now."""
    side = require_sidecar(context)
    target = app(context)
    for kind in KINDS:
        named = mode_target(side, kind)
        if not named:
            continue
        found = resolve(context, named)
        if found is None:
            return failed(
                f"expected {side.name} attached to {target.name}; its {KINDS[kind][1]}= names a container "
                f"that no longer exists ({named[:12]}): the app container was removed and started anew "
                f"since. Leave the sidecar (`exit`) and attach a new one to {target.name}"
            )
        if found.id != target.id:
            return failed(
                f"expected {side.name} attached to the app container {target.name}; it is attached to "
                f"{found.name} (image {found.image}). Leave it and start the "
                f"sidecar with --pid=container:{target.name} --net=container:{target.name}"
            )
    app_started = target.state.started_at
    if seconds_since(app_started) + 1 < seconds_since(side.state.started_at):
        return failed(
            f"expected the sidecar to see the app as it runs now; {target.name} restarted {age(app_started)}, "
            f"after {side.name} started: the sidecar still holds the old namespaces. Leave it and attach a "
            f"new one"
        )
    return passed(f"{side.name} -> {target.name}")


def shares(context: Context, kind: str) -> Outcome:
    side = require_sidecar(context)
    target = app(context)
    mode, option, word = KINDS[kind]
    named = mode_target(side, kind)
    if named is None:
        other = next((KINDS[k][2] for k in KINDS if k != kind and mode_target(side, k)), None)
        only = f"only the {other} namespace is shared: " if other else ""
        return failed(
            f"expected {side.name} to share the {word} namespace of {target.name}; {only}{option}= is "
            f"missing, so {'`ps` shows only the sidecar' if kind == 'pid' else '`netstat` shows only the sidecar'}"
            f"'s own {'processes' if kind == 'pid' else 'sockets'}. Add "
            f"`{option}=container:{target.name}`"
        )
    found = resolve(context, named)
    if found is None or found.id != target.id:
        raise Unavailable("the sidecar is attached to another container (see sidecar-attached)")
    mine, theirs = namespaces(context, side), namespaces(context, target)
    if mine is None or theirs is None:
        return passed(f"{mode} container:{target.name} (the namespaces could not be read at run time)")
    if mine[kind] != theirs[kind]:
        return failed(
            f"expected the same {word} namespace in {side.name} and {target.name}; the sidecar has "
            f"{mine[kind]}, the app {theirs[kind]}: the app container restarted after the sidecar "
            f"started. Leave the sidecar and attach a new one"
        )
    return passed(f"{mode} container:{target.name}, both in {mine[kind]}")


@check("sidecar-shares-pid")
def sidecar_shares_pid(context: Context) -> Outcome:
    """The sidecar is in the app container's PID namespace (configured, and really the same at run time)."""
    return shares(context, "pid")


@check("sidecar-shares-net")
def sidecar_shares_net(context: Context) -> Outcome:
    """The sidecar is in the app container's network namespace (configured, and really the same at run time)."""
    return shares(context, "net")


def processes(context: Context, container: ContainerInfo) -> dict[int, tuple[str, int]]:
    """{pid: (command name, parent pid)} of every process in the container's PID namespace."""
    result = context.engine.attach(container).exec(["sh", "-c", "cat /proc/[0-9]*/stat 2>/dev/null"])
    found = {}
    for line in result.output.splitlines():
        head, _, rest = line.rpartition(")")
        pid, _, name = head.partition(" (")
        fields = rest.split()
        if pid.strip().isdigit() and len(fields) > 1 and fields[1].isdigit():
            found[int(pid)] = (name, int(fields[1]))
    return found


def sees_the_apps_processes(context: Context, side, target) -> bool:
    """Is the sidecar configured into the app's PID namespace, and (when readable) really in the same one?"""
    named = mode_target(side, "pid")
    found = resolve(context, named) if named else None
    if found is None or found.id != target.id:
        return False
    mine, theirs = namespaces(context, side), namespaces(context, target)
    return mine is None or theirs is None or mine["pid"] == theirs["pid"]


@check("sidecar-question")
def sidecar_question(context: Context) -> Outcome:
    """The learner read a uWSGI worker's PID through the sidecar (checked against the app's own /proc)."""
    side = require_sidecar(context)
    target = app(context)
    if not sees_the_apps_processes(context, side, target):  # then a right number can only be a guess
        raise Unavailable(
            f"{side.name} is not in {target.name}'s PID namespace, so its `ps` cannot show the workers: "
            f"no answer can come from it (see sidecar-shares-pid)"
        )
    table = processes(context, target)
    uwsgi = {pid for pid, (name, _) in table.items() if name.startswith("uwsgi")}
    workers = sorted(pid for pid in uwsgi if table[pid][1] in uwsgi)
    masters = sorted(pid for pid in uwsgi if table[pid][1] not in uwsgi)
    if not workers:
        raise Unavailable(f"the question is about uWSGI's workers, and {target.name} runs none")
    answer = context.options.get("answer")  # asked before grading (lesson.toml's question)
    if answer is None or not str(answer).strip():
        return failed(
            "expected an answer to the question; none given. Run `checks lesson10` in a terminal and "
            "answer it, or pass `--answer PID`"
        )
    numbers = [int(n) for n in re.findall(r"\d+", str(answer))]
    if not numbers:
        return failed(f"expected a PID (a number); found {str(answer).strip()!r}")
    given = numbers[0]
    if given in workers:
        return passed(
            f"{given} is a uWSGI worker (the workers are {', '.join(map(str, workers))}; the master is "
            f"{', '.join(map(str, masters))})"
        )
    if given in masters:
        return failed(
            f"expected a worker's PID; {given} is the master. The workers are its children: in `ps` they "
            "are the other uwsgi lines"
        )
    host_pids = context.engine.attach(target).host_pids()
    if given in host_pids:
        return failed(
            f"expected the PID as the sidecar shows it; {given} is a PID on the host (what `docker top` "
            "shows). The sidecar shares the app's PID namespace, where the numbers are small: run `ps` in it"
        )
    return failed(
        f"expected the PID of a uWSGI worker; no worker has PID {given}. Run `ps` in the sidecar and read "
        "the PID column of a uwsgi line other than the first"
    )
