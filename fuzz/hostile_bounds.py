"""The `nesting` fuzz class: what Python-Markdown recurses on never reaches it too deep.

Each example is Markdown whose lines open lists and quotes in every spelling the guard
counts (spaces, tabs, `>`, `-`/`*`/`+`, `1.`/`1)`, and mixtures), from shallow to several
hundred levels deep, with ordinary lines and `<div markdown="1">` blocks in between.
Invariants:

- the guard (`load.sections.limit_nesting`) leaves text within the limit as it is, and
  Python-Markdown with the site's extensions converts what it returns without a
  RecursionError (the site build's crash before the guard);
- `pmkb check`'s finding (`nesting_problems`) is raised exactly when the guard changes
  the text, on a line of the body.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc"]  # the site's (mkdocs.yml)
PREFIXES = ["    ", "\t", "> ", ">", "- ", "* ", "+ ", "1. ", "2) ", "> - ", " ", "  "]


@st.composite
def _line(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(PREFIXES), max_size=6))
    depth = draw(st.sampled_from([0, 1, 5, 19, 20, 21, 22, 40, 150, 400]))
    return "".join(parts) * max(1, depth // max(1, len(parts))) + draw(
        st.sampled_from(
            ["item", "- x", "> q", "", "`code`", "<b>x</b>", '<div markdown="1">' * depth, "</div>" * depth]
        )
    )


def _markdown() -> st.SearchStrategy[str]:
    return st.lists(_line(), min_size=1, max_size=40).map("\n".join)


def target() -> tuple[Any, Any]:
    import markdown

    from postmortem_kb.load.sections import limit_nesting, nesting_problems

    def violations(text: str | bytes) -> list[str]:
        if isinstance(text, bytes):  # the runner's warm-up input
            text = text.decode("utf-8", "replace")
        guarded = limit_nesting(text)
        found = nesting_problems(text.split("\n"), 1)
        out = []
        if (guarded != text) != bool(found):
            out.append(f"guard changed the text: {guarded != text}, findings: {len(found)}")
        if any(not 1 <= line <= len(text.split("\n")) for line, _, _ in found):
            out.append("nesting finding outside the body")
        markdown.Markdown(extensions=EXTENSIONS).convert(guarded)  # a RecursionError is a crash, kept with its input
        return out

    return _markdown(), violations
