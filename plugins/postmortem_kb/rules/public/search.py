"""Every leak in one folded text: each finder run where its anchor occurs, and of
overlapping matches the longest kept ("Priya Raman", not "Priya")."""

from __future__ import annotations

from collections.abc import Callable

from .hosts import addresses, bare_hosts, links
from .names import channels, configured_phrases, mentions, phrases_in, sub_headings
from .needles import Needles


def find(text: str, needles: Needles, source: Callable[[int, int], str]) -> list[tuple[int, int, str]]:
    """(start, end, why) of each leak in the folded `text`, in text order, none
    overlapping. `source(start, end)` is the text as typed, for what depends on it
    (a single name word counts unless it is written all in lower case)."""
    found: list[tuple[int, int, str]] = []
    urls: list[tuple[int, int]] = []  # a host or an address inside a link is the link's
    if "://" in text:
        for start, end, why in links(text, needles):
            found.append((start, end, why))
            urls.append((start, end))
    found += bare_hosts(text, needles, urls)
    found += addresses(text, urls)
    if "@" in text:
        found += mentions(text)
    if "#" in text:
        found += channels(text)
        found += sub_headings(text, needles)
    found += phrases_in(text, needles.names, "a person's name")
    words = phrases_in(text, needles.name_words, "a person's name")
    found += ((s, e, why) for s, e, why in words if not source(s, e).islower())
    found += configured_phrases(text, needles.words, "an internal name")
    found += configured_phrases(text, needles.markers, "a part marked internal")
    return _longest(found)


def _longest(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Of overlapping matches, the one that starts first, the longest of those."""
    found.sort(key=lambda f: (f[0], f[0] - f[1]))
    out: list[tuple[int, int, str]] = []
    last_end = -1
    for start, end, why in found:
        if start >= last_end:
            out.append((start, end, why))
            last_end = end
    return out
