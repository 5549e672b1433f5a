"""Lesson 7: CMD starts the app in exec form, and a container of the image really starts and answers /statz."""

from __future__ import annotations

import json
import posixpath
import re

from ..context import Context, Unavailable
from ..dockerfile import Instruction
from ..probe import app_run
from ..result import Outcome, failed, passed, warning
from ..runner import check
from ..shell import shell_words
from ..start import StartCommand, file_in_image, last_start_line, locate, start_command, start_instructions


def user_cause(text: str) -> str | None:
    """A container that does not start because of its USER, which lesson 14 teaches and its checks name."""
    lowered = text.lower()
    if "unable to find user" in lowered or "unable to find group" in lowered:
        return (
            "USER names a user the image does not have: create it in the final stage first (see user-exists, lesson 14)"
        )
    denied = "permission denied" in lowered or "errno 13" in lowered  # not "no such file": that is lesson 7's own
    if (
        "permissionerror" in lowered
        or (denied and ("chdir to cwd" in lowered or "can't open" in lowered or "cannot open" in lowered))
        or re.search(r"\bstat \S+: permission denied", lowered)
    ):
        return (
            "the container's user cannot read the app's files: only their owner can (see app-files-readable, lesson 14)"
        )
    return None


def likely_cause(text: str, crlf: bool = False, exit_code: int | None = None) -> str:
    """The learner's mistake behind a container that does not start, from docker's error or the logs."""
    lowered = text.lower()
    if crlf or "\r" in text or "^m" in lowered or "bad interpreter" in lowered:
        return "the script has Windows (CRLF) line endings, so the system looks for `/bin/sh\\r`: convert it to LF"
    later = user_cause(text)
    if later:
        return later
    if "bind(): permission denied" in lowered or "bind: permission denied" in lowered:
        return (
            "the app's user is not root and the port is below 1024, which this engine lets only root bind: "
            "listen on a port from 1024 up, such as 4000"
        )
    if "permission denied" in lowered:
        return "the script is not executable: `chmod +x bin/run_dev.sh` (or run it with `sh`)"
    if re.search(r"\buwsgi: (?:\d+: )?(?:not found|command not found)", lowered):
        return (
            "./bin/run_dev.sh runs `uwsgi`, which is in no folder of the image's PATH: see pip-dependencies-import "
            "(lesson 5) and, in a multi-stage build, final-stage-config (lesson 13)"
        )
    if "no such file or directory" in lowered or "not found" in lowered:
        return "the program does not exist at that path in the image (see cmd-program-exists)"
    if "no module named 'together'" in lowered:
        return (
            "Python cannot import the app's own package: run as a script, together/app.py sees its own folder, "
            "not the `together` package. Start the app the way it is meant to start: ./bin/run_dev.sh"
        )
    if "modulenotfounderror" in lowered or "no module named" in lowered:
        return "a Python module is missing: are the dependencies installed (lesson 5) and the app copied (lesson 3)?"
    if "address already in use" in lowered:
        return "two servers try to listen on the same port"
    if exit_code == 0:
        return (
            "the command finished instead of serving: CMD must start the server and keep it in the foreground, "
            "as ./bin/run_dev.sh does"
        )
    return "not one checks knows: run the image with `docker run --rm` to see all its output"


def script_start(context: Context, path: str):
    """The first 64 KiB of `path` in the image, as `head` prints them (read once per run)."""
    image = context.build.some_image
    return context.memo(
        ("head", image, path),  # as root: the file as it is, whatever USER says (lesson 14)
        lambda: context.engine.run_in_image(image, ["head", "-c", "65536", path], user="0:0"),
    )


def script_has_crlf(context: Context) -> bool:
    """Does the script the container starts have CRLF line endings in the image? (False when unknown.)"""
    return context.memo("script-has-crlf", lambda: _script_has_crlf(context))


def _script_has_crlf(context: Context) -> bool:
    try:
        command = start_command(context)
        program, script = command.program_and_script()
        if script and "/" in script:
            shown = script_start(context, command.resolve(script))
            return shown.exit_code == 0 and "\r\n" in shown.output
    except Unavailable:
        pass
    return False


