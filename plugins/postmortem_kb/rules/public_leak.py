"""public-leak (PM501): internal detail in what a postmortem's public version shows. The
judging (folding the text as a reader sees it, the patterns) is in public/, which the
public build also asks before it publishes a postmortem."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Postmortem
from . import public
from .hit import Context, Hit
from .rule import rule


@rule(
    "PM501",
    "public-leak",
    summary="A section that goes into the public postmortem names people, internal hosts or private links.",
    why=(
        "The public site is built from the same file, from the sections the template marks public. Customers need to "
        "know what happened and what changes, not who was on call or what our hosts are called."
    ),
    fix=(
        'Describe roles instead of people ("the on-call engineer"), systems instead of host names ("a database '
        'replica"), and leave internal links in the internal sections (Timeline details can move to a non-public '
        "section)."
    ),
)
def public_leak(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    """Only postmortems with customer impact get a public version; everything it shows
    (title, public sections, action summaries) is judged as rendered (see public/)."""
    if not pm.meta.customer_impact:
        return
    for leak in public.find_leaks(pm, ctx.settings.public, ctx.templates.get(pm.meta.template)):
        yield Hit(public_leak, leak.line, leak.column, leak.message, None)
