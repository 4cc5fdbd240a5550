"""`pmkb import`: legacy free-form postmortems (tests/legacy/, one per common style) brought
into the knowledge base. Front matter from what the text says, TODO for the rest, every
original line kept, nothing overwritten, bad sources reported while the rest import, and
the result checks and builds.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import KB, ROOT
from site_helpers import assert_built, build_site, copy_kb

from postmortem_kb.importer import Options, convert
from postmortem_kb.load.schema import FrontMatter

LEGACY = ROOT / "tests" / "legacy"
GOOD = sorted(LEGACY.glob("*.md"))
BAD = LEGACY / "bad"
FACTOR_IDS = frozenset(
    f["id"] for f in yaml.safe_load((ROOT / "postmortems" / "factors.yml").read_text(encoding="utf-8"))["factors"]
)
STANDARD = [
    "Summary",
    "Impact",
    "Timeline",
    "Contributing factors",
    "What went well",
    "Where we got lucky",
    "Action items",
    "Lessons learned",
]
UTC = UTC
LINE = re.compile(r"^(imported|would import) (\S+) -> (\S+) \((\d+) TODOs?\)$|^skipped (\S+): (.+)$")


def tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


def _new_kb(root: Path) -> KB:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", root / "templates", ignore=shutil.ignore_patterns("site"))
    (root / "postmortems").mkdir()
    shutil.copy(ROOT / "postmortems" / "factors.yml", root / "postmortems" / "factors.yml")
    return KB(root)


def split(path: Path) -> tuple[dict[str, Any], str, str]:
    """(front matter data, front matter text, body) of a written postmortem."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), text[:80]
    end = text.index("\n---\n", 4)
    fm = text[4:end]
    return yaml.safe_load(fm), fm, text[end + 5 :]


def fm_line(fm: str, key: str) -> str:
    return next(line for line in fm.splitlines() if line.startswith(f"{key}:"))


def report(out: str) -> dict[str, tuple[str, ...]]:
    """{source name: (kind, dest or reason, todos)} from the per-source report lines."""
    lines = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m and m.group(1):
            lines[Path(m.group(2)).name] = (m.group(1), m.group(3), m.group(4))
        elif m:
            lines[Path(m.group(5)).name] = ("skipped", m.group(6))
    return lines


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[KB, int, str]:
    """The whole legacy folder (bad files included) imported once into a fresh knowledge base."""
    kb = _new_kb(tmp_path_factory.mktemp("import") / "kb")
    code, out = kb.run("import", str(LEGACY))
    return kb, code, out


@pytest.fixture(scope="module")
def imported_drafts(tmp_path_factory: pytest.TempPathFactory) -> tuple[KB, int, str]:
    """The same, imported as drafts to be brought up to the template: checked in full."""
    kb = _new_kb(tmp_path_factory.mktemp("import-drafts") / "kb")
    code, out = kb.run("import", "--status", "draft", str(LEGACY))
    return kb, code, out


def pm(kb: KB, relpath: str) -> Path:
    path = kb / "postmortems" / relpath
    assert path.is_file(), (
        f"{relpath} was not written; have "
        f"{sorted(p.relative_to(kb / 'postmortems').as_posix() for p in (kb / 'postmortems').rglob('*.md'))}"
    )
    return path


# ---- the report --------------------------------------------------------------------------


def test_every_source_gets_one_report_line_and_bad_ones_do_not_stop_the_rest(imported):
    kb, code, out = imported
    lines = report(out)
    assert code == 1  # two sources failed
    for src in GOOD:
        kind, dest, todos = lines[src.name]
        assert kind == "imported"
        assert (kb.root / dest).is_file()
        assert int(todos) > 0
    assert lines["2019-06-01-empty.md"] == ("skipped", "empty")
    assert lines["2019-08-12-export-from-wiki.html"][1].startswith("not Markdown")
    assert len([line for line in out.splitlines() if LINE.match(line)]) == len(GOOD) + 2
    assert "9 imported, 0 already there, 2 failed" in out


def test_the_todo_count_is_the_number_of_todos_written(imported):
    kb, _, out = imported
    for _, dest, todos in (v for v in report(out).values() if v[0] == "imported"):
        text = (kb.root / dest).read_text(encoding="utf-8")
        # every TODO note is one TODO marker the importer wrote (the originals have none)
        assert text.count("TODO") >= int(todos) > 0, dest


