"""Lesson 9: the learner's container runs, publishes the app's port, and the app answers through it.

The app is reached the way the learner reaches it: through the published port on the engine's
host (127.0.0.1 for a local engine), never through the container's bridge IP, which Docker
Desktop does not route to.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

from ..context import Context, Unavailable
from ..engine import ContainerInfo
from ..learner import app_container, seconds_since, wanted_name
from ..result import Outcome, failed, passed, warning
from ..runner import check

LOG_LINES = 5
STARTING_SECONDS = 15  # a container this young may still be starting its app: retry the request
# What an exited container's log or exit code most likely means, first match wins.
CAUSES = (
    (
        r"Cannot assign requested address",
        "the app tried to listen on an address the container does not have "
        "(HOST set to another machine's address?): listen on 0.0.0.0",
    ),
    (r"Address already in use", "something else inside the container already listens on the app's port"),
    (r"exec format error", "the image was built for another CPU architecture than this machine's"),
    (
        r"\r|\\r|: not found.*run_dev|no such file or directory",
        "the start script cannot be run: saved with Windows (CRLF) line endings, or missing from the image",
    ),
    (r"[Pp]ermission denied", "the start script is not executable: `chmod +x bin/run_dev.sh`, then rebuild"),
    (r"executable file not found|command not found|: not found", "the command in CMD is not installed in the image"),
    (
        r"ModuleNotFoundError|no app loaded|unable to load app",
        "the app could not be loaded: is every requirement installed and the code copied into WORKDIR?",
    ),
)
EXIT_CAUSES = {
    126: "the command in CMD is not executable",
    127: "the command in CMD was not found in the image",
    137: "it was killed (SIGKILL): by `docker kill`, by `docker stop` after its grace period, or for lack of memory",
    143: "it was stopped with SIGTERM (`docker stop`): start it again with `docker start`",
}


def app_port(context: Context) -> str:
    return f"{context.course.port}/tcp"


def require_running(context: Context) -> ContainerInfo:
    container = app_container(context)
    if container is None or container.status != "running":
        raise Unavailable("needs the app's container running (see container-running)")
    return container


def never_started_for_port(container: ContainerInfo) -> str | None:
    """The engine's error when the container could not start because its host port was taken."""
    error = container.state.error
    if container.status in ("created", "exited") and re.search(
        r"port is already allocated|address already in use", error
    ):
        return error
    return None


def published(container: ContainerInfo, port: str) -> list[dict]:
    """Where container port `port` is published: the live bindings if running, else the configured ones."""
    if container.status == "running":
        ports = container.published
    else:
        ports = container.host_config.get("PortBindings") or {}
    return [binding for binding in ports.get(port) or [] if binding and binding.get("HostPort")]


def all_published(container: ContainerInfo) -> dict[str, list[dict]]:
    ports = container.published
    if container.status != "running":
        ports = container.host_config.get("PortBindings") or {}
    return {
        port: [b for b in bindings or [] if b.get("HostPort")]
        for port, bindings in ports.items()
        if any(b.get("HostPort") for b in bindings or [])
    }


def url_of(context: Context, binding: dict, path: str = "/statz") -> str:
    """The URL that reaches a published port from this machine."""
    host = binding.get("HostIp") or ""
    if host in ("", "0.0.0.0", "::", "127.0.0.1", "::1"):
        host = context.engine.published_host()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{binding['HostPort']}{path}"


def log_tail(context: Context, container: ContainerInfo, lines: int = LOG_LINES) -> str:
    text = context.engine.attach(container).logs(tail=lines).rstrip()
    return text or "(the log is empty)"


def likely_cause(exit_code: int | None, oom: bool, log: str) -> str:
    if oom:
        return "it ran out of memory (OOMKilled): give Docker more memory"
    for pattern, cause in CAUSES:
        if re.search(pattern, log):
            return cause
    if exit_code in EXIT_CAUSES:
        return EXIT_CAUSES[exit_code]
    if exit_code == 0:
        return "its command finished: CMD must start the server in the foreground (`./bin/run_dev.sh`)"
    return "read the log lines above: the app stopped with an error"


