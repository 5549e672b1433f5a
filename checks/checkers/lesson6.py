"""Lesson 6: `EXPOSE 4000` documents, in the image, the TCP port the app listens on."""

from __future__ import annotations

import re

from ..buildlog import without_prefixes
from ..context import Context, Unavailable
from ..dockerfile import Instruction
from ..ports import app_port, env_values
from ..result import Outcome, failed, passed, warning
from ..runner import check

PORT_WORD = re.compile(r"^(?P<port>\d+)(?:-(?P<end>\d+))?(?:/(?P<protocol>[A-Za-z]+))?$")
VARIABLE = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}?(/[A-Za-z]+)?$")
# ports learners expose by mistake, and why they come to mind
KNOWN_PORTS = {
    5000: "Flask's development server uses 5000, but this app runs uWSGI on PORT (4000)",
    8000: "8000 is the port of many tutorials' servers, not this app's",
    80: "80 is the usual port on a host; EXPOSE names the port inside the container",
    8080: "8080 is the usual port on a host; EXPOSE names the port inside the container",
    443: "443 is HTTPS; this app speaks plain HTTP on 4000",
}


def expose_instructions(context: Context) -> list[Instruction]:
    return context.dockerfile.in_final_stage("EXPOSE")


def build_arg_defaults(context: Context) -> dict[str, str]:
    """Defaults of the final stage's ARGs (`ARG PORT=4000`): they apply to EXPOSE while building."""
    defaults = {}
    for instruction in context.dockerfile.in_final_stage("ARG"):
        name, _, value = instruction.arguments.partition("=")
        if value:
            defaults[name.strip()] = value.strip().strip("\"'")
    return defaults


def written_ports(context: Context) -> list[tuple[Instruction, str, re.Match[str] | None]]:
    """(instruction, word, PORT_WORD's match of the resolved word) of every EXPOSE argument; None when it is not a port."""
    values = {**build_arg_defaults(context), **env_values(context)}
    found = []
    for instruction in expose_instructions(context):
        for word in instruction.words():
            resolved = word
            variable = VARIABLE.match(word)
            if variable:
                resolved = (values.get(variable.group(1)) or variable.group(2) or "") + (variable.group(3) or "")
            found.append((instruction, word, PORT_WORD.match(resolved)))
    return found


def exposed_in_image(context: Context) -> tuple[set[str], bool]:
    """The image's ExposedPorts ({'4000/tcp'}), and whether they come from the built image (True) or the text."""
    exposes = expose_instructions(context)
    try:
        line = exposes[-1].end_line if exposes else context.dockerfile.instructions[-1].end_line
        image = context.image_until(line)
        config = context.image_config(image)
        return set((config.get("ExposedPorts") or {}).keys()), True
    except Unavailable:
        ports = set()
        for _, _, match in written_ports(context):
            if match is not None:
                ports.add(f"{int(match.group('port'))}/{(match.group('protocol') or 'tcp').lower()}")
        return ports, False


def refused_at(context: Context, instruction: Instruction) -> str | None:
    """The builder's own words when the build stops at this EXPOSE (`Invalid hostPort: 127.0.0.1`), else None."""
    build = context.build
    if build.complete or build.failed_line is None or not instruction.line <= build.failed_line <= instruction.end_line:
        return None
    found = re.search(r"Invalid (?:hostPort|containerPort|proto|port|range)[^\n]*", build.result.log, re.IGNORECASE)
    return found.group(0).strip() if found else without_prefixes(build.result.error or "the build fails")


@check("expose-present")
def expose_present(context: Context) -> Outcome:
    """The final stage has an EXPOSE instruction."""
    exposes = expose_instructions(context)
    if exposes:
        return passed(f"EXPOSE {exposes[0].arguments}", line=exposes[0].line)
    earlier = context.dockerfile.of("EXPOSE")
    if earlier:
        return failed(
            f"expected EXPOSE in the final stage; found it only in an earlier build stage (line "
            f"{earlier[0].line}), which the image does not inherit",
            line=earlier[0].line,
        )
    return failed(
        f"expected `EXPOSE {app_port(context)}` after the pip line; found no EXPOSE: nothing in the image "
        "says which port the app listens on"
    )


