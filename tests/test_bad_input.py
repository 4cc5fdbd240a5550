"""Bad input never crashes and never hides the rest: each broken file is one finding with its
line, the other postmortems are still checked, and the exit code is 1."""

from __future__ import annotations

import json

import pytest
from conftest import BASE_META, line_col, merged_meta, merged_sections, render

GOOD_WITH_FINDING = "2024/2024-03-14-order-emails-delayed.md"


def checked_with_a_neighbour(kb, name, data: bytes):
    """Write the broken file next to a postmortem with one known finding; return (findings, the neighbour's finding)."""
    neighbour = kb.write(sections={"Lessons learned": "It was human error."})
    kb.write_bytes(name, data)
    code, out = kb.check("--format", "json")
    assert code == 1
    assert "Traceback" not in kb.stderr
    found = json.loads(out)
    others = [f for f in found if f["path"] == kb.rel(neighbour)]
    assert [(f["code"], f["line"]) for f in others] == [("PM301", line_col(neighbour, "human error")[0])]
    return [f for f in found if f["path"] == f"postmortems/{name}"]


CASES = {
    "malformed-yaml": (
        b"---\nid: 2024-01-01-x\ntitle: Checkout: down again\nstatus: published\n---\n\n## Summary\n",
        ("PM002", "yaml-syntax", 3, 16),
    ),
    "bad-indentation": (
        b"---\nid: 2024-01-01-x\ntitle: Checkout down\n  status: draft\n---\n",
        ("PM002", "yaml-syntax", 4, 9),
    ),
    "tab-indentation": (
        b"---\nid: 2024-01-01-x\nservices:\n\t- checkout\n---\n",
        ("PM002", "yaml-syntax", 4, 1),
    ),
    "no-front-matter": (
        b"# Checkout outage\n\nOn Tuesday checkout was down.\n",
        ("PM001", "front-matter", 1, 1),
    ),
    "unclosed-front-matter": (
        b"---\nid: 2024-01-01-x\ntitle: Checkout down\n\n## Summary\n\nIt was down.\n",
        ("PM001", "front-matter", 1, 1),
    ),
    "not-utf-8": (
        "---\nid: 2024-01-01-x\ntitle: Caf\u00e9 down\n---\n".encode("latin-1"),
        ("PM003", "encoding", 3, 11),
    ),
    "empty": (b"", ("PM001", "front-matter", 1, 1)),
    "only-whitespace": (b"\n\n   \n", ("PM001", "front-matter", 1, 1)),
    "readme": (
        b"# About these postmortems\n"
        b"\n"
        b"Each file in this folder is one incident. See [the playbook](../ops-playbook/).\n",
        ("PM001", "front-matter", 1, 1),
    ),
    "empty-front-matter": (b"---\n---\n\n## Summary\n", ("PM002", "yaml-syntax", 1, 1)),
    "front-matter-is-a-list": (b"---\n- id: x\n- title: y\n---\n", ("PM002", "yaml-syntax", 2, 1)),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", ("PM003", "encoding", 1, 1)),
}


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_a_broken_file_is_one_finding_with_its_line_and_the_rest_is_checked(kb, case):
    data, (code, rule, line, column) = CASES[case]
    mine = checked_with_a_neighbour(kb, f"2024/{case}.md", data)
    assert [(f["code"], f["rule"], f["line"], f["column"]) for f in mine] == [(code, rule, line, column)]
    assert mine[0]["severity"] == "error"
    assert mine[0]["message"] and mine[0]["hint"]


def test_the_yaml_error_names_the_problem(kb):
    [finding] = checked_with_a_neighbour(kb, "2024/x.md", CASES["malformed-yaml"][0])
    assert "mapping values are not allowed" in finding["message"]


def test_an_unclosed_front_matter_says_so(kb):
    [finding] = checked_with_a_neighbour(kb, "2024/x.md", CASES["unclosed-front-matter"][0])
    assert "never closed" in finding["message"]


def test_a_non_postmortem_markdown_file_says_it_is_not_a_postmortem(kb):
    found = checked_with_a_neighbour(kb, "2024/notes.md", CASES["readme"][0])
    assert [f["code"] for f in found] == ["PM001"]
    assert "not a postmortem" in found[0]["message"]


def test_a_readme_at_the_top_would_replace_the_home_page(kb):
    """MkDocs publishes README.md as index.md: the site's own home page."""
    found = checked_with_a_neighbour(kb, "README.md", CASES["readme"][0])
    assert sorted(f["code"] for f in found) == ["PM001", "PM603"]


