"""Structure rules: template sections, the timeline, the front-matter schema, references, ids."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from conftest import BASE_META, BASE_SECTIONS, line_col, only

UTC = UTC


def cell(path, text):
    """(line, column) of a timeline table cell or bullet that starts with `text`."""
    for prefix in ("| ", "- "):
        try:
            line, col = line_col(path, prefix + text)
        except AssertionError:
            continue
        return line, col + 2
    raise AssertionError(text)


def where(found):
    return [(f["code"], f["rule"], f["line"], f["column"]) for f in found]


# --- sections ------------------------------------------------------------------------


def test_the_baseline_postmortem_is_clean(kb):
    kb.write()
    code, out = kb.check()
    assert (code, out) == (0, "All clear: 1 file(s) checked, no findings.\n")


def test_a_missing_section_is_reported_after_the_section_before_it(kb):
    path = kb.write(sections={"Where we got lucky": None})
    found = kb.findings()
    next_heading, _ = line_col(path, "## Action items")
    assert where(found) == [("PM201", "missing-section", next_heading - 1, 1)]
    assert "`## Where we got lucky`" in found[0]["message"]
    assert "standard" in found[0]["message"]


def test_a_missing_first_section_is_reported_where_the_body_starts(kb):
    path = kb.write(sections={"Summary": None})
    found = kb.findings()
    closing = [i for i, t in enumerate(path.read_text().splitlines(), 1) if t == "---"][1]
    assert where(found) == [("PM201", "missing-section", closing + 1, 1)]


def test_every_missing_section_is_reported(kb):
    kb.write(sections={"Impact": None, "Lessons learned": None})
    found = kb.findings()
    assert [f["code"] for f in found] == ["PM201", "PM201"]
    assert ["Impact" in found[0]["message"], "Lessons learned" in found[1]["message"]] == [True, True]


def test_a_subheading_does_not_stand_in_for_a_section(kb):
    path = kb.write(
        sections={
            "Where we got lucky": None,
            "What went well": "Alerts fired.\n\n### Where we got lucky\n\nThe queue had room.",
        }
    )
    found = kb.findings()
    assert where(found) == [("PM201", "missing-section", line_col(path, "## Action items")[0] - 1, 1)]


def test_a_heading_inside_a_code_block_is_not_a_section(kb):
    kb.write(sections={"Lessons learned": None, "Action items": "No more actions.\n\n```\n## Lessons learned\n```"})
    assert [f["code"] for f in kb.findings()] == ["PM201"]


def test_section_titles_match_regardless_of_case_emphasis_and_colon(kb):
    sections = dict(BASE_SECTIONS)
    text = "\n\n".join(
        f"## {'**Contributing Factors:**' if t == 'Contributing factors' else t.upper() if t == 'Impact' else t}\n\n{v}"
        for t, v in sections.items()
    )
    path = kb.write()
    head, _, _ = path.read_text().partition("---\n\n")
    path.write_text(head + "---\n\n" + text + "\n", encoding="utf-8")
    assert kb.findings() == []


def test_extra_sections_are_allowed(kb):
    kb.write(sections={"Appendix: dashboards": "Links to the dashboards we used."})
    assert kb.findings() == []


def test_a_section_with_only_guidance_comments_is_empty(kb):
    path = kb.write(
        sections={"Where we got lucky": "<!-- What limited the damage by chance rather than by design. -->"}
    )
    found = kb.findings()
    assert where(found) == [("PM202", "empty-section", *line_col(path, "## Where we got lucky"))]


def test_a_section_with_no_lines_at_all_is_empty(kb):
    path = kb.write(sections={"Impact": ""})
    assert where(kb.findings()) == [("PM202", "empty-section", *line_col(path, "## Impact"))]


def test_a_code_block_or_a_list_is_content(kb):
    kb.write(sections={"Impact": "```\n503 responses: 12,400\n```", "What went well": "- the queue held"})
    assert kb.findings() == []


def test_the_lightweight_template_needs_only_its_sections(kb):
    meta = {"template": "lightweight", "severity": "SEV4"}
    kb.write(meta=meta)
    assert kb.findings() == []


def test_the_lightweight_template_still_needs_its_own_sections(kb):
    path = kb.write(meta={"template": "lightweight", "severity": "SEV4"}, sections={"Timeline": None})
    found = kb.findings()
    assert where(found) == [("PM201", "missing-section", line_col(path, "## Contributing factors")[0] - 1, 1)]
    assert "lightweight" in found[0]["message"]


def test_an_unknown_template_is_reported_at_its_value(kb):
    path = kb.write(meta={"template": "postmortem-v2"})
    assert where(kb.findings()) == [("PM105", "unknown-template", *line_col(path, "postmortem-v2"))]


def test_templates_are_the_spec_a_new_heading_in_the_template_is_required(kb):
    tpl = kb / "templates" / "standard.md"
    tpl.write_text(
        tpl.read_text(encoding="utf-8") + "\n## Follow-up review\n\n<!-- when we look again -->\n", encoding="utf-8"
    )
    kb.write()
    found = kb.findings()
    assert [(f["code"], "Follow-up review" in f["message"]) for f in found] == [("PM201", True)]


def test_no_actions_needs_a_reason(kb):
    path = kb.write(meta={"actions": []}, sections={"Action items": "<!-- none yet -->"})
    found = kb.findings()
    heading = line_col(path, "## Action items")
    assert where(found) == [("PM202", "empty-section", *heading), ("PM204", "no-actions-reason", *heading)]


def test_no_actions_with_a_stated_reason_is_fine(kb):
    kb.write(
        meta={"actions": []},
        sections={"Action items": "None: the vendor fixed the defect and the service is being retired next month."},
    )
    assert kb.findings() == []


# --- timeline ------------------------------------------------------------------------

ROWS = "| Time  | Event |\n|-------|-------|\n"


def test_an_entry_earlier_than_the_one_before_is_out_of_order(kb):
    path = kb.write(
        sections={
            "Timeline": ROWS + "| 13:52 | Workers exit |\n"
            "| 14:30 | Incident opened |\n"
            "| 14:06 | Support reports missing mail |\n"
            "| 16:05 | Resolved |"
        }
    )
    found = kb.findings()
    assert where(found) == [("PM203", "timeline-order", *cell(path, "14:06"))]
    assert "earlier than the entry before it" in found[0]["message"]


def test_an_unreadable_time_is_reported_at_its_cell(kb):
    path = kb.write(
        sections={
            "Timeline": ROWS
            + "| 13:52 | Workers exit |\n| about half past two | Incident opened |\n| 16:05 | Resolved |"
        }
    )
    found = kb.findings()
    assert where(found) == [("PM203", "timeline-order", *cell(path, "about half past two"))]
    assert "no readable time" in found[0]["message"]


def test_an_impossible_time_is_unreadable(kb):
    path = kb.write(sections={"Timeline": ROWS + "| 13:52 | Workers exit |\n| 14:75 | Incident opened |"})
    assert where(kb.findings()) == [("PM203", "timeline-order", *cell(path, "14:75"))]


def test_an_undated_entry_after_the_incident_is_outside_the_window(kb):
    path = kb.write(
        sections={"Timeline": ROWS + "| 13:52 | Workers exit |\n| 16:05 | Resolved |\n| 17:30 | Postmortem meeting |"}
    )
    found = kb.findings()
    assert where(found) == [("PM203", "timeline-order", *cell(path, "17:30"))]
    assert "after the incident was resolved and has no date" in found[0]["message"]


def test_a_dated_entry_after_the_incident_is_fine(kb):
    kb.write(
        sections={
            "Timeline": ROWS
            + "| 13:52 | Workers exit |\n| 16:05 | Resolved |\n| 2024-03-15 09:30 | Postmortem meeting |"
        }
    )
    assert kb.findings() == []


def test_an_entry_before_the_start_on_the_same_day_is_fine(kb):
    kb.write(sections={"Timeline": ROWS + "| 09:15 | Certificate rotation scheduled |\n| 13:52 | Workers exit |"})
    assert kb.findings() == []


def test_an_overnight_incident_rolls_undated_entries_into_the_next_day(kb):
    meta = {
        "started": datetime(2024, 3, 14, 22, 40, tzinfo=UTC),
        "detected": datetime(2024, 3, 14, 22, 55, tzinfo=UTC),
        "mitigated": datetime(2024, 3, 15, 0, 20, tzinfo=UTC),
        "resolved": datetime(2024, 3, 15, 1, 30, tzinfo=UTC),
    }
    kb.write(
        meta=meta,
        sections={
            "Timeline": ROWS
            + "| 22:40 | Errors begin |\n| 23:50 | Rollback starts |\n| 00:20 | Errors stop |\n| 01:30 | Resolved |"
        },
    )
    assert kb.findings() == []


def test_bullet_entries_are_read_and_ordered(kb):
    path = kb.write(
        sections={"Timeline": "- 13:52 workers exit\n- 14:30 incident opened\n- 14:06 support reports missing mail"}
    )
    assert where(kb.findings()) == [("PM203", "timeline-order", *cell(path, "14:06"))]


def test_timeline_times_are_in_the_zone_of_started(kb):
    cet = timezone(timedelta(hours=1))
    meta = {
        "started": datetime(2024, 3, 14, 14, 52, tzinfo=cet),
        "detected": datetime(2024, 3, 14, 15, 6, tzinfo=cet),
        "mitigated": datetime(2024, 3, 14, 16, 40, tzinfo=cet),
        "resolved": datetime(2024, 3, 14, 17, 5, tzinfo=cet),
    }
    # 15:50 UTC is 16:50 local, after 16:40 (no finding); 15:30 UTC is 16:30 local, before 17:05
    rows = (
        "| 14:52 | Workers exit |\n"
        "| 16:40 | Mitigated |\n"
        "| 15:50 UTC | Queue drained |\n"
        "| 17:05 | Resolved |\n"
        "| 15:30 UTC | Cache warm |"
    )
    path = kb.write(meta=meta, sections={"Timeline": ROWS + rows})
    assert where(kb.findings()) == [("PM203", "timeline-order", *cell(path, "15:30 UTC"))]


def test_a_timeline_split_into_one_table_per_day(kb):
    meta = {"resolved": datetime(2024, 3, 15, 10, 0, tzinfo=UTC)}
    day2 = "| Time | Event |\n|------|-------|\n| 2024-03-15 09:00 | Backlog replay starts |\n| 10:00 | Resolved |"
    kb.write(
        meta=meta,
        sections={
            "Timeline": "### 14 March\n\n"
            + ROWS
            + "| 13:52 | Workers exit |\n| 16:05 | Queue paused |\n\n### 15 March\n\n"
            + day2
        },
    )
    assert kb.findings() == []


def test_a_timeline_with_separate_date_and_time_columns(kb):
    meta = {"resolved": datetime(2024, 3, 15, 10, 0, tzinfo=UTC)}
    table = (
        "| Date | Time | Event |\n|------|------|-------|\n"
        "| 2024-03-14 | 13:52 | Workers exit |\n"
        "|            | 16:05 | Queue paused |\n"
        "| 2024-03-15 | 09:00 | Backlog replay starts |\n"
        "|            | 08:30 | Replay finished |"
    )
    path = kb.write(meta=meta, sections={"Timeline": table})
    # a row with a blank date cell is reported at its time
    assert where(kb.findings()) == [("PM203", "timeline-order", *cell(path, "08:30"))]


def test_a_timeline_on_a_12_hour_clock(kb):
    path = kb.write(
        sections={
            "Timeline": ROWS + "| 1:52 PM | Workers exit |\n"
            "| 2:06 p.m. | Incident opened |\n"
            "| 4:05 PM | Resolved |\n"
            "| 3:50 PM | Queue empty |"
        }
    )
    assert where(kb.findings()) == [("PM203", "timeline-order", *cell(path, "3:50 PM"))]


def test_a_12_hour_time_past_12_is_unreadable(kb):
    path = kb.write(sections={"Timeline": ROWS + "| 13:52 PM | Workers exit |"})
    assert where(kb.findings()) == [("PM203", "timeline-order", *cell(path, "13:52 PM"))]


def test_quoted_log_lines_in_the_timeline_are_evidence_not_entries(kb):
    kb.write(
        sections={
            "Timeline": ROWS + "| 13:52 | Workers exit |\n"
            "| 16:05 | Resolved |\n"
            "\n"
            "From the worker log:\n"
            "\n"
            "```\n"
            "09:00 started\n"
            "```\n"
            "\n"
            "> [12:00] bot: nightly job done"
        }
    )
    assert kb.findings() == []


# --- schema ----------------------------------------------------------------------------


def test_a_missing_required_field(kb):
    kb.write(drop=["resolved"])
    found = kb.findings()
    assert where(found) == [("PM101", "schema", 1, 1)]
    assert "`resolved`" in found[0]["message"]


def test_an_unknown_field_is_reported_at_its_key(kb):
    path = kb.write(meta={"severty": "SEV2"})
    found = kb.findings()
    assert where(found) == [("PM101", "schema", *line_col(path, "severty:"))]
    assert "unknown field `severty`" in found[0]["message"]


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("customer_impact", "yes", "'yes'"),
        ("services", "notifications", "notifications"),
        ("status", "done", "done"),
        ("id", "2024-03-14 Order Emails", "2024-03-14 Order Emails"),
    ],
)
def test_a_value_of_the_wrong_type_or_shape_is_reported_at_the_value(kb, key, value, needle):
    path = kb.write(meta={key: value})
    found = kb.findings()
    line, col = line_col(path, f"{key}: {needle}")
    assert where(found) == [("PM101", "schema", line, col + len(key) + 2)]
    assert f"`{key}`" in found[0]["message"]


def test_a_timestamp_without_a_time_zone(kb):
    path = kb.write(meta={"detected": datetime(2024, 3, 14, 14, 6)})
    found = kb.findings()
    assert where(found) == [("PM101", "schema", *line_col(path, "2024-03-14 14:06:00"))]
    assert "time zone" in found[0]["message"]


def test_a_date_where_a_timestamp_is_needed(kb):
    path = kb.write(meta={"started": date(2024, 3, 14)})
    found = kb.findings()
    line, _ = line_col(path, "started:")
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("PM101", line, 10)]
    assert "time zone" in found[0]["message"]


def test_a_nested_field_is_reported_at_its_own_line(kb):
    actions = [dict(BASE_META["actions"][0], due="next week")]
    path = kb.write(meta={"actions": actions})
    assert where(kb.findings()) == [("PM101", "schema", *line_col(path, "next week"))]


def test_a_tracker_must_be_a_url(kb):
    actions = [dict(BASE_META["actions"][0], tracker="MSG-771")]
    path = kb.write(meta={"actions": actions})
    found = kb.findings()
    assert where(found) == [("PM101", "schema", *line_col(path, "MSG-771"))]
    assert "URL" in found[0]["message"]


def test_public_postmortem_must_be_a_url_or_a_date(kb):
    path = kb.write(meta={"customer_impact": True, "public_postmortem": "soon"})
    assert where(kb.findings()) == [("PM101", "schema", *line_col(path, "soon"))]


@pytest.mark.parametrize(
    ("changes", "later"),
    [
        ({"detected": datetime(2024, 3, 14, 13, 40, tzinfo=UTC)}, "detected"),
        ({"mitigated": datetime(2024, 3, 14, 16, 30, tzinfo=UTC)}, "resolved"),
        ({"resolved": datetime(2024, 3, 14, 15, 0, tzinfo=UTC)}, "resolved"),
    ],
)
def test_events_out_of_order(kb, changes, later):
    path = kb.write(meta=changes)
    found = kb.findings("--select", "schema")
    line, _ = line_col(path, f"{later}: ")
    assert [(f["code"], f["line"]) for f in found] == [("PM101", line)]
    assert f"`{later}`" in found[0]["message"] and "is before" in found[0]["message"]


def test_filed_before_the_incident_started(kb):
    path = kb.write(meta={"filed": datetime(2024, 3, 14, 12, 0, tzinfo=UTC)})
    found = kb.findings()
    assert where(found) == [("PM101", "schema", *line_col(path, "2024-03-14 12:00:00+00:00"))]


def test_a_duplicate_key_is_reported_at_the_second_one(kb):
    path = kb.write()
    text = path.read_text(encoding="utf-8").replace("severity: SEV2\n", "severity: SEV2\nseverity: SEV3\n")
    path.write_text(text, encoding="utf-8")
    found = kb.findings()
    assert where(found) == [("PM101", "schema", *line_col(path, "severity: SEV3"))]
    assert "duplicate key `severity`" in found[0]["message"]


def test_an_unknown_severity_suggests_the_closest(kb):
    path = kb.write(meta={"severity": "sev2"})
    found = kb.findings()
    assert where(found) == [("PM106", "unknown-severity", *line_col(path, "sev2"))]
    assert "did you mean `SEV2`" in found[0]["message"]


def test_severities_come_from_the_configuration(kb):
    kb.set_plugin_config(severities=["P1", "P2", "P3"])
    path = kb.write(meta={"severity": "SEV2"})
    found = kb.findings()
    assert where(found) == [("PM106", "unknown-severity", *line_col(path, "SEV2"))]
    assert "P1, P2, P3" in found[0]["hint"]
    kb.write(meta={"severity": "P2"})
    assert kb.findings() == []


# --- references -------------------------------------------------------------------------


def test_an_unknown_factor_suggests_the_closest_id(kb):
    factors = [BASE_META["contributing_factors"][0], {"factor": "alerting-gaps", "description": "Nothing paged."}]
    path = kb.write(meta={"contributing_factors": factors})
    found = kb.findings()
    assert where(found) == [("PM103", "unknown-factor", *line_col(path, "alerting-gaps"))]
    assert "did you mean `alerting-gap`" in found[0]["message"]
    assert "postmortems/factors.yml" in found[0]["hint"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("conection-pool-exhaustion", "capacity-saturation"),  # said by its definition, not its id
        ("softwre-defect", "software-defect"),
        ("certificate-expired", "expiring-certificate"),
        ("dns-failure", "dns"),
    ],
)
def test_did_you_mean_reads_ids_names_and_definitions(kb, typed, meant):
    factors = [BASE_META["contributing_factors"][0], {"factor": typed, "description": "It ran out."}]
    kb.write(meta={"contributing_factors": factors})
    (found,) = kb.findings()
    assert f"unknown factor `{typed}`; did you mean `{meant}`?" == found["message"]


def test_no_suggestion_when_nothing_is_close(kb):
    factors = [BASE_META["contributing_factors"][0], {"factor": "human-error", "description": "Someone slipped."}]
    kb.write(meta={"contributing_factors": factors})
    (found,) = kb.findings()
    assert found["message"] == "unknown factor `human-error`"


def test_an_unknown_factor_gets_no_page_node_or_chip(kb):
    from datetime import date

    from postmortem_kb.config import load_project
    from postmortem_kb.load.corpus import load_corpus
    from postmortem_kb.render.site import Site

    factors = [
        *BASE_META["contributing_factors"],
        {"factor": "conection-pool-exhaustion", "description": "Pool ran dry."},
    ]
    kb.write(meta={"contributing_factors": factors})
    project = load_project(kb.config)
    corpus = load_corpus(project)
    site = Site(corpus=corpus, settings=project.settings, today=date(2024, 3, 20), docs_dir=project.docs_dir)
    pages = site.pages()
    assert not any("conection" in src for src in pages)
    assert "factor:conection-pool-exhaustion" not in site.graph
    assert "factor:alerting-gap" in site.graph
    chips = str(site.blocks(site.by_id[BASE_META["id"]]))  # the postmortem page's factor chips
    assert "conection-pool-exhaustion" not in chips and "alerting-gap" in chips


def test_enabled_by_must_name_a_factor_of_this_postmortem(kb):
    factors = [
        BASE_META["contributing_factors"][0],
        {"factor": "alerting-gap", "description": "Nothing paged.", "enabled_by": ["software-defect", "config-change"]},
    ]
    path = kb.write(meta={"contributing_factors": factors})
    found = kb.findings()
    assert where(found) == [("PM103", "unknown-factor", *line_col(path, "config-change"))]
    assert "config-change" in found[0]["message"]


def test_related_ids_must_resolve(kb):
    kb.write(meta={"id": "2023-01-17-sms-backlog"}, name="2023/2023-01-17-sms-backlog.md")
    path = kb.write(meta={"related": ["2023-01-17-sms-backlog", "2023-01-17-sms-backlg"]})
    found = kb.findings()
    assert where(found) == [("PM104", "unknown-related", *line_col(path, "2023-01-17-sms-backlg"))]
    assert "did you mean `2023-01-17-sms-backlog`" in found[0]["message"]


def test_related_may_name_a_draft(kb):
    kb.write(meta={"id": "2024-02-01-draft", "status": "draft"})
    kb.write(meta={"related": ["2024-02-01-draft"]})
    assert kb.findings(today="2024-03-15") == []  # the day after: the draft is not late yet


def test_a_postmortem_cannot_be_related_to_itself(kb):
    path = kb.write(meta={"related": [BASE_META["id"]]})
    found = kb.findings()
    assert [(f["code"], f["line"]) for f in found] == [("PM104", line_col(path, "related:")[0] + 1)]
    assert "itself" in found[0]["message"]


# --- duplicate ids ------------------------------------------------------------------------


def test_a_duplicate_id_is_reported_on_the_second_file_only(kb):
    first = kb.write(name="2024/2024-03-14-order-emails-delayed.md")
    second = kb.write(name="2024/2024-03-15-order-emails-delayed.md")
    found = kb.findings()
    assert [(f["path"], *t) for f, t in zip(found, where(found), strict=True)] == [
        (kb.rel(second), "PM102", "duplicate-id", *line_col(second, "2024-03-14-order-emails-delayed")),
    ]
    assert kb.rel(first) in found[0]["message"]


def test_a_duplicate_id_is_found_when_checking_only_that_file(kb):
    first = kb.write(name="2024/2024-03-14-order-emails-delayed.md")
    second = kb.write(name="2024/2024-03-15-order-emails-delayed.md")
    assert [f["code"] for f in kb.findings(str(second))] == ["PM102"]
    assert kb.findings(str(first)) == []


def test_a_factor_defined_twice_in_the_taxonomy(kb):
    tax = kb / "postmortems" / "factors.yml"
    tax.write_text(
        tax.read_text(encoding="utf-8")
        + "  - id: dns\n    name: DNS again\n    category: technical\n    definition: Twice.\n",
        encoding="utf-8",
    )
    kb.write()
    found = kb.findings()
    line = len(tax.read_text(encoding="utf-8").splitlines()) - 3
    assert [(f["path"], f["code"], f["line"]) for f in found] == [("postmortems/factors.yml", "PM102", line)]
    assert only(found, "duplicate-id")[0]["message"] == "factor id `dns` is defined twice"


def test_a_thousand_long_unknown_factor_ids_are_checked_quickly(kb):
    """A hostile list of 1,000 invented 200-character ids: each is a finding; "did you
    mean" is worked out for the first few only (0.2 s each before it was bounded)."""
    import time

    junk = "-".join(f"word{i}xyz" for i in range(40))[:190]
    factors = [
        BASE_META["contributing_factors"][0],
        *({"factor": f"{junk}{n}", "description": "x"} for n in range(1000)),
    ]
    kb.write(meta={"contributing_factors": factors})
    started = time.process_time()
    found = kb.findings()
    assert time.process_time() - started < 20  # seconds here; minutes unbounded
    assert sum(f["rule"] == "unknown-factor" for f in found) >= 200 - 1
