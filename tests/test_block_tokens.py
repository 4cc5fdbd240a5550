"""Each postmortem page's blocks land where a reader looks for them: the card under the
title, the factors and the actions under their sections' headings, the related incidents
at the end (render.block_tokens.BlockTokens.place, on the page's cleaned HTML)."""

from __future__ import annotations

import markdown

from postmortem_kb.render.block_tokens import BlockTokens
from postmortem_kb.render.sanitize import sanitize

TOKENS = BlockTokens("0123456789ab")
BLOCKS = {name: f'<div class="block-{name}"></div>' for name in BlockTokens.NAMES}


def _page(body: str, permalink: object = True) -> str:
    md = markdown.Markdown(
        extensions=["toc", "attr_list", "md_in_html"], extension_configs={"toc": {"permalink": permalink}}
    )
    html = sanitize(md.convert(TOKENS.skeleton("Checkout <down>", body)))
    return TOKENS.fill(TOKENS.place(html), BLOCKS)


def _order(html: str, *marks: str) -> list[int]:
    return [html.index(m) for m in marks]


def test_blocks_follow_their_headings():
    body = "## Summary\n\nText.\n\n## Contributing factors\n\nWhy.\n\n## Action items\n\nWhat."
    body += "\n\n## Lessons learned\n\nMore."
    html = _page(body)
    at = _order(
        html,
        "</h1>",
        "block-card",
        "Summary",
        ">Contributing factors<",
        "block-factors",
        "Why.",
        ">Action items<",
        "block-actions",
        "What.",
        "Lessons learned",
        ">Related incidents<",
        "block-related",
    )
    assert at == sorted(at)
    assert "pmkb-block:" not in html and "Checkout &lt;down&gt;" in html


def test_missing_sections_put_their_blocks_after_the_authors_text():
    html = _page("## Summary\n\nOnly a summary.")
    at = _order(html, "Only a summary.", "block-factors", "block-actions", ">Related incidents<", "block-related")
    assert at == sorted(at)


def test_an_authors_related_incidents_heading_does_not_take_the_block():
    body = "## Related incidents\n\nMine.\n\n## Contributing factors\n\n    ## Action items\n\nWhy."
    html = _page(body, permalink="#")
    assert html.count("block-related") == 1 and html.count("block-actions") == 1
    assert html.index("block-related") > html.rindex("Related incidents")
    # A heading inside a code block is code: the actions block goes at the end of the text.
    assert html.index("block-actions") > html.index("Why.")


def test_an_authors_markup_cannot_move_a_block_into_an_attribute_or_multiply_it():
    # Pull requests are untrusted: a heading written inside an attribute is text once
    # cleaned, and raw heading tags (unclosed, nested, thousands) still get one token each.
    body = (
        '<a title="<h2>Contributing factors</h2>" href="#">x</a>\n\n' + "<h2>" * 2000 + "\n\n## Action items\n\nWhat."
    )
    html = _page(body)
    assert all(html.count(f"block-{name}") == 1 for name in BlockTokens.NAMES)
    assert 'title="&lt;h2&gt;Contributing factors&lt;/h2&gt;"' in html  # the attribute kept whole
    assert html.index("block-factors") > html.index("</a>")  # not the attribute's heading: after the text
