"""Lesson 8: the learner built an image from the workspace, named it, and it is current.

"Current" means built from the current inputs, proved by building the workspace's Dockerfile
ourselves (labelled, removed after the run; BuildKit's cache makes it a cache hit when the learner
just built it) and comparing: the image config (Cmd, Entrypoint, WorkingDir, ExposedPorts, Env,
User, Volumes, the learner's labels), the history of steps (`created_by`), and the files the build
copies (the same layers, or else the same contents of WORKDIR in both images). Image ids cannot
be compared: our build carries a label, and the same steps built twice differ in timestamps.
"""

from __future__ import annotations

import re
import shlex
from datetime import datetime, timezone

from ..context import Context, Unavailable
from ..engine import LABEL, RUN_LABEL
from ..learner import age, learner_image, require_image, wanted_name
from ..result import Outcome, failed, passed, warning
from ..runner import check

CONFIG_FIELDS = ("Cmd", "Entrypoint", "WorkingDir", "ExposedPorts", "Env", "User", "Volumes", "StopSignal")
TOO_BIG = 2_000_000_000  # bytes: bigger than this and something unintended went into the image


def normalise_step(created_by: str) -> str | None:
    """One history entry as the Dockerfile step it records, the same for BuildKit and the classic builder."""
    text = " ".join(created_by.split())
    text = re.sub(r"\s*# buildkit$", "", text)
    text = re.sub(r"^/bin/sh -c #\(nop\)\s*", "", text)
    if text.startswith("/bin/sh -c "):  # the classic builder writes RUN steps without the keyword
        text = "RUN " + text
    keyword = text.split(" ", 1)[0].upper()
    if keyword == "LABEL":
        return None  # labels are ignored: ours marks the image checks built
    if keyword in ("COPY", "ADD"):
        return f"{keyword} -> {text.split()[-1].rstrip('/') or '/'}"  # the source is a content hash in classic builds
    if keyword == "EXPOSE":
        ports = re.findall(r"(\d+)(/\w+)?", text.removeprefix("EXPOSE"))
        return "EXPOSE " + " ".join(sorted(number + (protocol or "/tcp") for number, protocol in ports))
    return text


def steps_of(context: Context, image_id: str) -> list[str]:
    """The image's build steps, oldest first, base image included."""
    history = context.engine.image_history(image_id)
    steps = (normalise_step(entry.get("CreatedBy") or "") for entry in reversed(history))
    return [step for step in steps if step]


def config_of(image) -> dict:
    config = image.config
    found = {}
    for field in CONFIG_FIELDS:
        value = config.get(field)
        if isinstance(value, dict):
            value = sorted(value)
        found[field] = value or None
    labels = {k: v for k, v in (config.get("Labels") or {}).items() if not k.startswith(LABEL)}  # not ours
    found["Labels"] = dict(sorted(labels.items())) or None
    return found


def copied_files(context: Context, image_id: str, folder: str) -> dict[str, str] | None:
    """{path: sha256} of the files under `folder` in the image (compiled Python left out), or None."""
    script = (
        f"cd {shlex.quote(folder)} && find . -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -exec sha256sum {{}} +"
    )
    result = context.engine.run_in_image(image_id, ["sh", "-c", script], timeout=60)
    if result.exit_code != 0:
        return None
    found = {}
    for row in result.output.splitlines():
        digest, _, path = row.partition("  ")
        if path:
            found[path.removeprefix("./")] = digest
    return found


def files_differ(context: Context, reference, image) -> str:
    """How the files the build copies differ between the current build and the learner's image ('' when not)."""
    if reference.layers == image.layers:
        return ""  # the very same layers: the same files
    folder = reference.config.get("WorkingDir") or ""
    if folder in ("", "/"):
        return ""  # the app is not in a folder of its own: nothing small to compare
    current, built = copied_files(context, reference.id, folder), copied_files(context, image.id, folder)
    if current is None or built is None:
        return ""
    changed = sorted(path for path in current if path in built and current[path] != built[path])
    added = sorted(path for path in current if path not in built)
    removed = sorted(path for path in built if path not in current)
    if changed:
        return (
            f"{changed[0]} has changed since the image was built (the image has an older copy in {folder}"
            + (f"; {len(changed) - 1} more {'files' if len(changed) > 2 else 'file'} too" if len(changed) > 1 else "")
            + ")"
        )
    if added:
        return f"{added[0]} is in the workspace but not in the image's {folder}: it was added after the build"
    if removed:
        return f"the image's {folder} has {removed[0]}, which the workspace no longer has"
    return ""


