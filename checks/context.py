"""What a check can look at: the workspace, its Dockerfile, the engine, the image built from it.

Everything is computed lazily and once per run, so a Dockerfile-only lesson never imports the
docker SDK, and several checks share one build.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from . import dockerfile as dockerfile_module
from .buildchecks import engine_says
from .buildlog import describe_failure, without_prefixes
from .catalogue import Catalogue

if TYPE_CHECKING:  # engine imports the docker SDK's helpers lazily; a Dockerfile-only run needs none of it
    from .engine import BuildResult, Engine

T = TypeVar("T")
BACKGROUND_GRACE = 15  # seconds cleanup waits for background work (a probe ends within one poll)
BACKGROUND_AT_ONCE = 8  # background computations at the same time (several of them wait on one probe)


class Unavailable(Exception):
    """A check's evidence is missing (no Dockerfile, the image did not build): the check is skipped."""


@dataclass
class Build:
    """The image built from the workspace: complete, or as far as the Dockerfile builds."""

    result: BuildResult  # of the whole Dockerfile
    image: str | None  # the complete image, or the image of the steps before the failing one
    complete: bool
    reason: str = ""  # why it does not build: the failing step's line and its own last error lines

    @property
    def failed_line(self) -> int | None:
        return self.result.failed_line

    @property
    def not_built(self) -> str:
        return (
            f"needs the image to build; {self.reason}"
            if self.reason
            else "needs the image to build (see the checks above)"
        )

    @property
    def final_image(self) -> str:
        """The image of the whole Dockerfile; a check that needs it is skipped when it does not build."""
        if not self.complete or self.image is None:  # complete means built, so it has an image
            raise Unavailable(self.not_built)
        return self.image

    @property
    def some_image(self) -> str:
        """The complete image, else the image of the steps before the failing one, else Unavailable."""
        if self.image is None:
            raise Unavailable(self.not_built)
        return self.image


