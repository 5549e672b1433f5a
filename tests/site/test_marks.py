"""The marks of `checks` in the pages' terminal samples are coloured as in a terminal
(docs/hooks/marks.py): every sample line that starts with ✓, ✗ or ! has its mark in a span of
its status, and nothing else is marked."""

from __future__ import annotations

import re

from checks.output import MARKS


def test_every_mark_in_a_sample_is_coloured_by_its_status(built_site):
    assert built_site.code == 0, built_site.log
    html = (built_site.site / "lessons" / "lesson5" / "index.html").read_text(encoding="utf-8")
    output_lines = re.findall(r'<span class="go">(.*?)</span>\n', html)
    marked = [line for line in output_lines if line.startswith('<span class="checks-mark')]
    plain = [line for line in output_lines if re.match(r"(✓|✗|!) ", line)]
    assert not plain, plain[:3]
    statuses = {re.match(r'<span class="checks-mark checks-mark--(\w+)">(.)</span>', line).groups() for line in marked}
    assert ("passed", MARKS["passed"]) in statuses and ("failed", MARKS["failed"]) in statuses, statuses
    assert ("warning", MARKS["warning"]) in statuses or ("skipped", MARKS["skipped"]) in statuses, statuses
    css = (built_site.site / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    for status in ("passed", "failed", "warning"):
        assert f".checks-mark--{status}" in css


def test_code_that_is_not_a_sample_is_left_alone(built_site):
    # a Dockerfile or a shell script has no marks, even where a line starts with "- " or "! "
    html = (built_site.site / "lessons" / "lesson8" / "index.html").read_text(encoding="utf-8")
    for block in re.findall(r'<div class="language-(?!console)\w+ highlight">(.*?)</div>', html, re.DOTALL):
        assert "checks-mark" not in block
