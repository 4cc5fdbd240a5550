"""Hostile pull requests (issue #13): what a postmortem's author could do to the reports and
the CI output — spreadsheet formulas in the remediation CSV, and SARIF that code scanning
rejects when no site is configured.
"""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import urlsplit

import pytest
from conftest import BASE_META

from postmortem_kb.render.reports import _formula_like
from postmortem_kb.rules.registry import registry

# ---- CSV: no spreadsheet sees a formula in any cell of any row ---------------------------------

FORMULA_STARTS = "=+-@\uff1d\uff0b\uff0d\uff20"
# Whitespace and control characters a spreadsheet may skip (or read as a row break) before
# the formula character.
LEADERS = ["", " ", "\t", "\r", "\n", "\r\n", "\x0b", "\x0c", "\x00", "\u00a0", "\u2028", "\u3000", "\u200b", " \r\t"]


def _spreadsheet_sees_formula(cell: str) -> bool:
    """What the review asked for: a cell that starts, after whitespace and control
    characters, with a formula character, or starts with a tab or CR, is not plain text."""
    return _starts_like_formula(cell) and not cell.startswith("'")


def _starts_like_formula(cell: str) -> bool:
    if cell[:1] in ("\t", "\r"):
        return True
    bare = re.sub(r"^[\s\x00-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]+", "", cell)
    return bool(bare) and bare[0] in FORMULA_STARTS


def _action(summary: str, owner: str = "sre-oncall") -> dict:
    return {"summary": summary, "owner": owner, "status": "open", "due": BASE_META["actions"][0]["due"]}


def _csv_rows(kb) -> list[list[str]]:
    code, out = kb.run("report", "remediation", "--format", "csv", "--today", "2024-06-01")
    assert code == 0, kb.stderr
    return list(csv.reader(io.StringIO(out, newline="")))


def test_a_carriage_return_in_a_summary_does_not_start_a_row_with_a_formula(kb):
    # The review's case: "\r=1+1" was written unquoted, so a spreadsheet read `=1+1` as
    # the first cell of a row of its own.
    kb.write(meta={"actions": [_action("\r=1+1")]})
    rows = _csv_rows(kb)
    assert len(rows) == 2 and len(rows[1]) == len(rows[0])
    assert rows[1][1] == "'\r=1+1"
    _, out = kb.run("report", "remediation", "--format", "csv", "--today", "2024-06-01")
    # Read as a file opened in text mode would be (every line break turned into "\n"):
    # still one row, the break inside the quoted cell.
    again = list(csv.reader(io.StringIO(out, newline=None)))
    assert len(again) == 2 and again[1][1] == "'\n=1+1"


def test_every_cell_of_every_row_is_text_or_our_number(kb):
    summaries = [lead + start + "1+1" for lead in LEADERS for start in FORMULA_STARTS]
    summaries += ["fine\r=2+2", "fine\n@SUM(A1)", "=cmd|' /C calc'!A0", "-", "+", "@"]
    actions = [_action(s, owner=s) for s in summaries]
    kb.write(meta={"actions": actions, "teams": ["\r+team", "\uff0dteam"], "title": "\n=title"})
    rows = _csv_rows(kb)
    header, body = rows[0], rows[1:]
    assert len(body) == len(summaries)  # no line break started a row
    for row in body:
        assert len(row) == len(header)
        for cell in row:
            assert not _spreadsheet_sees_formula(cell), (header[row.index(cell)], repr(cell))
    by_summary = {r[header.index("summary")] for r in body}
    # Nothing was lost: each value is there, the quote in front when it needed one.
    assert by_summary == {("'" + s) if _starts_like_formula(s) else s for s in summaries}


def test_numbers_stay_numbers_and_plain_text_is_untouched(kb):
    kb.write(meta={"actions": [_action("Add an alert on queue age", owner="payments-oncall")]})
    _, out = kb.run("report", "remediation", "--format", "csv", "--today", "2024-06-01")
    header, row = _csv_rows(kb)
    cells = dict(zip(header, row, strict=True))
    assert cells["summary"] == "Add an alert on queue age" and cells["owner"] == "payments-oncall"
    assert cells["overdue_days"] == "32"
    assert ",32," in out  # written unquoted: a spreadsheet reads a number


