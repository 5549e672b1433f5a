"""`checks doctor`: can this machine do the workshop? Ends with a block to paste into a help request.

Exit 0 only when the workshop can proceed: an engine answers, it can build, and nothing in the
workspace will stop the container from starting. Missing conveniences are warnings.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
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
                    "cgroup": info.get("CgroupVersion"),
                    "cpus": info.get("NCPU"),
                    "memory_gib": round((info.get("MemTotal") or 0) / 2**30, 1),
                }
            )
            findings.append(
                Finding(
                    "engine", OK, f"{kind} {version.get('Version')} ({facts['engine_os']}) via {endpoint} ({chosen_by})"
                )
            )
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
            for role, name in (("base image", course.base_image), ("sidecar image", course.sidecar_image)):
                key = role.replace(" ", "_")
                try:
                    image = engine.find_image(name)
                    if image is None:
                        raise LookupError(name)
                    facts[key] = f"{name} {image.short_id} {image.architecture}"
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
                    for mapping in container.published.values():
                        if any(b.get("HostPort") == str(port) for b in mapping or []):
                            owner = f" by container {container.name} ({container.image or container.image_id[:19]})"
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
