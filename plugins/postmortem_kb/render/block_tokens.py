"""Where a postmortem page's HTML blocks go: tokens in its Markdown, filled after rendering."""

from __future__ import annotations

from .env import md


class BlockTokens:
    """A postmortem page is the author's Markdown with four HTML blocks put in by token:
    the header card, the factors (table and diagram), the actions and the related
    incidents (`Site.blocks`). The tokens cost nothing to place; the blocks are rendered
    apart (in a second process during a full build) and put in after the search index
    has read the page, so neither Markdown nor the index parses them."""

    NAMES = ("card", "factors", "actions", "related")

    def __init__(self, key: str) -> None:
        self.key = key  # unguessable: an author's own comment is never taken for a token

    def token(self, name: str) -> str:
        return f"<!--pmkb-block:{self.key}:{name}-->"

    def skeleton(self, title: str, body: str) -> str:
        """The page's Markdown: title, the author's body, tokens where the blocks go."""
        t = self.token
        body = _insert_after_heading(body, "contributing factors", f"\n{t('factors')}\n")
        body = _insert_after_heading(body, "action items", f"\n{t('actions')}\n").strip("\n")
        return f"# {md(title)}\n\n{t('card')}\n\n{body}\n\n## Related incidents\n\n{t('related')}\n"

    def fill(self, html: str, blocks: dict[str, str]) -> str:
        """Put the blocks in place of their tokens (Markdown may have wrapped one in <p>)."""
        for name, block in blocks.items():
            token = self.token(name)
            wrapped = f"<p>{token}</p>"
            html = html.replace(wrapped, block, 1) if wrapped in html else html.replace(token, block, 1)
        return html


def _insert_after_heading(markdown: str, key: str, block: str) -> str:
    """Put `block` right after the `## ` heading whose normalised title is `key` (or append)."""
    from ..load.sections import normalise

    lines = markdown.split("\n")
    fence = False  # a heading inside a code block is code
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
        if not fence and stripped.startswith("## ") and normalise(stripped[3:].strip("# ")) == key:
            return "\n".join([*lines[: i + 1], block, *lines[i + 1 :]])
    return markdown.rstrip("\n") + "\n" + block