@pytest.mark.parametrize("text", ["a-b", "e-mail the team", "x=1", "", "  plain", "'=already quoted"])
def test_text_that_merely_contains_a_formula_character_is_left_alone(text):
    assert not _formula_like(text)


# ---- SARIF: helpUri is an absolute URI or absent ----------------------------------------------


def _sarif(kb, site_url: str | None):
    if site_url is not None:
        text = kb.config.read_text(encoding="utf-8")
        kb.config.write_text(f"site_url: {json.dumps(site_url)}\n" + text, encoding="utf-8")
    kb.write(sections={"Lessons learned": "It was human error."})
    code, out = kb.check("--format", "sarif")
    assert code == 1, kb.stderr
    return json.loads(out)


def _absolute(uri: str) -> bool:
    """RFC 3986 absolute URI with a host, as the SARIF 2.1.0 schema's `format: uri` wants."""
    parts = urlsplit(uri)
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme)) and bool(parts.netloc) and not re.search(r"\s", uri)


@pytest.mark.parametrize("site_url", [None, "", "/kb/", "kb.example.com", "javascript:alert(1)//x"])
def test_sarif_without_an_absolute_site_url_has_no_relative_help_uri(kb, site_url):
    doc = _sarif(kb, site_url)
    driver = doc["runs"][0]["tool"]["driver"]
    assert _absolute(driver["informationUri"])
    for rule in driver["rules"]:
        assert "helpUri" not in rule, rule
        # The help still says what to do and why, where the rule page would have.
        spec = registry()[rule["name"]]
        assert rule["help"]["text"] == f"{spec.fix}\n\nWhy: {spec.why}"
        assert rule["fullDescription"]["text"] == spec.why


def test_sarif_help_uri_is_absolute_with_a_site_url(kb):
    doc = _sarif(kb, "https://kb.example.com/handbook/")
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert all(_absolute(r["helpUri"]) for r in rules)
    assert {r["helpUri"] for r in rules if r["id"] == "PM301"} == {"https://kb.example.com/handbook/rules/blame-language/"}


# ---- suppression: only a comment silences, never the same text elsewhere ------------------------

BLAME = "It was human error."
FILE_OFF = "<!-- pmkb: disable-file -->"


def _pm301_lines(kb) -> list[int]:
    return [f["line"] for f in kb.findings() if f["code"] == "PM301"]


@pytest.mark.parametrize(
    "text",
    [
        f"{BLAME} See [the runbook](https://wiki.example/pmkb:disable-file).",  # the review's case: a link URL
        f"{BLAME} See [the runbook](<!-- pmkb: disable-file -->).",
        f'{BLAME} See [the runbook](https://wiki.example "{FILE_OFF}").',  # a link title
        f"{BLAME} See [the runbook][{FILE_OFF}].",
        f"{BLAME} `{FILE_OFF}`",  # a code span
        f"{BLAME} ``a ` {FILE_OFF}``",
        f"{BLAME} Use the `--force\nflag {FILE_OFF} with care` here.",  # a code span over two lines
        f"{BLAME}\n\n```\n{FILE_OFF}\n```",  # fenced code
        f"{BLAME}\n\n~~~text\n{FILE_OFF}\n~~~",
        f"{BLAME}\n\n- an item\n\n    ```\n    {FILE_OFF}\n    ```",  # a fence in a list item
        f"{BLAME}\n\n    {FILE_OFF}",  # an indented code block
        f'{BLAME} <span title="{FILE_OFF}">x</span>',  # an attribute value
        f"{BLAME} <a title='a>' data-x=\"{FILE_OFF}\">x</a>",
        f"{BLAME} \\{FILE_OFF}",  # escaped: shown as text
        f"{BLAME}\n\n### Notes {FILE_OFF}",  # a heading
        f"{BLAME} pmkb: disable-file",  # plain prose
        f"{BLAME} <!-- see pmkb: disable-file -->",  # a comment that does not start with it
        f"{BLAME} <!-- pmkb: disable-filex -->",
    ],
    ids=["link-url", "link-target", "link-title", "reference", "code-span", "double-backticks", "code-span-two-lines", "fence",
         "tilde-fence", "fence-in-list", "indented-code", "attribute", "attribute-after-gt", "escaped", "heading", "prose",
         "not-first", "misspelt"],
)
def test_suppression_text_outside_a_comment_silences_nothing(kb, text):
    kb.write(sections={"Lessons learned": text})
    assert len(_pm301_lines(kb)) == 1