@check("expose-syntax")
def expose_syntax(context: Context) -> Outcome:
    """Every EXPOSE argument is a container port (`4000`, `4000/tcp`), not a publish mapping or an invalid number."""
    if not expose_instructions(context):
        raise Unavailable("needs EXPOSE")
    for instruction, word, match in written_ports(context):
        if match is None:
            if ":" in word:
                host, _, container = word.rpartition(":")
                refused = refused_at(context, instruction)
                effect = (
                    f"Docker refuses it: the build stops with `{refused}`"
                    if refused
                    else f"Docker ignores the host part ({host}) and builds"
                )
                publish = word if host.replace(":", "").isdigit() or host.endswith(":") else f"{word}:{container}"
                return failed(
                    f"expected only the container's port, EXPOSE {container}; found `{word}`: EXPOSE does not "
                    f"publish, and {effect}. Publishing is `docker run -p {publish}` (lesson 9)."
                    + context.engine_warns("ExposeInvalidFormat", instruction.line),
                    line=instruction.line,
                )
            if word.startswith("-"):
                return failed(
                    f"expected EXPOSE followed by a port number; found option `{word}`: `-p` belongs to `docker run`",
                    line=instruction.line,
                )
            if VARIABLE.match(word):
                return failed(
                    f"expected a port; found `{word}`, a variable with no value where EXPOSE is (set it "
                    "with ENV or ARG before EXPOSE)",
                    line=instruction.line,
                )
            return failed(f"expected a port number such as 4000; found `{word}`", line=instruction.line)
        numbers = [int(match.group("port"))] + ([int(match.group("end"))] if match.group("end") else [])
        if any(not 0 < number <= 65535 for number in numbers):
            return failed(
                f"expected a port between 1 and 65535; found `{word}`: Docker refuses to build it",
                line=instruction.line,
            )
    return passed(line=expose_instructions(context)[0].line)


@check("expose-protocol")
def expose_protocol(context: Context) -> Outcome:
    """The app's port is exposed as TCP (the default): HTTP runs over TCP."""
    if not expose_instructions(context):
        raise Unavailable("needs EXPOSE")
    port = app_port(context)
    for instruction, word, match in written_ports(context):
        if match and int(match.group("port")) == port and (match.group("protocol") or "tcp").lower() != "tcp":
            exposed, _ = exposed_in_image(context)
            if f"{port}/tcp" not in exposed:
                return failed(
                    f"expected {port}/tcp; found `{word}`: HTTP runs over TCP, so a {match.group('protocol')} "
                    f"port is not the one the app answers on. Write `EXPOSE {port}`",
                    line=instruction.line,
                )
    return passed(line=expose_instructions(context)[0].line)


@check("expose-port")
def expose_port(context: Context) -> Outcome:
    """The image exposes the TCP port the app listens on (PORT in bin/run_dev.sh: 4000), proved on the image's config."""
    exposes = expose_instructions(context)
    if not exposes:
        raise Unavailable("needs EXPOSE")
    port = app_port(context)
    refusing = next((i for i in exposes if refused_at(context, i)), None)
    if refusing is not None:  # one cause, one message: the build stops at this EXPOSE
        raise Unavailable(f"the build stops at the EXPOSE on line {refusing.line} (see expose-syntax)")
    exposed, from_image = exposed_in_image(context)
    source = "the image's config" if from_image else "the Dockerfile"
    if f"{port}/tcp" in exposed:
        return passed(f"{port}/tcp in {source}", line=exposes[0].line)
    if any(p.startswith(f"{port}/") for p in exposed):
        raise Unavailable(f"port {port} is exposed with another protocol (see expose-protocol)")
    numbers = sorted(int(p.split("/")[0]) for p in exposed if p.split("/")[0].isdigit())
    why = next((KNOWN_PORTS[n] for n in numbers if n in KNOWN_PORTS), "")
    found = ", ".join(sorted(exposed)) or "no exposed port"
    return failed(
        f"expected {port}/tcp, the port the app listens on; found {found} in {source}" + (f" ({why})" if why else ""),
        line=exposes[0].line,
    )


@check("expose-extra-ports")
def expose_extra_ports(context: Context) -> Outcome:
    """The image exposes no port that nothing listens on."""
    exposes = expose_instructions(context)
    if not exposes:
        raise Unavailable("needs EXPOSE")
    port = app_port(context)
    exposed, _ = exposed_in_image(context)
    extra = sorted(p for p in exposed if p != f"{port}/tcp")
    if extra and f"{port}/tcp" in exposed:
        return warning(
            f"also exposes {', '.join(extra)}, where nothing in the image listens: the app uses only {port}/tcp",
            line=exposes[0].line,
        )
    return passed(line=exposes[0].line)
