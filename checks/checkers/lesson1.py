"""Lesson 1: the Dockerfile exists, parses, and starts FROM an official, slim, supported Python image."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import date

from ..context import Context, Unavailable
from ..dockerfile import near_misses
from ..result import Outcome, failed, passed, warning
from ..runner import check

# End of life of each Python version (https://devguide.python.org/versions/): the last day of support.
PYTHON_END_OF_LIFE = {
    (2, 7): date(2020, 1, 1),
    (3, 5): date(2020, 9, 30),
    (3, 6): date(2021, 12, 23),
    (3, 7): date(2023, 6, 27),
    (3, 8): date(2024, 10, 7),
    (3, 9): date(2025, 10, 31),
    (3, 10): date(2026, 10, 31),
    (3, 11): date(2027, 10, 31),
    (3, 12): date(2028, 10, 31),
    (3, 13): date(2029, 10, 31),
    (3, 14): date(2030, 10, 31),
    (3, 15): date(2031, 10, 31),
}
SOON_DAYS = 183  # warn half a year before the end
OFFICIAL_NAMES = (
    "python",
    "library/python",
    "docker.io/python",
    "docker.io/library/python",
    "index.docker.io/library/python",
    "registry-1.docker.io/library/python",
)
# public mirrors of Docker Hub's official images, used when Docker Hub's rate limit bites
OFFICIAL_MIRRORS = ("mirror.gcr.io/library/python", "public.ecr.aws/docker/library/python")
TYPOS = ("pyhton", "pytohn", "pyton", "phyton", "pthon", "python3", "python2", "py", "pythn", "pythom")
DEBIAN_OLD = ("buster", "bullseye", "stretch", "jessie")
# The newest Python minor version the official image was ever published for on each old Debian release
# (docker-library/python dropped a release before the next Python came out): `3.13-slim-buster` never existed.
DEBIAN_LAST_PYTHON = {"jessie": (3, 7), "stretch": (3, 9), "buster": (3, 11), "bullseye": (3, 13)}


@dataclass(frozen=True)
class ImageRef:
    """`[registry/][namespace/]name[:tag][@digest]`, as written after FROM."""

    name: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, text: str) -> ImageRef:
        rest, _, digest = text.partition("@")
        name, tag = rest, None
        last = rest.rsplit("/", 1)[-1]
        if ":" in last:
            name, _, tag = rest.rpartition(":")
        return cls(name, tag or None, digest or None)

    @property
    def version(self) -> str | None:
        """The Python version the tag names (`3.13`, `3.13.1`, `3`, `3.14rc1`), or None (`slim`, `latest`)."""
        match = re.match(r"(\d+(?:\.\d+){0,2}(?:(?:a|b|rc)\d*)?)(?:-|$)", self.tag or "")
        return match.group(1) if match else None

    @property
    def variant(self) -> str:
        """What follows the version: `slim`, `slim-bookworm`, `alpine3.21`, `` for the full image."""
        tag = self.tag or ""
        version = self.version
        rest = tag[len(version) :] if version else tag
        rest = rest.lstrip("-")
        return "" if rest in ("latest",) else rest

    def minor(self) -> tuple[int, int] | None:
        match = re.match(r"(\d+)\.(\d+)", self.version or "")
        return (int(match.group(1)), int(match.group(2))) if match else None


def base(context: Context):
    """The final stage's base image (following `FROM builder` to the image it started from)."""
    dockerfile = context.dockerfile
    final = dockerfile.final_stage
    if final is None:
        raise Unavailable("needs a FROM instruction")
    return dockerfile.base_of(final)


def is_official(name: str) -> bool:
    return name in OFFICIAL_NAMES or name in OFFICIAL_MIRRORS


@check("dockerfile-present")
def dockerfile_present(context: Context) -> Outcome:
    """A file `docker build .` will use is in the workspace."""
    if context.dockerfile_path is not None:
        if context.dockerfile_path.is_dir():
            return failed(f"{context.dockerfile_path.name} is a folder; it must be a file")
        name = context.dockerfile_path.name
        if name != "Dockerfile" and not ignored_by_dockerignore(context, name):
            return failed(
                f"expected the file named `Dockerfile`, with a capital D; found `{name}`. Docker accepts that "
                "name too, but the workspace's .dockerignore lists `Dockerfile`, so this file is sent with the "
                "app, `COPY . .` copies it into the image, and every edit of it runs apt-get and pip again. "
                f"Rename it: `mv {name} Dockerfile` (in git: `git mv {name} Dockerfile`)"
            )
        return passed(f"found {name}")
    misses = near_misses(context.workspace)
    if misses:
        return failed(
            f"expected a file named Dockerfile; found {misses[0]}. Rename it to exactly `Dockerfile` "
            "(Windows hides extensions such as .txt: turn on 'File name extensions' in Explorer)"
        )
    return failed(f"expected a file named Dockerfile in {context.workspace.resolve()}; found none")


