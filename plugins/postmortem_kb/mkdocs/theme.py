"""The theme's navigation partials are the same on every page outside the nav: ours
(render/theme) render Material's once per folder depth for postmortem pages, cached in
`pmkb_fragments` under the key `fragment_key` gives."""

from __future__ import annotations

import functools
from collections.abc import Container
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache, ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from jinja2.bccache import Bucket

THEME_OVERRIDES = Path(__file__).resolve().parent.parent / "render" / "theme"


class CompiledTemplates(BytecodeCache):
    """The theme's templates as compiled by the last build, kept in memory: MkDocs makes
    a new template environment for each build, and `mkdocs serve` compiled Material's
    templates again on every save (0.57 s of a 5.8 s rebuild at 5,000 postmortems, under
    the profiler). Jinja checks each template's source against its checksum, so an
    edited template is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def install(
    env: Environment,
    custom: str | None,
    dirs: list[str],
    published: Container[str],
    nav: set[str],
    compiled: CompiledTemplates | None = None,
) -> None:
    """Our partials in the theme's loader, and the fragment cache in its globals. An
    organisation's own custom_dir still comes first; Material's originals stay
    reachable as "theme/...". `compiled`: templates kept from the last build (serving)."""
    if compiled is not None:
        env.bytecode_cache = compiled
    theme_dirs = [d for d in dirs if d != custom]
    env.loader = ChoiceLoader(
        [
            *([FileSystemLoader(custom)] if custom else []),
            FileSystemLoader(str(THEME_OVERRIDES)),
            FileSystemLoader(theme_dirs),
            PrefixLoader({"theme": FileSystemLoader(theme_dirs)}),
        ]
    )
    env.globals["pmkb_fragments"] = {}
    env.globals["pmkb_fragment_key"] = functools.partial(fragment_key, published, nav)


def nav_folders(nav: Any) -> set[str]:
    """The top folders the nav (and the theme's assets) link into: see fragment_key."""
    folders = {"", "assets"}
    folders.update(p.url.split("/", 1)[0] for p in nav.pages)
    stack = list(nav.items)
    while stack:
        item = stack.pop()
        stack.extend(getattr(item, "children", None) or [])
        url = getattr(item, "url", None)
        if isinstance(url, str) and "://" not in url:
            folders.add(url.lstrip("/").split("/", 1)[0])
    return folders


def fragment_key(published: Container[str], nav_folders: set[str], part: str, page: Any, base_url: str) -> str:
    """The cache key of a theme partial on `page`, or "" to render it as usual.

    Only postmortem pages share it: they are never in the nav, so nothing in it is
    marked active, and its links differ only by the path back to the site root. (A
    link to a page in the same top folder would be written shorter, so a page whose
    top folder also holds a nav entry is rendered as usual.)
    """
    if page is None or page.file.src_uri not in published:
        return ""
    if page.url.split("/", 1)[0] in nav_folders:
        return ""
    return f"{part}:{base_url}"
