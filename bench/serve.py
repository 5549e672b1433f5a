"""Click-to-verdict on a lesson page under `checks serve`, beside `checks lesson1` in a terminal.

The page: `checks serve` in a workspace holding lesson 1's solution, its lesson 1 page in Debian's
chromium (Playwright); each run clicks "Check my work" and waits until the verdict is on the page,
timed in the page (performance.now(), from the click to the verdict rendered). The terminal: the
same grading as a whole `checks lesson1` process, wall time. Alternately, N times each; medians.
The target (issue 23): the page's verdict in under 200 ms on a quiet machine. Exit status 0 when it
holds, 1 when not.

    python bench/serve.py [--runs 15] [--site DIR]

Without --site, the site is built first with `mkdocs build --strict` into a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 200.0
CHROMIUM = "/usr/bin/chromium"
ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/\S*\?token=[\w-]+")
CLICK = """() => new Promise(resolve => {
  const result = document.getElementById('checks-result');
  result.removeAttribute('data-passed');
  const started = performance.now();
  new MutationObserver((changes, observer) => {
    if (result.hasAttribute('data-passed')) { observer.disconnect(); resolve(performance.now() - started); }
  }).observe(result, {attributes: true});
  document.querySelector('.checks-panel__check').click();
})"""


def terminal_ms(checks: str, workspace: Path) -> float:
    started = time.perf_counter()
    subprocess.run([checks, "lesson1"], cwd=workspace, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--site", help="a built site (default: build one now)")
    args = parser.parse_args()
    checks = str(Path(sys.executable).parent / "checks")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as scratch:
        site = args.site
        if not site:
            site = str(Path(scratch) / "site")
            env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
            subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "-q", "--site-dir", site], cwd=ROOT, env=env, check=True
            )
        workspace = Path(scratch) / "together"
        shutil.copytree(ROOT / "lessons" / "together", workspace, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "lessons" / "lesson1" / "solution" / "Dockerfile", workspace / "Dockerfile")
        server = subprocess.Popen(
            [checks, "serve", "--no-browser", "--site", site],
            cwd=workspace,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            address = None
            for line in server.stdout:
                found = ADDRESS.search(line)
                if found:
                    address, port = found.group(0), found.group(1)
                    break
            if address is None:
                print("Error: checks serve printed no address", file=sys.stderr)
                return 2
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page()
                page.goto(address)
                page.goto(f"http://127.0.0.1:{port}/lessons/lesson1/")
                page.wait_for_selector(".checks-panel--live button[type=submit]")
                page.evaluate(CLICK)  # warm both
                terminal_ms(checks, workspace)
                times: dict[str, list[float]] = {"page: click to verdict": [], "terminal: checks lesson1": []}
                for _ in range(args.runs):
                    times["page: click to verdict"].append(page.evaluate(CLICK))
                    times["terminal: checks lesson1"].append(terminal_ms(checks, workspace))
                browser.close()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    print(f"lesson 1, {args.runs} runs each, alternately (ms):")
    for name, values in times.items():
        print(f"  {name:<26} median {statistics.median(values):6.1f}  min {min(values):6.1f}  max {max(values):6.1f}")
    page_median = statistics.median(times["page: click to verdict"])
    holds = page_median < TARGET_MS
    print(f"target: the page's verdict under {TARGET_MS:.0f} ms: {'holds' if holds else 'missed'}")
    return 0 if holds else 1


if __name__ == "__main__":
    sys.exit(main())
