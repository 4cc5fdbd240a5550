"""One engine (#12): `pmkb check`, its cache and `mkdocs serve` load and check files the
same way, in worker processes or not, and agree on when a file or the context changed."""

from __future__ import annotations

import os
from datetime import date

from postmortem_kb.cache import stat_key, unchanged
from postmortem_kb.check import PARALLEL_FROM, Checker, check_project, context_fingerprint
from postmortem_kb.config import load_project
from postmortem_kb.incremental import IncrementalCorpus

TODAY = date(2026, 11, 21)


def _age(path, seconds: int = 60) -> None:
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


def _many(kb, n: int) -> None:
    """`n` postmortems, a few with findings (wording, an unknown related id, a duplicate id)."""
    for i in range(n):
        ident = f"2024-03-{1 + i % 28:02d}-incident-{i:04d}"
        meta: dict = {"id": ident}
        sections = None
        if i % 25 == 0:
            sections = {"Lessons learned": "It was human error."}
        if i % 40 == 1:
            meta["related"] = [f"2024-03-01-incident-{i + 1:05d}"]
        kb.write(f"2024/{ident}.md", meta=meta, sections=sections)
    kb.write("2024/copy.md", meta={"id": "2024-03-01-incident-0000"})


def test_worker_processes_change_nothing_in_the_findings(kb):
    _many(kb, PARALLEL_FROM + 20)  # enough files for the fork pool
    checker = Checker(load_project(kb.config), TODAY)
    alone, seen = check_project(checker, jobs=1)
    pooled, seen_pooled = check_project(checker, jobs=2)
    assert pooled == alone and seen_pooled == seen
    assert {f.rule for f in alone} >= {"blame-language", "unknown-related", "duplicate-id"}


def test_serve_and_check_agree_on_every_finding(kb):
    _many(kb, 40)
    checker = Checker(load_project(kb.config), TODAY)
    _, served = IncrementalCorpus().refresh(checker)
    assert served == check_project(checker)[0]


def test_serve_reloads_only_the_edited_file_until_the_context_changes(kb):
    _many(kb, 30)
    for p in (kb / "postmortems").rglob("*.md"):
        _age(p)
    project = load_project(kb.config)
    corpus = IncrementalCorpus()
    corpus.refresh(Checker(project, TODAY))
    assert corpus.reloaded == 31
    corpus.refresh(Checker(project, TODAY))
    assert corpus.reloaded == 0 and not corpus.context_changed
    edited = kb / "postmortems" / "2024" / "2024-03-05-incident-0004.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace(
            "## Lessons learned\n", "## Lessons learned\n\nIt was human error.\n"
        ),
        encoding="utf-8",
    )
    _, findings = corpus.refresh(Checker(project, TODAY))
    assert corpus.reloaded == 1
    assert any(f.rule == "blame-language" and f.path.endswith("incident-0004.md") for f in findings)
    _, _ = corpus.refresh(Checker(project, date(2026, 12, 5)))  # another day: every file is judged again
    assert corpus.context_changed and corpus.reloaded == 31


def test_one_context_fingerprint_follows_the_day_the_rules_and_the_taxonomy(kb):
    project = load_project(kb.config)
    key = context_fingerprint(Checker(project, TODAY))
    assert context_fingerprint(Checker(project, TODAY)) == key
    assert context_fingerprint(Checker(project, date(2026, 11, 22))) != key
    assert context_fingerprint(Checker(project, TODAY, ignore_rules=["blame-language"])) != key
    taxonomy = kb / "postmortems" / "factors.yml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert context_fingerprint(Checker(load_project(kb.config), TODAY)) != key


def test_a_file_counts_as_changed_when_its_stat_does_or_it_is_new_or_a_link(kb):
    path = kb.write()
    _age(path)
    key = stat_key(str(path))
    assert unchanged(key, str(path))
    path.write_text(path.read_text(encoding="utf-8").replace("Summary", "Sumnary"), encoding="utf-8")  # same size
    assert not unchanged(key, str(path))  # a fresh save: never trusted by its stat alone
    _age(path)
    assert not unchanged(key, str(path))  # the modification time moved
    link = kb / "postmortems" / "link.md"
    link.symlink_to(path)
    assert stat_key(str(link)) is None and not unchanged(None, str(link))


def test_a_field_that_fails_the_schema_hides_only_the_findings_of_the_rules_that_read_it(kb):
    # Each rule's check runs on its own: with `contributing_factors` failing the schema,
    # too-few-factors (which reads them) is silent, but a draft long past its deadline is
    # still late and an action with no owner still has none. (When the policy rules were
    # one function that read the factors first, both findings were lost too.)
    actions = [{"summary": "Add a reconnect test", "due": date(2027, 1, 1), "status": "open"}]
    kb.write(meta={"status": "draft", "contributing_factors": "TODO", "actions": actions})
    assert sorted(f["rule"] for f in kb.findings()) == ["action-missing-owner", "late-postmortem", "schema"]
