"""How soon after a save does `checks watch` show the new verdict of a static lesson?

`checks watch lesson2` runs in a real terminal (pexpect) on a fresh workspace; the Dockerfile is
saved N times, alternately with two mistakes (a relative WORKDIR, `app1` then `app2`: a pass would
move on to lesson 3), and the time from each save to its verdict on the screen is measured. The median and the worst are printed. The target
(issue 9): within 0.3 s. Exit status 0 when the median holds, 1 when it does not.

    python bench/watch.py [--saves 20] [--checks PATH]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.3
SOLUTION = (ROOT / "lessons" / "lesson2" / "solution" / "Dockerfile").read_text()
MISTAKES = [SOLUTION.replace("WORKDIR /usr/src/app", f"WORKDIR {folder}") for folder in ("app1", "app2")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--checks", default=shutil.which("checks", path=str(Path(sys.executable).parent)))
    args = parser.parse_args()
    assert SOLUTION not in MISTAKES, "lesson 2's solution no longer has WORKDIR /usr/src/app: update the bench"
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as temp:
        subprocess.run([args.checks, "init", "ws"], cwd=temp, check=True, stdout=subprocess.DEVNULL)
        workspace = Path(temp) / "ws"
        dockerfile = workspace / "Dockerfile"
        dockerfile.write_text(MISTAKES[1])
        child = pexpect.spawn(
            args.checks,
            ["watch", "lesson2"],
            cwd=str(workspace),
            encoding="utf-8",
            timeout=30,
            env={"TERM": "xterm", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        )
        child.expect("each save grades lesson 2 again")
        delays = []
        for number in range(args.saves):
            folder = ("app1", "app2")[number % 2]
            dockerfile.write_text(MISTAKES[number % 2])
            saved = time.perf_counter()
            child.expect(f"found `{folder}`")
            delays.append(time.perf_counter() - saved)
            child.expect("Ctrl-C stops")
            time.sleep(0.2)  # a learner does not save twice within a poll
        child.sendintr()
        child.expect(pexpect.EOF)
    median, worst = statistics.median(delays), max(delays)
    print(
        f"checks watch lesson2: save -> verdict, {len(delays)} saves: median {median:.3f} s, worst {worst:.3f} s "
        f"(target: {TARGET} s)"
    )
    return 0 if median <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
