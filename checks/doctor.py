"""`checks doctor`: can this machine do the workshop? Ends with a block to paste into a help request.

Exit 0 only when the workshop can proceed: an engine answers, it can build, and nothing in the
workspace will stop the container from starting. Missing conveniences are warnings.
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__

OK, WARN, FAIL, INFO = "ok", "warning", "failed", "info"


@dataclass
class Finding:
    name: str
    status: str
    detail: str
    fix: str = ""


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if nothing listens on host:port (a connection attempt is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        try:
            probe.connect((host, port))
        except OSError:
            return True
    return False


def crlf_files(workspace: Path) -> list[str]:
    """Scripts and the Dockerfile saved with Windows line endings, which break `#!/bin/sh` in Linux."""
    found = []
    candidates = [*workspace.glob("bin/*"), *workspace.glob("*.sh"), workspace / "Dockerfile"]
    for path in candidates:
        try:
            if path.is_file() and path.stat().st_size < 1_000_000 and b"\r\n" in path.read_bytes():
                found.append(str(path.relative_to(workspace)))
        except OSError:
            continue
    return found


BUILD_SECONDS = 120  # for doctor's own `docker build` of a one-line Dockerfile
RUN_SECONDS = 30  # for doctor's own `docker run -p` of a small web server, until it answers
OLDEST_TESTED = (20, 10)  # the oldest Docker Engine the course is tested on (Debian 12's docker.io)


def version_tuple(text: str | None) -> tuple[int, ...] | None:
    """(28, 5) from "28.5.2+dfsg4"; None when it is not a version."""
    parts = re.findall(r"\d+", (text or "").split("+")[0])[:2]
    return tuple(int(part) for part in parts) if len(parts) == 2 else None


def engine_age_finding(kind: str, version: str | None) -> Finding | None:
    """A Docker engine older than the oldest one the course is tested on."""
    found = version_tuple(version)
    if kind == "Podman" or found is None or found >= OLDEST_TESTED:
        return None
    oldest = ".".join(map(str, OLDEST_TESTED))
    return Finding(
        "engine version",
        WARN,
        f"Docker {version} is older than {oldest}, the oldest engine the course is tested on",
        "upgrade Docker (Docker Desktop: Check for updates; Linux: Docker's own packages, docs.docker.com/engine/install)",
    )


def build_checks_finding(engine) -> Finding:
    """Does the learner's `docker build` run BuildKit's build checks, which checks then quotes?"""
    warnings = engine.build_checks("FROM scratch\nCMD echo hi\n")
    if warnings:
        return Finding(
            "build checks",
            OK,
            "your `docker build` runs BuildKit's build checks (such as JSONArgsRecommended); checks quotes them",
        )
    return Finding(
        "build checks",
        INFO,
        "this engine runs no BuildKit build checks (they come with Docker Engine 27 and buildx 0.15): "
        "checks explains the same mistakes in its own words",
    )


def run_finding(engine, cli: str, image: str | None) -> Finding:
    """Run a small web server as the learner will run the app (`docker run -p`), and ask it through the
    published port: a build that works says nothing of the engine's network (a bridge that is gone)."""
    from .engine import RUN_LABEL

    if image is None:
        return Finding("docker run -p", INFO, "not tried: no image of the course is present yet (see below)")
    host = engine.published_host()
    bind = f"{host}::8000" if host in ("127.0.0.1", "localhost") else "8000"
    command = [cli, "run", "-d", "--label", f"{RUN_LABEL}={engine.run_id}", "-p", bind, image]
    command += ["python3", "-m", "http.server", "8000"]
    try:
        started = subprocess.run(command, capture_output=True, text=True, timeout=RUN_SECONDS)
        if started.returncode != 0:
            error = " ".join(started.stderr.split())[-400:] or "no message"
            return Finding(
                "docker run -p",
                FAIL,
                f"a container with a published port does not start: {error}",
                "restart Docker (Docker Desktop: Restart; Linux: `sudo systemctl restart docker`), then run "
                "`checks doctor` again",
            )
        container = started.stdout.strip()
        port = subprocess.run([cli, "port", container, "8000/tcp"], capture_output=True, text=True, timeout=20)
        address = port.stdout.split()[0] if port.stdout.split() else ""
        published = int(address.rpartition(":")[2]) if address.rpartition(":")[2].isdigit() else None
        if published is None:
            return Finding("docker run -p", FAIL, f"the engine published no port: {port.stderr.strip()}")
        deadline = time.monotonic() + RUN_SECONDS
        while time.monotonic() < deadline:
            if answers_http(host, published):
                return Finding(
                    "docker run -p", OK, f"works: a container answered on its published port, {host}:{published}"
                )
            state = subprocess.run(
                [cli, "inspect", "-f", "{{.State.Running}}", container], capture_output=True, text=True, timeout=20
            )
            if state.stdout.strip() != "true":
                break
            time.sleep(0.3)
        return Finding(
            "docker run -p",
            FAIL,
            f"a container runs, but nothing answers on {host}:{published}, the port the engine published",
            "restart Docker; on Linux a firewall or a missing `docker0` bridge stops published ports",
        )
    except subprocess.TimeoutExpired:
        return Finding("docker run -p", WARN, f"`docker run` did not answer in {RUN_SECONDS} s", "restart Docker")
    except OSError as exc:
        return Finding("docker run -p", FAIL, f"does not run: {exc}", "reinstall Docker")
    finally:
        engine.cleanup()  # the container it started, labelled as this run's