def _write_front_matter(kb, lines: str) -> None:
    """The baseline with its `title:` or `trigger:` line replaced by `lines`, or with
    `lines` after its `id:` line; the front matter stays valid."""
    path = kb.write(sections={"Lessons learned": BLAME})
    text = path.read_text(encoding="utf-8")
    key = lines.split(":", 1)[0]
    start = text.index(f"\n{key}: ") + 1 if key in ("title", "trigger") else text.index("\n", text.index("\nid: ") + 1) + 1
    end = text.index("\n", start) + 1 if key in ("title", "trigger") else start
    path.write_text(text[:start] + lines + "\n" + text[end:], encoding="utf-8")
    assert not [f for f in kb.findings() if f["code"] != "PM301"], "the front matter must stay valid"


@pytest.mark.parametrize(
    "line",
    [
        "title: Outage pmkb:disable-file",  # the review's case: a title
        "title: 'Outage # pmkb: disable-file'",
        'title: "Outage # pmkb: disable-file"',
        "title: Outage#pmkb:disable-file",  # a `#` with no blank before it is part of the value
        "trigger: |\n  # pmkb: disable-file\n  the block scalar's text",
        'title: "Outage\n  # pmkb: disable-file"',  # a quoted value over two lines
    ],
    ids=["plain-title", "single-quoted", "double-quoted", "no-blank", "block-scalar", "quoted-two-lines"],
)
def test_suppression_text_in_a_front_matter_value_silences_nothing(kb, line):
    _write_front_matter(kb, line)
    assert len(_pm301_lines(kb)) == 1


@pytest.mark.parametrize(
    "line",
    ["# pmkb: disable-file", "title: Outage  # pmkb: disable-file", "title: 'Outage'  # pmkb: disable=PM301, late-postmortem"],
    ids=["own-line", "after-a-value", "after-a-quoted-value"],
)
def test_a_yaml_comment_in_the_front_matter_silences_the_file(kb, line):
    _write_front_matter(kb, line)
    if "PM301" in line:  # disable=… in front matter reaches its own line and the next only
        assert len(_pm301_lines(kb)) == 1
    else:
        assert _pm301_lines(kb) == []


@pytest.mark.parametrize(
    "text",
    [
        f"{FILE_OFF}\n\n{BLAME}",
        f"{BLAME} {FILE_OFF}",
        f"`code` {BLAME} <!-- pmkb: disable=PM301 -->",  # after a code span on the line
        f"- {BLAME} <!-- pmkb: disable=PM301 -->",  # in a list item
        f"> {BLAME} <!-- pmkb: disable=PM301 -->",  # in a quote
        f"| a | b |\n|---|---|\n| {BLAME} <!-- pmkb: disable=PM301 --> | x |",  # in a table cell
        f"<!-- pmkb: disable-next-line (the quote is the customer's words)\n-->\n{BLAME}".replace("\n-->\n", " -->\n"),
        f"<!-- pmkb: disable=PM301\n     kept for the record -->\n{BLAME}".replace(f"-->\n{BLAME}", f"--> {BLAME}"),
    ],
    ids=["file", "file-same-line", "after-code-span", "list-item", "quote", "table", "next-line-reason", "multi-line-comment"],
)
def test_a_real_comment_still_silences(kb, text):
    kb.write(sections={"Lessons learned": text})
    assert _pm301_lines(kb) == []
