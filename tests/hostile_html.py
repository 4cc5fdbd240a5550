"""Hostile HTML in a postmortem body, for the fuzz run (`make fuzz`, class raw-html) and
the property test: random fragments of tags, attributes, URLs and Markdown go through
what the site does with a body (Python-Markdown with the site's extensions, then the
sanitiser), and the page must come out with no script in it.

Invariants (what a reader relies on):
- no `<script` in the output, in any case;
- no event-handler attribute (`on…=`) on any element;
- no `href`/`src`/`action`/`formaction`/`xlink:href` whose URL a browser reads as
  `javascript:`, `vbscript:` or `data:`;
- cleaning is stable: the output parsed and cleaned again has no element or attribute
  that was not in it (text that turns into markup when re-parsed, mutation XSS, would
  show here; a `<p>` the parser splits in two, as browsers do, is no change);
- the raw-html rule does not crash on the same body.
"""

from __future__ import annotations

import html.parser
from typing import Any

from hypothesis import strategies as st

from postmortem_kb.render.sanitize import sanitize, url_scheme

EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc"]  # as in mkdocs.yml
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "cite"}
BAD_SCHEMES = {"javascript", "vbscript", "data"}

TAGS = [
    "script",
    "SCRIPT",
    "img",
    "svg",
    "math",
    "mtext",
    "mglyph",
    "style",
    "iframe",
    "a",
    "div",
    "p",
    "span",
    "table",
    "td",
    "tr",
    "noscript",
    "template",
    "textarea",
    "title",
    "xmp",
    "plaintext",
    "noembed",
    "select",
    "option",
    "details",
    "summary",
    "input",
    "form",
    "button",
    "object",
    "embed",
    "base",
    "meta",
    "link",
    "body",
    "html",
    "frameset",
    "video",
    "audio",
    "source",
    "kbd",
    "code",
    "pre",
    "b",
    "foreignObject",
    "annotation-xml",
    "desc",
    "image",
    "animate",
    "set",
]
ATTRIBUTES = [
    "onerror",
    "onload",
    "ONCLICK",
    "onfocus",
    "ontoggle",
    "onmouseover",
    "href",
    "src",
    "srcdoc",
    "style",
    "xlink:href",
    "formaction",
    "action",
    "autofocus",
    "open",
    "class",
    "id",
    "title",
    "data",
    "background",
    "poster",
    "attributeName",
    "values",
    "to",
    "from",
    "is",
    "name",
    "markdown",
    "encoding",
]
VALUES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    " javascript:alert(1)",
    "java\nscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "alert(1)",
    "x",
    "https://example.com/",
    "#x",
    "../x/",
    "text/html",
    "1",
    "expression(alert(1))",
    "url(javascript:alert(1))",
]
PIECES = [
    "<",
    ">",
    "</",
    "/>",
    "=",
    " ",
    "\n",
    "\n\n",
    '"',
    "'",
    "`",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<?",
    "?>",
    "&lt;",
    "&#60;",
    "[x](",
    ")",
    "](",
    "![i](",
    "{: ",
    "}",
    "```",
    "    ",
    "!!! note",
    "| a | b |\n|---|---|\n",
    "<div markdown>",
    "## ",
    "alert(1)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]


def _tag(name: str, attrs: list[tuple[str, str, str]], close: bool) -> str:
    text = "".join(f" {a}={q}{v}{q}" for a, v, q in attrs)
    return f"<{name}{text}>" + (f"x</{name}>" if close else "")


TAG = st.builds(
    _tag,
    st.sampled_from(TAGS),
    st.lists(
        st.tuples(st.sampled_from(ATTRIBUTES), st.sampled_from(VALUES), st.sampled_from(['"', "'", ""])), max_size=3
    ),
    st.booleans(),
)
PIECE = st.one_of(TAG, st.sampled_from(PIECES), st.sampled_from(VALUES), st.text(max_size=8))


def html_body() -> st.SearchStrategy[str]:
    """A postmortem body made of hostile fragments."""
    return st.lists(PIECE, min_size=1, max_size=40).map("".join)


class _Elements(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, [(k, v or "") for k, v in attrs]))

    handle_startendtag = handle_starttag


def page_violations(page: str) -> list[str]:
    """What in cleaned HTML could run script."""
    out = []
    if "<script" in page.lower():
        out.append("a <script in the output")
    parser = _Elements()
    parser.feed(page)
    parser.close()
    for tag, attrs in parser.found:
        for key, value in attrs:
            if key.startswith("on"):
                out.append(f"<{tag} {key}=…>")
            elif key in URL_ATTRIBUTES and url_scheme(value) in BAD_SCHEMES:
                out.append(f"<{tag} {key}={value!r}>")
    return out


def _signatures(page: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return {(tag, tuple(sorted(attrs))) for tag, attrs in parser.found}


def violations(body: str) -> list[str]:
    """The invariants above for one body."""
    import markdown

    from postmortem_kb.rules.raw_html import raw_html

    html = markdown.markdown(body, extensions=EXTENSIONS, extension_configs={"toc": {"permalink": True}})
    clean = sanitize(html)
    out = page_violations(clean)
    again = sanitize(clean)
    out += page_violations(again)
    new = _signatures(again) - _signatures(clean)
    if new:
        out.append(f"cleaning the output again made new elements: {sorted(new)[:3]}")
    list(raw_html(_Body(body), None))  # must not raise
    return out


class _Body:
    """The least of a Postmortem the raw-html rule reads."""

    def __init__(self, body: str) -> None:
        self.lines: list[Any] = body.split("\n")
        self.body_start = 1


def target() -> tuple[st.SearchStrategy[str], Any]:
    """The fuzz class raw-html (fuzz/run.py): (strategy, invariant violations of one input)."""
    return html_body(), lambda value: violations(
        value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    )
