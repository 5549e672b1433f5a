"""What the learner made on their own engine (lessons 8-10): the image they built and named, the
container they started from it, and how long ago the engine says things happened."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from .context import Context, Unavailable
from .engine import RUN_LABEL, ContainerInfo


def wanted_name(context: Context) -> str:
    """The image the learner was asked to build (`--image` overrides course.toml's `image`)."""
    name = context.options.get("image") or context.course.image
    return name if ":" in name.rsplit("/", 1)[-1] else name + ":latest"


def learner_image(context: Context):
    """The learner's image (docker SDK Image), or None when no image has that name."""

    return context.memo("learner-image", lambda: context.engine.find_image(wanted_name(context)))


def require_image(context: Context):
    image = learner_image(context)
    if image is None:
        raise Unavailable(f"needs the image {wanted_name(context)} (see image-exists)")
    return image


def seconds_since(timestamp: str) -> float:
    """Seconds since an engine timestamp (RFC 3339 with nanoseconds); 0 when it cannot be read."""
    try:
        when = datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", timestamp).replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return max(0.0, (datetime.now(timezone.utc) - when).total_seconds())


def age(created: str) -> str:
    """'3 minutes ago' from an engine timestamp."""
    seconds = int(seconds_since(created))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return f"{seconds} seconds ago"


def made_by_checks(container: ContainerInfo) -> bool:
    """Was this container created by a run of checks (not by the learner)?"""
    return RUN_LABEL in container.labels


def app_container(context: Context) -> ContainerInfo | None:
    """The learner's app container: --container, else the newest (running first) of the learner's image."""

    def find():
        named = context.options.get("container")
        if named:
            return context.engine.find_container(named)
        image = learner_image(context)
        wanted = wanted_name(context)
        names = {wanted, wanted.removesuffix(":latest"), "docker.io/library/" + wanted}
        found = [
            c
            for c in context.engine.containers(all=True)
            if not made_by_checks(c)
            and not shares_namespaces(c)
            and ((image is not None and c.image_id == image.id) or c.image in names)
        ]
        if not found:
            return None
        return max(found, key=lambda c: (c.status == "running", c.created))

    return context.memo("learner-container", find)


def shares_namespaces(container: ContainerInfo) -> bool:
    """Does the container share another container's PID or network namespace (a sidecar)?"""
    host = container.host_config
    return str(host.get("PidMode") or "").startswith("container:") or str(host.get("NetworkMode") or "").startswith(
        "container:"
    )