def test_an_alias_bomb_is_refused_not_expanded(kb):
    lines = ["---", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 10) + "]")
    data = ("\n".join(lines) + "\n---\n").encode()
    [finding] = checked_with_a_neighbour(kb, "2024/bomb.md", data)
    assert (finding["code"], finding["line"]) == ("PM002", 2)  # the first line of the front matter
    assert "20000" in finding["message"]


def test_a_bom_and_windows_line_endings_are_fine(kb):
    text = render(merged_meta(), merged_sections())
    kb.write_bytes(GOOD_WITH_FINDING, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert kb.findings() == []


def test_line_numbers_count_windows_line_endings(kb):
    text = render(merged_meta(), merged_sections({"Lessons learned": "It was human error."}))
    path = kb.write_bytes(GOOD_WITH_FINDING, text.replace("\n", "\r\n").encode())
    line = text.splitlines().index("It was human error.") + 1
    assert [(f["code"], f["line"], f["column"]) for f in kb.findings()] == [("PM301", line, 8)]
    assert path.exists()


def test_every_truncation_of_a_postmortem_is_reported_not_crashed(kb):
    """A file cut off at any line (an editor crash, a bad merge) gives findings, never a traceback."""
    text = render(merged_meta({"customer_impact": True, "related": []}), merged_sections())
    lines = text.splitlines(keepends=True)
    for n in range(len(lines)):
        kb.write_bytes(GOOD_WITH_FINDING, "".join(lines[:n]).encode())
        code, _ = kb.check("--format", "json")
        assert code in (0, 1), (n, kb.stderr)
        assert "Traceback" not in kb.stderr
        if n < len(lines) - 1:
            assert code == 1, f"cut after line {n} went unnoticed"


def test_every_missing_front_matter_line_is_reported_not_crashed(kb):
    text = render(merged_meta({"customer_impact": True}), merged_sections())
    lines = text.splitlines(keepends=True)
    closing = lines.index("---\n", 1)
    for n in range(1, closing):
        kb.write_bytes(GOOD_WITH_FINDING, "".join(lines[:n] + lines[n + 1 :]).encode())
        code, _ = kb.check("--format", "json", today="2024-03-16")
        assert code in (0, 1), (n, kb.stderr)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("started", "2024-03-14T25:00:00+00:00"),
        ("resolved", "9999-12-31T23:59:00+00:00"),
        ("filed", "9999-12-31"),
        ("public_postmortem", "0001-01-01"),
        ("actions", "[{summary: x, owner: y, due: 9999-12-31, status: open}]"),
        ("contributing_factors", "{factor: dns}"),
        ("actions", "[[1, 2]]"),
        ("severity", "[SEV1]"),
        ("id", "{a: b}"),
    ],
)
def test_odd_values_are_findings_not_crashes(kb, key, value):
    path = kb.write(meta={"customer_impact": True})
    text = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, t in enumerate(text) if t.startswith(f"{key}:")), text.index("---", 1))
    end = start + 1 if text[start] != "---" else start
    while end < len(text) and text[end].startswith(("- ", "  ")):
        end += 1
    text[start:end] = [f"{key}: {value}"]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    code, _ = kb.check("--format", "json", today="2030-01-01")
    assert code in (0, 1), kb.stderr
    assert "Traceback" not in kb.stderr


def test_a_missing_taxonomy_is_a_finding(kb):
    (kb / "postmortems" / "factors.yml").unlink()
    kb.write()
    code, out = kb.check("--format", "json")
    assert code == 1
    assert '"path": "postmortems/factors.yml"' in out


def test_a_broken_taxonomy_is_a_finding_with_its_line(kb):
    (kb / "postmortems" / "factors.yml").write_text("factors:\n  - id: dns\n    name: [unclosed\n", encoding="utf-8")
    kb.write(
        meta={
            "contributing_factors": [
                dict(BASE_META["contributing_factors"][0], factor="dns"),
                BASE_META["contributing_factors"][1],
            ]
        }
    )
    found = kb.findings()
    assert [(f["path"], f["code"], f["rule"]) for f in found] == [("postmortems/factors.yml", "PM002", "yaml-syntax")]
    assert found[0]["line"] in (3, 4)  # the unclosed list on line 3; the parser notices at the end of the file
