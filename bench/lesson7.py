"""How long does `checks lesson7` take next to the bare proof by hand, on the same cached image?

The bare proof of lesson 7 is what a person would type: `docker build -q .`, `docker run -d -p`,
ask `/statz` until it answers, `docker rm -f`. Both run as whole processes, alternately (side by
side, so both see the same machine load), N times each, after one warm-up run of each that fills
BuildKit's cache; the medians and their ratio are printed. The target (issue 9): a ratio of 1.5 or
less for grading again an image that did not change (the learner's loop: BuildKit's cache for the
build, checks' own cache of what the image's files answered, checks/facts.py, for the checks).

A third column grades with CHECKS_NO_CACHE=1: every question asked of the engine again, as for an
image graded the first time. It is printed for comparison; the exit status follows the target
(0 when it holds, 1 when it does not).

    python bench/lesson7.py [--runs 5] [--checks PATH]

It needs a Docker engine with `python:3.13-slim`; what it builds and starts is labelled
`org.docker-lessons.bench` and removed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5
LABEL = "org.docker-lessons.bench=lesson7"


def timed(step) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def by_hand(workspace: Path) -> None:
    image = subprocess.run(
        ["docker", "build", "-q", "--label", LABEL, "."], cwd=workspace, check=True, capture_output=True, text=True
    ).stdout.strip()
    container = subprocess.run(
        ["docker", "run", "-d", "--label", LABEL, "-p", "127.0.0.1::4000", image],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    try:
        port = (
            subprocess.run(["docker", "port", container, "4000/tcp"], check=True, capture_output=True, text=True)
            .stdout.split()[0]
            .rsplit(":", 1)[1]
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/statz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
    finally:
        subprocess.run(["docker", "rm", "-f", container], check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checks", default=shutil.which("checks", path=str(Path(sys.executable).parent)))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-lesson7-") as temp:
        subprocess.run([args.checks, "init", "ws"], cwd=temp, check=True, stdout=subprocess.DEVNULL)
        workspace = Path(temp) / "ws"
        shutil.copy(ROOT / "lessons" / "lesson7" / "solution" / "Dockerfile", workspace / "Dockerfile")

        cache = Path(temp) / "facts"  # its own cache: the bench neither uses nor fills the learner's

        def grade(no_cache: bool = False) -> None:
            env = {**os.environ, "CHECKS_CACHE_DIR": str(cache), "CHECKS_NO_CACHE": "1" if no_cache else ""}
            result = subprocess.run([args.checks, "lesson7"], cwd=workspace, capture_output=True, text=True, env=env)
            if result.returncode != 0:
                raise SystemExit(f"checks lesson7 did not pass on the solution:\n{result.stdout}{result.stderr}")

        try:
            grade(), by_hand(workspace)  # warm-up: BuildKit's cache and checks' own hold every step afterwards
            checks_times, hand_times, uncached_times = [], [], []
            for _ in range(args.runs):
                checks_times.append(timed(grade))
                hand_times.append(timed(lambda: by_hand(workspace)))
                uncached_times.append(timed(lambda: grade(no_cache=True)))
        finally:
            images = subprocess.run(
                ["docker", "images", "-q", "--filter", f"label={LABEL}"], capture_output=True, text=True
            ).stdout.split()
            if images:
                subprocess.run(["docker", "rmi", "-f", *set(images)], capture_output=True)
    checks_median, hand_median = statistics.median(checks_times), statistics.median(hand_times)
    uncached_median = statistics.median(uncached_times)
    ratio = checks_median / hand_median
    print(
        f"checks lesson7: median {checks_median:.2f} s; by hand (build -q, run -d -p, /statz, rm -f): "
        f"median {hand_median:.2f} s; ratio {ratio:.2f} (target: {TARGET} or less), {args.runs} runs each\n"
        f"checks lesson7 with CHECKS_NO_CACHE=1 (every question asked of the engine again): "
        f"median {uncached_median:.2f} s; ratio {uncached_median / hand_median:.2f}"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