class Context:
    def __init__(self, workspace: Path, catalogue: Catalogue, options: dict | None = None):
        self.workspace = workspace
        self.catalogue = catalogue
        self.course = catalogue.course
        self.options = options or {}
        self._engine: Engine | None = None
        # the lessons being graded read the image or a container: set by checker.run_lesson
        self.engine_in_use = False
        self._memo: dict[Hashable, _Entry] = {}
        self._memo_lock = threading.Lock()
        self._background: list[threading.Thread] = []
        self._at_once = threading.BoundedSemaphore(BACKGROUND_AT_ONCE)
        self._after_build: list[Callable[[], None]] = []
        self.stopping = threading.Event()  # set by cleanup(): background work ends early

    # -- what several checks share ---------------------------------------------------------------
    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per run, for every check that asks for `key`; the one place checks cache.

        A value is kept; an exception (Unavailable, say) is not, so the next asker meets it again.
        Thread-safe: while one thread computes `key`, another that asks for it waits for the value.
        """
        with self._memo_lock:
            entry = self._memo.setdefault(key, _Entry())
        with entry.lock:
            if not entry.done:
                entry.value = compute()
                entry.done = True
        return cast(T, entry.value)  # the memo holds values of many types; `compute` gave this one

    def memo_ready(self, key: Hashable) -> bool:
        """Has `key` been computed already (so asking for it does not wait)?"""
        entry = self._memo.get(key)
        return entry is not None and entry.done

    def in_background(self, key: Hashable, compute: Callable[[], object]) -> None:
        """Start computing `key` in another thread; a check that asks for it later waits for the value.

        Only for engine work a check will ask for anyway; an exception is dropped here and met
        again by the check that asks (the memo keeps no exceptions)."""
        if self.stopping.is_set() or key in self._memo:
            return

        def work() -> None:
            with self._at_once:
                if self.stopping.is_set() or key in self._memo:
                    return  # cleaning up, or a check already asked for it
                try:
                    self.memo(key, compute)
                except BaseException:  # the asking check computes it again and reports it
                    pass

        thread = threading.Thread(target=work, name=f"checks-{key}", daemon=True)
        self._background.append(thread)
        thread.start()

    def after_build(self, work: Callable[[], None]) -> None:
        """Call `work()` once the workspace's image is built (at once if it is built already)."""
        if self.memo_ready("build"):
            self._run_after_build(work)
        else:
            self._after_build.append(work)

    def _run_after_build(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception:  # preparing ahead never fails a run: the check that needs it will say why
            pass

    def image_config(self, image: str) -> dict:
        """The Config of an image this run built (Cmd, Entrypoint, WorkingDir, ExposedPorts, Env…), read once."""
        return self.memo(("image-config", image), lambda: self.engine.image_config(image))

    # -- the Dockerfile --------------------------------------------------------------------------
    @property
    def dockerfile_path(self) -> Path | None:
        return self.memo("dockerfile-path", lambda: dockerfile_module.find(self.workspace))

    @property
    def _dockerfile(self):
        def load():
            if self.dockerfile_path is None:
                return None, "there is no Dockerfile yet"
            try:
                return dockerfile_module.load(self.dockerfile_path), None
            except dockerfile_module.DockerfileProblem as problem:
                return None, problem

        return self.memo("dockerfile", load)

    @property
    def dockerfile(self) -> dockerfile_module.Dockerfile:
        """The parsed Dockerfile; a check that needs it is skipped when there is none."""
        parsed, problem = self._dockerfile
        if parsed is None:
            raise Unavailable("needs a readable Dockerfile")
        return parsed

    @property
    def dockerfile_problem(self):
        return self._dockerfile[1]

    @property
    def dockerfile_name(self) -> str:
        return self.dockerfile_path.name if self.dockerfile_path else "Dockerfile"

    # -- the engine ------------------------------------------------------------------------------
    @property
    def engine_endpoint(self) -> str:
        """Where the engine this run talks to listens (`unix:///var/run/docker.sock`), for messages."""
        return self._engine.endpoint if self._engine is not None else "the Docker engine"

    @property
    def engine(self) -> Engine:
        """The learner's Docker engine (EngineProblem, exit 2, when it cannot be reached)."""
        if self._engine is None:
            from .engine import Engine

            self._engine = Engine.connect()
            engine = self._engine
            self.in_background("buildkit", lambda: engine.buildkit)  # asks `docker buildx`: ready by the build
        return self._engine

    def engine_warns(self, rule: str, line: int | None = None) -> str:
        """The engine's own build-check warning for `rule` as a sentence to add to a message, or "": asked only
        in a run that uses the engine anyway (lessons graded on the image or a container), once per run."""
        if not self.engine_in_use or self.dockerfile_path is None:
            return ""
        warnings = self.memo("build-checks", lambda: self.engine.build_checks(self.dockerfile.text))
        return engine_says(warnings, rule, line)

    @property
    def build(self) -> Build:
        """Build the workspace's Dockerfile; if a step fails, also build the steps before it."""
        return self.memo("build", self._build)

    def _build(self) -> Build:
        dockerfile = self.dockerfile
        result = self.engine.build(self.workspace, dockerfile.text)
        if result.ok:
            build = Build(result, result.image_id, True)
            self._memo["build"].value, self._memo["build"].done = build, True  # what comes next may ask for it
            for work in self._after_build:
                self._run_after_build(work)
            self._after_build.clear()
            return build
        partial = self._build_steps_before(result.failed_line) if result.failed_line else None
        reason = "" if result.stopped is not None else describe_failure(result.log, dockerfile.text, result.failed_line)
        return Build(result, partial.image_id if partial and partial.ok else None, False, reason)

    def _build_steps_before(self, line: int):
        """Build the steps that end before `line`; None when no FROM is among them."""
        dockerfile = self.dockerfile
        before = [i for i in dockerfile.instructions if i.end_line < line]
        if not any(i.keyword == "FROM" for i in before):
            return None
        prefix = "\n".join(dockerfile.text.splitlines()[: before[-1].end_line]) + "\n"
        return self.engine.build(self.workspace, prefix)

    def image_until(self, line: int) -> str:
        """An image that contains every step up to `line`: the built image, or Unavailable with the reason.

        In a multi-stage build, a line of an earlier stage gets that stage's image (the Dockerfile up
        to the stage's last step, built on its own: BuildKit's cache makes it free)."""
        stage_end = self._earlier_stage_end(line)
        if stage_end is not None:
            build = self.build
            if build.failed_line is not None and build.failed_line <= stage_end:
                raise Unavailable(
                    f"the image does not build: the step at {self.dockerfile_name}:{build.failed_line} fails"
                )
            return self.memo(("stage-image", stage_end), lambda: self._build_stage(stage_end))
        build = self.build
        if build.image is not None and (build.complete or (build.failed_line and build.failed_line > line)):
            return build.image
        if build.result.stopped is not None and build.failed_line:
            raise Unavailable(
                f"the image does not build: checks stopped the RUN at {self.dockerfile_name}:"
                f"{build.failed_line}, {build.result.stopped.describe()}"
            )
        if build.failed_line and build.reason:  # the step's line and its own last error lines
            raise Unavailable(f"the image does not build: {build.reason}")
        if build.failed_line:
            error = without_prefixes(build.result.error)
            raise Unavailable(
                f"the image does not build: the step at {self.dockerfile_name}:{build.failed_line} fails"
                + (f" ({error[-200:]})" if error else "")
            )
        raise Unavailable(f"the image does not build: {build.result.error[-200:] or 'see the build log'}")

    def _build_stage(self, stage_end: int) -> str:
        result = self.engine.build(self.workspace, "\n".join(self.dockerfile.text.splitlines()[:stage_end]) + "\n")
        if not result.ok or result.image_id is None:  # ok means built, so it has an image
            raise Unavailable(f"the build stage ending on line {stage_end} does not build")
        return result.image_id

    def _earlier_stage_end(self, line: int) -> int | None:
        """The last line of the build stage holding `line`, when that is not the final stage; else None."""
        dockerfile = self.dockerfile
        final = dockerfile.final_stage
        holding = [i for i in dockerfile.instructions if i.line <= line]
        if final is None or not holding or holding[-1].stage in (final.index, -1):
            return None
        return max(i.end_line for i in dockerfile.instructions if i.stage == holding[-1].stage)

    def cleanup(self) -> int:
        """End background work (bounded), then remove everything this run created."""
        self.stopping.set()
        if self._engine is not None:
            self._engine.stop_builds()  # a build in the background ends now, as one in front does on Ctrl-C
        deadline = time.monotonic() + BACKGROUND_GRACE
        for thread in self._background:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        return self._engine.cleanup() if self._engine is not None else 0


class _Entry:
    """One memo slot: its value once computed, and the lock its computation holds."""

    def __init__(self):
        self.lock = threading.RLock()
        self.done = False
        self.value: object = None