# -- checks ------------------------------------------------------------------------------------
@check("cmd-present")
def cmd_present(context: Context) -> Outcome:
    """The final stage says what a container runs (CMD, or ENTRYPOINT), instead of the base image's python3."""
    found = start_instructions(context)
    if found:
        return passed(f"{found[-1].keyword} {found[-1].arguments}", line=found[-1].line)
    earlier = context.dockerfile.of("CMD") + context.dockerfile.of("ENTRYPOINT")
    if earlier:
        return failed(
            f"expected CMD in the final stage; found it only in an earlier build stage (line {earlier[0].line})",
            line=earlier[0].line,
        )
    return failed(
        'expected `CMD ["./bin/run_dev.sh"]` as the last line; found no CMD, so a container would run the '
        "base image's command, `python3`, and exit at once without a terminal"
    )


@check("server-not-in-run")
def server_not_in_run(context: Context) -> Outcome:
    """No RUN starts the server: the build's output shows no step listening for clients (checks stops such a step)."""
    stopped = context.build.result.stopped
    if stopped is None:
        return passed()
    where = f"line {stopped.line}" if stopped.line else "a build step"
    if not stopped.server:
        raise Unavailable(f"the RUN on {where} never ends (see run-finishes, lesson 4)")
    shown = "\n".join(f"  > {line}" for line in stopped.output if line.strip())
    return failed(
        f"expected the server to start with CMD; found `{stopped.step}` starting it while the image is built "
        f"(its output: `{stopped.listening}`), so checks stopped the build: RUN waits for its command to end "
        "and a server never ends. Start it with CMD instead, which runs when a container starts: "
        f'`CMD ["./bin/run_dev.sh"]`.\nIts last output:\n{shown}',
        line=stopped.line,
    )


@check("cmd-exec-form")
def cmd_exec_form(context: Context) -> Outcome:
    """CMD (and ENTRYPOINT) use the exec form, a JSON array with double quotes: the app runs as PID 1 and gets signals."""
    found = start_instructions(context)
    if not found:
        raise Unavailable("needs CMD")
    for instruction in found:
        if instruction.exec_form is not None:
            continue
        text = instruction.arguments
        if text.startswith("["):
            return failed(
                f"expected a JSON array with double quotes; found `{text}`, which is not valid JSON, so Docker "
                f"runs it as a shell command and the shell looks for a program literally named {text.split()[0]}. "
                f"Write {json.dumps(shell_words(text.strip('[]').replace(',', ' ')))}."
                + context.engine_warns("JSONArgsRecommended", instruction.line),
                line=instruction.line,
            )
        return failed(
            f"expected the exec form, {instruction.keyword} {json.dumps(shell_words(text))}; found the shell "
            f'form `{instruction.keyword} {text}`, which runs `/bin/sh -c "{text}"`: the shell, not the app, '
            "is PID 1 and `docker stop` signals may not reach the app."
            + context.engine_warns("JSONArgsRecommended", instruction.line),
            line=instruction.line,
        )
    return passed(found[-1].arguments, line=found[-1].line)


@check("cmd-single")
def cmd_single(context: Context) -> Outcome:
    """The final stage has one CMD (and at most one ENTRYPOINT): only the last of each takes effect."""
    if not start_instructions(context):
        raise Unavailable("needs CMD")
    for keyword in ("CMD", "ENTRYPOINT"):
        found = context.dockerfile.in_final_stage(keyword)
        if len(found) > 1:
            ignored = ", ".join(str(i.line) for i in found[:-1])
            return warning(
                f"expected one {keyword}; found {len(found)}: only the last (line {found[-1].line}) takes "
                f"effect, the one on line {ignored} is ignored: remove it."
                + context.engine_warns("MultipleInstructionsDisallowed", found[0].line),
                line=found[0].line,
            )
    return passed(line=last_start_line(context))