def test_files_land_in_year_folders_named_by_date_and_slug(imported):
    kb, _, _ = imported
    written = sorted(p.relative_to(kb / "postmortems").as_posix() for p in (kb / "postmortems").rglob("*.md"))
    assert written == [
        "2017/2017-12-05-billing-export-duplicates.md",
        "2018/2018-11-02-search-index-stale.md",
        "2019/2019-03-14-cart-api-chain-expiry.md",
        "2020/2020-01-08-cdn-purge-storm.md",
        "2020/2020-07-21-gateway-latency-five-whys.md",
        "2021/2021-02-09-login-session-store.md",
        "2022/2022-05-17-order-queue-backlog.md",
        "2023/2023-09-30-dns-resolver-crlf.md",
        "undated/replica-lag-read-errors.md",
    ]
    for path in (kb / "postmortems").rglob("*.md"):
        meta, _, _ = split(path)
        assert meta["id"] == path.stem
        assert meta["status"] == "archived"  # history: held to format and safety only
        assert meta["template"] == "standard"


# ---- nothing is lost ----------------------------------------------------------------------


@pytest.mark.parametrize("src", GOOD, ids=lambda p: p.name)
def test_every_non_blank_line_of_the_original_is_in_the_output(imported, src):
    kb, _, out = imported
    dest = kb.root / report(out)[src.name][1]
    output_lines = set(dest.read_text(encoding="utf-8").split("\n"))
    original = re.split(r"\r\n|\r|\n", src.read_bytes().decode("utf-8"))
    missing = [line for line in original if line.strip() and line not in output_lines]
    assert missing == []


@pytest.mark.parametrize("src", GOOD, ids=lambda p: p.name)
def test_the_body_has_every_template_section_in_order_then_the_extras(imported, src):
    kb, _, out = imported
    _, _, body = split(kb.root / report(out)[src.name][1])
    visible = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    headings = re.findall(r"^## (.+)$", visible, flags=re.M)
    assert headings[: len(STANDARD)] == STANDARD
    assert not set(headings[len(STANDARD) :]) & set(STANDARD)


@pytest.mark.parametrize("src", [p for p in GOOD if "replica" not in p.name], ids=lambda p: p.name)
def test_front_matter_is_valid_for_the_schema_wherever_the_original_gave_a_date(imported, src):
    kb, _, out = imported
    meta, fm, _ = split(kb.root / report(out)[src.name][1])
    FrontMatter.model_validate(meta)
    for key in ("started", "detected", "mitigated", "resolved"):
        if key in meta:
            assert meta[key].tzinfo is not None
            if "confirm time zone" in fm_line(fm, key):
                assert meta[key].utcoffset() == timedelta(0)


# ---- per style ------------------------------------------------------------------------------


def test_google_sre_style_table_timeline_root_causes_and_action_table(imported):
    kb, _, _ = imported
    meta, fm, body = split(pm(kb, "2019/2019-03-14-cart-api-chain-expiry.md"))
    assert meta["title"] == "Cart API unavailable after an intermediate certificate expired"
    assert meta["severity"] == "SEV1"  # "SEV-1"
    assert meta["authors"] == ["Ines Duarte", "Kwame Mensah"]
    # "All times UTC." then a | Time | Event | table
    assert meta["started"] == datetime(2019, 3, 14, 14, 0, tzinfo=UTC)
    assert meta["detected"] == datetime(2019, 3, 14, 14, 4, tzinfo=UTC)  # "probe alert pages"
    assert meta["mitigated"] == datetime(2019, 3, 14, 14, 47, tzinfo=UTC)
    assert meta["resolved"] == datetime(2019, 3, 14, 15, 30, tzinfo=UTC)
    assert "confirm time zone" not in fm
    assert meta["trigger"] == "The intermediate certificate's validity period ended at 14:00."
    factors = [f["factor"] for f in meta["contributing_factors"]]
    assert factors[:2] == ["expiring-certificate", "mitigation-needs-other-team"]
    assert "knowledge-gap" in factors  # "the renewal runbook never mentioned…" (under What went wrong)
    # a bullet naming two factors is not clear: todo, with both offered
    assert "todo" in factors
    assert "candidates: expiring-certificate, alerting-gap" in fm
    actions = meta["actions"]
    assert [a["owner"] for a in actions] == ["Kwame Mensah", "edge team", "Ines Duarte", "Ines Duarte"]
    assert [a["kind"] for a in actions] == ["detect", "prevent", "mitigate", "process"]
    assert [a["status"] for a in actions] == ["open", "open", "open", "done"]
    assert actions[3]["summary"] == "Add the cart API to the weekly certificate report"
    assert actions[0]["tracker"] == "https://bugs.example.com/EDGE-311"
    assert all("due" not in a for a in actions)
    visible = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    # "### What went well" under "Lessons Learned" becomes the template's own section
    assert (
        "The synthetic probe caught the failure"
        in visible.split("## What went well")[1].split("## Where we got lucky")[0]
    )
    assert re.findall(r"^## (.+)$", visible, flags=re.M)[len(STANDARD) :] == [
        "Resolution",
        "Detection",
        "Supporting information",
    ]


