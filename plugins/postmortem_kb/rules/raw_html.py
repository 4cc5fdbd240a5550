"""raw-html (PM611): HTML in a postmortem's body that the site's sanitiser changes.

The site cleans every page (render/sanitize.py): a `<script>`, an `onerror=`, a
`javascript:` link are removed, so they never run, but the page then shows something
other than what the reviewer read in the pull request. This rule says so at the line,
with the cleaner itself as the judge of each tag (`tag_changes`).

Code (fenced, indented after a blank line, inline) and HTML comments are text, not HTML,
and are skipped.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Any

from ..load.sections import code_spans
from ..render.sanitize import tag_changes, unsafe_url
from .hit import Hit
from .rule import rule

HINT = (
    "write it in Markdown: the site keeps formatting HTML only (no script, no `on…=` handlers, no `javascript:` "
    "or `data:` links)"
)

# A start tag as Python-Markdown takes one for raw HTML: `<` and a letter, up to `>`;
# not an autolink (`<https://…>`, `<ftp://…>`) or an e-mail address, which are links.
_TAG = re.compile(r"<([a-zA-Z][^\s/<>]*)[^<>]*>")
_AUTOLINK = re.compile(r"<(?:(?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>]*|[^<> !]+@[^@<> ]+)>")
_LINK = re.compile(r"\]\(\s*<?([^\s)>]+)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+)", re.MULTILINE)
# attr_list: `{: #id .class key=value }` after a heading, a block or an inline element.
_ATTR_LIST = re.compile(r"\{:?[ ]*([^}\n]+)\}")
_ATTR = re.compile(r"""([^\s=#.'"]+)\s*=\s*("[^"]*"|'[^']*'|\S+)""")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s")
MAX_TAGS = 2_000  # judged one by one; a postmortem has a few dozen at most


def _without_comments(text: str, keep_lines: bool = False) -> str:
    """`text` with its HTML comments removed (or blanked, lines kept), by one scan: a
    lazy regex restarted at each of 750,000 `<!--` with no `-->` took minutes. An
    unclosed comment runs to the end, as Markdown reads it."""
    out: list[str] = []
    pos = 0
    while (start := text.find("<!--", pos)) >= 0:
        end = text.find("-->", start + 4)
        end = len(text) if end < 0 else end + 3
        out.append(text[pos:start])
        if keep_lines:
            out.append(re.sub(r"[^\n]", " ", text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def masked_body(lines: list[str]) -> str:
    """The body with code blanked out (same lines and columns): what Markdown reads as text."""
    out: list[str] = []
    fence: str | None = None
    previous_blank_or_code = True
    in_list = False  # in a list, 4 spaces continue the item: code needs 8
    for raw in lines:
        if fence is not None:
            out.append("")
            if raw.lstrip().startswith(fence):
                fence = None
            continue
        fm = _FENCE.match(raw) if "`" in raw or "~" in raw else None
        if fm:
            fence = fm.group(1)[:3]
            out.append("")
            continue
        if previous_blank_or_code and raw.startswith(("        ", "\t\t", "    \t") if in_list else ("    ", "\t")):
            out.append("")  # an indented code block
            continue
        if _LIST_ITEM.match(raw):
            in_list = True
        elif raw.strip() and not raw[0].isspace():
            in_list = False
        previous_blank_or_code = not raw.strip()
        out.append(_blank(raw, code_spans(raw)) if "`" in raw else raw)
    return "\n".join(out)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for a, b in spans:
        text = text[:a] + " " * (b - a) + text[b:]
    return text


# What makes a body worth the full reading below: a tag, a link whose target has a
# scheme that is not allowed, an attr_list with a handler or a URL. Looked for in the
# whole body at once: half the bodies have links, nearly none anything else (a
# line-by-line look cost 0.5 s per 5,000 postmortems, this about 0.06 s; one regex
# with alternatives instead of these `in` scans, twice that).
_LINK_TARGET = re.compile(r"\]\(\s*<?([^\s)<>]*)")
_REFERENCE_TARGET = re.compile(r"\]:[ \t]*<?([^\s<>]*)")  # loose: the full reading decides
_ATTR_SUSPECT = re.compile(r"\{[^}\n]*(?:\b[oO][nN]\w*|\b(?:href|src))\s*=")


def _suspect(text: str) -> bool:
    if "<!--" in text:
        text = _without_comments(text)
    if "<" in text:
        return True
    for marker, pattern in (("](", _LINK_TARGET), ("]:", _REFERENCE_TARGET)):
        if marker in text and any(unsafe_url(m.group(1)) for m in pattern.finditer(text)):
            return True
    return "{" in text and _ATTR_SUSPECT.search(text) is not None


@rule(
    "PM611",
    "raw-html",
    summary=(
        "HTML in the body that the site removes: a `<script>` or `<style>`, a tag outside the formatting set "
        "(`<iframe>`, `<form>`, `<svg>`…), an event handler (`onerror=`, `onclick=`), or a `javascript:` / `data:` "
        "link."
    ),
    why=(
        "Postmortems come from anyone's pull request, so the site cleans every page and none of this ever runs. But "
        "then the page shows something other than what the reviewer read in the diff, and a hostile change should stop "
        "CI rather than slip by as silently cleaned text."
    ),
    fix=(
        "Write it in Markdown: headings, tables, links (`http`, `https`, `mailto` or relative), images, admonitions. "
        "To show HTML as an example, put it in `code` or a fenced code block."
    ),
)
def raw_html(pm: Any, ctx: Any) -> Iterator[Hit]:
    for line, column, message in located(pm.lines[pm.body_start - 1 :]):
        yield Hit(raw_html, pm.body_start + line - 1, column, message, HINT)


def located(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line, column, message), 1-based in `lines`, of what the sanitiser would change in
    this Markdown: the rule's findings in a postmortem, the build's warnings on a
    playbook page."""
    if not _suspect("\n".join(lines)):
        return []
    text = masked_body(lines)
    if "<!--" in text:
        text = _without_comments(text, keep_lines=True)
    starts = [0]
    for line in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    out = []
    for offset, message in _findings(text):
        idx = bisect.bisect_right(starts, offset) - 1
        out.append((idx + 1, offset - starts[idx] + 1, message))
    return out


def _findings(text: str) -> Iterator[tuple[int, str]]:
    """(offset, message) of each thing the sanitiser would change, in text order."""
    found: list[tuple[int, str]] = []
    if "<" in text:
        judged: dict[str, list[str]] = {}  # the same tag text is judged once
        for m in _TAG.finditer(text):
            if _AUTOLINK.fullmatch(m.group(0)):
                continue
            if len(judged) >= MAX_TAGS and m.group(0) not in judged:
                found.append(
                    (
                        m.start(),
                        f"more than {MAX_TAGS} different HTML tags: the rest are not judged one by one (the site "
                        "cleans them all)",
                    )
                )
                break
            changes = judged.get(m.group(0))
            if changes is None:
                changes = judged[m.group(0)] = tag_changes(m.group(0))
            if changes:
                found.append((m.start(), "the site removes " + "; ".join(changes)))
    if "](" in text:
        for m in _LINK.finditer(text):
            scheme = unsafe_url(m.group(1))
            if scheme:
                found.append((m.start(1), f"a `{scheme}:` link: the site removes its target"))
    if "]:" in text:
        for m in _REFERENCE.finditer(text):
            scheme = unsafe_url(m.group(1))
            if scheme:
                found.append((m.start(1), f"a `{scheme}:` link: the site removes its target"))
    if "{" in text:
        for m in _ATTR_LIST.finditer(text):
            for a in _ATTR.finditer(m.group(1)):
                key, value = a.group(1).lower(), a.group(2).strip("\"'")
                scheme = unsafe_url(value) if key in ("href", "src") else None
                if key.startswith("on") or scheme:
                    what = f'`{key}="{scheme}:…"`' if scheme else f"the `{key}` attribute"
                    found.append((m.start(1) + a.start(), f"the site removes {what} (an attr_list attribute)"))
    yield from sorted(found)