@check("cmd-program-exists")
def cmd_program_exists(context: Context) -> Outcome:
    """The program (and script) the container starts exist in the image, resolved from WORKDIR or PATH."""
    command = start_command(context)
    if not command.argv:
        raise Unavailable("needs CMD")
    program, script = command.program_and_script()
    line = last_start_line(context)
    if not program:
        return failed("expected a command; found an empty one", line=line)
    if not command.shell_form and len(program.split()) > 1 and locate(context, command, program) is None:
        words = shell_words(program) or program.split()
        written = start_instructions(context)[-1]
        return failed(
            f"expected one JSON element per argument; found `{written.keyword} {written.arguments}`, whose element "
            f"`{program}` holds the program and its arguments together, so Docker looks for one program of that "
            f"whole name, spaces included: write `{json.dumps(words + command.argv[1:])}`",
            line=line,
        )
    if locate(context, command, program) is None:
        if "/" not in program:
            nearby = command.resolve(program)
            there = file_in_image(context, posixpath.join(command.workdir, "bin", program)) or file_in_image(
                context, nearby
            )
            advice = (
                f": a name without a slash is looked up in PATH ({command.path}), not in WORKDIR; write ./bin/{program}"
                if there
                else " on PATH"
            )
            return failed(f"expected the program `{program}` in the image; found none{advice}", line=line)
        return failed(
            f"expected {program} in the image; found nothing at {command.resolve(program)} "
            f"(relative paths start from WORKDIR, {command.workdir}): the script is {existing_scripts(context, command)}",
            line=line,
        )
    if script and script != program and file_in_image(context, command.resolve(script)) is None:
        return failed(
            f"expected the script {script} in the image; found nothing at {command.resolve(script)} "
            f"(relative paths start from WORKDIR, {command.workdir})",
            line=line,
        )
    return passed(" ".join(command.argv), line=line)


def existing_scripts(context: Context, command: StartCommand) -> str:
    path = posixpath.join(command.workdir, "bin", "run_dev.sh")
    return f"at {path}" if file_in_image(context, path) is not None else "not in the image at all (lesson 3 copies it)"


@check("cmd-program-executable")
def cmd_program_executable(context: Context) -> Outcome:
    """A script the container starts directly has the executable bit in the image."""
    command = start_command(context)
    if not command.argv:
        raise Unavailable("needs CMD")
    program, script = command.program_and_script()
    if script != program or "/" not in program:
        return passed("run through an interpreter" if script else "", line=last_start_line(context))
    info = file_in_image(context, command.resolve(program))
    if info is None:
        raise Unavailable("needs the program in the image (see cmd-program-exists)")
    if info.isfile() and not info.mode & 0o111:
        return failed(
            f"expected {program} to be executable; found mode {info.mode & 0o7777:o}: the container would fail with "
            "`permission denied`. A program CMD starts directly must be executable (`chmod +x` in your "
            "folder) and, if it is a script, start with a #! line. The app's start script is ./bin/run_dev.sh",
            line=last_start_line(context),
        )
    return passed(f"mode {info.mode & 0o7777:o}", line=last_start_line(context))


@check("script-line-endings")
def script_line_endings(context: Context) -> Outcome:
    """The shell script the container starts has Unix (LF) line endings in the image, not Windows CRLF."""
    command = start_command(context)
    if not command.argv:
        raise Unavailable("needs CMD")
    program, script = command.program_and_script()
    if not script or "/" not in script and script == program:
        return passed(line=last_start_line(context))
    path = command.resolve(script)
    shown = script_start(context, path)
    if shown.exit_code != 0:
        raise Unavailable(f"cannot read {path} in the image")
    text = shown.output
    if not text.startswith("#!") and not script.endswith(".sh"):
        return passed("not a script", line=last_start_line(context))
    if "\r\n" in text:
        first = text.split("\n", 1)[0]
        return failed(
            f"expected LF line endings; found Windows (CRLF) line endings in {path}: the first line reads "
            f"{first!r}, so the system looks for an interpreter named '/bin/sh\\r' and the container fails "
            "with `no such file or directory`. Convert it to LF (VS Code: click CRLF in the status bar; "
            "git: `git config --global core.autocrlf input`, then clone or check out again)",
            line=last_start_line(context),
        )
    return passed(f"{path}: LF", line=last_start_line(context))