def ignored_by_dockerignore(context: Context, name: str) -> bool:
    """Does a line of the workspace's .dockerignore keep `name` (a file at the top) out of the build context?"""
    try:
        lines = (context.workspace / ".dockerignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    excluded = False
    for line in (line.strip() for line in lines):
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.removeprefix("!").strip("/").removeprefix("./")
        if fnmatch.fnmatchcase(name, pattern):
            excluded = not negated
    return excluded


@check("dockerfile-syntax")
def dockerfile_syntax(context: Context) -> Outcome:
    """The Dockerfile is UTF-8 text of known instructions."""
    if context.dockerfile_path is None:
        raise Unavailable("needs a Dockerfile")
    problem = context.dockerfile_problem
    if problem is not None:  # `Dockerfile:3:` already says the line
        message = problem.message.removeprefix(f"line {problem.line}: ") if problem.line else problem.message
        return failed(message, line=problem.line)
    count = len(context.dockerfile.instructions)
    return passed(f"{count} instruction{'s' if count != 1 else ''}")


@check("from-first")
def from_first(context: Context) -> Outcome:
    """The first instruction (ARG aside) is FROM."""
    dockerfile = context.dockerfile
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            return passed(line=instruction.line)
        if instruction.keyword != "ARG":
            return failed(
                f"expected FROM as the first instruction; found {instruction.keyword} first", line=instruction.line
            )
    return failed("expected a FROM instruction; found none")


@check("base-image-official")
def base_image_official(context: Context) -> Outcome:
    """The image is Docker's official `python` image (or a public mirror of it)."""
    stage = base(context)
    ref = ImageRef.parse(stage.image)
    name = ref.name
    unset = context.dockerfile.unset_args(stage.written)
    if unset:
        return failed(
            f"expected an image name; found {stage.written}, whose ${unset[0]} has no default value: "
            f"write `ARG {unset[0]}=<value>` before FROM",
            line=stage.line,
        )
    if is_official(name):
        return passed(f"{stage.image}", line=stage.line)
    if name.lower() != name and is_official(name.lower()):
        return failed(
            f"expected a lowercase image name; found {name}: Docker refuses upper-case repository names",
            line=stage.line,
        )
    if name in TYPOS or name.split("/")[-1] in TYPOS:
        return failed(
            f"expected the official image `python`; found `{name}`: there is no official image by that name",
            line=stage.line,
        )
    if name.endswith("/library/python"):
        return warning(
            f"{name} looks like a mirror of the official image: make sure your organisation keeps it up to date",
            line=stage.line,
        )
    if name.split("/")[-1] == "python":
        return failed(
            f"expected the official image `python`; found `{name}`, maintained by {name.split('/')[0]}, "
            "not by Docker and the Python community",
            line=stage.line,
        )
    return failed(
        f"expected a Python image; found `{name}`, which does not come with Python for the app", line=stage.line
    )


@check("base-image-tag")
def base_image_tag(context: Context) -> Outcome:
    """Every image the Dockerfile starts from has a tag (or digest), and no tag is `latest`."""
    dockerfile = context.dockerfile
    stage_names = {s.name for s in dockerfile.stages if s.name}
    for stage in dockerfile.stages:
        if stage.image.lower() in stage_names or stage.image == "scratch":
            continue
        ref = ImageRef.parse(stage.image)
        if ref.tag is None and ref.digest is None:
            return failed(
                f"expected a tag such as {ref.name}:3.13-slim; found {stage.written} with none, so Docker uses :latest",
                line=stage.line,
            )
        if ref.tag == "latest":
            return failed(
                f"expected a version tag such as {ref.name}:3.13-slim; found {stage.written}",
                line=stage.line,
                hint=f"Replace `latest` with a version: `{ref.name}:3.13-slim`.",
            )
    final = base(context)
    return passed(final.image, line=final.line)


@check("base-image-version")
def base_image_version(context: Context) -> Outcome:
    """The tag names a Python minor version, so the image stays on the Python the app was tested with."""
    stage = base(context)
    ref = ImageRef.parse(stage.image)
    if ref.tag is None and ref.digest is not None:
        return warning(
            f"pinned by digest only: readers cannot tell the Python version; write both, "
            f"e.g. {ref.name}:3.13-slim@{ref.digest}",
            line=stage.line,
        )
    if ref.tag is None or ref.tag == "latest":
        raise Unavailable("needs a tag (see base-image-tag)")
    if ref.minor() is None:
        return failed(
            f"expected a tag with major.minor such as 3.13-slim; found `{ref.tag}`, which moves to each "
            "new Python release",
            line=stage.line,
        )
    return passed(f"Python {ref.version}", line=stage.line)


def support(minor: tuple[int, int], today: date) -> tuple[str, date | None]:
    """('ended' | 'ending' | 'supported' | 'unknown', end of life) of a Python minor version on `today`."""
    end = PYTHON_END_OF_LIFE.get(minor)
    if end is None:
        return ("ended" if minor < (3, 0) or minor < min(PYTHON_END_OF_LIFE) else "unknown"), None
    if end < today:
        return "ended", end
    if (end - today).days <= SOON_DAYS:
        return "ending", end
    return "supported", end


@check("base-image-supported")
def base_image_supported(context: Context, today: date | None = None) -> Outcome:
    """The Python version has not reached its end of life."""
    stage = base(context)
    ref = ImageRef.parse(stage.image)
    minor = ref.minor()
    if minor is None:
        raise Unavailable("needs a tag that names a Python version")
    state, end = support(minor, today or date.today())
    version = f"{minor[0]}.{minor[1]}"
    if state == "ended":
        since = f" on {end.isoformat()}" if end else ""
        return failed(
            f"expected a supported Python; found Python {version}, which reached end of life{since} "
            "and gets no security fixes",
            line=stage.line,
        )
    if re.search(r"(a|b|rc)\d*$", ref.version or ""):
        return warning(f"Python {ref.version} is a pre-release: fine to try, not to ship", line=stage.line)
    if state == "unknown" or end is None:  # support() dates every state but "ended" and "unknown"
        return warning(f"Python {version} is newer than this course knows; check that the tag exists", line=stage.line)
    if state == "ending":
        return warning(
            f"Python {version} reaches end of life on {end.isoformat()}: plan the move to a newer version",
            line=stage.line,
        )
    return passed(f"Python {version}, supported until {end.isoformat()}", line=stage.line)


@check("base-image-variant")
def base_image_variant(context: Context) -> Outcome:
    """A Debian variant (apt-get), preferably slim."""
    stage = base(context)
    ref = ImageRef.parse(stage.image)
    if ref.tag is None:
        raise Unavailable("needs a tag")
    variant = ref.variant
    if variant.startswith("alpine"):
        return failed(
            f"expected a Debian variant such as slim; found `{variant}`: Alpine has no apt-get and uses "
            "musl, so the app's compiled dependency and lesson 4 will not work as written",
            line=stage.line,
        )
    if variant.startswith(("windowsservercore", "nanoserver")):
        return failed(f"expected a Linux image; found `{variant}`, which needs Windows containers", line=stage.line)
    old = next((name for name in DEBIAN_OLD if name in variant), None)
    minor = ref.minor()
    if old and minor is not None and minor > DEBIAN_LAST_PYTHON[old]:
        last = DEBIAN_LAST_PYTHON[old]
        return failed(
            f"expected a tag Docker Hub has; found `{ref.tag}`, which was never published: Python "
            f"{minor[0]}.{minor[1]} came out after the official images stopped building on Debian {old} (its "
            f"last was Python {last[0]}.{last[1]}), so `docker build` will stop with `not found`. Write "
            f"`{ref.name}:{minor[0]}.{minor[1]}-{variant.replace(old, '').strip('-') or 'slim'}`",
            line=stage.line,
        )
    if old:
        return warning(
            f"`{variant}` is built on Debian {old}, which no longer gets regular security updates; "
            "drop the Debian name or use bookworm/trixie",
            line=stage.line,
        )
    if variant == "" or variant in ("bookworm", "trixie"):
        return warning(
            f"`{ref.tag}` is the full image (about 1.1 GB, with compilers and tools); `-slim` is about "
            "125 MB and the lessons add only what the app needs",
            line=stage.line,
        )
    if variant.startswith("slim"):
        return passed(f"{variant}", line=stage.line)
    return warning(f"variant `{variant}` is not one this course knows; the lessons expect `slim`", line=stage.line)


@check("base-image-platform")
def base_image_platform(context: Context) -> Outcome:
    """FROM does not pin a CPU architecture."""
    for stage in context.dockerfile.stages:
        platform = stage.platform
        if platform and "$" not in platform:
            return warning(
                f"expected no --platform; found --platform={platform}, which runs under emulation on "
                "machines of another architecture",
                line=stage.line,
            )
    return passed()
