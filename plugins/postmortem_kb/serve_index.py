"""What `mkdocs serve --dirty` would lose between rebuilds: the search index and deletions.

A dirty rebuild converts only the pages that changed, and Material's search plugin
indexes only the pages converted in that pass: after one save, search knew ten
postmortems of twenty-four. A deleted postmortem's page stayed on the server. These
helpers keep the index whole and drop the pages that are gone; MkDocs-free, pure.
"""

from __future__ import annotations

from typing import Any


def page_of(location: str) -> str:
    """The page URL of a search entry (`2024/x/#timeline` → `2024/x/`)."""
    return location.split("#", 1)[0]


def merge_index(previous: list[dict[str, Any]], fresh: list[dict[str, Any]], pages: set[str]) -> list[dict[str, Any]]:
    """The whole index after a pass: `fresh` holds the entries of the pages converted in
    it; the entries of `previous` stay for pages that still exist and were not converted."""
    pages = {"" if p == "./" else p for p in pages}  # the home page's file URL; its page URL is ""
    converted = {page_of(str(d.get("location", ""))) for d in fresh}
    kept = [d for d in previous if (p := page_of(str(d.get("location", "")))) in pages and p not in converted]
    # One entry per location, the latest: across serve's rebuilds Material's index can
    # hold a re-converted page twice.
    latest = {str(d.get("location", "")): d for d in kept + fresh}
    return list(latest.values())
