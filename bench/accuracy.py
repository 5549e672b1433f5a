"""How accurate are the checks on Dockerfiles real learners wrote?

Runs `checks <lesson> --json --path <workspace>` on every file of the corpus (tests/corpus/), each in
a fresh copy of the sample app (lessons/together) with that file as its Dockerfile, on the real
Docker engine, as a separate process with a hang limit. Each corpus file says in its header:

    # source: <URL>          where the mistake (or the idea) was seen; required for mistakes
    # lesson: lessonN        the lesson to grade it with
    # expect: <check-id>     mistakes only: the check that must name it (failed or warning)

A mistake that lives in the app's files rather than in the Dockerfile (a script saved with CRLF
line endings, a script that lost its executable bit) comes with a folder of the same name beside
it, `NNN-name/`, whose files are laid over the workspace, modes included.

It prints four figures:

    detected            mistakes the learner is told about: the lesson did not pass, or (for a
                        mistake the course grades as a warning, e.g. ADD for COPY) a check warned;
                        those told by a warning only are counted on a line of their own
    named specifically  mistakes whose expected check failed or warned
    false alarms        correct files that got any failure, warning or error, or did not pass
    hangs               files whose run took longer than the limit (stopped, counted as a miss)

then a table of every miss. Exit status 0 when the issue's targets hold (100 % detected, at least
97 % named, 0 false alarms, 0 hangs), 1 when not, 2 on bad input.

    python bench/accuracy.py [--jobs 2] [--limit 300] [--only PATTERN] [--json FILE]
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
APP = ROOT / "lessons" / "together"
HEADER = re.compile(r"^#\s*(source|lesson|expect)\s*:\s*(\S.*?)\s*$", re.IGNORECASE)
BAD = ("failed", "warning", "error")
TARGETS = {"detected": 1.0, "named": 0.97}


class CorpusError(Exception):
    """A corpus file lacks a header it needs."""


@dataclass
class Case:
    path: Path
    kind: str  # "mistake" or "correct"
    lesson: str
    expect: str | None
    sources: list[str]

    @property
    def name(self) -> str:
        return f"{self.kind}/{self.path.name}"


@dataclass
class Verdict:
    name: str
    kind: str
    lesson: str
    expect: str | None
    seconds: float
    hang: bool = False
    passed: bool | None = None  # the lesson's verdict; None when there was none (hang, crash)
    reported: dict[str, str] = field(default_factory=dict)  # check id -> status, for checks not passed
    problem: str = ""  # what went wrong running checks (exit status, stderr), if anything
    said: dict[str, str] = field(default_factory=dict)  # check id -> its message, for checks not passed

    @property
    def detected(self) -> bool:
        return (
            self.kind == "mistake"
            and not self.hang
            and self.passed is not None
            and (not self.passed or bool(self.reported))
        )

    @property
    def warned_only(self) -> bool:
        return self.detected and bool(self.passed)

    @property
    def named(self) -> bool:
        return self.detected and self.reported.get(self.expect or "") in ("failed", "warning")

    @property
    def false_alarm(self) -> bool:
        return self.kind == "correct" and not self.hang and (self.passed is not True or bool(self.reported))

    @property
    def ok(self) -> bool:
        return self.named if self.kind == "mistake" else not self.hang and not self.false_alarm

    def got(self) -> str:
        if self.hang:
            return f"hang (stopped after {self.seconds:.0f} s)"
        if self.passed is None:
            return self.problem or "no verdict"
        verdict = "passed" if self.passed else "not passed"
        found = ", ".join(f"{check} {status}" for check, status in self.reported.items())
        return f"{verdict}; {found or 'no failure or warning'}"


def read_case(path: Path, kind: str) -> Case:
    values: dict[str, list[str]] = {"source": [], "lesson": [], "expect": []}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = HEADER.match(line.strip())
        if match:
            values[match.group(1).lower()].append(match.group(2))
    if len(values["lesson"]) != 1:
        raise CorpusError(f"{path}: needs exactly one `# lesson: lessonN` line")
    if kind == "mistake" and (len(values["expect"]) != 1 or not values["source"]):
        raise CorpusError(f"{path}: a mistake needs a `# source: <URL>` line and one `# expect: <check-id>` line")
    if kind == "correct" and values["expect"]:
        raise CorpusError(f"{path}: a correct Dockerfile expects no check to name it: remove `# expect:`")
    return Case(path, kind, values["lesson"][0], values["expect"][0] if values["expect"] else None, values["source"])


def load_corpus(corpus: Path = CORPUS, only: str | None = None) -> list[Case]:
    cases = []
    for kind, folder in (("mistake", "mistakes"), ("correct", "correct")):
        for path in sorted((corpus / folder).glob("*.Dockerfile")):
            if only and not fnmatch.fnmatch(path.name, only) and only not in path.name:
                continue
            cases.append(read_case(path, kind))
    return cases


def checks_command() -> list[str]:
    here = shutil.which("checks", path=str(Path(sys.executable).parent))
    return [here] if here else [sys.executable, "-m", "checks"]


def grade(case: Case, limit: float, scratch: Path) -> Verdict:
    """Run `checks <lesson> --json` on a fresh workspace holding this Dockerfile, stopped after `limit` s."""
    workspace = scratch / case.path.stem / "together"
    shutil.copytree(APP, workspace, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    shutil.copyfile(case.path, workspace / "Dockerfile")  # bytes as they are: CRLF cases stay CRLF
    overlay = case.path.with_suffix("")  # NNN-name/: the learner's own versions of the app's files
    if overlay.is_dir():
        shutil.copytree(overlay, workspace, dirs_exist_ok=True)  # copy2: bytes and modes as they are
    verdict = Verdict(case.name, case.kind, case.lesson, case.expect, 0.0)
    started = time.monotonic()
    process = subprocess.Popen(
        [*checks_command(), case.lesson, "--json", "--path", str(workspace)],
        cwd=workspace,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        verdict.hang = True
        process.send_signal(signal.SIGTERM)  # checks cleans up what it made on SIGTERM, like Ctrl-C
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
    verdict.seconds = time.monotonic() - started
    if verdict.hang:
        return verdict
    try:
        report = json.loads(out)
    except ValueError:
        verdict.problem = f"exit {process.returncode}, no JSON: {(err or out).strip()[-300:]}"
        return verdict
    verdict.passed = bool(report.get("passed"))
    verdict.reported = {c["id"]: c["status"] for c in report.get("checks", []) if c["status"] in BAD}
    verdict.said = {c["id"]: c.get("message") or "" for c in report.get("checks", []) if c["status"] in BAD}
    if case.kind == "correct":  # a skipped goal check is also a wrong verdict on a correct file
        for c in report.get("checks", []):
            if c.get("goal") and c["status"] == "skipped":
                verdict.reported[c["id"]] = "skipped (goal)"
    return verdict


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


def summarise(verdicts: list[Verdict]) -> dict:
    mistakes = [v for v in verdicts if v.kind == "mistake"]
    correct = [v for v in verdicts if v.kind == "correct"]
    figures = {
        "mistakes": len(mistakes),
        "correct": len(correct),
        "detected": sum(v.detected for v in mistakes),
        "warned_only": sum(v.warned_only for v in mistakes),
        "named": sum(v.named for v in mistakes),
        "false_alarms": sum(v.false_alarm for v in correct),
        "hangs": sum(v.hang for v in verdicts),
    }
    figures["targets_hold"] = (
        bool(mistakes)
        and figures["detected"] >= TARGETS["detected"] * len(mistakes)
        and figures["named"] >= TARGETS["named"] * len(mistakes)
        and figures["false_alarms"] == 0
        and figures["hangs"] == 0
    )
    return figures


def report(verdicts: list[Verdict], seconds: float | None = None) -> str:
    f = summarise(verdicts)
    lines = [
        f"corpus: {f['mistakes']} mistakes, {f['correct']} correct Dockerfiles"
        + (f"; {seconds:.0f} s in all" if seconds is not None else ""),
        f"detected            {f['detected']:>3} / {f['mistakes']:<3} {percent(f['detected'], f['mistakes']):>8}  (target 100 %)",
        f"  of which by a warning only (the lesson passes): {f['warned_only']}",
        f"named specifically  {f['named']:>3} / {f['mistakes']:<3} {percent(f['named'], f['mistakes']):>8}  (target >= 95 %)",
        f"false alarms        {f['false_alarms']:>3} / {f['correct']:<3} {percent(f['false_alarms'], f['correct']):>8}  (target 0)",
        f"hangs               {f['hangs']:>3} / {len(verdicts):<3} {percent(f['hangs'], len(verdicts)):>8}  (target 0)",
    ]
    misses = [v for v in verdicts if not v.ok]
    if misses:
        lines += ["", "misses:", f"  {'file':<52} {'lesson':<8} {'expected':<26} got"]
        for v in misses:
            lines.append(f"  {v.name:<52} {v.lesson:<8} {v.expect or '(no failure or warning)':<26} {v.got()}")
    lines.append("")
    lines.append("targets hold" if f["targets_hold"] else "targets do NOT hold")
    return "\n".join(lines)


def run(cases: list[Case], jobs: int, limit: float, progress=None) -> list[Verdict]:
    with tempfile.TemporaryDirectory(prefix="accuracy-") as scratch:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(grade, case, limit, Path(scratch)) for case in cases]
            verdicts = []
            for future in futures:
                verdicts.append(future.result())
                if progress:
                    progress(verdicts[-1], len(verdicts), len(cases))
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2, help="runs side by side (default 2)")
    parser.add_argument("--limit", type=float, default=300, help="seconds before a run counts as a hang (default 300)")
    parser.add_argument("--only", help="only files whose name matches this glob or contains this text")
    parser.add_argument("--json", metavar="FILE", help="also write every verdict to FILE as JSON")
    parser.add_argument("--corpus", default=str(CORPUS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        cases = load_corpus(Path(args.corpus), args.only)
    except CorpusError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    if not cases:
        print(f"Error: no corpus file matches under {args.corpus}", file=sys.stderr)
        return 2

    def progress(verdict: Verdict, done: int, total: int):
        mark = "ok  " if verdict.ok else "MISS"
        print(f"[{done:>3}/{total}] {mark} {verdict.name} ({verdict.seconds:.1f} s)", file=sys.stderr, flush=True)

    started = time.monotonic()
    verdicts = run(cases, args.jobs, args.limit, progress)
    print(report(verdicts, time.monotonic() - started))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"figures": summarise(verdicts), "verdicts": [asdict(v) for v in verdicts]}, indent=2)
        )
    return 0 if summarise(verdicts)["targets_hold"] else 1


if __name__ == "__main__":
    sys.exit(main())
