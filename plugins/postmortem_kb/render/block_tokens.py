"""Where a postmortem page's HTML blocks go: tokens put in the page's HTML, filled later."""

from __future__ import annotations

import html as html_lib
import re

from ..load.sections import normalise
from .env import md

# The page's headings as Python-Markdown writes them (after the cleaner): `<h1 …>…</h1>`.
# Linear on any page: the cleaner's output is well-formed, every `<` in it opens a tag
# (text and attribute values are escaped) and headings do not nest, so each match reads
# its own heading only (1.8 MB of cleaned raw `<h2>` tags: 0.25 s).
_HEADING = re.compile(r"<h([12])\b[^>]*>(.*?)</h\1>", re.S)
_PERMALINK = re.compile(r'<a\b[^>]*\bclass="headerlink"[^>]*>.*?</a>', re.S)  # toc's, whatever its sign
_TAG = re.compile(r"<[^>]*>")
RELATED = "Related incidents"


class BlockTokens:
    """A postmortem page is the author's Markdown with four HTML blocks: the header card,
    the factors (table and diagram), the actions and the related incidents
    (`Site.blocks`). The blocks are rendered apart (in a second process during a full
    build) and put in after the search index has read the page, so neither Markdown nor
    the index parses them. Their tokens go into the page's HTML, not its Markdown:
    Python-Markdown spends a third of a millisecond on four HTML comments in a page (its
    raw-HTML pass measures each one's place from the top), 17 % of converting it."""

    NAMES = ("card", "factors", "actions", "related")

    def __init__(self, key: str) -> None:
        self.key = key  # unguessable: an author's own comment is never taken for a token

    def token(self, name: str) -> str:
        return f"<!--pmkb-block:{self.key}:{name}-->"

    def skeleton(self, title: str, body: str) -> str:
        """The page's Markdown: its title, the author's body and the heading of the
        related incidents."""
        return f"# {md(title)}\n\n{body.strip(chr(10))}\n\n## {RELATED}\n"

    def place(self, page_html: str) -> str:
        """The page's HTML (from `skeleton`, cleaned) with a token where each block goes:
        the card after the title, the factors and the actions after the first headings of
        their sections (at the end of the author's text when there is none), the related
        incidents after their heading, the page's last."""
        at: dict[str, int] = {}
        last_h2: tuple[int, int, str] | None = None  # start, end, text
        for m in _HEADING.finditer(page_html):
            if m.group(1) == "1":
                at.setdefault("card", m.end())
                continue
            text = normalise(html_lib.unescape(_TAG.sub("", _PERMALINK.sub("", m.group(2)))))
            last_h2 = (m.start(), m.end(), text)
            if text == "contributing factors":
                at.setdefault("factors", m.end())
            elif text == "action items":
                at.setdefault("actions", m.end())
        end = len(page_html)
        if last_h2 is not None and last_h2[2] == normalise(RELATED):
            at["related"], end = last_h2[1], last_h2[0]
        for name in self.NAMES:
            at.setdefault(name, 0 if name == "card" else end)
        out, pos = [], 0
        for name, where in sorted(at.items(), key=lambda kv: (kv[1], self.NAMES.index(kv[0]))):
            out += [page_html[pos:where], "\n", self.token(name), "\n"]
            pos = where
        out.append(page_html[pos:])
        return "".join(out)

    def fill(self, page_html: str, blocks: dict[str, str]) -> str:
        """Put the blocks in place of their tokens."""
        for name, block in blocks.items():
            page_html = page_html.replace(self.token(name), block, 1)
        return page_html
