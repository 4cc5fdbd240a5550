"""A published postmortem page as MkDocs reads it: its Markdown and its meta."""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from ..load.dense_markup import limit_density
from ..load.frontmatter import decode, split
from ..load.sections import limit_nesting
from ..render.sanitize import sanitize
from ..render.site import BlockTokens
from .plan import PageInfo


def postmortem_markdown(path: str, info: PageInfo, tokens: BlockTokens) -> str | None:
    """The page's Markdown: the postmortem's title and body (`BlockTokens.skeleton`);
    None when the file cannot be read or decoded (MkDocs reads it)."""
    try:
        with open(path, "rb") as fh:
            text, _problem = decode(fh.read())
    except OSError:
        return None
    if text is None:
        return None
    sp = split(text)
    return tokens.skeleton(info.title, "\n".join(sp.lines[sp.body_start - 1 :]))


def postmortem_meta(info: PageInfo) -> dict[str, Any]:
    """The page's meta: its title and tags, escaped. Front-matter fields are not page
    settings (see on_page_read_source). The title is plain text, and the theme prints a
    page's meta title as HTML; so are the free tags, which Material's search results
    print."""
    meta: dict[str, Any] = {"title": str(escape(info.title))}
    if info.tags:
        meta["tags"] = [str(escape(t)) for t in info.tags]
    return meta


def page_markdown(markdown: str) -> str:
    """What on_page_markdown makes of every page's Markdown before MkDocs converts it:
    Python-Markdown recurses once per level of nesting, so deep lists, quotes and
    markdown="1" blocks become plain text first (pmkb check reports them, PM621)."""
    return limit_density(limit_nesting(markdown))


def postmortem_source(page: Any, published: dict[str, PageInfo], tokens: BlockTokens) -> str | None:
    """A published postmortem page's Markdown as MkDocs converts it (see page_markdown)."""
    text = postmortem_markdown(page.file.abs_src_path, published[page.file.src_uri], tokens)
    return None if text is None else page_markdown(text)


def postmortem_html(html: str, tokens: BlockTokens) -> str:
    """A postmortem page's HTML as on_page_content leaves it: what Markdown made of the
    author's text cleaned, then the places of the page's blocks (filled in on_post_page)."""
    return tokens.place(sanitize(html))
