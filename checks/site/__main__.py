"""`python -m checks.site`: write the generated parts of the pages (checks/site/build.py), then build
the site with `mkdocs build --strict` or `zensical build`."""

from __future__ import annotations

import sys

from . import ROOT, SiteError


def main() -> int:
    if len(sys.argv) > 1:
        print("Error: `python -m checks.site` takes no arguments; it writes generated/ for the pages.", file=sys.stderr)
        return 2
    from checks.catalogue import CatalogueError

    from .build import PARTS_DIR, write_parts

    try:
        written, changed = write_parts()
    except (SiteError, CatalogueError) as problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 2
    print(f"{len(written)} parts in {PARTS_DIR.relative_to(ROOT)}/, {len(changed)} rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
