"""MkDocs hook: in the site built for the file system (OFFLINE=true, the copy the wheel carries),
404.html links like the home page, relative to the site's root folder, where it is.

A served site's 404 page is sent for any missing address, at any depth, so MkDocs writes its links
absolute (`/lessons/lesson1.html`, `"base": "/"`). Opened from the file system, `/` is the root of
the disk and every such link is broken; there 404.html is only ever opened as the file it is, next
to index.html, so the links it needs are the home page's.
"""

from __future__ import annotations

import re

ROOT_LINK = re.compile(r'\b(href|src)="/(?!/)')
ROOT_BASE = re.compile(r'"(base|search)": "/')


def offline(config) -> bool:
    return any(
        name.endswith("offline") and plugin.config.get("enabled", True) for name, plugin in config.plugins.items()
    )


def on_post_template(output: str, template_name: str, config) -> str:
    if template_name != "404.html" or not offline(config):
        return output
    output = ROOT_LINK.sub(r'\1="', output)
    return ROOT_BASE.sub(lambda match: f'"{match.group(1)}": "' + ("." if match.group(1) == "base" else ""), output)
