"""Lesson 14: the app runs as a user that is not root.

The app still starting and answering /statz as that user is lesson 7's checks, which `checks lesson14`
runs first on the same image.
"""

from __future__ import annotations

from ..checker import check
from ..context import Context, Unavailable
from ..result import Outcome, failed, passed


def user_of(context: Context) -> tuple[str, str]:
    """(the image's USER setting, the uid a process of the image gets), proved by `id -u` in a container."""
    build = context.build
    if not build.complete:
        raise Unavailable("needs the image to build (see the checks above)")
    configured = context.engine.client.api.inspect_image(build.image)["Config"].get("User") or ""
    shown = context.engine.run_in_image(build.image, ["id", "-u"])
    if shown.exit_code != 0:
        raise Unavailable(f"`id -u` did not run in the image as {configured or 'root'}: {shown.output.strip()[:200]}")
    return configured, shown.output.strip()


@check("runs-as-non-root")
def runs_as_non_root(context: Context) -> Outcome:
    """A process of the image runs with a uid other than 0."""
    configured, uid = user_of(context)
    users = context.dockerfile.in_final_stage("USER")
    if uid != "0":
        return passed(f"uid {uid} ({configured})", line=users[-1].line if users else None)
    if users:
        return failed(f"expected a uid other than 0; found 0: the last USER of the final stage (line "
                      f"{users[-1].line}) names root", line=users[-1].line)
    return failed("expected a uid other than 0; found 0: the final stage has no USER, so the container runs as root, "
                  "the base image's user", line=context.dockerfile.final_stage.line)