def test_wiki_style_labels_and_bullets(imported):
    kb, _, _ = imported
    meta, fm, body = split(pm(kb, "2018/2018-11-02-search-index-stale.md"))
    assert meta["title"] == "Search results stale after reindex hang"
    assert meta["authors"] == ["dana.k"]  # "Owner: @dana.k"
    assert meta["services"] == ["search-indexer", "storefront-search"]
    # no time zone anywhere: UTC, and a TODO on each timestamp
    assert meta["started"] == datetime(2018, 11, 2, 1, 0, tzinfo=UTC)
    assert meta["detected"] == datetime(2018, 11, 2, 7, 15, tzinfo=UTC)  # "support forwards customer reports"
    assert meta["resolved"] == datetime(2018, 11, 2, 8, 30, tzinfo=UTC)  # "all clear"
    assert "mitigated" not in meta
    for key in ("started", "detected", "resolved"):
        assert "# TODO: confirm time zone" in fm_line(fm, key)
    assert meta["severity"] == "TODO"
    assert meta["actions"] == [
        {"summary": "add a lock timeout to the reindex job", "owner": "dana.k", "status": "done"},
        {
            "summary": "alert when the index is more than 2 hours old",
            "owner": "Omar",
            "due": date(2018, 11, 30),
            "status": "open",
        },
        {"summary": "put batch jobs on the shared schedule calendar", "status": "open"},
    ]
    assert [f["factor"] for f in meta["contributing_factors"]] == ["todo", "alerting-gap", "todo"]
    summary = body.split("## Summary")[1].split("## Impact")[0]
    assert "What happened: the nightly reindex hung" in summary


def test_five_whys_with_setext_headings_and_pacific_time(imported):
    kb, _, body = imported
    meta, fm, body = split(pm(kb, "2020/2020-07-21-gateway-latency-five-whys.md"))
    assert meta["title"] == "API gateway latency spike"  # "Incident review:" dropped
    assert meta["severity"] == "SEV2"  # "Sev 2"
    assert meta["authors"] == ["Priya Natarajan", "Leo Brandt"]
    # "All times Pacific (PT)." in July: daylight time
    assert meta["started"] == datetime(2020, 7, 21, 10, 5, tzinfo=tz(-7))
    assert meta["detected"] == datetime(2020, 7, 21, 10, 12, tzinfo=tz(-7))
    assert meta["mitigated"] == datetime(2020, 7, 21, 10, 58, tzinfo=tz(-7))
    assert meta["resolved"] == datetime(2020, 7, 21, 11, 20, tzinfo=tz(-7))
    assert fm_line(fm, "started").startswith("started: 2020-07-21T10:05:00-07:00")
    assert [f["factor"] for f in meta["contributing_factors"]] == ["config-change", "no-fast-rollback"]
    assert meta["actions"] == [
        {
            "summary": "Split staging and production config into separate files",
            "owner": "Leo Brandt",
            "due": date(2020, 8, 15),
            "status": "open",
        },
        {
            "summary": "Add a one-step revert to the config push tool",
            "owner": "platform team",
            "due": date(2020, 9, 30),
            "status": "open",
        },
        {"summary": "Alert on auth connection pool saturation", "status": "done"},
    ]
    factors_section = body.split("## Contributing factors")[1].split("## What went well")[0]
    assert "The 5 Whys\n----------" in factors_section  # the original heading, in a comment
    assert "1. Why did latency spike?" in factors_section


def test_stats_block_gives_the_times(imported):
    kb, _, _ = imported
    meta, _, body = split(pm(kb, "2021/2021-02-09-login-session-store.md"))
    cet = tz(1)
    assert meta["started"] == datetime(2021, 2, 9, 16, 20, tzinfo=cet)  # "Start time: 2021-02-09 16:20 CET"
    assert meta["detected"] == datetime(2021, 2, 9, 16, 24, tzinfo=cet)  # + "Time to detection: 4 minutes"
    assert meta["mitigated"] == datetime(2021, 2, 9, 16, 58, tzinfo=cet)  # + 38 minutes
    assert meta["resolved"] == datetime(2021, 2, 9, 18, 15, tzinfo=cet)  # + 1 hour 55 minutes
    assert meta["severity"] == "SEV2"
    assert meta["teams"] == ["identity"]
    assert meta["title"] == "Login outage"
    assert meta["customer_impact"] is True  # "Customers could not log in", to confirm
    assert [f["factor"] for f in meta["contributing_factors"]] == ["capacity-saturation", "retry-storm"]
    assert [(a.get("owner"), a["status"]) for a in meta["actions"]] == [
        (None, "done"),
        ("Mobile team", "open"),
        (None, "in-progress"),
    ]
    visible = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    assert re.findall(r"^## (.+)$", visible, flags=re.M)[len(STANDARD) :] == ["Stats", "Attendees"]
    assert "- Time to detection: 4 minutes" in visible.split("## Stats")[1]


