"""Where MkDocs puts a page, from its source path: shared by every generated page."""

from __future__ import annotations

import functools
import posixpath
from urllib.parse import quote

# The factor categories in the order pages and filters list them; others follow, sorted.
CATEGORY_ORDER = ["technical", "detection", "response", "organisational"]


@functools.lru_cache(maxsize=65536)
def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The URL (relative to the site root) MkDocs gives a Markdown source path.

    Percent-encoded as MkDocs encodes its own (`quote`, only `/` kept), which also makes
    it safe by construction: a file named `javascript:alert(1).md` becomes
    `javascript%3Aalert%281%29/`, a path and never a scheme, and a backslash (which
    browsers read as `/`) cannot turn a path into `//host`."""
    stem, _ = posixpath.splitext(src_uri)
    if not directory_urls:
        return quote(stem + ".html")
    if posixpath.basename(stem) in ("index", "README"):
        parent = posixpath.dirname(stem)
        return quote(parent + "/") if parent else ""
    return quote(stem + "/")


@functools.lru_cache(maxsize=4096)
def base_of(src_uri: str, directory_urls: bool = True) -> str:
    """Prefix from the page's URL back to the site root."""
    url = page_url(src_uri, directory_urls)
    depth = url.count("/") if directory_urls else src_uri.count("/")
    return "../" * depth
