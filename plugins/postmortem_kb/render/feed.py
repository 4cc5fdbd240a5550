"""Atom feeds of new postmortems, for people who follow the knowledge base in a reader.

Built with feedgen (lxml underneath): every field is a text node, so a title such as
`<script>` is escaped by the XML writer, and summaries are `type="text"` (a reader shows
them as plain text, never as HTML). What comes from front matter or the body is
untrusted: characters XML cannot hold are dropped (lxml refuses them), Markdown and HTML
are reduced to their words, and nothing is ever parsed as markup.

The feed is a generated file at the site root (`feed.xml`), written by the same core for
`pmkb build`, `mkdocs build` and `mkdocs serve`; the public site has its own, of the
public versions only.
"""

from __future__ import annotations

import html.parser
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from feedgen.feed import FeedGenerator

from ..model import Postmortem

FEED = "feed.xml"
MAX_ENTRIES = 50  # a feed says what is new; the catalog holds the rest
MAX_SUMMARY = 400  # characters of plain text in an entry's summary
_READ_AT_MOST = 4000  # characters of a section read to make a summary (bounds the regexes)

# XML 1.0 cannot hold these (lxml raises on them): C0 controls but tab/newline/return,
# lone surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FENCE = re.compile(r"^\s{0,3}(?:```|~~~).*$", re.M)
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]\n]{0,300})\](?:\([^)\n]{0,500}\)|\[[^\]\n]{0,100}\])")
_LINE_MARKER = re.compile(r"^[ \t]{0,3}(?:(?:>[ \t]?)+|[-*+][ \t]+|\d{1,9}[.)][ \t]+|#{1,6}[ \t]+)", re.M)
_EMPHASIS = re.compile(r"\*\*|__|~~|[*`]")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SPACE = re.compile(r"\s+")


def xml_text(value: object) -> str:
    """`value` as a string XML can hold."""
    return _NOT_XML.sub("", str(value))


class _Words(html.parser.HTMLParser):
    """The text of a fragment: tags dropped, entities decoded, script and style skipped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def plain_text(markdown: str, limit: int = MAX_SUMMARY) -> str:
    """A section's Markdown as one line of plain text of at most `limit` characters.

    The input is cut first, so every pattern runs on a few KB at most."""
    from ..rules.public import remove_comments  # linear even when a comment never closes

    text = remove_comments(markdown[:_READ_AT_MOST]).split("<!--", 1)[0]  # an unclosed one hides the rest
    words = _Words()
    words.feed(text)
    words.close()
    text = "".join(words.parts)
    text = _FENCE.sub(" ", text)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _LINE_MARKER.sub("", text)
    # Emphasis marks go, but not an escaped one (`\*` is a star): split at the escapes.
    parts = _ESCAPE.split(text)  # text, escaped character, text, …
    text = "".join(part if i % 2 else _EMPHASIS.sub("", part) for i, part in enumerate(parts))
    text = xml_text(_SPACE.sub(" ", text).strip())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:.") + "…"


@dataclass
class Entry:
    """One postmortem as a feed shows it."""

    key: str  # stable: the entry's id is derived from it
    title: str
    url: str  # relative to the site root (the feed's folder)
    updated: datetime
    summary: str = ""
    authors: list[str] = field(default_factory=list)


def updated_at(pm: Postmortem) -> datetime:
    """When the postmortem was last changed in a way a follower cares about: the later of
    its filing and the incident's resolution (a filing date is taken at 00:00 UTC)."""
    m = pm.meta
    filed = m.filed if isinstance(m.filed, datetime) else datetime.combine(m.filed, time(0), tzinfo=UTC)
    return max(filed, m.resolved)


def summary_of(pm: Postmortem, root: str) -> str:
    """The plain text of the postmortem's Summary section ("" without one).

    A full site build keeps no postmortem's text in memory, so the file is read again
    here (inside the repository, size-bounded, as the loader reads it) for the few
    postmortems a feed shows; only its body's headings are scanned, not its YAML
    (0.17 ms a file against 2 ms for the whole loader)."""
    lines, sections = pm.lines, pm.sections
    if not lines:
        from ..load import frontmatter
        from ..load.files import read_file
        from ..load.sections import scan

        raw, _ = read_file(pm.abs_path, root)
        text = frontmatter.decode(raw)[0] if raw is not None else None
        if text is None:
            return ""
        sp = frontmatter.split(text)
        lines, (sections, _, _) = sp.lines, scan(sp.lines, sp.body_start, suppressions=False)
    section = next((s for s in sections if s.key == "summary"), None)
    if section is None:
        return ""
    return plain_text("\n".join(lines[section.line : section.end_line]))


