"""The HTML of untrusted pages, cleaned: what Markdown makes of a postmortem or a
playbook page keeps its formatting and loses anything that could run script.

The site's own blocks (the header card, the tables, the diagrams) come from autoescaping
templates and are put in after this runs (see render.env.Stash and render.site.BlockTokens),
so the allow-list only needs what Python-Markdown and its extensions make of a page:
headings with their permalinks, tables (with `text-align`), admonitions, code, images,
`attr_list` classes and ids. HTML comments are removed (a comment is where parsers
disagree, the root of mutation XSS); the tokens that mark where the blocks go are
comments too, so they cross the cleaner as text marked with a fresh random nonce.

The same cleaner is the oracle of the `raw-html` rule (rules/raw_html.py): what it
would change in the source is reported at its line.
"""

from __future__ import annotations

import functools
import html
import html.parser
import re
import secrets
from typing import Any

import nh3

# nh3's default tags (ammonia's: text-level and structural HTML, nothing that runs or
# loads a document) plus the table footer Markdown tables may have, and the checkboxes,
# radio buttons and labels of pymdownx's task lists and content tabs (no form to submit).
TAGS: frozenset[str] = frozenset(nh3.ALLOWED_TAGS | {"tfoot", "input", "label"})
# Removed with everything inside them: their text is code or style, never prose.
CONTENT_REMOVED: frozenset[str] = frozenset({"script", "style"})
# On any tag: what attr_list, toc and admonitions write. `style` is kept for the
# alignment Markdown tables write, and filtered to that property alone.
GENERIC_ATTRIBUTES: frozenset[str] = frozenset({"class", "id", "title", "lang", "dir", "style"})
STYLE_PROPERTIES: frozenset[str] = frozenset({"text-align"})
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})


def _attributes() -> dict[str, set[str]]:
    out = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    out.setdefault("a", set()).update({"href", "title", "name"})
    out.setdefault("img", set()).update({"src", "alt", "title", "width", "height"})
    out.setdefault("abbr", set()).add("title")
    out.setdefault("li", set()).add("value")
    out["input"] = {"checked", "disabled", "name"}  # `type`: checkbox or radio only (see cleaner)
    out["label"] = {"for"}
    out.setdefault("div", set()).add("data-tabs")
    out["*"] = set(GENERIC_ATTRIBUTES)
    return out


ATTRIBUTES: dict[str, set[str]] = _attributes()


@functools.cache
def cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(TAGS),
        clean_content_tags=set(CONTENT_REMOVED),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        tag_attribute_values={"input": {"type": {"checkbox", "radio"}}},
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
        link_rel=None,  # links render as before (no `rel` added to every one)
    )


# The tokens of render.env.Stash and render.site.BlockTokens.
_TOKEN = re.compile(r"<!--(pmkb-(?:stash|block):[0-9a-f]+:[0-9a-z]+)-->")
_MARKED = re.compile(
    r"pmkb([0-9a-f]{16})\[(pmkb-[0-9a-z:-]+)\]"
)  # compiled once: a pattern per nonce cost 0.3 ms a page


def sanitize(html_text: str) -> str:
    """`html_text` with every tag, attribute, URL and comment that is not allowed
    removed; the blocks' tokens are kept."""
    if "<!--pmkb-" not in html_text:
        return cleaner().clean(html_text)
    # Text the cleaner keeps as it is; the nonce is new for each call, so an author
    # cannot write text that turns into a token.
    nonce = secrets.token_hex(8)
    clean = cleaner().clean(_TOKEN.sub(f"pmkb{nonce}[\\1]", html_text))
    if nonce not in clean:
        return clean
    return _MARKED.sub(lambda m: f"<!--{m.group(2)}-->" if m.group(1) == nonce else m.group(0), clean)


# ---- what the cleaner would change, for the check ---------------------------------------

# A browser reads a URL's scheme after dropping leading spaces and control characters and
# every tab and newline in it ("java\tscript:" is `javascript:`).
_URL_NOISE = re.compile(r"[\x00-\x20]+")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would read from `url` as written in HTML (entities decoded:
    Markdown keeps `java&#58;` in an href), lower case, or None for a relative URL."""
    if "&" in url:
        url = html.unescape(url)
    m = _SCHEME.match(_URL_NOISE.sub("", url))
    return m.group(1).lower() if m else None


def unsafe_url(url: str) -> str | None:
    """The scheme of `url` if the cleaner drops it (`javascript`, `data`, `vbscript`…)."""
    if ":" not in url and "&" not in url:
        return None  # no scheme can be read without a colon (or an entity for one)
    scheme = url_scheme(url)
    return scheme if scheme is not None and scheme not in URL_SCHEMES else None


class _Tags(html.parser.HTMLParser):
    """The start tags of a fragment, in order, as (name, attributes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, [(k, v or "") for k, v in attrs]))


def _tags(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser.tags


# Table parts are dropped by an HTML parser outside a table: cleaned in their context.
_CONTEXT = {
    "td": "<table><tr>",
    "th": "<table><tr>",
    "tr": "<table>",
    "tbody": "<table>",
    "thead": "<table>",
    "tfoot": "<table>",
    "caption": "<table>",
    "colgroup": "<table>",
    "col": "<table><colgroup>",
}


def _style(value: str) -> str:
    return "".join(value.split()).rstrip(";").lower()


def tag_changes(tag_text: str) -> list[str]:
    """What the cleaner removes from one start tag (`<img src=x onerror=…>`), in words;
    empty when it keeps the tag as written. The cleaner itself decides: the tag is cleaned
    alone and the result compared, so the check and the site cannot disagree."""
    found = _tags(tag_text)
    if not found:
        return []
    name, attrs = found[0]
    if name in CONTENT_REMOVED:
        return [f"`<{name}>` and its content"]
    after = next((a for n, a in _tags(sanitize(_CONTEXT.get(name, "") + tag_text)) if n == name), None)
    if after is None:
        return [f"the `<{name}>` tag"]
    kept = dict(after)
    out = []
    for key, value in attrs:
        if key not in kept:
            scheme = url_scheme(value) if key in ("href", "src", "cite") else None
            out.append(
                f'`{key}="{scheme}:…"`'
                if scheme and scheme not in URL_SCHEMES
                else f"the `{key}` attribute of `<{name}>`"
            )
        elif key == "style" and _style(kept[key]) != _style(value):
            out.append(f"style other than {', '.join(sorted(STYLE_PROPERTIES))} on `<{name}>`")
    return out


# ---- a page's own settings ---------------------------------------------------------------


def escape_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The front matter of an untrusted page (a playbook page's) as the theme may print
    it: MkDocs's theme templates do not autoescape, so `title:` lands in the header as
    HTML and `description:` inside an attribute. Every string is escaped (quotes too);
    `template:` (the theme template that renders the page) is not the author's to pick."""
    return {str(k): _escaped(v) for k, v in meta.items() if k != "template"}


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _escaped(v) for k, v in value.items()}
    return value
