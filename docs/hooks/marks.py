"""MkDocs hook: the marks of `checks` (✓ ✗ !) in the pages' terminal samples take the colours they
have in a terminal (checks/output.py's MARKS and COLORS), so that a sample reads like the real thing.

A mark is coloured where `checks` prints one: at the start of a line of a code block, before a
space. The colours are in docs/stylesheets/extra.css, by status: .checks-mark--passed and so on.
"""

from __future__ import annotations

import re

from checks.output import MARKS

# a line of a terminal sample (a console code block): its line anchor, Pygments' output span, the line
LINE_START = re.compile(
    r'(<a id="__codelineno-[\w-]+" name="[\w-]+" href="#[\w-]+"></a><span class="go">\s*)'
    r"(" + "|".join(re.escape(mark) for mark in dict.fromkeys(MARKS.values())) + r")(?= )"
)
STATUS_OF = {}
for status, mark in MARKS.items():
    STATUS_OF.setdefault(mark, status)  # ✗ is failed (and error): one colour


def colour(match: re.Match) -> str:
    mark = match.group(2)
    return f'{match.group(1)}<span class="checks-mark checks-mark--{STATUS_OF[mark]}">{mark}</span>'


def on_page_content(html: str, page, config, files) -> str:
    return LINE_START.sub(colour, html)