@check("container-starts")
def container_starts(context: Context) -> Outcome:
    """A container of the image, started with its own CMD, is still running while the app starts (it does not exit)."""
    run = app_run(context)
    line = last_start_line(context)
    later = user_cause(run.start_error + run.logs) if run.start_error or run.exited else None
    if later:  # one failure per cause: lesson 14's check names it
        raise Unavailable(f"the container does not start: {later}")
    if run.start_error:
        return failed(
            f"expected the container to start; Docker could not start it: {run.start_error.strip()[-300:]}. "
            f"Likely cause: {likely_cause(run.start_error + run.logs, script_has_crlf(context))}",
            line=line,
        )
    if run.exited:
        return failed(
            f"expected the app to keep running; the container exited with code {run.exit_code} after "
            f"{run.seconds:.1f} s. Last log lines: {run.log_tail() or '(none)'}. Likely cause: "
            f"{likely_cause(run.logs, script_has_crlf(context), run.exit_code)}",
            line=line,
        )
    return passed("running", line=line)


@check("app-answers")
def app_answers(context: Context) -> Outcome:
    """The running app answers `GET /statz` with its version on the exposed port, published on 127.0.0.1."""
    run = app_run(context)
    line = last_start_line(context)
    if run.start_error or run.exited:
        raise Unavailable("needs a running container (see container-starts)")
    if isinstance(run.statz, dict) and "version" in run.statz:
        return passed(f"GET /statz on port {run.port}: {json.dumps(run.statz)}", line=line)
    if run.statz is not None:
        return failed(f'expected {{"version": …}} from /statz; found {json.dumps(run.statz)[:120]}', line=line)
    found = ", ".join(run.listening) or "nothing listening"
    local = [p for p in run.listening if p.startswith("127.")]
    advice = ""
    if local:
        advice = (
            f": the app listens only on {local[0]}, the container's own loopback, which nothing outside the "
            "container reaches; it must listen on 0.0.0.0 (bin/run_dev.sh does)"
        )
        host = host_setting(context)
        if host is not None:  # the cause is this ENV line, not the CMD
            return failed(
                f"expected an answer from /statz on port {run.port}; {run.answer_error}. Inside the "
                f"container: {found}{advice}, unless HOST says otherwise, and `ENV {host.arguments}` "
                f"does",
                line=host.line,
                hint=f"Remove `ENV {host.arguments}` (line {host.line}), or set HOST to 0.0.0.0.",
            )
    elif run.listening and not any(p.endswith(f":{run.port}") for p in run.listening):
        advice = f": the app listens on another port than the {run.port} that EXPOSE declares"
    return failed(
        f"expected an answer from /statz on port {run.port}; {run.answer_error}. Inside the container: {found}{advice}",
        line=line,
    )


def host_setting(context: Context) -> Instruction | None:
    """The final stage's ENV that sets HOST (which bin/run_dev.sh listens on) to a loopback address."""
    for instruction in reversed(context.dockerfile.in_final_stage("ENV")):
        if re.search(r"(?:^|\s)HOST(?:=|\s+)[\"']?(?:127\.|localhost)", instruction.arguments):
            return instruction
    return None


DEVELOPMENT_SERVER = re.compile(
    r"(?i)^.*\bthis is a development server\b.*$|^.*\bstarting development server\b.*$", re.MULTILINE
)


@check("app-production-server")
def app_production_server(context: Context) -> Outcome:
    """The running app's log shows no development server (Flask's says so when it starts): uWSGI serves it."""
    run = app_run(context)
    if run.start_error or run.exited:
        raise Unavailable("needs a running container (see container-starts)")
    said = DEVELOPMENT_SERVER.search(run.logs)
    if said:
        return warning(
            f'expected uWSGI, which `CMD ["./bin/run_dev.sh"]` starts; found a development server, which '
            f"says so in the container's log (`{said.group(0).strip()[:100]}`): it is made for one person "
            "at a laptop, not for a container that serves people",
            line=last_start_line(context),
        )
    return passed(line=last_start_line(context))
