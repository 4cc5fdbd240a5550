"""The `pmkb` command line: output formats, exit codes, rule selection, suppressions,
configuration, `pmkb new` and `pmkb schema`."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import yaml
from conftest import BASE_SECTIONS, line_col

from postmortem_kb.rules.registry import registry

BLAME = "The first draft said it was human error."


def blamed(kb, **kw):
    """A postmortem with exactly one finding: PM301 on a known line."""
    return kb.write(sections={"Lessons learned": BLAME}, **kw)


# --- formats --------------------------------------------------------------------------


def test_json_findings_have_exactly_the_documented_keys(kb):
    path = blamed(kb)
    code, out = kb.check("--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data == [
        {
            "path": "postmortems/2024/2024-03-14-order-emails-delayed.md",
            "line": line_col(path, "human error")[0],
            "column": line_col(path, "human error")[1],
            "code": "PM301",
            "rule": "blame-language",
            "severity": "error",
            "message": "blaming wording: “human error” (“human error” ends the inquiry where it should begin)",
            "hint": data[0]["hint"],
        }
    ]
    assert list(data[0]) == ["path", "line", "column", "code", "rule", "severity", "message", "hint"]
    assert data[0]["hint"].strip()


def test_json_with_no_findings_is_an_empty_array(kb):
    kb.write()
    assert kb.run("check", "--format", "json", "--today", "2024-03-20") == (0, "[]\n")


def test_json_paths_are_relative_and_slash_separated_even_for_a_path_argument(kb):
    path = blamed(kb)
    for arg in (str(path), str(path.parent), str(kb / "postmortems")):
        found = kb.findings(arg)
        assert [f["path"] for f in found] == ["postmortems/2024/2024-03-14-order-emails-delayed.md"]


def test_checking_the_taxonomy_file_checks_the_taxonomy(kb):
    kb.write()
    tax = kb / "postmortems" / "factors.yml"
    assert kb.findings(str(tax)) == []
    tax.write_text(
        tax.read_text(encoding="utf-8") + "  - id: dns\n    name: DNS\n    category: technical\n", encoding="utf-8"
    )
    assert [(f["path"], f["code"]) for f in kb.findings(str(tax))] == [("postmortems/factors.yml", "PM102")]


def test_findings_are_sorted_by_path_line_and_column(kb):
    kb.write(
        meta={"id": "2024-05-01-b"},
        sections={"Summary": "It was human error.", "Lessons learned": "We failed to verify it."},
    )
    kb.write(meta={"id": "2023-05-01-a"}, sections={"Lessons learned": "It was careless."})
    found = kb.findings()
    keys = [(f["path"], f["line"], f["column"]) for f in found]
    assert keys == sorted(keys)
    assert [f["path"][:16] for f in found] == ["postmortems/2023", "postmortems/2024", "postmortems/2024"]


def test_text_format_is_path_line_col_code_rule_message_then_hint_and_summary(kb):
    path = blamed(kb)
    line, col = line_col(path, "human error")
    code, out = kb.check()
    assert code == 1
    lines = out.splitlines()
    expected = (
        f"postmortems/2024/2024-03-14-order-emails-delayed.md:{line}:{col}: PM301 [blame-language] blaming "
        "wording: “human error” (“human error” ends the inquiry where it should begin)"
    )
    assert lines[0] == expected
    assert lines[1].startswith("  hint: ") and len(lines[1]) > 10
    assert lines[2] == "Found 1 error(s) and 0 warning(s) in 1 of 1 file(s)."
    assert "\033[" not in out  # no colour when not a terminal


def test_text_colour_can_be_forced(kb):
    blamed(kb)
    _, out = kb.check("--color", "always")
    assert "\033[31mPM301\033[0m" in out


def test_sarif_is_2_1_0_with_rule_ids_and_help_uris(kb):
    text = (kb / "mkdocs.yml").read_text(encoding="utf-8")
    (kb / "mkdocs.yml").write_text("site_url: https://kb.example.com/\n" + text, encoding="utf-8")
    path = blamed(kb)
    code, out = kb.check("--format", "sarif")
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    assert "sarif" in doc["$schema"] and "2.1.0" in doc["$schema"]
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "pmkb"
    by_id = {r["id"]: r for r in rules}
    assert set(by_id) == {s.code for s in registry().values()}
    assert by_id["PM301"]["name"] == "blame-language"
    assert by_id["PM301"]["helpUri"] == "https://kb.example.com/rules/blame-language/"
    assert all(r["helpUri"] == f"https://kb.example.com/rules/{r['name']}/" for r in rules)
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in rules)
    [result] = run["results"]
    assert result["ruleId"] == "PM301"
    assert rules[result["ruleIndex"]]["id"] == "PM301"
    assert result["level"] == "error"
    assert "human error" in result["message"]["text"]
    loc = result["locations"][0]["physicalLocation"]
    line, col = line_col(path, "human error")
    assert loc["artifactLocation"]["uri"] == "postmortems/2024/2024-03-14-order-emails-delayed.md"
    assert loc["region"] == {"startLine": line, "startColumn": col}


def test_sarif_with_no_findings_has_an_empty_results_list(kb):
    kb.write()
    code, out = kb.check("--format", "sarif")
    assert code == 0
    assert json.loads(out)["runs"][0]["results"] == []


def test_the_summary_counts_a_refused_file_among_the_files_checked(kb):
    kb.write()
    (kb / "postmortems" / "evil.html").write_text("<script>alert(1)</script>\n")
    code, out = kb.check()
    assert code == 1
    assert out.splitlines()[-1] == "Found 1 error(s) and 0 warning(s) in 1 of 2 file(s)."


def test_github_annotations_and_summary(kb):
    path = blamed(kb)
    line, col = line_col(path, "human error")
    code, out = kb.check("--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(
        f"::error file=postmortems/2024/2024-03-14-order-emails-delayed.md,line={line},col={col},title=PM301 "
        "blame-language::blaming wording: “human error” (“human error” ends the inquiry where it should begin) (hint: "
    )
    assert lines[-1] == "Found 1 error(s) and 0 warning(s) in 1 of 1 file(s)."
    assert len(lines) == 2


def test_github_annotations_are_escaped(kb):
    action = {
        "summary": "Cut retries by 50%\nbefore launch",
        "status": "open",
        "due": date(2024, 4, 1),
        "kind": "prevent",
    }
    path = kb.write(name="2024/2024-03-14-orders,emails: delayed.md", meta={"actions": [action]})
    code, out = kb.check("--format", "github")
    assert code == 1
    annotation = out.splitlines()[0]
    assert annotation.startswith("::error file=postmortems/2024/2024-03-14-orders%2Cemails%3A delayed.md,line=")
    assert ",title=PM402 action-missing-owner::" in annotation
    message = annotation.split("::", 2)[2]
    assert "50%25" in message and "50% " not in message
    assert "\n" not in annotation and "\r" not in annotation
    assert path.exists()


def test_github_summary_says_when_there_are_more_than_ten_errors(kb):
    sentences = "\n\n".join(f"Draft {i} called it human error." for i in range(11))
    kb.write(sections={"Lessons learned": sentences})
    _, out = kb.check("--format", "github")
    lines = out.splitlines()
    assert len([x for x in lines if x.startswith("::error ")]) == 11
    assert lines[-1].startswith("Found 11 error(s) and 0 warning(s) in 1 of 1 file(s).")
    assert "first 10" in lines[-1]


def test_warnings_are_warning_annotations_and_sarif_warnings(kb):
    kb.set_plugin_config(rules={"severity": {"PM301": "warning"}})
    blamed(kb)
    code, out = kb.check("--format", "github")
    assert code == 0
    assert out.startswith("::warning file=")
    assert out.splitlines()[-1] == "Found 0 error(s) and 1 warning(s) in 1 of 1 file(s)."
    _, out = kb.check("--format", "sarif")
    assert json.loads(out)["runs"][0]["results"][0]["level"] == "warning"


# --- exit codes ----------------------------------------------------------------------------


def test_exit_0_when_clean_and_1_with_an_error(kb):
    kb.write()
    assert kb.check()[0] == 0
    blamed(kb)
    assert kb.check()[0] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--select", "PM999"],
        ["--select", "blame-languages"],
        ["--ignore", "PM301,not-a-rule"],
        ["--select", "X1"],
    ],
    ids=str,
)
def test_exit_2_for_an_unknown_rule_in_select_or_ignore(kb, args):
    blamed(kb)
    code, out = kb.check(*args)
    assert code == 2
    assert out == ""
    assert "unknown rule" in kb.stderr
    assert args[1].split(",")[-1] in kb.stderr


@pytest.mark.parametrize("today", ["2024-13-01", "tomorrow", "14/03/2024", ""])
def test_exit_2_for_a_bad_today(kb, today):
    kb.write()
    code, out = kb.run("check", "--today", today)
    assert code == 2
    assert "--today" in kb.stderr
    assert out == ""


def test_exit_2_for_a_path_that_does_not_exist(kb):
    kb.write()
    code, _ = kb.check(str(kb / "postmortems" / "2024" / "nope.md"))
    assert code == 2
    assert "nope.md" in kb.stderr


def test_exit_2_for_an_unknown_format(kb):
    assert kb.check("--format", "xml")[0] == 2


def test_exit_2_without_a_configuration(tmp_path):
    from conftest import KB

    code, _ = KB(tmp_path).check()
    assert code == 2


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"policy": {"postmortem_due_hours": -1}}, "postmortem_due_hours"),
        ({"polcy": {}}, "polcy"),
        ({"rules": {"ignore": ["no-such-rule"]}}, "no-such-rule"),
        ({"rules": {"severity": {"blame-language": "info"}}}, "info"),
        ({"rules": {"severity": {"PM999": "warning"}}}, "PM999"),
    ],
    ids=str,
)
def test_exit_2_for_a_bad_configuration(kb, settings, named):
    kb.set_plugin_config(**settings)
    kb.write()
    code, out = kb.check()
    assert (code, out) == (2, "")
    assert "configuration error" in kb.stderr and named in kb.stderr
    assert "Traceback" not in kb.stderr


def test_exit_2_for_mkdocs_yml_that_is_not_yaml(kb):
    (kb / "mkdocs.yml").write_text("plugins: [\n", encoding="utf-8")
    assert kb.check()[0] == 2
    assert "mkdocs.yml" in kb.stderr


# --- select and ignore ---------------------------------------------------------------------


def three_rules(kb):
    """Findings PM301 (blame), PM302 (counterfactual) and PM401 (too-few-factors)."""
    return kb.write(
        meta={"contributing_factors": [{"factor": "software-defect", "description": "The workers exited."}]},
        sections={"Lessons learned": "It was human error.\n\nWe failed to verify the fix."},
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["PM401", "PM301", "PM302"]),
        (["--select", "PM3"], ["PM301", "PM302"]),
        (["--select", "blame-language"], ["PM301"]),
        (["--select", "pm302"], ["PM302"]),
        (["--select", "PM301,too-few-factors"], ["PM401", "PM301"]),
        (["--select", "PM301", "--select", "PM302"], ["PM301", "PM302"]),
        (["--ignore", "counterfactual"], ["PM401", "PM301"]),
        (["--ignore", "PM3"], ["PM401"]),
        (["--select", "PM3", "--ignore", "PM301"], ["PM302"]),
    ],
    ids=str,
)
def test_select_and_ignore_by_code_name_or_prefix(kb, args, expected):
    three_rules(kb)
    assert [f["code"] for f in kb.findings(*args)] == expected


def test_ignoring_every_error_exits_0(kb):
    three_rules(kb)
    code, _ = kb.check("--ignore", "PM3,PM4")
    assert code == 0


# --- suppressions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "It was human error. <!-- pmkb: disable=PM301 -->",
        "It was human error. <!-- pmkb: disable=blame-language -->",
        "<!-- pmkb: disable=PM301 -->\nIt was human error.",
        "<!-- pmkb: disable-next-line -->\nIt was human error.",
        "<!-- pmkb: disable-next-line=PM301 -->\nIt was human error.",
        "<!-- pmkb: disable=PM302, PM301 -->\nIt was human error.",
        "<!-- pmkb: disable=pm301-->\nIt was human error.",
    ],
    ids=["same-line-code", "same-line-name", "line-above", "next-line", "next-line-code", "list", "lowercase-no-space"],
)
def test_a_suppression_comment_silences_the_finding(kb, text):
    kb.write(sections={"Lessons learned": text})
    assert kb.findings() == []


@pytest.mark.parametrize(
    "text",
    [
        "It was human error. <!-- pmkb: disable=PM302 -->",  # another rule
        "<!-- pmkb: disable=PM301 -->\n\nIt was human error.",  # two lines above
        "It was human error.\n<!-- pmkb: disable-next-line -->",  # the line after
    ],
    ids=["other-rule", "two-lines-above", "below"],
)
def test_a_suppression_comment_silences_only_what_it_names_where_it_is(kb, text):
    path = kb.write(sections={"Lessons learned": text})
    assert [(f["code"], f["line"]) for f in kb.findings()] == [("PM301", line_col(path, "human error")[0])]


def test_a_suppression_silences_only_its_rule_on_that_line(kb):
    path = kb.write(
        sections={
            "Lessons learned": "<!-- pmkb: disable=PM301 -->\nIt was human error, and we failed to verify the fix."
        }
    )
    assert [(f["code"], f["line"], f["column"]) for f in kb.findings()] == [("PM302", *line_col(path, "we failed to"))]


def test_a_yaml_comment_in_the_front_matter_silences_a_front_matter_finding(kb):
    path = kb.write(meta={"filed": date(2024, 3, 20)})
    assert [f["code"] for f in kb.findings()] == ["PM405"]
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("filed: 2024-03-20\n", "filed: 2024-03-20  # pmkb: disable=late-postmortem\n"), encoding="utf-8"
    )
    assert kb.findings() == []
    path.write_text(
        text.replace(
            "filed: 2024-03-20\n",
            "# pmkb: disable=late-postmortem (the team was offline that week)\nfiled: 2024-03-20\n",
        ),
        encoding="utf-8",
    )
    assert kb.findings() == []
    path.write_text(
        text.replace("filed: 2024-03-20\n", "filed: 2024-03-20  # pmkb: disable=stale-action\n"), encoding="utf-8"
    )
    assert [f["code"] for f in kb.findings()] == ["PM405"]


# --- configuration from mkdocs.yml ----------------------------------------------------------


def test_rules_ignore_in_the_configuration(kb):
    kb.set_plugin_config(rules={"ignore": ["counterfactual", "PM401"]})
    three_rules(kb)
    assert [f["code"] for f in kb.findings()] == ["PM301"]


def test_rules_severity_in_the_configuration(kb):
    kb.set_plugin_config(rules={"severity": {"blame-language": "warning", "PM401": "warning"}})
    three_rules(kb)
    found = kb.findings()
    assert [(f["code"], f["severity"]) for f in found] == [
        ("PM401", "warning"),
        ("PM301", "warning"),
        ("PM302", "error"),
    ]
    assert kb.check()[0] == 1
    assert kb.check("--ignore", "PM302")[0] == 0


def test_the_configuration_is_found_from_the_working_directory(kb, monkeypatch):
    from postmortem_kb.cli import main

    blamed(kb)
    (kb / "postmortems" / "2024" / "sub").mkdir()
    monkeypatch.chdir(kb / "postmortems" / "2024" / "sub")
    assert main(["check", "--today", "2024-03-20", "--format", "json"]) == 1


# --- pmkb new ------------------------------------------------------------------------------

NEW = ["new", "Customer comms stopped", "--service", "notifications", "--severity", "SEV2", "--author", "Priya Raman"]


def front_matter(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_new_writes_a_postmortem_from_the_template(kb):
    code, out = kb.run(*NEW, "--date", "2024-03-14", "--today", "2024-03-15")
    assert code == 0
    path = kb / "postmortems" / "2024" / "2024-03-14-customer-comms-stopped.md"
    assert out.startswith("Created postmortems/2024/2024-03-14-customer-comms-stopped.md\n")
    meta = front_matter(path)
    assert meta["id"] == "2024-03-14-customer-comms-stopped"
    assert meta["title"] == "Customer comms stopped"
    assert meta["severity"] == "SEV2"
    assert meta["services"] == ["notifications"]
    assert meta["authors"] == ["Priya Raman"]
    assert meta["status"] == "draft"
    assert meta["template"] == "standard"
    assert meta["filed"] == date(2024, 3, 15)
    headings = re.findall(r"^## (.+)$", path.read_text(encoding="utf-8"), flags=re.M)
    assert headings == list(BASE_SECTIONS)  # every section of templates/standard.md, in order


def test_a_new_postmortem_is_valid_and_lists_what_is_left_to_write(kb):
    kb.run(*NEW, "--date", "2024-03-14", "--today", "2024-03-15")
    found = kb.findings(today="2024-03-15")
    codes = [f["code"] for f in found]
    assert not {"PM001", "PM002", "PM101", "PM201"} & set(codes)  # it parses, validates and has every section
    assert codes.count("PM202") == len(BASE_SECTIONS)  # each section still to write
    assert "PM103" in codes  # factor ids still TODO


def test_new_defaults_the_date_to_today_and_takes_several_services(kb):
    code, _ = kb.run(
        "new",
        "Search results stale",
        "--service",
        "search",
        "--service",
        "catalog",
        "--severity",
        "SEV3",
        "--author",
        "A",
        "--today",
        "2025-06-01",
    )
    assert code == 0
    meta = front_matter(kb / "postmortems" / "2025" / "2025-06-01-search-results-stale.md")
    assert meta["services"] == ["search", "catalog"]


def test_new_names_the_file_by_the_incident_start_and_fills_started(kb):
    """Filed on the 3rd for an incident that began late on the 28th, in another zone."""
    code, out = kb.run(*NEW, "--started", "2024-02-28T22:10+01:00", "--today", "2024-03-03")
    assert code == 0, kb.stderr
    assert out.startswith("Created postmortems/2024/2024-02-28-customer-comms-stopped.md\n")
    path = kb / "postmortems" / "2024" / "2024-02-28-customer-comms-stopped.md"
    meta = front_matter(path)
    assert meta["id"] == "2024-02-28-customer-comms-stopped"
    started = datetime(2024, 2, 28, 22, 10, tzinfo=timezone(timedelta(hours=1)))
    assert meta["started"] == started
    assert "started: 2024-02-28T22:10:00+01:00\n" in path.read_text()  # no TODO left on it
    # the other times start at `started`, so the scaffold is in order until they are filled
    assert meta["detected"] == meta["mitigated"] == meta["resolved"] == started
    assert meta["filed"] == date(2024, 3, 3)


@pytest.mark.parametrize("value", ["2024-02-28T22:10", "yesterday"])
def test_new_refuses_a_start_without_a_time_zone_or_not_a_time(kb, value):
    code, _ = kb.run(*NEW, "--started", value, "--today", "2024-03-03")
    assert code == 2
    assert "--started" in kb.stderr


def test_new_with_the_lightweight_template(kb):
    code, _ = kb.run(*NEW, "--template", "lightweight", "--today", "2024-03-15")
    assert code == 0
    text = (kb / "postmortems" / "2024" / "2024-03-15-customer-comms-stopped.md").read_text(encoding="utf-8")
    assert re.findall(r"^## (.+)$", text, flags=re.M) == ["Summary", "Timeline", "Contributing factors", "Action items"]


def test_new_keeps_a_title_with_yaml_special_characters(kb):
    title = 'Checkout: "payments" down #2 & retries'
    code, _ = kb.run(
        "new", title, "--service", "checkout", "--severity", "SEV1", "--author", "A", "--today", "2024-03-15"
    )
    assert code == 0
    path = kb / "postmortems" / "2024" / "2024-03-15-checkout-payments-down-2-retries.md"
    assert front_matter(path)["title"] == title


def test_new_never_overwrites(kb):
    assert kb.run(*NEW, "--today", "2024-03-15")[0] == 0
    path = kb / "postmortems" / "2024" / "2024-03-15-customer-comms-stopped.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nWork in progress.\n", encoding="utf-8")
    before = path.read_bytes()
    code, _ = kb.run(*NEW, "--today", "2024-03-15")
    assert code != 0
    assert "already exists" in kb.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(("option", "value"), [("--severity", "SEV9"), ("--template", "fancy")])
def test_new_refuses_an_unknown_severity_or_template(kb, option, value):
    args = [*NEW, "--today", "2024-03-15"]
    if option == "--severity":
        args[args.index("SEV2")] = value
    else:
        args += [option, value]
    code, _ = kb.run(*args)
    assert code == 2
    assert value in kb.stderr
    assert not (kb / "postmortems" / "2024").exists()


# --- pmkb schema ----------------------------------------------------------------------------


def test_schema_prints_the_json_schema_of_the_front_matter(kb):
    code, out = kb.run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["properties"]["severity"]["enum"] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert set(schema["required"]) >= {
        "id",
        "title",
        "status",
        "severity",
        "services",
        "authors",
        "started",
        "detected",
        "resolved",
        "filed",
        "customer_impact",
        "contributing_factors",
        "actions",
    }
    assert schema["properties"]["status"]["enum"] == ["draft", "in-review", "published", "archived"]
    assert schema["properties"]["started"]["format"] == "date-time"
    factor_enum = schema["$defs"]["ContributingFactor"]["properties"]["factor"]["enum"]
    assert {"software-defect", "alerting-gap", "config-change"} <= set(factor_enum)


def test_schema_uses_the_configured_severities(kb):
    kb.set_plugin_config(severities=["P1", "P2"])
    schema = json.loads(kb.run("schema")[1])
    assert schema["properties"]["severity"]["enum"] == ["P1", "P2"]


# --- the rule registry ----------------------------------------------------------------------

PRODUCT_RULES = [
    "yaml-syntax",
    "schema",
    "missing-section",
    "empty-section",
    "duplicate-id",
    "unknown-factor",
    "unknown-related",
    "blame-language",
    "counterfactual",
    "root-cause-language",
    "too-few-factors",
    "action-missing-owner",
    "action-missing-due",
    "stale-action",
    "late-postmortem",
    "missing-public-postmortem",
    "timeline-order",
    "vigilance-action",
]


def test_every_rule_named_in_the_product_exists_with_a_stable_code():
    reg = registry()
    assert set(PRODUCT_RULES) <= set(reg)
    codes = [s.code for s in reg.values()]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"PM\d{3}", c) for c in codes)
    assert all(s.severity in ("error", "warning") and s.summary and s.fix for s in reg.values())
    assert (reg["blame-language"].code, reg["counterfactual"].code, reg["root-cause-language"].code) == (
        "PM301",
        "PM302",
        "PM303",
    )