def test_emoji_headings_and_checkboxes(imported):
    kb, _, _ = imported
    meta, _, body = split(pm(kb, "2022/2022-05-17-order-queue-backlog.md"))
    assert meta["title"] == "Order events backed up in the queue"
    pdt = tz(-7)  # "all times are PT", in May
    assert meta["started"] == datetime(2022, 5, 17, 9, 12, tzinfo=pdt)
    assert meta["detected"] == datetime(2022, 5, 17, 9, 51, tzinfo=pdt)  # not "no alert yet"
    assert meta["mitigated"] == datetime(2022, 5, 17, 10, 5, tzinfo=pdt)
    assert meta["resolved"] == datetime(2022, 5, 17, 10, 40, tzinfo=pdt)
    assert meta["authors"] == ["TODO"]
    assert [(a["summary"], a.get("owner"), a.get("due"), a["status"]) for a in meta["actions"]] == [
        ("Roll back and pin the consumer to v4.17", "Marta Kowalska", None, "done"),
        ("Add an alert on queue depth above 50k", "jonas", None, "done"),
        ("Load-test consumer changes against production-sized queues", None, date(2022, 6, 30), "open"),
        ("Split acknowledgement from the downstream call", "jonas", None, "in-progress"),
    ]
    assert [f["factor"] for f in meta["contributing_factors"]] == ["software-defect", "alerting-gap"]
    assert "## 💡 Learnings" in body.split("## Lessons learned")[1]


def test_no_dates_anywhere_leaves_the_times_todo_and_files_it_as_undated(imported):
    kb, _, _ = imported
    path = pm(kb, "undated/replica-lag-read-errors.md")
    meta, fm, _ = split(path)
    assert meta["id"] == "replica-lag-read-errors"
    for key in ("started", "detected", "resolved", "filed"):
        assert meta[key] == "TODO"
        assert "# TODO" in fm_line(fm, key)
    assert "14:05" in fm_line(fm, "started")  # the timeline's time, as a hint
    # check says exactly which fields need a value
    found = [f for f in kb.findings(str(path)) if f["rule"] == "schema"]
    assert {f["message"].split("`")[1].split(".")[0] for f in found} == {"started", "detected", "resolved", "filed"}
    assert [f["factor"] for f in meta["contributing_factors"]] == ["single-point-of-failure", "alerting-gap"]


def test_crlf_line_endings_and_a_dated_timeline_across_midnight(imported):
    kb, _, _ = imported
    src = LEGACY / "2023-09-30-dns-resolver-crlf.md"
    assert b"\r\n" in src.read_bytes()  # the corpus file really has CRLF endings
    path = pm(kb, "2023/2023-09-30-dns-resolver-crlf.md")
    assert b"\r" not in path.read_bytes()
    meta, fm, _ = split(path)
    assert meta["severity"] == "SEV2"  # from a | Severity | SEV2 | table
    assert meta["authors"] == ["Noor Haddad"]
    assert meta["services"] == ["internal-dns", "payments-api", "catalog-api"]
    assert meta["started"] == datetime(2023, 9, 30, 23, 48, tzinfo=UTC)  # "## Timeline (UTC)"
    assert meta["mitigated"] == datetime(2023, 10, 1, 0, 20, tzinfo=UTC)
    assert meta["resolved"] == datetime(2023, 10, 1, 1, 5, tzinfo=UTC)
    assert "confirm time zone" not in fm
    assert [f["factor"] for f in meta["contributing_factors"]] == ["dns", "deploy-pipeline"]
    assert [(a["status"], a.get("due")) for a in meta["actions"]] == [("open", date(2023, 11, 15)), ("done", None)]


