"""The check cache (.cache/pmkb): a second run reuses the results of unchanged files and
never reports anything a fresh check would not."""

from __future__ import annotations

import json
import os
from datetime import date


def rules(findings: list[dict]) -> list[str]:
    return [f["rule"] for f in findings]


def _cache(kb) -> dict:
    return json.loads((kb / ".cache" / "pmkb" / "check.json").read_text(encoding="utf-8"))


def _age(path, seconds: int = 60) -> None:
    """Make a file look saved a minute ago (the cache trusts only files that old by their stat)."""
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


def test_a_second_run_is_answered_from_the_cache_with_the_same_output(kb):
    blamed = kb.write(sections={"Lessons learned": "It was human error."})
    kb.write(meta={"id": "2024-05-01-second", "related": ["2024-01-01-nope"]})
    for p in (kb / "postmortems").rglob("*.md"):
        _age(p)
    first = kb.run("check", "--format", "json", "--today", "2026-11-21")
    assert (kb / ".cache" / "pmkb" / "check.json").is_file()
    # Make the cached result recognisable: a result the checker could not have produced.
    doc = _cache(kb)
    entry = doc["files"][str(blamed)]
    entry["result"]["findings"][0][6] = "from the cache"
    (kb / ".cache" / "pmkb" / "check.json").write_text(json.dumps(doc), encoding="utf-8")
    code, out = kb.run("check", "--format", "json", "--today", "2026-11-21")
    assert code == first[0] == 1
    assert "from the cache" in out  # the unchanged file was not checked again
    fresh = kb.run("check", "--format", "json", "--today", "2026-11-21", "--no-cache")
    assert fresh == first
    assert "from the cache" not in fresh[1]


def test_an_edit_of_the_same_size_is_checked_again(kb):
    path = kb.write(sections={"Lessons learned": "It was human error."})
    assert "blame-language" in rules(kb.findings())
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("human error", "hunan errol"), encoding="utf-8")  # same length
    assert "blame-language" not in rules(kb.findings())


def test_the_cache_follows_the_day_the_taxonomy_and_the_settings(kb):
    path = kb.write(
        meta={
            "actions": [
                {
                    "summary": "Add an alert on queue age",
                    "owner": "Aiko Mori",
                    "due": date(2026, 12, 1),
                    "status": "open",
                    "kind": "detect",
                    "tracker": "https://tracker.example.com/MSG-1",
                }
            ]
        }
    )
    _age(path)
    assert "stale-action" not in rules(kb.findings(today="2026-11-21"))
    assert "stale-action" in rules(kb.findings(today="2026-12-05"))  # the day changed: stale now
    kb.set_plugin_config(rules={"ignore": ["stale-action"]})
    assert "stale-action" not in rules(kb.findings(today="2026-12-05"))
    taxonomy = kb / "postmortems" / "factors.yml"
    taxonomy.write_text(
        taxonomy.read_text(encoding="utf-8").replace("id: alerting-gap", "id: alerting-gaps"), encoding="utf-8"
    )
    assert "unknown-factor" in rules(kb.findings(today="2026-12-05"))  # from the new taxonomy


def test_a_broken_cache_is_rebuilt_and_deleted_files_leave_it(kb):
    keep = kb.write(meta={"id": "2024-05-01-keep"})
    gone = kb.write(meta={"id": "2024-05-02-gone"})
    kb.findings()
    assert set(_cache(kb)["files"]) == {str(keep), str(gone)}
    gone.unlink()
    kb.findings()
    assert set(_cache(kb)["files"]) == {str(keep)}
    (kb / ".cache" / "pmkb" / "check.json").write_bytes(b"\x00not json")
    assert kb.findings() == []
    assert set(_cache(kb)["files"]) == {str(keep)}


def test_no_cache_writes_nothing(kb):
    kb.write()
    kb.run("check", "--today", "2026-11-21", "--no-cache")
    assert not (kb / ".cache").exists()
