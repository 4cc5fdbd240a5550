"""A postmortem past `draft` holds no scaffold placeholder (PM107), and a front matter that
fails the schema no longer hides the body's findings: one run shows them all."""

from __future__ import annotations

from conftest import line_col

NEW = ("new", "Customer comms stopped", "--service", "notifications", "--severity", "SEV2", "--author", "Priya Raman")


def rules(found: list[dict]) -> list[str]:
    return [f["rule"] for f in found]


def test_an_untouched_scaffold_set_to_published_is_not_all_clear(kb):
    code, _ = kb.run(*NEW, "--date", "2024-03-14", "--today", "2024-03-15")
    assert code == 0
    path = kb / "postmortems/2024/2024-03-14-customer-comms-stopped.md"
    path.write_text(path.read_text().replace("status: draft ", "status: published "))
    found = [f for f in kb.findings(today="2024-03-15") if f["rule"] == "placeholder"]
    where = {(f["line"], f["column"]) for f in found}
    assert line_col(path, "TODO: the event") in where  # trigger: "TODO: …"
    assert line_col(path, "# TODO: true if customers") in where  # customer_impact: false  # TODO
    assert any("scaffold's times" in f["message"] for f in found)
    assert any("`contributing_factors.0.description`" in f["message"] for f in found)


def test_a_draft_may_keep_its_placeholders(kb):
    kb.run(*NEW, "--date", "2024-03-14", "--today", "2024-03-15")
    assert "placeholder" not in rules(kb.findings(today="2024-03-15"))


def test_todo_in_the_text_of_a_section_is_a_placeholder_but_not_in_code_or_lower_case(kb):
    path = kb.write(
        sections={
            "Impact": "TBD: how many orders.",
            "What went well": "The `TODO` list in the runbook was current; our todo board too.",
        }
    )
    found = [f for f in kb.findings() if f["rule"] == "placeholder"]
    assert [(f["line"], f["column"]) for f in found] == [line_col(path, "TBD")]


def test_four_equal_times_are_the_scaffold_not_an_incident(kb):
    at = "2024-03-14T13:52:00+00:00"
    from datetime import datetime

    when = datetime.fromisoformat(at)
    kb.write(meta={"started": when, "detected": when, "mitigated": when, "resolved": when})
    found = [f for f in kb.findings() if f["rule"] == "placeholder"]
    assert len(found) == 1 and "scaffold's times" in found[0]["message"]


def test_one_schema_error_no_longer_hides_the_body(kb):
    path = kb.write(
        meta={"customer_impact": "maybe"},
        sections={"Lessons learned": "It was human error.", "Where we got lucky": None},
    )
    found = kb.findings()
    assert set(rules(found)) == {"schema", "blame-language", "missing-section"}
    assert next(f for f in found if f["rule"] == "blame-language")["line"] == line_col(path, "human error")[0]


def test_every_field_error_is_reported_at_its_own_line(kb):
    path = kb.write(meta={"customer_impact": "maybe", "severity": 2, "resolved": "yesterday"})
    schema = [f for f in kb.findings() if f["rule"] == "schema"]
    lines = sorted(f["line"] for f in schema)
    assert lines == sorted(line_col(path, key)[0] for key in ("customer_impact:", "severity:", "resolved:"))


def test_schema_messages_are_plain_words_with_an_example(kb):
    kb.write(meta={"resolved": "yesterday", "filed": "soon", "customer_impact": "maybe", "status": "done"})
    found = {f["message"]: f["hint"] for f in kb.findings() if f["rule"] == "schema"}
    assert found == {
        "`resolved` must be a date and time with a time zone": "for example `2024-03-14T16:05:00+00:00`",
        "`filed` must be a date, or a date and time with a time zone": (
            "for example `2024-03-15` or `2024-03-15T09:00:00+00:00`"
        ),
        "`customer_impact` must be `true` or `false`": "see `pmkb schema` for every field",
        "`status` must be one of `draft`, `in-review`, `published`, `archived`": "see `pmkb schema` for every field",
    }
