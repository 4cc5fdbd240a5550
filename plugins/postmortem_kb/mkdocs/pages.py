"""A published postmortem page as MkDocs reads it: its Markdown and its meta."""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from ..load.frontmatter import decode, split
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
