"""Lesson 13: a multi-stage build. The compiler stays in the build stage; the final image is smaller and still serves.

The app still starting and answering /statz is lesson 7's checks, which `checks lesson13` runs
first on the final image. Sizes are the engine's own (`docker image inspect`), of the final image
and of the stage where the dependencies were compiled.
"""

from __future__ import annotations

import posixpath

from ..context import Context, Unavailable
from ..dockerfile import Instruction
from ..result import Outcome, failed, passed, warning
from ..runner import check
from ..stages import dependency_stage, final_stage
from ..start import image_path, installed_at

COMPILERS = ("gcc", "cc", "g++", "c++", "clang")


def human(size: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def final_image(context: Context) -> str:
    return context.build.final_image


def build_stage_line(context: Context) -> int:
    """The last line of the stage where the dependencies are installed."""
    stage = dependency_stage(context.dockerfile)
    return max(i.end_line for i in context.dockerfile.instructions if i.stage == stage)


def stage_name(context: Context, index: int) -> str:
    stage = next(s for s in context.dockerfile.stages if s.index == index)
    return stage.name or str(index)


def copies_from_stages(context: Context) -> list[Instruction]:
    """COPY --from=<an earlier stage> in the final stage."""
    names = {s.name: s.index for s in context.dockerfile.stages if s.name}
    found = []
    for instruction in context.dockerfile.in_final_stage("COPY"):
        source = instruction.flags.get("from", "").lower()
        if source and (source in names or source.isdigit()):
            found.append(instruction)
    return found


def stage_index(context: Context, name: str) -> int:
    names = {s.name: s.index for s in context.dockerfile.stages if s.name}
    return names.get(name.lower(), int(name) if name.isdigit() else -1)


def compilers_in(context: Context, image: str) -> list[str]:
    shown = context.engine.run_in_image(
        image, ["sh", "-c", "for c in " + " ".join(COMPILERS) + "; do command -v $c; done; true"], user="0:0"
    )  # what the image holds, whatever its USER
    return [line.strip() for line in shown.output.splitlines() if line.strip().startswith("/")]


# -- checks ------------------------------------------------------------------------------------
@check("compiler-not-in-final")
def compiler_not_in_final(context: Context) -> Outcome:
    """No C compiler (gcc, cc) is in the final image: it stayed in the build stage."""
    image = final_image(context)
    found = compilers_in(context, image)
    if not found:
        return passed("no gcc, cc or clang in the final image")
    final = final_stage(context.dockerfile)
    names = {s.name: s for s in context.dockerfile.stages if s.name}
    if final.image.lower() in names:
        return failed(
            f"expected no compiler in the final image; found {', '.join(found)}: the final stage starts "
            f"`FROM {final.image}` (line {final.line}), so it has everything that stage has, gcc included. "
            f"Start it `FROM {names[final.image.lower()].image}` and COPY --from only the virtualenv",
            line=final.line,
        )
    installs = [
        i for i in context.dockerfile.in_final_stage("RUN") if "install" in i.arguments and "gcc" in i.arguments
    ]
    if installs:
        return failed(
            f"expected no compiler in the final image; found {', '.join(found)}, installed on line "
            f"{installs[0].line} in the final stage: install gcc in a build stage only (`FROM python:3.13-slim AS build`)",
            line=installs[0].line,
        )
    return failed(
        f"expected no compiler in the final image; found {', '.join(found)}: install gcc in a build stage "
        "and copy only what pip built into the final stage",
        line=final.line,
    )


@check("venv-copied-from-build")
def venv_copied_from_build(context: Context) -> Outcome:
    """Every path the final stage copies from the build stage exists there: the virtualenv uWSGI and Flask live in."""
    copies = copies_from_stages(context)
    if not copies:
        raise Unavailable("needs a COPY --from=<build stage> in the final stage (see image-smaller)")
    for instruction in copies:
        index = stage_index(context, instruction.flags["from"])
        line = max(i.end_line for i in context.dockerfile.instructions if i.stage == index)
        image = context.image_until(line)
        words = instruction.exec_form or instruction.words()
        for source in words[:-1]:
            path = source if source.startswith("/") else posixpath.join("/", source)
            if context.engine.read_path(image, path) is None:
                where = context.engine.run_in_image(image, ["sh", "-c", "command -v uwsgi || true"]).output.strip()
                advice = ""
                if where.startswith("/"):
                    folder = posixpath.dirname(posixpath.dirname(where))
                    advice = (
                        f": in that stage uWSGI is at {where}, so the virtualenv is {folder}; copy "
                        f"`COPY --from={instruction.flags['from']} {folder} {folder}`"
                    )
                return failed(
                    f"expected {path} in the stage `{stage_name(context, index)}`; found nothing there{advice}",
                    line=instruction.line,
                )
    left_behind = uwsgi_left_behind(context, copies)
    if left_behind is not None:
        return left_behind
    return passed(
        ", ".join(f"{i.flags['from']}: {' '.join((i.exec_form or i.words())[:-1])}" for i in copies),
        line=copies[0].line,
    )


def copied_sources(instruction: Instruction) -> list[str]:
    words = instruction.exec_form or instruction.words()
    return [posixpath.normpath(s if s.startswith("/") else posixpath.join("/", s)) for s in words[:-1]]


def uwsgi_left_behind(context: Context, copies: list[Instruction]) -> Outcome | None:
    """A failure when uWSGI was installed in the build stage outside every folder the final stage copies from it."""
    for instruction in copies:
        index = stage_index(context, instruction.flags["from"])
        if index != dependency_stage(context.dockerfile):
            continue
        line = max(i.end_line for i in context.dockerfile.instructions if i.stage == index)
        image = context.image_until(line)
        found = installed_at(context, image, "uwsgi")
        sources = [s for i in copies if stage_index(context, i.flags["from"]) == index for s in copied_sources(i)]
        if not found or any(p == s or p.startswith(s.rstrip("/") + "/") for p in found for s in sources):
            return None
        where = found[0]
        name = stage_name(context, index)
        copied = ", ".join(sources)
        venv = next((s for s in sources if context.engine.read_path(image, posixpath.join(s, "bin/python"))), None)
        if venv and where.startswith("/usr/local/"):
            return failed(
                f"expected uWSGI inside {venv}, which the final stage copies; found it at {where}: pip "
                f"installed into the system's Python, not the virtualenv, because the stage `{name}`'s PATH "
                f"({image_path(context, image)}) finds the system's pip first. Write `ENV PATH={venv}/bin:$PATH` "
                "in the build stage before pip install",
                line=instruction.line,
            )
        folder = posixpath.dirname(posixpath.dirname(where))
        return failed(
            f"expected the final stage to copy the folder uWSGI is installed in; found it at {where} in the "
            f"stage `{name}`, outside what is copied ({copied}): copy "
            f"`COPY --from={instruction.flags['from']} {folder} {folder}`",
            line=instruction.line,
        )
    return None


@check("final-stage-config")
def final_stage_config(context: Context) -> Outcome:
    """CMD, EXPOSE and the PATH to the virtualenv are written in the final stage: a stage keeps nothing of another's settings."""
    dockerfile = context.dockerfile
    if len(dockerfile.stages) < 2:
        raise Unavailable("needs a multi-stage Dockerfile (see image-smaller)")
    final = final_stage(dockerfile)
    for keyword in ("CMD", "ENTRYPOINT", "EXPOSE"):
        earlier = [i for i in dockerfile.of(keyword) if i.stage != final.index]
        if earlier and not dockerfile.in_final_stage(keyword):
            return failed(
                f"expected {keyword} in the final stage; found it on line {earlier[0].line}, in the stage "
                f"`{stage_name(context, earlier[0].stage)}`: each FROM starts afresh from its image, so the "
                f"final image has the base image's {'CMD, python3' if keyword == 'CMD' else keyword}. Move "
                f"`{keyword} {earlier[0].arguments}` to the end of the final stage",
                line=earlier[0].line,
            )
    build = context.build
    if build.complete and copies_from_stages(context):
        image = build.final_image
        found = installed_at(context, image, "uwsgi")
        path = image_path(context, image)
        if found and not any(posixpath.dirname(p) in path.split(":") for p in found):
            folder = posixpath.dirname(found[0])
            written = [i for i in dockerfile.of("ENV") if "PATH" in i.arguments and i.stage != final.index]
            build_env = f" (the ENV PATH on line {written[0].line} is the build stage's)" if written else ""
            return failed(
                f"expected the final stage to put {folder} on PATH; found uWSGI at {found[0]} and PATH "
                f"{path}, so ./bin/run_dev.sh cannot find `uwsgi`{build_env}: add `ENV PATH={folder}:$PATH` "
                "to the final stage",
                line=final.line,
            )
    return passed(line=final.line)


@check("stage-name-style")
def stage_name_style(context: Context) -> Outcome:
    """Every `FROM … AS name` writes AS in the case of its FROM, and the stage name in lowercase (BuildKit's
    FromAsCasing and StageNameCasing build checks)."""
    dockerfile = context.dockerfile
    named = [stage for stage in dockerfile.stages if stage.name]
    if not named:
        raise Unavailable("needs a stage named with AS (see image-smaller)")
    lines = dockerfile.text.splitlines()
    for stage in named:
        words = lines[stage.line - 1].split()
        keyword = words[0]
        written_as = next((word for word in words[1:] if word.lower() == "as"), "AS")
        name = words[words.index(written_as) + 1] if written_as in words[:-1] else (stage.name or "")
        wanted = f"{keyword} {stage.written} {'AS' if keyword.isupper() else 'as'} {name.lower()}"
        if written_as.isupper() != keyword.isupper():
            return warning(
                f"expected `{wanted}`: AS in the same case as {keyword}; found `{written_as}`. Docker builds it "
                f"all the same." + context.engine_warns("FromAsCasing", stage.line),
                line=stage.line,
            )
        if name != name.lower():
            return warning(
                f"expected a lowercase stage name, `{wanted}`; found `{name}`: Docker lowercases it, so "
                f"`COPY --from={name}` still finds it, but the name then reads differently in the build "
                f"output." + context.engine_warns("StageNameCasing", stage.line),
                line=stage.line,
            )
    return passed(", ".join(f"{stage.name} (line {stage.line})" for stage in named), line=named[0].line)


@check("image-smaller")
def image_smaller(context: Context) -> Outcome:
    """Measured on the engine: the final image is smaller than the stage where the dependencies were compiled."""
    image = final_image(context)
    final_size = context.engine.image_size(image)
    stage = dependency_stage(context.dockerfile)
    final = final_stage(context.dockerfile)
    if stage == final.index:
        compiler = next((i for i in context.dockerfile.in_final_stage("RUN") if "gcc" in i.arguments), None)
        removal = (
            next(
                (
                    i
                    for i in context.dockerfile.in_final_stage("RUN")
                    if i.line > compiler.line and ("purge" in i.arguments or "remove" in i.arguments)
                ),
                None,
            )
            if compiler is not None
            else None
        )
        if compiler is not None and removal is not None:
            return failed(
                f"expected a smaller image; found {human(final_size)}: removing gcc on line {removal.line} "
                f"hides its files, but the layer of line {compiler.line} still holds them. Install it in a "
                "build stage instead (`FROM python:3.13-slim AS build`) and copy the virtualenv into a "
                "fresh final stage",
                line=removal.line,
            )
        return failed(
            f"expected a build stage and a final stage; found one stage, {human(final_size)}, which keeps "
            "gcc, its headers and apt's lists: compile in `FROM python:3.13-slim AS build`, then start again "
            "`FROM python:3.13-slim` and COPY --from=build the virtualenv",
            line=final.line,
        )
    built = context.image_until(build_stage_line(context))
    build_size = context.engine.image_size(built)
    if final_size < build_size:
        return passed(
            f"before: the build stage, {human(build_size)}; after: the final image, {human(final_size)} "
            f"({(1 - final_size / build_size) * 100:.0f}% smaller)",
            line=final.line,
        )
    return failed(
        f"expected the final image smaller than the build stage ({human(build_size)}); found "
        f"{human(final_size)}: the final stage keeps what the build stage had",
        line=final.line,
    )
