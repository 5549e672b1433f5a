"""MkDocs hook: every line of a code block becomes its own box with a hanging indent, so that a line
too long for the column wraps (docs/stylesheets/extra.css: `white-space: pre-wrap`) and its
continuation starts under the line's text instead of at the left edge.

A `checks` line such as `  why:  uWSGI compiles…` continues under `uWSGI`, a `✓ …` line under the
text after the mark, any other line two characters in from its own indentation. The box is an
inline-block followed by the line's newline, so copying a block (Material's copy button reads its
innerText) gives back exactly its lines: a wrap is only drawn, never copied.

Zensical runs no hook: there the CSS alone wraps the lines, without the hanging indent.
"""

from __future__ import annotations

import html
import re

from checks.output import MARKS

BLOCK = re.compile(
    r'(<div class="language-[\w-]+ highlight">(?:<span class="filename">.*?</span>)?<pre>.*?<code>)(.*?)(</code></pre>)',
    re.DOTALL,
)
TAG = re.compile(r"<[^>]+>")
# where a line's text starts: its indentation, then a mark of `checks`, a label of a failed check
# (`why:`, `hint:`, `docs:`, `expected`'s line has none) or a shell prompt
LEAD = re.compile(
    r"^( *)("
    + "|".join(re.escape(mark) + " " for mark in dict.fromkeys(MARKS.values()))
    + r"|(?:why|hint|docs|fix):\s+|\$ |# )?"
)


def hang(line_html: str) -> int:
    """The column at which a wrapped line's continuation starts, in characters."""
    text = html.unescape(TAG.sub("", line_html))
    match = LEAD.match(text)
    indent, label = len(match.group(1)), len(match.group(2) or "")
    return indent + (label if label else 2)


def boxed(code: str) -> str:
    lines = code.split("\n")
    last = lines.pop() if lines and lines[-1] == "" else None
    out = [f'<span class="code-line" style="--hang:{hang(line)}ch">{line}</span>' for line in lines]
    return "\n".join(out) + ("\n" if last is not None else "")


def on_page_content(html_text: str, page, config, files) -> str:
    return BLOCK.sub(lambda match: match.group(1) + boxed(match.group(2)) + match.group(3), html_text)