def newest(entries: Iterable[Entry]) -> list[Entry]:
    """Newest first (ties by key, so two builds write the same bytes), at most MAX_ENTRIES."""
    return sorted(entries, key=lambda e: (e.updated, e.key), reverse=True)[:MAX_ENTRIES]


def absolute(site_url: str, url: str) -> str:
    """`url` under the site's address when it is an http(s) URL, else as it is (relative
    to the feed, which sits at the site root)."""
    from .env import http_url

    base = http_url(site_url)
    return f"{base.rstrip('/')}/{url}" if base else url


def atom(entries: list[Entry], *, title: str, subtitle: str, site_url: str, namespace: str, today: date) -> bytes:
    """The Atom document. Ids are `urn:uuid:` names of `namespace` and each entry's key:
    they do not change when the site moves or gets a `site_url`."""
    fg = FeedGenerator()
    fg.id(_urn(namespace, "feed"))
    fg.title(xml_text(title) or "Postmortems")
    fg.subtitle(xml_text(subtitle))
    fg.author({"name": xml_text(title) or "Postmortems"})  # Atom wants one; entries may name none
    fg.link(href=absolute(site_url, FEED), rel="self", type="application/atom+xml")
    fg.link(href=absolute(site_url, "") or "./", rel="alternate", type="text/html")
    # Never feedgen's default (the clock): two builds of the same files write the same bytes.
    fg.updated(entries[0].updated if entries else datetime.combine(today, time(0), tzinfo=UTC))
    for e in entries:
        fe = fg.add_entry(order="append")
        fe.id(_urn(namespace, e.key))
        fe.title(xml_text(e.title) or e.key)
        fe.link(href=absolute(site_url, e.url), rel="alternate", type="text/html")
        fe.updated(e.updated)
        if e.summary:
            fe.summary(e.summary, type="text")
        for name in e.authors:
            if xml_text(name).strip():
                fe.author({"name": xml_text(name)})
    return fg.atom_str(pretty=True, encoding="utf-8", xml_declaration=True)


def _urn(namespace: str, key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"postmortem-kb:{namespace}:{key}").urn


def postmortem_feed(
    pms: Iterable[Postmortem], url_of: dict[str, str], *, root: str, site_name: str, site_url: str, today: date
) -> bytes:
    """The internal site's feed: published postmortems, newest first.

    Not drafts, not those in review (not agreed yet), and not archived ones: those are
    imported history, and a feed that announced them on import would bury the new ones.
    `url_of`: each postmortem's page URL, relative to the site root."""
    by_id: dict[str, Postmortem] = {}
    for pm in pms:  # one entry per id (a duplicate id is a finding; its page is the first's)
        if pm.meta.status == "published" and pm.meta.id in url_of:
            by_id.setdefault(pm.meta.id, pm)
    chosen = newest(Entry(key=i, title=pm.meta.title, url=url_of[i], updated=updated_at(pm)) for i, pm in by_id.items())
    for e in chosen:  # only the entries shown are read again for their summary
        pm = by_id[e.key]
        e.summary = summary_of(pm, root)
        e.authors = list(pm.meta.authors)
    return atom(
        chosen,
        title=site_name,
        subtitle="Published postmortems, newest first",
        site_url=site_url,
        namespace="postmortem",
        today=today,
    )


def public_feed(reports: Iterable[tuple[Postmortem, str, str]], *, site_name: str, site_url: str, today: date) -> bytes:
    """The public site's feed: (postmortem, page URL, the public page's summary text) of
    each public report. Only what the public page shows: its title, its Summary, no
    authors or other internal names."""
    chosen = newest(
        Entry(key=pm.meta.id, title=pm.meta.title, url=url, updated=updated_at(pm), summary=plain_text(summary))
        for pm, url, summary in reports
    )
    return atom(
        chosen,
        title=site_name,
        subtitle="Incident reports, newest first",
        site_url=site_url,
        namespace="public-report",
        today=today,
    )