def answers_http(host: str, port: int) -> bool:
    """True when an HTTP server answers a request on host:port."""
    try:
        with socket.create_connection((host, port), timeout=2) as connection:
            connection.sendall(b"GET / HTTP/1.0\r\nHost: doctor\r\n\r\n")
            return connection.recv(12).startswith(b"HTTP/")
    except OSError:
        return False


def build_finding(engine, cli: str, kind: str, buildkit: bool, images: list[str]) -> Finding:
    """Run `docker build` as the learner types it (their docker command, their environment) on a one-line
    Dockerfile FROM an image already present, and say whether it works and with which builder."""
    from .engine import RUN_LABEL

    present = [name for name in images if engine.find_image(name) is not None]
    if not present:
        return Finding("docker build", INFO, "not tried: no image of the course is present yet (see below)")
    command = [cli, "build", "-q", "--label", f"{RUN_LABEL}={engine.run_id}", "-"]
    try:
        built = subprocess.run(
            command, input=f"FROM {present[0]}\n", capture_output=True, text=True, timeout=BUILD_SECONDS
        )
    except subprocess.TimeoutExpired:
        return Finding(
            "docker build",
            WARN,
            f"a one-line build did not finish in {BUILD_SECONDS} s",
            "run `docker build .` in the workspace and watch where it stops",
        )
    except OSError as exc:
        return Finding("docker build", FAIL, f"does not run: {exc}", "reinstall Docker")
    finally:
        engine.cleanup()  # the image it made, labelled as this run's
    if built.returncode != 0:
        error = next((line.strip() for line in reversed(built.stderr.splitlines()) if line.strip()), "no message")
        if kind == "Podman" and ("buildkit" in built.stderr.lower() or "docker-container" in built.stderr):
            fix = (
                "Podman has no BuildKit, and the Docker CLI's `docker build` then tries a BuildKit container: "
                "set DOCKER_BUILDKIT=0 (`export DOCKER_BUILDKIT=0`; PowerShell `$env:DOCKER_BUILDKIT=0`) so that "
                "`docker build` asks Podman's own builder, or type `podman build`"
            )
        else:
            fix = "run `docker build .` in the workspace and read its error; see the troubleshooting page"
        return Finding("docker build", FAIL, f"fails: {error[-300:]}", fix)
    if buildkit:
        return Finding("docker build", OK, "works, with BuildKit (its output looks like the lessons')")
    if kind == "Podman":
        return Finding(
            "docker build",
            OK,
            "works, with Podman's own builder (Buildah): its output says `STEP 1/7: FROM …` "
            "where the lessons show BuildKit's `#5 [1/7] FROM …`",
        )
    return Finding(
        "docker build",
        WARN,
        "works, with the legacy builder: its output looks different from the lessons'",
        "install the docker-buildx plugin (Docker Desktop has it), and leave DOCKER_BUILDKIT unset",
    )