def test_bold_text_headings(imported):
    kb, _, _ = imported
    meta, fm, body = split(pm(kb, "2017/2017-12-05-billing-export-duplicates.md"))
    assert meta["title"] == "Billing export sent duplicate invoices"
    assert meta["authors"] == ["Hannah Weiss"]  # "**Prepared by:**"
    assert meta["severity"] == "SEV3"
    assert meta["started"] == datetime(2017, 12, 5, 14, 0, tzinfo=UTC)
    assert meta["detected"] == datetime(2017, 12, 5, 16, 45, tzinfo=UTC)  # "finance notices"
    assert meta["mitigated"] == datetime(2017, 12, 5, 17, 30, tzinfo=UTC)
    # no "resolved" in the text: the last time it gives, marked TODO
    assert meta["resolved"] == datetime(2017, 12, 5, 17, 30, tzinfo=UTC)
    assert "TODO: when it was resolved" in fm_line(fm, "resolved")
    assert [f["factor"] for f in meta["contributing_factors"]] == ["data-migration"]
    assert [(a.get("owner"), a["status"]) for a in meta["actions"]] == [
        ("Hannah Weiss", "done"),
        ("DBA team", "open"),
        (None, "open"),
    ]
    assert "**Root cause**" in body.split("## Contributing factors")[1]  # the original heading, kept
    assert "A job that can be retried" in body.split("## Lessons learned")[1]  # "**What we learned**"


def test_existing_front_matter_is_read_and_kept(imported):
    kb, _, _ = imported
    meta, _, body = split(pm(kb, "2020/2020-01-08-cdn-purge-storm.md"))
    assert meta["title"] == "CDN purge storm takes down the image service"
    assert meta["authors"] == ["Tomasz Wilk"]
    assert meta["tags"] == ["postmortem", "cdn"]
    assert "layout: post" in body  # inside the comment that keeps the original front matter
    assert meta["actions"][0] == {
        "summary": "Make the purge tool default to a path purge",
        "owner": "tomasz",
        "status": "done",
        "tracker": "https://tracker.example.com/CDN-42",
    }
    assert meta["actions"][1]["due"] == date(2020, 3, 1)


def test_missing_sections_get_a_todo_comment_that_check_reports_as_empty(imported_drafts):
    kb, _, _ = imported_drafts
    path = pm(kb, "2018/2018-11-02-search-index-stale.md")
    _, _, body = split(path)
    for title in ("What went well", "Where we got lucky", "Lessons learned"):
        assert body.split(f"## {title}\n")[1].lstrip().startswith("<!-- TODO (pmkb import)")
    empty = {f["message"] for f in kb.findings(str(path)) if f["rule"] == "empty-section"}
    assert empty == {f"section `## {t}` is empty" for t in ("What went well", "Where we got lucky", "Lessons learned")}


# ---- the imported knowledge base ------------------------------------------------------------


def test_imported_history_passes_the_gate_but_for_its_format(imported):
    """Archived (the default): old deadlines, sections and wording fail nothing; only a
    file whose original gave no date fails, on its fields."""
    kb, _, _ = imported
    found = kb.findings(today="2026-11-21")
    assert {f["rule"] for f in found} == {"schema"}
    assert {f["path"] for f in found} == {"postmortems/undated/replica-lag-read-errors.md"}


def test_check_runs_over_the_imported_knowledge_base_and_lists_the_todos(imported_drafts):
    kb, _, _ = imported_drafts
    found = kb.findings(today="2026-11-21")
    rules = {f["rule"] for f in found}
    assert {"unknown-factor", "unknown-severity", "empty-section", "schema", "action-missing-due"} <= rules
    assert not rules & {"yaml-syntax", "front-matter", "missing-section", "duplicate-id", "encoding"}
    todo_factors = [f for f in found if f["rule"] == "unknown-factor"]
    assert all("`todo`" in f["message"] for f in todo_factors)
    # the schema only objects where the original gave no date
    assert {f["path"] for f in found if f["rule"] == "schema"} == {"postmortems/undated/replica-lag-read-errors.md"}


def test_the_imported_knowledge_base_builds_with_mkdocs(tmp_path):
    root = copy_kb(tmp_path)
    kb = KB(root)
    code, out = kb.run("import", *map(str, GOOD))
    assert code == 0, out
    published = []
    for path in (root / "postmortems").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if "# Imported by `pmkb import`" in text and "/undated/" not in path.as_posix():
            assert "status: archived " in text  # archived pages are published as they are
            published.append(path)
    assert len(published) == len(GOOD) - 1
    result = build_site(root, tmp_path / "site")
    assert_built(result)
    for path in published:
        page = tmp_path / "site" / path.parent.name / path.stem / "index.html"
        assert page.is_file(), page
        html = page.read_text(encoding="utf-8")
        assert "heading in the original" not in re.sub(r"<!--.*?-->", "", html, flags=re.S)