def matches_workspace(context: Context, image) -> tuple[bool, str]:
    """(True, "") when `image` has the config and steps of the workspace's Dockerfile; else what differs."""
    build = context.build
    if not build.complete:
        where = f"{context.dockerfile_name}:{build.failed_line}" if build.failed_line else "the Dockerfile"
        raise Unavailable(f"the workspace's Dockerfile does not build (the step at {where} fails)")
    reference = context.engine.find_image(build.final_image)
    if reference is None:  # removed by another program since this run built it
        raise Unavailable("the image checks built from the workspace is gone: run checks again")
    if image.id == reference.id:
        return True, ""
    ours, theirs = config_of(reference), config_of(image)
    for field in ours:  # CONFIG_FIELDS, and the learner's Labels
        if ours[field] != theirs[field]:
            return False, f"the Dockerfile gives {field} {_show(ours[field])}, the image has {_show(theirs[field])}"
    wanted, found = steps_of(context, reference.id), steps_of(context, image.id)
    if wanted == found:
        difference = files_differ(context, reference, image)
        return not difference, difference
    import difflib

    for change, i1, _i2, j1, _j2 in difflib.SequenceMatcher(None, wanted, found, autojunk=False).get_opcodes():
        if change == "insert":
            return False, f"the image has the step `{found[j1]}`, which the Dockerfile no longer has"
        if change == "delete":
            return False, f"the Dockerfile has the step `{wanted[i1]}`, which the image lacks"
        if change == "replace":
            return False, f"the Dockerfile has the step `{wanted[i1]}` where the image has `{found[j1]}`"
    return False, "the steps differ"


def _show(value) -> str:
    return "none" if value is None else str(value)


def look_alikes(context: Context) -> list[str]:
    """Named images the learner may have meant: the same repository, a typo of it, or the app's name in both."""
    wanted = wanted_name(context)
    repository = wanted.rsplit(":", 1)[0]
    app = context.course.app.lower()
    found = []
    for image in context.engine.images():
        for tag in image.tags:
            name = tag.rsplit(":", 1)[0]
            short = name.removeprefix("docker.io/").removeprefix("library/")
            near = short == repository or _close(short, repository) or (app in repository and app in short.lower())
            if tag != wanted and near:
                found.append(tag)
    return sorted(found)


def _close(a: str, b: str) -> bool:
    """A typo away (one letter swapped, missing or extra)."""
    import difflib

    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.8


def untagged_from_workspace(context: Context) -> list:
    """Untagged (<none>) images whose config and steps are the workspace's Dockerfile's."""
    images = context.engine.images(filters={"dangling": True})
    ours = [image for image in images if RUN_LABEL not in image.labels]
    try:
        return [image for image in ours if matches_workspace(context, image)[0]]
    except Unavailable:
        return []


@check("image-exists")
def image_exists(context: Context) -> Outcome:
    """An image with the name and tag the lesson asks for (or --image) exists on the learner's engine."""
    wanted = wanted_name(context)
    image = learner_image(context)
    if image is not None:
        return passed(f"{wanted} ({image.short_id.removeprefix('sha256:')}, built {age(image.created)})")
    untagged = untagged_from_workspace(context)
    nameless = ""
    if untagged:
        newest = max(untagged, key=lambda image: image.created)
        short = newest.short_id.removeprefix("sha256:")
        nameless = (
            f"an untagged (<none>) image {short} built from this Dockerfile "
            f"{age(newest.created)}: `docker build .` without `-t` leaves the image "
            f"nameless. Name it with `docker tag {short} {wanted}`, or build again with `-t {wanted}`"
        )
    others = look_alikes(context)
    if others:
        also = f". There is also {nameless}" if nameless else ""
        return failed(
            f"expected an image named {wanted}; found none, but these look like yours: {', '.join(others)}. "
            f"Build with `docker build . -t {wanted}` (or pass --image NAME:TAG){also}"
        )
    if nameless:
        return failed(f"expected an image named {wanted}; found only {nameless}")
    return failed(
        f"expected an image named {wanted}; found none, and no image that looks like it: "
        f"run `docker build . -t {wanted}` in the workspace, then `docker image ls`"
    )


@check("image-current")
def image_current(context: Context) -> Outcome:
    """The image was built from the workspace as it is now: same config and labels, same steps, same copied files."""
    image = require_image(context)
    same, difference = matches_workspace(context, image)
    built = age(image.created)
    if same:
        return passed(f"{wanted_name(context)} matches the current {context.dockerfile_name} and files")
    edited = ""
    if context.dockerfile_path is not None:
        changed = datetime.fromtimestamp(context.dockerfile_path.stat().st_mtime, timezone.utc).isoformat()
        edited = f"; {context.dockerfile_name} was last saved {age(changed)}"
    return failed(
        f"expected {wanted_name(context)} to be built from the current {context.dockerfile_name} and files; "
        f"it was built from older ones ({built}{edited}): {difference}. Build it again with "
        f"`docker build . -t {wanted_name(context)}`"
    )


@check("image-size")
def image_size(context: Context) -> Outcome:
    """Reports the image's size and layer count (how many of them come from the base image)."""
    image = require_image(context)
    size = image.size
    layers = len(image.layers)
    message = f"{size / 1e6:.0f} MB in {layers} layers"
    base_layers = _base_layers(context)
    if base_layers is not None and base_layers <= layers:
        message += (
            f" ({base_layers} from the base image {context.course.base_image}, {layers - base_layers} from your steps)"
        )
    if size > TOO_BIG:
        return warning(
            f"{message}: that is big for this app; did `COPY . .` copy a virtualenv or data? "
            "A .dockerignore keeps them out of the build context"
        )
    return passed(message)


def _base_layers(context: Context) -> int | None:
    base = context.engine.find_image(context.course.base_image)
    if base is None:
        return None
    return len(base.layers)