def overridden_command(context: Context, container: ContainerInfo) -> str | None:
    """How the container's command differs from its image's CMD/ENTRYPOINT (`docker run IMAGE bash`), or None."""
    config = container.config
    try:
        image = context.engine.image_config(container.image_id)
    except Exception:
        return None
    if (config.get("Entrypoint") or None) != (image.get("Entrypoint") or None):
        given = " ".join(config.get("Entrypoint") or [])
        return (
            f"it ran `{given}`, which `docker run --entrypoint` put in place of the image's start command "
            f"(`{' '.join((image.get('Entrypoint') or []) + (image.get('Cmd') or []))}`)"
        )
    if (config.get("Cmd") or None) != (image.get("Cmd") or None):
        given = " ".join(config.get("Cmd") or [])
        return (
            f"it ran `{given}`, the command you typed after the image name in `docker run`, which replaces the "
            f"image's CMD (`{' '.join(image.get('Cmd') or [])}`): start it without a command after the image name"
        )
    return None


@check("container-running")
def container_running(context: Context) -> Outcome:
    """A container of the learner's image (or --container) exists and is running."""
    container = app_container(context)
    wanted = wanted_name(context)
    named = context.options.get("container")
    if container is None and named:
        return failed(
            f"expected a running container named {named}; there is no container by that name or id "
            "(`docker ps -a` lists them all)"
        )
    if container is None:
        return failed(
            f"expected a running container of {wanted}; found none (`docker ps -a` lists none). Start one "
            f"with `docker run -d --name together -p 127.0.0.1:{context.course.port}:{context.course.port} {wanted}`"
        )
    if container.status == "running":
        return passed(f"{container.name} ({container.short_id}), up since {container.state.started_at[:19] or '?'}")
    if never_started_for_port(container):
        raise Unavailable(f"{container.name} never started: its host port is taken (see host-port-free)")
    code = container.state.exit_code
    log = log_tail(context, container)
    # the command given to `docker run`, not the Dockerfile's CMD, is what ran: name that
    cause = overridden_command(context, container) or likely_cause(code, container.state.oom_killed, log)
    return failed(
        f"expected {container.name} to be running; it {container.status} with exit code {code}. "
        f"Likely cause: {cause}. The last lines of its log (`docker logs {container.name}`):\n{log}"
    )


@check("host-port-free")
def host_port_free(context: Context) -> Outcome:
    """The host port the learner published was free, so the container could start."""
    container = app_container(context)
    if container is None:
        raise Unavailable("needs the app's container (see container-running)")
    error = never_started_for_port(container)
    if error is None:
        if container.status != "running":
            raise Unavailable("needs the app's container running (see container-running)")
        return passed()
    match = re.search(r"(?:Bind for |listen tcp\d? )\[?([\d.:a-f]*)\]?:(\d+)", error) or re.search(
        r"bind host port for (\[[\da-f:]*\]|[\d.]*):(\d+)",
        error,  # Engine 28: HOST:PORT:CONTAINER-IP:PORT
    )
    host_port = match.group(2) if match else "?"
    holders = [
        c.name
        for c in context.engine.containers()
        if c.id != container.id
        and any(b.get("HostPort") == host_port for bindings in all_published(c).values() for b in bindings)
    ]
    if holders:
        who = f"the running container {', '.join(holders)} already publishes it (`docker stop {holders[0]}`)"
    else:
        who = (
            "a program on this machine listens on it (the app started outside Docker with ./bin/run_dev.sh?); "
            f"find it with `lsof -i :{host_port}` or `ss -ltnp`, stop it, or publish on another host port"
        )
    return failed(
        f"expected host port {host_port} to be free; {who}. {container.name} was created but never "
        f"started; remove it with `docker rm {container.name}` and run it again"
    )


@check("port-published")
def port_published(context: Context) -> Outcome:
    """The app's container port is published on a host port (EXPOSE alone publishes nothing)."""
    container = require_running(context)
    port, number = app_port(context), str(context.course.port)
    bindings = published(container, port)
    if bindings:
        binding = bindings[0]
        url = url_of(context, binding)
        if binding["HostPort"] != number:
            return warning(
                f"container port {number} is published on host port {binding['HostPort']}, so the app is "
                f"at {url}, not http://{context.engine.published_host()}:{number}/statz as in the lesson"
            )
        return passed(f"{container.name}: {binding.get('HostIp') or '0.0.0.0'}:{binding['HostPort']} -> {port}")
    others = all_published(container)
    if others:
        other_port, other = next(iter(others.items()))
        host_port, wrong = other[0]["HostPort"], other_port.split("/")[0]
        protocol = other_port.partition("/")[2] or "tcp"
        if protocol != "tcp":
            host_ip = other[0].get("HostIp") or ""
            keep = f"{host_ip}:" if host_ip and host_ip not in ("0.0.0.0", "::") else ""
            return failed(
                f"expected container port {number} published for TCP; found {other_port} published on host port "
                f"{host_port}: `/{protocol}` publishes {protocol.upper()}, while the app speaks HTTP, which is TCP. "
                f"Leave out `/{protocol}` (TCP is the default): `-p {keep}{host_port}:{number}`"
            )
        choices = [f"write `-p {wrong}:{number}` if you meant host port {wrong}"]
        if host_port != wrong:
            choices.append(f"or `-p {host_port}:{number}` to keep host port {host_port}")
        return failed(
            f"expected container port {number} published; found container port {wrong} published on host "
            f"port {host_port}, where nothing listens. `-p` takes HOST:CONTAINER, and the app listens on "
            f"{number} inside the container: {', '.join(choices)}"
        )
    exposed = port in container.exposed_ports
    because = f"EXPOSE {number} in the Dockerfile only documents the port; it publishes nothing. " if exposed else ""
    return failed(
        f"expected container port {number} published on the host; {container.name} publishes no port. "
        f"{because}Run the container with `-p {number}:{number}` (`docker rm -f {container.name}` first)"
    )


