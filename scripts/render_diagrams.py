#!/usr/bin/env python3
"""Render the pages' diagrams, docs/diagrams/*.dot, to SVG with Graphviz (Debian's `graphviz`).

    python scripts/render_diagrams.py           # rewrite every docs/diagrams/NAME.svg
    python scripts/render_diagrams.py --check   # exit 1 if an SVG is not rendered from its current source

The pages include the SVG inline (`--8<-- "docs/diagrams/layers.svg"`), so that it takes the page's
colours: black becomes `currentColor` (the text colour of the light or dark theme), and the
marker colour #0000fe of the sources becomes Material's accent colour. The fixed width and height
go, the viewBox stays, so a diagram shrinks to a phone's width. Each SVG records the SHA-256 of its
source and of this script, which is what --check compares: Graphviz's coordinates depend on the
fonts of the machine that renders, the source does not.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIAGRAMS = ROOT / "docs" / "diagrams"
MARKER = "#0000fe"  # the sources' "emphasise this" colour


def source_digest(source: Path) -> str:
    digest = hashlib.sha256(source.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def description(source: Path) -> str:
    """The first comment line of the source, without its lesson prefix: what the diagram shows."""
    first = source.read_text(encoding="utf-8").splitlines()[0].lstrip("/ ").strip()
    text = re.sub(r"^Lesson \d+: ", "", first).rstrip(".")
    return text[:1].upper() + text[1:]


def themed(svg: str, name: str, label: str, digest: str) -> str:
    """Graphviz's SVG made to fit a page: no prolog, theme colours, no fixed size, unique ids."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<title>.*?</title>\n?", "", svg)  # node names as tooltips: noise for a reader
    svg = re.sub(
        r'<svg width="[^"]*" height="[^"]*"',
        f'<svg class="diagram" role="img" aria-label="{html.escape(label)}" data-source-sha256="{digest}"',
        svg,
        count=1,
    )
    svg = svg.replace('fill="white"', 'fill="none"')
    svg = svg.replace('stroke="black"', 'stroke="currentColor"').replace('fill="black"', 'fill="currentColor"')
    svg = svg.replace(f'stroke="{MARKER}"', 'stroke="currentColor" style="stroke: var(--md-accent-fg-color)"')
    svg = svg.replace(f'fill="{MARKER}"', 'fill="none" style="fill: var(--md-accent-fg-color--transparent)"')
    svg = re.sub(r"<text (?![^>]*fill=)", '<text fill="currentColor" ', svg)
    svg = re.sub(r'id="(graph|node|edge|clust|a_)', rf'id="{name}-\1', svg)
    # a blank line would end the raw HTML block that the page wraps the SVG in
    return "\n".join(line for line in svg.splitlines() if line.strip()) + "\n"


def render(source: Path) -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise SystemExit("Error: Graphviz's `dot` is missing: apt-get install graphviz")
    run = subprocess.run([dot, "-Tsvg", str(source)], capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        raise SystemExit(f"Error: dot failed on {source.relative_to(ROOT)}:\n{run.stderr}")
    return themed(run.stdout, source.stem, description(source), source_digest(source))


def recorded_digest(svg: Path) -> str | None:
    found = (
        re.search(r'data-source-sha256="([0-9a-f]{64})"', svg.read_text(encoding="utf-8")) if svg.is_file() else None
    )
    return found.group(1) if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if an SVG is stale")
    args = parser.parse_args(argv)
    stale = 0
    for source in sorted(DIAGRAMS.glob("*.dot")):
        target = source.with_suffix(".svg")
        if args.check:
            if recorded_digest(target) != source_digest(source):
                stale += 1
                print(f"stale: {target.relative_to(ROOT)} (run `python scripts/render_diagrams.py`)")
            continue
        target.write_text(render(source), encoding="utf-8")
        print(f"wrote: {target.relative_to(ROOT)}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