def examine(workspace: Path, catalogue) -> tuple[list[Finding], dict]:
    """Everything doctor looks at, as findings plus the facts for the paste block."""
    from .engine import Engine, EngineProblem, endpoint_description

    course = catalogue.course
    findings: list[Finding] = []
    endpoint, chosen_by = endpoint_description()
    facts: dict = {
        "checks": __version__,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "endpoint": endpoint,
        "endpoint_from": chosen_by,
    }
    cli = None
    try:
        from shutil import which

        cli = which("docker")
        if cli:
            cli_version = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=20)
            facts["docker_cli"] = cli_version.stdout.strip() or cli_version.stderr.strip()
            findings.append(Finding("docker command", OK, facts["docker_cli"]))
        else:
            findings.append(
                Finding(
                    "docker command",
                    FAIL,
                    "not found on PATH",
                    "install Docker Desktop (macOS, Windows) or Docker Engine (Linux), then open a new terminal",
                )
            )
    except (OSError, subprocess.TimeoutExpired) as exc:
        findings.append(Finding("docker command", FAIL, f"does not run: {exc}", "reinstall Docker"))

    engine = None
    try:
        engine = Engine.connect()
    except EngineProblem as problem:
        findings.append(Finding("engine", FAIL, str(problem)))
    if engine is not None:
        try:
            info, version = engine.info(), engine.version()
            kind = engine.kind(info, version)
            facts.update(
                {
                    "engine": kind,
                    "engine_version": version.get("Version"),
                    "api_version": version.get("ApiVersion"),
                    "engine_os": f"{version.get('Os')}/{version.get('Arch')}",
                    "storage_driver": info.get("Driver"),
                    "image_store": engine.image_store(info),
                    "cgroup": info.get("CgroupVersion"),
                    "cpus": info.get("NCPU"),
                    "memory_gib": round((info.get("MemTotal") or 0) / 2**30, 1),
                }
            )
            store = "" if kind == "Podman" else f", {facts['image_store']} image store"
            findings.append(
                Finding(
                    "engine",
                    OK,
                    f"{kind} {version.get('Version')} ({facts['engine_os']}{store}) via {endpoint} ({chosen_by})",
                )
            )
            age = engine_age_finding(kind, version.get("Version"))
            if age:
                findings.append(age)
            if version.get("Arch") not in ("amd64", "x86_64", "arm64", "aarch64"):
                findings.append(
                    Finding(
                        "architecture", WARN, f"{version.get('Arch')}: the official python image may not exist for it"
                    )
                )
            facts["buildkit"] = cli is not None and engine.buildkit and os.environ.get("DOCKER_BUILDKIT") != "0"
            if cli is not None:
                findings.append(
                    build_finding(engine, cli, kind, facts["buildkit"], [course.base_image, course.sidecar_image])
                )
                if facts["buildkit"]:
                    findings.append(build_checks_finding(engine))
                base = course.base_image if engine.find_image(course.base_image) is not None else None
                findings.append(run_finding(engine, cli, base))
            for role, name in (("base image", course.base_image), ("sidecar image", course.sidecar_image)):
                key = role.replace(" ", "_")
                try:
                    image = engine.client.images.get(name)
                    facts[key] = f"{name} {image.short_id} {image.attrs.get('Architecture')}"
                    findings.append(Finding(role, OK, f"{name} is present locally"))
                except Exception:
                    facts[key] = f"{name} missing"
                    findings.append(
                        Finding(
                            role,
                            WARN,
                            f"{name} is not present locally",
                            f"`docker pull {name}` now, while the network is good, "
                            "or `checks workshop unpack` the instructor's kit",
                        )
                    )
        except Exception as exc:  # an engine that answers ping but not info
            findings.append(Finding("engine", FAIL, f"answers, but not to `info`: {exc}", "restart Docker"))
            engine = None

    port = course.port
    host = engine.published_host() if engine is not None else "127.0.0.1"
    if port_free(port, host):
        findings.append(Finding(f"port {port}", OK, f"free on {host}"))
    else:
        owner = ""
        if engine is not None:
            try:
                for container in engine.containers():
                    bindings = container.attrs.get("NetworkSettings", {}).get("Ports") or {}
                    for mapping in bindings.values():
                        if any(b.get("HostPort") == str(port) for b in mapping or []):
                            owner = (
                                f" by container {container.name} ({container.image.tags or container.image.short_id})"
                            )
            except Exception:
                pass
        status = INFO if owner else WARN
        findings.append(
            Finding(
                f"port {port}",
                status,
                f"in use{owner or ' by another program'}",
                "" if owner else f"stop the program using port {port} before lesson 9",
            )
        )

    if workspace.is_dir():
        bad = crlf_files(workspace)
        if bad:
            findings.append(
                Finding(
                    "line endings",
                    FAIL,
                    f"Windows (CRLF) line endings in {', '.join(bad)}",
                    "convert to LF: `git config --global core.autocrlf input`, then clone or check out again, "
                    "or in VS Code click 'CRLF' in the status bar and choose 'LF'",
                )
            )
        else:
            findings.append(Finding("line endings", OK, "scripts use LF"))
    if workspace.is_dir():
        from .classroom.client import doctor_finding

        board = doctor_finding(workspace)  # only in a workspace that joined a progress board
        if board:
            findings.append(Finding(*board))
    facts["findings"] = {f.name: f.status for f in findings}
    return findings, facts


def run(workspace: Path, catalogue, as_json: bool = False) -> int:
    findings, facts = examine(workspace, catalogue)
    blocked = [f for f in findings if f.status == FAIL]
    if as_json:
        print(json.dumps({"ok": not blocked, "facts": facts, "findings": [vars(f) for f in findings]}, indent=2))
        return 1 if blocked else 0
    from .output import Style

    style = Style(sys.stdout)
    marks = {OK: style.mark("passed"), WARN: style.mark("warning"), FAIL: style.mark("failed"), INFO: style.dim("i")}
    print(style.bold("checks doctor"))
    for finding in findings:
        print(f"{marks[finding.status]} {finding.name}: {finding.detail}")
        if finding.fix and finding.status != OK:
            print(f"    fix: {finding.fix}")
    print()
    if blocked:
        print(
            style.paint("Not ready:", "1;31")
            + f" fix what is marked {style.marks['failed']} above, then run `checks doctor` again."
        )
    else:
        print(style.paint("Ready for the workshop.", "1;32"))
    print("\nWhen you ask for help, paste this block:\n")
    print("```")
    for key, value in facts.items():
        if key != "findings":
            print(f"{key}: {value}")
    print("findings: " + ", ".join(f"{name}={status}" for name, status in facts["findings"].items()))
    print(f"DOCKER_HOST={os.environ.get('DOCKER_HOST', '')} DOCKER_CONTEXT={os.environ.get('DOCKER_CONTEXT', '')}")
    print("```")
    return 1 if blocked else 0