@check("app-listens-everywhere")
def app_listens_everywhere(context: Context) -> Outcome:
    """Inside the container the app listens on every interface (0.0.0.0), where published ports arrive."""
    container = require_running(context)
    sockets = context.engine.attach(container).sockets()
    if sockets is None:
        raise Unavailable(f"cannot read the sockets of {container.name} (no `cat` in the image)")
    port = context.course.port
    on_port = [address for address, number in sockets if number == port]
    if any(address in ("0.0.0.0", "::") for address in on_port):
        return passed(f"listening on 0.0.0.0:{port} inside {container.name}")
    if on_port:
        return failed(
            f"expected the app to listen on 0.0.0.0:{port} inside the container; it listens on "
            f"{on_port[0]}:{port}, which only the container itself can reach: a published port arrives on "
            f"the container's own network interface. Make it listen on 0.0.0.0 (HOST=0.0.0.0 for "
            f"run_dev.sh, or drop a HOST/-e HOST=127.0.0.1 setting)"
        )
    others = sorted({f"{address}:{number}" for address, number in sockets})
    return failed(
        f"expected the app to listen on port {port} inside the container; nothing does"
        f"{': it listens on ' + ', '.join(others) if others else ''}. Publish the port the app uses, or "
        f"make the app use {port}"
    )


def get(url: str, deadline: float) -> tuple[int | None, str, str, str]:
    """(status, content type, body, error) of GET url, retrying refused or reset connections until `deadline`."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read(65536).decode("utf-8", "replace")
                return response.status, response.headers.get("Content-Type", ""), body, ""
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.read(65536).decode("utf-8", "replace"), ""
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            if time.monotonic() >= deadline:
                return None, "", "", str(reason) or type(reason).__name__
            time.sleep(0.5)


@check("statz-answers")
def statz_answers(context: Context) -> Outcome:
    """GET /statz through the published port, on the engine's host, answers JSON with the app's version."""
    container = require_running(context)
    bindings = published(container, app_port(context))
    if not bindings:
        raise Unavailable(f"needs container port {context.course.port} published (see port-published)")
    url = url_of(context, bindings[0])
    sockets = context.engine.attach(container).sockets()
    ready = sockets is not None and any(number == context.course.port for _, number in sockets)
    # a container that just started may not listen yet: give it until STARTING_SECONDS after its start
    wait = 1 if ready else max(1.0, STARTING_SECONDS - seconds_since(container.state.started_at))
    status, content_type, body, error = get(url, time.monotonic() + wait)
    if status is None:
        overridden = overridden_command(context, container)
        if overridden:
            return failed(f"expected {url} to answer; the connection failed ({error}): {overridden}")
        return failed(
            f"expected {url} to answer; the connection failed ({error}): Docker accepted it on the host but "
            "nothing in the container answered on the published port (see app-listens-everywhere)"
        )
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if status == 200 and isinstance(answer, dict) and isinstance(answer.get("version"), str):
        return passed(f"{url} answered {json.dumps(answer)}")
    shown = " ".join(body.split())[:120]
    what = f"HTTP {status}, {content_type or 'no content type'}: {shown!r}"
    overridden = overridden_command(context, container)
    if overridden:
        return failed(
            f'expected {url} to answer JSON like {{"version": "0.0.1"}}; it answered {what}. Something '
            f"answers on that port, but not the app: {overridden}"
        )
    return failed(
        f'expected {url} to answer JSON like {{"version": "0.0.1"}}; it answered {what}. '
        f"Something answers on that port, but not the app: is {container.name} running the image's CMD "
        f"(`docker inspect --format '{{{{.Config.Cmd}}}}' {container.name}`)?"
    )
