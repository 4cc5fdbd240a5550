"""The Atom feeds: `feed.xml` at the root of the internal site (published postmortems,
newest first) and of the public site (the public versions only), linked from every
page's head. Front-matter markup in a feed field stays text.

The sites are built once for the module from the repository's knowledge base (clock
frozen at 2026-11-21) plus an in-review, an archived, a draft and a hostile postmortem.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
from site_helpers import ROOT, assert_built, build_site, copy_kb, load_page, write_postmortem

from postmortem_kb.config import load_project
from postmortem_kb.load.corpus import load_corpus
from postmortem_kb.render.feed import MAX_ENTRIES, Entry, atom, plain_text

A = "{http://www.w3.org/2005/Atom}"
HOSTILE_ID = "2026-11-02-feed-hostile"
HOSTILE_TITLE = 'Feed <script>alert(1)</script> & "quotes" </title><x>'
HOSTILE_SUMMARY = (
    "Checkout failed. <img src=x onerror=alert(1)> <script>alert(2)</script>**Bold** words, a "
    "[link](https://tracker.example.com/X-1) and `code` <!-- hidden note -->"
)
OTHERS = {
    "2026-11-03-feed-in-review": "in-review",
    "2026-11-04-feed-archived": "archived",
    "2026-11-05-feed-draft": "draft",
}


def _when(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def _add(root: Path, pm_id: str, status: str, title: str, summary: str) -> None:
    day = int(pm_id[8:10])
    write_postmortem(
        root,
        meta={
            "id": pm_id,
            "status": status,
            "title": title,
            "started": _when(day, 9),
            "detected": _when(day, 10),
            "mitigated": _when(day, 11),
            "resolved": _when(day, 12),
            "filed": date(2026, 11, day),
        },
        sections={"Summary": summary},
    )


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_kb(tmp_path_factory.mktemp("kb"))
    shutil.copy(ROOT / "mkdocs-public.yml", root / "mkdocs-public.yml")
    _add(root, HOSTILE_ID, "published", HOSTILE_TITLE, HOSTILE_SUMMARY)
    for pm_id, status in OTHERS.items():
        _add(root, pm_id, status, f"Feed test {status}", "Nothing to see.")
    return root


@pytest.fixture(scope="module")
def site(kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("site")
    assert_built(build_site(kb, dest))
    return dest


@pytest.fixture(scope="module")
def public_site(kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os
    import subprocess
    import sys

    dest = tmp_path_factory.mktemp("public")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(kb / "mkdocs-public.yml"), "-d", str(dest)],
        cwd=kb,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert_built(run)
    return dest


def entries(feed: Path) -> list[ET.Element]:
    root = ET.fromstring(feed.read_bytes())  # parses: well-formed XML
    assert root.tag == f"{A}feed"
    return root.findall(f"{A}entry")


def text(entry: ET.Element, name: str) -> str:
    el = entry.find(f"{A}{name}")
    return "" if el is None or el.text is None else el.text


def link(entry: ET.Element) -> str:
    return entry.find(f"{A}link").get("href")


def test_the_feed_holds_the_published_postmortems_only_newest_first(kb: Path, site: Path) -> None:
    corpus = load_corpus(load_project(kb / "mkdocs.yml"))
    published = {pm.meta.id: pm for pm in corpus.postmortems if pm.meta is not None and pm.meta.status == "published"}
    assert len(published) < MAX_ENTRIES  # all of them fit: the feed must hold every one
    got = entries(site / "feed.xml")
    # Each entry links to its postmortem's page (relative to the feed at the site root).
    urls = [link(e) for e in got]
    assert sorted(urls) == sorted(f"{pm_id[:4]}/{pm_id}/" for pm_id in published)
    assert all((site / url / "index.html").is_file() for url in urls)
    titles = {text(e, "title") for e in got}
    assert not titles & {f"Feed test {s}" for s in OTHERS.values()}  # no in-review, archived or draft
    # Newest first, by the later of filing and resolution.
    updated = [datetime.fromisoformat(text(e, "updated")) for e in got]
    assert updated == sorted(updated, reverse=True)
    assert urls[0] == f"2026/{HOSTILE_ID}/"  # filed 2026-11-02, resolved 12:00: the newest
    assert updated[0] == _when(2, 12)
    # Every entry has an id, and the ids are unique.
    ids = [text(e, "id") for e in got]
    assert all(i.startswith("urn:uuid:") for i in ids) and len(set(ids)) == len(ids)
    # The authors are the postmortem's.
    first = next(e for e in got if link(e) == "2024/2024-03-14-customer-comms-outage/")
    assert [a.find(f"{A}name").text for a in first.findall(f"{A}author")] == list(
        published["2024-03-14-customer-comms-outage"].meta.authors
    )


def test_markup_in_a_title_or_summary_stays_text(site: Path) -> None:
    raw = (site / "feed.xml").read_text(encoding="utf-8")
    assert "<script" not in raw and "<img" not in raw and "<x>" not in raw
    entry = next(e for e in entries(site / "feed.xml") if link(e) == f"2026/{HOSTILE_ID}/")
    assert text(entry, "title") == HOSTILE_TITLE  # the very title, as text
    summary = entry.find(f"{A}summary")
    assert summary.get("type") == "text"  # a reader shows it as text, never as HTML
    # The Summary section in plain words: no tags, no Markdown marks, no comment.
    assert summary.text == "Checkout failed. Bold words, a link and code"


def test_markup_in_a_feed_title_is_a_finding_at_its_line(kb: Path) -> None:
    """PM109: the hostile title the feed escapes is also reported, at the tag, so the
    author learns that readers see `<script>` as characters."""
    import contextlib
    import io
    import json

    from postmortem_kb.cli import main

    path = kb / "postmortems" / "2026" / f"{HOSTILE_ID}.md"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "--config",
                str(kb / "mkdocs.yml"),
                "check",
                "--format",
                "json",
                "--today",
                "2026-11-21",
                "--select",
                "PM109",
                str(path),
            ]
        )
    found = json.loads(out.getvalue())
    line = next(
        n for n, t in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if t.startswith("title:")
    )
    assert code == 1
    assert [(f["path"], f["line"], f["rule"], f["severity"]) for f in found] == [
        (f"postmortems/2026/{HOSTILE_ID}.md", line, "feed-field-markup", "error")
    ]
    assert "an HTML tag" in found[0]["message"]


@pytest.mark.parametrize(
    "title",
    [
        "Checkout <b>failed</b> for an hour",
        "Feed <script>alert(1)</script>",
        "Login <img src=x onerror=alert(1)> broke",
        "Queue &amp; workers stalled",
        "Retries **stormed** the processor",
        "The `payments-gateway` pool ran dry",
        "See [the ticket](https://tracker.example.com/X-1)",
        "Cache *stampede* after a deploy",
        "## Checkout outage",
        "Status page <https://status.example.com> went stale",
        "Comment <!-- hidden --> in a title",
    ],
)
def test_feed_field_markup_flags_tags_and_markdown(title: str) -> None:
    from postmortem_kb.rules.feed_text import markup_in

    assert markup_in(title) is not None


@pytest.mark.parametrize(
    "title",
    [
        "Latency p99 > 2 s and error rate < 1 % for an hour",
        "OOM in the List<String> cache after a deploy",
        "user_id lookups failed in the auth_service",
        "AT&T SMS delivery delayed",
        "C# worker crashed on a 5*2 retry multiplier",
        "Ticket #4521: checkout outage",
        "Snake_case and under_scores_everywhere stayed text",
        "Orders * and refunds * both stalled",
    ],
)
def test_feed_field_markup_leaves_plain_text_alone(title: str) -> None:
    from postmortem_kb.rules.feed_text import markup_in

    assert markup_in(title) is None


def test_every_page_links_the_feed_in_its_head(site: Path) -> None:
    for url in (
        "",
        "catalog/",
        "2024/2024-03-14-customer-comms-outage/",
        "factors/retry-storm/",
        "playbook/severities/",
        "rules/",
    ):
        head = load_page(site, url).find("head")
        feeds = head.find_all("link", rel="alternate", type="application/atom+xml")
        assert len(feeds) == 1, url
        assert urljoin(f"http://kb.test/{url}", feeds[0].get("href")) == "http://kb.test/feed.xml", url


def test_the_public_site_has_a_feed_of_its_public_reports_only(kb: Path, public_site: Path) -> None:
    got = entries(public_site / "feed.xml")
    reports = sorted(p.name for p in (public_site / "incidents").iterdir() if p.is_dir())
    assert reports and sorted(link(e) for e in got) == [f"incidents/{r}/" for r in reports]
    assert HOSTILE_ID not in reports  # no customer impact: no public version, no public entry
    raw = (public_site / "feed.xml").read_text(encoding="utf-8")
    # No internal names: no entry names an author, and no author of a report is in the feed.
    assert all(e.find(f"{A}author") is None for e in got)
    corpus = load_corpus(load_project(kb / "mkdocs.yml"))
    authors = {a for pm in corpus.postmortems if pm.meta is not None and pm.meta.id in reports for a in pm.meta.authors}
    assert authors and not [a for a in authors if a in raw]
    # The summary is the public page's Summary, as its words.
    page = load_page(public_site, f"incidents/{reports[0]}/")
    first = next(e for e in got if link(e) == f"incidents/{reports[0]}/")
    words = " ".join(page.find("article").text.split())
    assert text(first, "summary")[:60] in words
    head = load_page(public_site, "").find("head")
    assert head.find("link", rel="alternate", type="application/atom+xml").get("href") == "feed.xml"


def _entry(**kw: object) -> Entry:
    return Entry(**{"key": "2026-01-01-x", "title": "X", "url": "2026/2026-01-01-x/", "updated": _when(1, 9), **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("https://kb.example.com/", "https://kb.example.com/2026/2026-01-01-x/"),
        ("https://kb.example.com/sub", "https://kb.example.com/sub/2026/2026-01-01-x/"),
        ("", "2026/2026-01-01-x/"),
        ("javascript:alert(1)//", "2026/2026-01-01-x/"),  # not http(s): links stay relative
    ],
)
def test_links_are_absolute_only_with_an_http_site_url(site_url: str, expected: str) -> None:
    doc = ET.fromstring(
        atom([_entry()], title="KB", subtitle="", site_url=site_url, namespace="t", today=date(2026, 11, 21))
    )
    assert link(doc.find(f"{A}entry")) == expected


def test_characters_xml_cannot_hold_are_dropped_not_fatal() -> None:
    doc = ET.fromstring(
        atom(
            [_entry(title="A\x0bB\x00C\ud800D\ufffe", authors=["\x01", "Ana\x08"], summary=plain_text("x\x1by"))],
            title="K\x0cB",
            subtitle="",
            site_url="",
            namespace="t",
            today=date(2026, 11, 21),
        )
    )
    entry = doc.find(f"{A}entry")
    assert text(entry, "title") == "ABCD" and text(entry, "summary") == "xy"
    assert [a.find(f"{A}name").text for a in entry.findall(f"{A}author")] == ["Ana"]


def test_an_empty_feed_is_valid_and_dated_by_the_build_clock() -> None:
    doc = ET.fromstring(atom([], title="KB", subtitle="", site_url="", namespace="t", today=date(2026, 11, 21)))
    assert doc.find(f"{A}updated").text == "2026-11-21T00:00:00+00:00" and doc.find(f"{A}entry") is None


def test_a_summary_is_short_plain_text_and_bounded() -> None:
    assert (
        plain_text("> quoted\n\n- item one\n- item *two*\n\n```\ncode\n```\n\\*not emphasis\\*")
        == "quoted item one item two code *not emphasis*"
    )
    long = plain_text("word " * 500)
    assert len(long) <= 400 and long.endswith("…")
    # An unclosed comment or a thousand brackets cost nothing noticeable: the input is cut first.
    assert plain_text("<!--" + "[" * 200_000) == ""
    assert len(plain_text("[" * 200_000)) <= 400
