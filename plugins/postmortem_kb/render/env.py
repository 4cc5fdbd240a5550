"""The Jinja2 environment for generated pages: autoescaped, with a Markdown-escaping filter.

Data from front matter lands either in HTML blocks (autoescaped) or in Markdown text
(the `md` filter escapes HTML and Markdown syntax), so a title like
`[x](javascript:…)` or `<script>` stays text.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    pass_context,
)
from jinja2.runtime import Context
from markupsafe import Markup

# Only characters Markdown can escape: a backslash before any other (`:`, `~`) is printed.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")


def md(value: Any) -> Markup:
    """`value` as Markdown text: HTML and Markdown syntax escaped, each once.

    Only `&`, `<` and `>` become entities: quotes mean nothing in Markdown text, and an
    entity such as `&#34;` passes through Markdown as raw HTML, so a title taken from
    the heading (a service or factor page's) showed it escaped a second time."""
    text = str("" if value is None else value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Markup(_MD_SPECIAL.sub(r"\\\1", text).replace("\n", " "))


def http_url(value: Any) -> str | None:
    """`value` if it is an absolute http(s) URL, else None: only such a URL from front
    matter (a tracker, a public write-up) becomes a link; anything else stays text."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    scheme, sep, rest = text.partition(":")
    # The scheme is read as a browser reads it (after trimming); `javascript:`, `data:`,
    # a relative path or `//host` all fail.
    if sep and scheme.lower() in ("http", "https") and rest.startswith("//"):
        return text
    return None


class Stash:
    """HTML blocks of one generated page, held back from Markdown (nothing in them is
    Markdown) and put back into the rendered HTML by the adapter with `restore`.

    "Late" blocks (diagrams, lists of other pages) go back only after the search index
    has read the page: they carry no words worth finding, and parsing them for the index
    would cost more than the rest of the page.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self.blocks: list[str] = []
        self.late: set[int] = set()

    def put(self, html: str, late: bool = False) -> str:
        self.blocks.append(html)
        n = len(self.blocks) - 1
        if late:
            self.late.add(n)
        # An HTML comment on a line of its own: Markdown passes it through untouched.
        return f"<!--pmkb-stash:{self.key}:{n}-->"

    def restore(self, html: str, late: bool = False) -> str:
        # Plain `str.replace` per token: a regex over every page's whole HTML costs more
        # than the rest of this plugin's work on the page.
        for n, block in enumerate(self.blocks):
            if (n in self.late) != late:
                continue
            token = f"<!--pmkb-stash:{self.key}:{n}-->"
            wrapped = f"<p>{token}</p>"
            html = html.replace(wrapped, block, 1) if wrapped in html else html.replace(token, block, 1)
        return html


def _stash_filter(late: bool) -> Any:
    @pass_context
    def block(ctx: Context, value: Any) -> Markup:
        """`{% filter block %}<html>{% endfilter %}`: the block as it is, or (when the page
        has a `stash`) a placeholder for it."""
        html = str(value).strip("\n")
        stash = ctx.get("stash")
        if stash is None:
            return Markup(html + "\n")
        return Markup("\n" + stash.put(html, late=late) + "\n\n")

    return block


block = _stash_filter(late=False)
late_block = _stash_filter(late=True)


def js_data(value: Any) -> Markup:
    """JSON for a <script type="application/json"> block: `<`, `>` and `&` escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@functools.lru_cache(maxsize=8)
@functools.cache
def make_env(override_dir: Path | None = None) -> Environment:
    """One environment per override folder for the life of the process: `mkdocs serve`
    rebuilds reuse compiled templates (Jinja re-reads a template only if it changed), and
    a template keeps its identity, which the render cache keys on (Site._render_cached)."""
    loaders = []
    if override_dir is not None and override_dir.is_dir():
        loaders.append(FileSystemLoader(str(override_dir)))  # an organisation's own page templates
    loaders.append(PackageLoader("postmortem_kb", "render/templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md
    env.filters["block"] = block
    env.filters["late_block"] = late_block
    env.filters["js_data"] = js_data
    env.filters["fmt_minutes"] = fmt_minutes
    env.filters["http_url"] = http_url  # `{{ a.tracker | http_url }}`: a link only if http(s)
    return env


def fmt_minutes(value: float | None) -> str:
    if value is None or value != value:
        return "–"
    v = round(value)
    if v < 60:
        return f"{v} min"
    if v < 60 * 48:
        return f"{v // 60} h {v % 60:02d}"
    return f"{v / 60 / 24:.1f} d"