# ---- never overwrite; dry run; bad input -------------------------------------------------------


def test_a_second_import_overwrites_nothing(kb):
    code, _ = kb.run("import", *map(str, GOOD))
    assert code == 0
    written = {p: p.read_bytes() for p in (kb / "postmortems").rglob("*.md")}
    target = kb / "postmortems" / "2018" / "2018-11-02-search-index-stale.md"
    target.write_text("edited by a person\n", encoding="utf-8")
    written[target] = target.read_bytes()
    code, out = kb.run("import", *map(str, GOOD))
    assert code == 0  # skipped as existing is not a failure
    lines = report(out)
    assert all(v[0] == "skipped" and v[1].endswith(" exists") for v in lines.values()), out
    assert lines["2018-11-02-search-index-stale.md"] == (
        "skipped",
        "postmortems/2018/2018-11-02-search-index-stale.md exists",
    )
    assert {p: p.read_bytes() for p in (kb / "postmortems").rglob("*.md")} == written
    assert "0 imported, 9 already there, 0 failed" in out


def test_two_sources_with_one_destination_keep_the_first(kb, tmp_path):
    a = tmp_path / "a" / "2020-01-01-same.md"
    b = tmp_path / "b" / "2020-01-01-same.md"
    for path, word in ((a, "first"), (b, "second")):
        path.parent.mkdir()
        path.write_text(f"# Same\n\nThe {word} one.\n", encoding="utf-8")
    code, out = kb.run("import", str(a), str(b))
    assert code == 0
    assert out.splitlines()[:2] == [
        f"imported {a} -> postmortems/2020/2020-01-01-same.md ({out.split('(')[1].split(')')[0]})",
        f"skipped {b}: postmortems/2020/2020-01-01-same.md exists",
    ]
    assert "The first one." in (kb / "postmortems" / "2020" / "2020-01-01-same.md").read_text(encoding="utf-8")


def test_dry_run_writes_nothing(kb):
    before = sorted(p for p in (kb / "postmortems").rglob("*"))
    code, out = kb.run("import", str(LEGACY), "--dry-run")
    assert code == 1  # the bad sources still fail
    assert sorted(p for p in (kb / "postmortems").rglob("*")) == before
    lines = report(out)
    assert lines["2019-03-14-cart-api-chain-expiry.md"][:2] == (
        "would import",
        "postmortems/2019/2019-03-14-cart-api-chain-expiry.md",
    )
    assert "(dry run: nothing written)" in out


