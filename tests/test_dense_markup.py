"""Markup too dense for Python-Markdown (2,000 nested `*` overflow its stack; thousands of
`[` take minutes) is shown as plain text on the site and reported by pmkb check
(PM623), in bounded time; ordinary pages are left as they are."""

from __future__ import annotations

import shutil
import time

import markdown
import pytest
from conftest import ROOT, line_col

from postmortem_kb.load.dense_markup import MAX_MARKS_PER_PAGE, limit_density

EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc"]
HOSTILE = {
    "nested emphasis": "*" * 2000 + "x" + "*" * 2000,
    "nested underscores": "_" * 3000 + "x" + "_" * 3000,
    "open emphasis": "*a " * 1000 + "b" + "*" * 1000,
    "brackets": "[" * 5000 + "x",
    "links": "[a](" * 2000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_markup_renders_quickly_as_text(name):
    text = f"Before.\n\n{HOSTILE[name]}\n\nAfter, with a [link](https://example.com) and *emphasis*."
    started = time.process_time()
    html = markdown.markdown(limit_density(text), extensions=EXTENSIONS)
    assert time.process_time() - started < 5  # minutes, or a RecursionError, without the guard
    assert '<pre class="pmkb-too-dense">' in html
    if text.count("[") + text.count("*") + text.count("_") <= MAX_MARKS_PER_PAGE:
        # only the dense paragraph became text; the rest of the page is rendered
        assert '<a href="https://example.com">link</a>' in html and "<em>emphasis</em>" in html


def test_a_page_of_many_small_dense_paragraphs_is_text_as_a_whole():
    text = "\n\n".join(["[a](" * 16] * 2000)  # each paragraph under the limit, the page far over
    assert limit_density(text).startswith('<pre class="pmkb-too-dense">')
    assert text.count("[") > MAX_MARKS_PER_PAGE


def test_an_ordinary_page_is_left_as_it_is():
    text = (ROOT / "postmortems" / "2024" / "2024-03-14-customer-comms-outage.md").read_text()
    assert limit_density(text) == text


def test_fenced_code_is_not_counted():
    text = "```\n" + "[" * 500 + "\n```\n\nText."
    assert limit_density(text) == text


def test_check_reports_the_paragraph(kb):
    path = kb.write(sections={"Lessons learned": "Fine.\n\n" + "*" * 300})
    found = [f for f in kb.findings() if f["rule"] == "markup-too-dense"]
    assert [(f["line"], f["column"]) for f in found] == [(line_col(path, "*" * 300)[0], 1)]
    assert "300 `*` and `_` in one paragraph" in found[0]["message"]


def test_the_site_builds_a_page_with_nested_emphasis(kb, tmp_path):
    from site_helpers import build_site

    shutil.copytree(ROOT / "ops-playbook", kb / "ops-playbook")
    shutil.copytree(
        ROOT / "templates" / "site", kb / "templates" / "site"
    )  # the kb fixture leaves the theme overrides out
    kb.write(sections={"Lessons learned": HOSTILE["nested emphasis"]})
    result = build_site(kb.root, tmp_path / "site")
    assert "RecursionError" not in result.stderr, result.stderr[-3000:]
    page = next((tmp_path / "site").rglob("2024-03-14-order-emails-delayed/index.html")).read_text(encoding="utf-8")
    assert '<pre class="pmkb-too-dense">' in page
