"""How accurate is `checks` on learner Dockerfiles? Detected, named specifically, false alarms, hangs.

Runs the real `checks` on the real engine, on two sets of Dockerfiles:

  mistakes  every fixture of tests/lessons/lessonN/fixtures/ (one learner mistake each, with the check
            that must name it) and bench/corpus/mistakes/*.Dockerfile, learner Dockerfiles from public
            sources, whose first lines say `# source: URL`, `# lesson: lessonN` and `# expect: check-id`
            (and `# status: warning` when the diagnosis is a warning)
  correct   bench/corpus/correct/*.Dockerfile: correct Dockerfiles written differently from the
            reference solution, which must pass lessons 1-7 (`checks lesson7`) without any failure
            or warning

and prints, for the mistakes, how many were detected (the lesson is not passed, or warns), named
specifically (the expected check has the expected status) and drew a false alarm (a check of an
earlier lesson failed); for the correct ones, how many drew a false alarm; and for both, how many
hung (no verdict within --timeout seconds).

    python bench/accuracy.py [--only correct|mistakes] [--timeout 300] [-k TEXT]

Exit status 0 when every mistake is detected and there is no false alarm and no hang.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "lessons" / "together"
CORPUS = ROOT / "bench" / "corpus"


@dataclass
class Case:
    path: Path
    lesson: str
    check: str | None  # the check that must name the mistake; None for a correct Dockerfile
    status: str = "failed"
    source: str = ""


def mistakes() -> list[Case]:
    cases = []
    for path in sorted((ROOT / "tests" / "lessons").glob("lesson*/fixtures/*")):
        if path.suffix != ".Dockerfile" and not (path / "mistake.txt").is_file():
            continue
        notes = (path / "mistake.txt" if path.is_dir() else path).read_text(encoding="utf-8", errors="replace")
        expect = re.search(r"^# expect: (\w+)", notes, re.MULTILINE)
        check = path.name.removesuffix(".Dockerfile").split("--")[0]
        cases.append(Case(path, path.parent.parent.name, check, expect.group(1) if expect else "failed",
                          "the project's own fixture"))
    for path in sorted((CORPUS / "mistakes").glob("*.Dockerfile")):
        text = path.read_text(encoding="utf-8", errors="replace")
        fields = dict(re.findall(r"^# (source|lesson|expect|status): (.+)$", text, re.MULTILINE))
        cases.append(Case(path, fields.get("lesson", "lesson7").strip(), fields.get("expect", "").strip() or None,
                          fields.get("status", "failed").strip(), fields.get("source", "").strip()))
    return cases


def correct() -> list[Case]:
    return [Case(path, "lesson7", None, "passed") for path in sorted((CORPUS / "correct").glob("*.Dockerfile"))]


def lay_over(case: Case, folder: Path) -> None:
    shutil.copytree(APP, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    if case.path.is_file():
        (folder / "Dockerfile").write_bytes(case.path.read_bytes())
        return
    for source in case.path.rglob("*"):
        if source.is_file() and source.name != "mistake.txt":
            target = folder / source.relative_to(case.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            target.chmod(source.stat().st_mode)


def grade(case: Case, timeout: float) -> tuple[dict | None, float]:
    """`checks LESSON --json` in a fresh workspace; (its report, seconds), report None when it hung."""
    with tempfile.TemporaryDirectory(prefix="accuracy-") as temp:
        folder = Path(temp) / "together"
        lay_over(case, folder)
        started = time.monotonic()
        try:
            run = subprocess.run([sys.executable, "-m", "checks", case.lesson, "--json", "--answer", "0"]
                                 if case.lesson == "lesson10" else [sys.executable, "-m", "checks", case.lesson, "--json"],
                                 cwd=folder, capture_output=True, text=True, timeout=timeout,
                                 env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"})
        except subprocess.TimeoutExpired:
            return None, time.monotonic() - started
        seconds = time.monotonic() - started
        try:
            return json.loads(run.stdout), seconds
        except ValueError:
            return {"passed": False, "checks": [], "error": run.stderr.strip()[-300:]}, seconds


def judge(case: Case, report: dict) -> dict:
    from checks.catalogue import load

    catalogue = load()
    lesson = catalogue.get(case.lesson)
    earlier = {info.id for step in catalogue.before(lesson) for info in step.checks}
    statuses = {c["id"]: c["status"] for c in report.get("checks", [])}
    if case.check is None:  # a correct Dockerfile: anything but passed (or skipped) is a false alarm
        alarms = [f"{i}={s}" for i, s in statuses.items() if s in ("failed", "error", "warning")]
        return {"false_alarm": alarms or ([report["error"]] if report.get("error") else [])}
    detected = (not report.get("passed")) if case.status == "failed" else statuses.get(case.check) == case.status
    named = statuses.get(case.check) == case.status
    alarms = [f"{i}={s}" for i, s in statuses.items() if i in earlier and s in ("failed", "error")]
    return {"detected": detected, "named": named, "false_alarm": alarms}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("correct", "mistakes"))
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a run counts as a hang")
    parser.add_argument("-k", default="", help="only the cases whose path contains this text")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sets = {"mistakes": mistakes(), "correct": correct()}
    if args.only:
        sets = {args.only: sets[args.only]}
    ok = True
    for name, cases in sets.items():
        cases = [c for c in cases if args.k in str(c.path)]
        if not cases:
            continue
        detected = named = alarms = hangs = 0
        slowest = 0.0
        for case in cases:
            report, seconds = grade(case, args.timeout)
            slowest = max(slowest, seconds)
            shown = case.path.relative_to(ROOT)
            if report is None:
                hangs += 1
                print(f"HANG     {shown} (no verdict after {seconds:.0f} s)")
                continue
            verdict = judge(case, report)
            alarms += bool(verdict["false_alarm"])
            if name == "mistakes":
                detected += verdict["detected"]
                named += verdict["named"]
                if not verdict["named"]:
                    print(f"UNNAMED  {shown}: expected {case.check} {case.status}")
            if verdict["false_alarm"]:
                print(f"ALARM    {shown}: {', '.join(verdict['false_alarm'])}")
        total = len(cases)
        if name == "mistakes":
            print(f"mistakes: {total}; detected {detected} ({100 * detected / total:.0f} %), named specifically "
                  f"{named} ({100 * named / total:.0f} %), false alarms {alarms}, hangs {hangs}; slowest {slowest:.0f} s")
            ok = ok and detected == total and alarms == 0 and hangs == 0
        else:
            print(f"correct: {total}; false alarms {alarms}, hangs {hangs}; slowest {slowest:.0f} s")
            ok = ok and alarms == 0 and hangs == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
