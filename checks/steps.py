"""One map from the steps a builder prints to the Dockerfile's lines, made from the parsed Dockerfile.

BuildKit prints a step as `RUN apt-get update &&     apt-get install …` (continuations joined, the
keyword in capitals) and a base image as `docker.io/library/python:3.13-slim`; the classic builder
and Podman print the instruction as written. The live status line, the failing line of a build and
the line of a step checks stopped all ask this map, so they can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from .dockerfile import DockerfileProblem, Instruction, Stage, parse


def normal(step: str) -> str:
    """A step as a comparable text: keyword in capitals, whitespace collapsed."""
    keyword, _, rest = step.strip().partition(" ")
    return " ".join([keyword.upper(), *rest.split()])


def image_names(image: str) -> set[str]:
    """The names a builder may print for an image as written (`python:3.13-slim`), without a digest."""
    image = image.split("@")[0]
    tagged = [image] if ":" in image.rpartition("/")[2] else [image, image + ":latest"]
    names = set()
    for each in tagged:
        name = each if "/" in each.split(":")[0] else "library/" + each
        names |= {each, name, "docker.io/" + name}
    return names


@dataclass(frozen=True)
class StepLines:
    text: str  # the Dockerfile as built (the whole file, or the steps before a failing one)
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]

    @classmethod
    def of(cls, dockerfile: StepLines | str) -> StepLines:
        """The map of a Dockerfile's text (parsed once here), or the map itself."""
        if isinstance(dockerfile, StepLines):
            return dockerfile
        try:
            parsed = parse(dockerfile)
        except DockerfileProblem:  # the builder will say what is wrong; no step has a line then
            return cls(dockerfile, (), ())
        return cls(dockerfile, tuple(parsed.instructions), tuple(parsed.stages))

    def line_of(self, step: str) -> int | None:
        """The first line of the instruction the builder shows as `step` (`RUN sleep infinity`), if any."""
        wanted = normal(step)
        for instruction in self.instructions:
            if normal(f"{instruction.keyword} {instruction.args}") == wanted:
                return instruction.line
        keyword, _, rest = wanted.partition(" ")
        if keyword == "FROM":  # printed with the image's full name: docker.io/library/python:…
            return self.from_line(rest.split()[0] if rest else "")
        return None

    def from_line(self, image: str) -> int | None:
        """The FROM line of the stage whose base image the builder names `image` (digest and all)."""
        printed = image.split("@")[0]
        for stage in self.stages:  # `FROM builder` names an earlier stage: no image is looked up for it
            if printed in image_names(stage.image) or printed in image_names(stage.written):
                return stage.line
        return None

    def line_matching(self, text: str) -> int | None:
        """The first line that is exactly `text` (spaces around it aside): a builder quoting a line."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            if line.strip() and line.strip() == text.strip():
                return number
        return None

    def line_with_argument(self, value: str) -> int | None:
        """The first instruction line whose arguments contain `value` (a refused hostPort, say)."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            if line.strip() and not line.lstrip().startswith("#") and value in line.split(None, 1)[-1]:
                return number
        return None
