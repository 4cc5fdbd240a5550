"""PM109 feed-field-markup: HTML or Markdown markup in a front-matter text that the Atom
feed carries (the title, the authors).

Those fields are plain text everywhere: the feed writes them as XML text, the page
heading, the catalog and the graph escape them. So `<b>`, `**bold**` or `` `code` ``
in a title is never rendered, but every reader sees the raw characters, and a
`<script>` in a title is at best a mistake. Precision first: a lone `*`, `_` in an
identifier (`user_id`), `<` or `>` in a comparison (`p99 > 2 s`), a type such as
`Map<String>` (not an HTML element), `C#` or `&` are text. One finding per field: it
says what is wrong, and fixing it shows the next.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterator

from ..model import Postmortem
from .hit import Context, Hit
from .rule import rule

MAX_AUTHORS = 200  # a hostile list of thousands of names is the schema's or the cap's business

# (pattern, what it is, is it HTML). Bounded: every repetition is limited, and a front-
# matter title is at most 300 characters, a name 200.
_PATTERNS: list[tuple[re.Pattern[str], str, bool]] = [
    (re.compile(r"<!--"), "an HTML comment", True),
    (re.compile(r"<(?:https?|mailto):[^\s<>]{1,300}>", re.I), "a Markdown autolink", False),
    (re.compile(r"</?([A-Za-z][A-Za-z0-9-]{0,30})(?:\s[^<>]{0,300})?/?>"), "an HTML tag", True),
    (
        re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"),
        "an HTML character reference",
        True,
    ),
    (re.compile(r"!?\[[^\]\n]{1,300}\](?:\([^)\n]{0,300}\)|\[[^\]\n]{0,100}\])"), "a Markdown link", False),
    (re.compile(r"`[^`\n]{1,300}`"), "Markdown code (backticks)", False),
    (re.compile(r"(\*\*|__|~~)(?=\S)[^\n]{1,300}?(?<=\S)\1"), "Markdown emphasis", False),
    (re.compile(r"(?<![\w*\\])\*(?=[^\s*])[^*\n]{1,300}?(?<=[^\s*\\])\*(?![\w*])"), "Markdown emphasis", False),
    (re.compile(r"(?<![\w\\])_(?=[^\s_])[^_\n]{1,300}?(?<=[^\s_\\])_(?!\w)"), "Markdown emphasis", False),
    (re.compile(r"^\s{0,3}#{1,6}\s"), "a Markdown heading marker", False),
]


def markup_in(text: str) -> tuple[int, str, bool] | None:
    """(offset, what, is HTML) of the first markup in `text`, or None."""
    best: tuple[int, str, bool] | None = None
    for pattern, what, is_html in _PATTERNS:
        m = pattern.search(text)
        if m is None or (best is not None and m.start() >= best[0]):
            continue
        if what == "an HTML character reference" and not _is_reference(m.group()):
            continue
        if what == "an HTML tag" and m.group(1).lower() not in HTML_ELEMENTS:
            continue
        best = (m.start(), what, is_html)
    return best


# Element names a browser would act on (HTML, plus the SVG and MathML roots): `<b>` and
# `<script>` are tags, `List<String>` is a type.
_ELEMENT_NAMES = """a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption \
cite code col
    colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form frame
    frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link main map mark
    marquee math menu meta meter nav noscript object ol optgroup option output p param picture plaintext pre progress q
    rp rt ruby s samp script search section select slot small source span strike strong style sub summary sup svg table
    tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr xmp"""
HTML_ELEMENTS = frozenset(_ELEMENT_NAMES.split())


def _is_reference(ref: str) -> bool:
    """A numeric reference, or a name HTML knows (`&T;` in "AT&T;" is text)."""
    return ref.startswith("&#") or ref[1:] in html.entities.html5


@rule(
    "PM109",
    "feed-field-markup",
    summary=(
        "The `title` or an author's name holds HTML (`<b>`, `<script>`, `&amp;`) or Markdown markup (`**bold**`, `` "
        "`code` ``, `[link](…)`); Markdown alone is a warning."
    ),
    why=(
        "The Atom feed, the page heading, the catalog and the graph carry these fields as plain text, so markup is "
        "never rendered: every reader sees `<b>` or `**` as they are, in a feed reader as on the site. HTML in a title "
        "is at best a paste from somewhere else, at worst a probe for a page that renders it."
    ),
    fix=(
        "Write the title as one plain sentence: name code, commands and services in words or as they are spelled, "
        "without backticks, stars or tags; put the detail in the Summary, where Markdown is rendered. A type such as "
        "`List<String>`, a comparison (`p99 > 2 s`) or an identifier with underscores is fine."
    ),
)
def feed_field_markup(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    m = pm.meta
    fields: list[tuple[tuple[object, ...], str, str]] = [(("title",), m.title, "the title")]
    fields += [(("authors", i), name, f"author {i + 1}") for i, name in enumerate(m.authors[:MAX_AUTHORS])]
    for path, value, label in fields:
        found = markup_in(value)
        if found is None:
            continue
        offset, what, is_html = found
        line, col = pm.line_of.text_pos(path, offset) if pm.line_of is not None else (1, 1)
        yield Hit(
            feed_field_markup,
            line,
            col,
            f"{label} holds {what}, which the feed and the site show as literal characters",
            "write it as plain text: name code and markup in words, or move the detail into the Summary",
            None,
            # HTML in a title is an error; Markdown (a habit from the body) warns.
            None if is_html else "warning",
        )