def test_bad_sources_are_reported_and_the_others_imported(kb, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(LEGACY / "2018-11-02-search-index-stale.md", src)
    (src / "2020-02-02-binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (src / "2020-02-03-html.md").write_text("<!DOCTYPE html>\n<html><body>x</body></html>\n", encoding="utf-8")
    (src / "2020-02-04-blank.md").write_text("  \n\n\t\n", encoding="utf-8")
    (src / "diagram.png").write_bytes(b"\x89PNG")
    os.symlink(src / "nowhere.md", src / "2020-02-05-broken-link.md")
    code, out = kb.run("import", str(src), str(tmp_path / "missing.md"), str(BAD / "2019-06-01-empty.md"))
    assert code == 1
    lines = report(out)
    assert lines["2018-11-02-search-index-stale.md"][0] == "imported"
    assert lines["2020-02-02-binary.md"] == ("skipped", "not Markdown (binary content)")
    assert lines["2020-02-03-html.md"] == ("skipped", "not Markdown (HTML)")
    assert lines["2020-02-04-blank.md"] == ("skipped", "empty")
    assert lines["diagram.png"] == ("skipped", "not Markdown (.png file)")
    assert lines["2020-02-05-broken-link.md"] == ("skipped", "unreadable (a broken link)")
    assert lines["missing.md"] == ("skipped", "unreadable (no such file or folder)")
    assert lines["2019-06-01-empty.md"] == ("skipped", "empty")
    assert sorted(p.name for p in (kb / "postmortems").rglob("*.md")) == ["2018-11-02-search-index-stale.md"]


def test_a_postmortem_already_in_our_format_is_not_imported_again(kb):
    path = kb.write()
    code, out = kb.run("import", str(path), "--into", str(kb / "elsewhere"))
    assert code == 1
    assert "already a postmortem-kb postmortem" in out
    assert not (kb / "elsewhere").exists()


def test_windows_1252_text_is_read(kb, tmp_path):
    src = tmp_path / "2015-05-05-latin.md"
    src.write_bytes(
        "# Caf\xe9 menu outage\n\nThe caf\xe9 menu service returned 500s \u2013 for an hour.\n".encode("cp1252")
    )
    code, out = kb.run("import", str(src))
    assert code == 0, out
    meta, _, body = split(kb / "postmortems" / "2015" / "2015-05-05-cafe-menu-outage.md")
    assert meta["title"] == "Café menu outage"
    assert "The café menu service returned 500s – for an hour." in body


def test_into_and_template_options(kb, tmp_path):
    code, out = kb.run(
        "import",
        str(LEGACY / "2021-02-09-login-session-store.md"),
        "--into",
        str(tmp_path / "out"),
        "--template",
        "lightweight",
    )
    assert code == 0, out
    meta, _, body = split(tmp_path / "out" / "2021" / "2021-02-09-login-session-store.md")
    assert meta["template"] == "lightweight"
    visible = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    assert re.findall(r"^## (.+)$", visible, flags=re.M) == [
        "Summary",
        "Timeline",
        "Contributing factors",
        "Action items",
        "Stats",
        "Attendees",
    ]


def test_usage_errors_exit_2(kb, tmp_path):
    assert kb.run("import", str(GOOD[0]), "--template", "nope")[0] == 2
    assert "no template 'nope'" in kb.stderr
    assert kb.run("import")[0] == 2
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    assert kb.run("import", str(GOOD[0]), "--into", str(afile))[0] == 2
    assert not list((kb / "postmortems").rglob("*.md"))


# ---- the pure conversion ------------------------------------------------------------------------


def conv(text: str, name: str = "2024-03-10-x.md") -> tuple[dict[str, Any], str, str]:
    r = convert(text, name, Options(factor_ids=FACTOR_IDS))
    return r.meta, "\n".join(r.front_matter), r.body


def test_conversion_is_deterministic():
    text = GOOD[0].read_text(encoding="utf-8")
    assert convert(text, GOOD[0].name).text() == convert(text, GOOD[0].name).text()


@pytest.mark.parametrize(
    ("text", "started", "resolved"),
    [
        (
            "## Timeline\n- 14:02 PST deploy\n- 15:00 PST resolved\n",
            datetime(2024, 3, 10, 14, 2, tzinfo=tz(-8)),
            datetime(2024, 3, 10, 15, 0, tzinfo=tz(-8)),
        ),
        (
            "Time zone: Europe/Berlin\n\n## Timeline\n- 23:50 deploy\n- 00:10 resolved\n",
            datetime(2024, 3, 10, 23, 50, tzinfo=tz(1)),
            datetime(2024, 3, 11, 0, 10, tzinfo=tz(1)),
        ),
        (
            "## Timeline\n\n**March 11**\n\n- 9:15 AM start\n- 2:30 PM all clear\n",
            datetime(2024, 3, 11, 9, 15, tzinfo=UTC),
            datetime(2024, 3, 11, 14, 30, tzinfo=UTC),
        ),
        (
            "## Timeline\n| Time (UTC+2) | Event |\n|---|---|\n| 08:00 | start |\n| 09:00 | resolved |\n",
            datetime(2024, 3, 10, 8, 0, tzinfo=tz(2)),
            datetime(2024, 3, 10, 9, 0, tzinfo=tz(2)),
        ),
    ],
    ids=["zone-per-entry", "zone-line-and-midnight", "day-heading-12h", "zone-in-table-header"],
)
def test_timeline_times_and_zones(text, started, resolved):
    meta, _, _ = conv(text)
    assert meta["started"] == started
    assert meta["resolved"] == resolved


def test_a_date_that_could_be_day_or_month_first_is_not_read():
    meta, _, _ = conv("# Outage\n\nDate: 3/4/2021\n", name="outage-report.md")
    assert meta["started"] == "TODO"
    meta, _, _ = conv("# Outage\n\nDate: 14/3/2021\n", name="outage-report.md")
    assert meta["id"] == "2021-03-14-outage-report"


def test_date_only_gives_placeholder_times_marked_todo():
    meta, fm, _ = conv("# Outage\n\nDate: 14 March 2021\n\n## Summary\nIt broke.\n", name="notes.md")
    assert meta["id"] == "2021-03-14-outage"
    assert meta["started"] == datetime(2021, 3, 14, tzinfo=UTC)
    assert "TODO: when the impact began" in fm_line(fm, "started")
    FrontMatter.model_validate(meta)


@pytest.mark.parametrize(
    ("bullet", "expected"),
    [
        ("- [x] Add retries", {"summary": "Add retries", "status": "done"}),
        ("- ✅ Add retries", {"summary": "Add retries", "status": "done"}),
        ("- Add retries (done)", {"summary": "Add retries", "status": "done"}),
        ("- ~~Add retries~~", {"summary": "Add retries", "status": "done"}),
        ("- [ ] Add retries (in progress)", {"summary": "Add retries", "status": "in-progress"}),
        ("- Add retries (won't do)", {"summary": "Add retries", "status": "wont-do"}),
        ("- Add retries (owner: Ana Lima)", {"summary": "Add retries", "owner": "Ana Lima", "status": "open"}),
        ("- Add retries @ana.lima", {"summary": "Add retries", "owner": "ana.lima", "status": "open"}),
        ("- Add retries — Ana Lima", {"summary": "Add retries", "owner": "Ana Lima", "status": "open"}),
        ("- Add retries, due 2024-04-30", {"summary": "Add retries", "due": date(2024, 4, 30), "status": "open"}),
        (
            "- Add retries by April 30",
            {"summary": "Add retries by April 30", "due": date(2024, 4, 30), "status": "open"},
        ),
        (
            "- [Add retries](https://t.example.com/X-1)",
            {"summary": "Add retries", "status": "open", "tracker": "https://t.example.com/X-1"},
        ),
    ],
)
def test_action_bullets(bullet, expected):
    meta, _, _ = conv(f"## Action items\n\n{bullet}\n")
    assert meta["actions"] == [expected]


def test_factor_words_map_to_taxonomy_ids_only_when_clear():
    meta, fm, _ = conv(
        "## Root cause\n\n"
        "- The TLS certificate expired overnight.\n"
        "- Clients retried immediately and without backoff.\n"
        "- The team was tired.\n"
        "- The certificate expiry alert did not fire.\n"
    )
    assert [(f["factor"], f["description"]) for f in meta["contributing_factors"]] == [
        ("expiring-certificate", "The TLS certificate expired overnight."),
        ("retry-storm", "Clients retried immediately and without backoff."),
        ("todo", "The team was tired."),
        ("todo", "The certificate expiry alert did not fire."),
    ]
    assert "candidates: expiring-certificate, alerting-gap" in fm
    meta, _, _ = conv("## Summary\nNothing about causes.\n")
    assert meta["contributing_factors"] == [{"factor": "todo", "description": "TODO: how this condition contributed"}]


def test_only_taxonomy_ids_are_used():
    r = convert(
        "## Root cause\n- DNS answers were stale.\n", "2024-01-01-x.md", Options(factor_ids=frozenset({"toil"}))
    )
    assert [f["factor"] for f in r.meta["contributing_factors"]] == ["todo"]


def test_awkward_text_still_gives_valid_front_matter_and_keeps_lines():
    text = "# 2019\n\nSeverity: \x7f\u2028odd\n\n## Summary\n-->\n<!-- open\n---\n\n## Action items\n- x \x85 y\n"
    r = convert(text, "2019.md")
    meta = r.meta
    assert meta["id"] == "2019" and isinstance(meta["id"], str)  # quoted: not the number 2019
    out_lines = set(r.text().split("\n"))
    for line in re.split(r"\r\n|\r|\n", text):
        if line.strip():
            assert line in out_lines
    assert "-->" in r.body.split("## Summary")[1]  # kept visible, not inside a comment it would end


def test_authors_from_owner_line_but_not_from_action_owners():
    meta, _, _ = conv("# X\n\nOwner: Dana Kim\n\n## Action items\n- fix it (owner: Someone Else)\n")
    assert meta["authors"] == ["Dana Kim"]
    meta, _, _ = conv("# X\n\n## Action items\n- fix it (owner: Someone Else)\n")
    assert meta["authors"] == ["TODO"]


def test_a_file_named_explicitly_is_imported_whatever_its_extension(kb, tmp_path):
    """`pmkb import notes.wiki` asks for that file; a folder's files still need a Markdown
    suffix, and what is not text (binary, an HTML page) is still refused by its content."""
    notes = tmp_path / "2021-02-09-login-notes.wiki"
    shutil.copy(LEGACY / "2021-02-09-login-session-store.md", notes)
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(notes, folder / "2021-02-09-other.wiki")
    page = tmp_path / "2021-03-01-export.html"
    page.write_text("<!DOCTYPE html>\n<html><body>x</body></html>\n", encoding="utf-8")
    code, out = kb.run("import", str(notes), str(folder), str(page))
    lines = report(out)
    assert lines[notes.name][0] == "imported"
    assert lines["2021-02-09-other.wiki"] == ("skipped", "not Markdown (.wiki file)")
    assert lines[page.name] == ("skipped", "not Markdown (HTML)")
    assert code == 1
