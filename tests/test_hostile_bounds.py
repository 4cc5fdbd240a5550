"""Hostile pull requests (issue #13): what a postmortem's author could do to the reports and
the CI output — spreadsheet formulas in the remediation CSV, and SARIF that code scanning
rejects when no site is configured.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from urllib.parse import urlsplit

import pytest
from conftest import BASE_META, ROOT, line_col

from postmortem_kb.analyse.remediation import PAGE_ALL, PAGE_OWNERS, PAGE_PER_OWNER
from postmortem_kb.check import MAX_FINDINGS_PER_FILE
from postmortem_kb.load.sections import MAX_NESTING, limit_nesting, nesting_depth
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
    return (
        bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme))
        and bool(parts.netloc)
        and not re.search(r"\s", uri)
    )


@pytest.mark.parametrize("site_url", [None, "", "/kb/", "kb.example.com", "javascript:alert(1)//x"])
def test_sarif_without_an_absolute_site_url_has_no_relative_help_uri(kb, site_url):
    doc = _sarif(kb, site_url)
    driver = doc["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver  # optional; no invented address
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
    assert {r["helpUri"] for r in rules if r["id"] == "PM301"} == {
        "https://kb.example.com/handbook/rules/blame-language/"
    }


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
    ids=[
        "link-url",
        "link-target",
        "link-title",
        "reference",
        "code-span",
        "double-backticks",
        "code-span-two-lines",
        "fence",
        "tilde-fence",
        "fence-in-list",
        "indented-code",
        "attribute",
        "attribute-after-gt",
        "escaped",
        "heading",
        "prose",
        "not-first",
        "misspelt",
    ],
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
    start = (
        text.index(f"\n{key}: ") + 1 if key in ("title", "trigger") else text.index("\n", text.index("\nid: ") + 1) + 1
    )
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
    [
        "# pmkb: disable-file",
        "title: Outage  # pmkb: disable-file",
        "title: 'Outage'  # pmkb: disable=PM301, late-postmortem",
    ],
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
    ids=[
        "file",
        "file-same-line",
        "after-code-span",
        "list-item",
        "quote",
        "table",
        "next-line-reason",
        "multi-line-comment",
    ],
)
def test_a_real_comment_still_silences(kb, text):
    kb.write(sections={"Lessons learned": text})
    assert _pm301_lines(kb) == []


# ---- nesting: too deep for Python-Markdown's recursion ------------------------------------------

DEEP_LIST = "\n".join(" " * (4 * i) + f"- level {i} <b>" for i in range(300))  # the review's 183 KB shape
DEEP_QUOTE = "\n".join(">" * i + f" level {i}" for i in range(1, 301))
DEEP_MIXED = "\n".join("> - " * (i // 2) + "\t" * (i % 2) + f"- item {i}" for i in range(200))  # quotes, lists and tabs
EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc"]  # the site's (mkdocs.yml)


def _markdown(text: str) -> str:
    import markdown

    return markdown.Markdown(extensions=EXTENSIONS).convert(text)


@pytest.mark.parametrize("body", [DEEP_LIST, "- " * 1000 + "x"], ids=["list", "markers-on-one-line"])
def test_python_markdown_fails_on_the_deep_text_and_not_on_the_guarded_text(body):
    with pytest.raises(RecursionError):
        _markdown(body)
    html = _markdown(limit_nesting(body))
    assert '<pre class="pmkb-too-deep">' in html


@pytest.mark.parametrize("body", [DEEP_QUOTE, DEEP_MIXED], ids=["quote", "mixed"])
def test_deep_quotes_are_shown_as_text_too(body):
    # Python-Markdown does not overflow on these, but its time grows with the square of
    # the depth (1,000 quote levels: 24 s); past the limit they are text like lists.
    html = _markdown(limit_nesting(body))
    pre = html[html.index('<pre class="pmkb-too-deep">') :]
    assert "level 299" in pre or "item 199" in pre  # nothing is left out
    # The limit is counted on each line's own prefix; Python-Markdown may nest a line one
    # level under the item before it. Bounded either way, far below what overflows (~280).
    assert _max_nesting(html) <= MAX_NESTING + 1


def _max_nesting(html: str) -> int:
    """The deepest nesting of lists and quotes in `html`."""
    from html.parser import HTMLParser

    class Depth(HTMLParser):
        depth = deepest = 0

        def handle_starttag(self, tag, attrs):
            if tag in ("ul", "ol", "blockquote"):
                self.depth += 1
                self.deepest = max(self.deepest, self.depth)

        def handle_endtag(self, tag):
            if tag in ("ul", "ol", "blockquote"):
                self.depth -= 1

    parser = Depth()
    parser.feed(html)
    return parser.deepest


def test_the_guard_keeps_the_first_levels_and_shows_the_rest_as_escaped_text():
    out = limit_nesting(DEEP_LIST + "\n\nAfter the list.")
    html = _markdown(out)
    assert html.count("<li>") == MAX_NESTING == _max_nesting(html)  # levels 0–19 are still a list
    pre = html[html.index("<pre") : html.index("</pre>")]
    assert "level 20 &lt;b&gt;" in pre and "level 299 &lt;b&gt;" in pre and "<b>" not in pre
    assert "<p>After the list.</p>" in html


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain prose",
        "\n".join(" " * (4 * i) + f"- level {i}" for i in range(MAX_NESTING)),
        ">" * MAX_NESTING + " quote",
        "```\n" + " " * 60 + "code\n```",
    ],
)
def test_the_guard_returns_text_within_the_limit_unchanged(text):
    assert limit_nesting(text) is text


def test_nesting_depth_counts_indentation_quotes_and_markers():
    assert nesting_depth("plain") == (0, -1)
    assert nesting_depth("    - b") == (2, -1)
    assert nesting_depth("> - > - x") == (4, -1)
    assert nesting_depth(">" * 21) == (21, 20)
    assert nesting_depth("\t" * 21 + "x")[0] > MAX_NESTING  # a tab is four columns
    assert nesting_depth("-" * 50) == (0, -1)  # a rule, not 50 markers
    # Bounded work: a million-character prefix stops at the limit.
    assert nesting_depth("> " * 500_000)[1] == 2 * MAX_NESTING


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_QUOTE], ids=["list", "quote"])
def test_check_reports_the_line_and_column_where_the_limit_is_passed(kb, body):
    path = kb.write(sections={"Lessons learned": body})
    found = [f for f in kb.findings() if f["code"] == "PM621"]
    needle = "level 20 " if body is DEEP_LIST else " level 21"
    line, _ = line_col(path, needle)
    column = 81 if body is DEEP_LIST else 21
    assert [(f["line"], f["column"], f["rule"], f["severity"]) for f in found] == [
        (line, column, "nesting-too-deep", "error")
    ]
    assert f"lines {line}–" in found[0]["message"]


def test_check_is_quiet_at_the_limit(kb):
    kb.write(sections={"Lessons learned": "\n".join(" " * (4 * i) + f"- level {i}" for i in range(MAX_NESTING))})
    assert not [f for f in kb.findings() if f["code"] == "PM621"]


DEEP_MD_IN_HTML = '<div markdown="1">\n' * 1000 + "x *y*\n" + "</div>\n" * 1000  # 26 KB


def test_nested_markdown_html_blocks_no_longer_overflow():
    with pytest.raises(RecursionError):
        _markdown(DEEP_MD_IN_HTML)
    guarded = limit_nesting(DEEP_MD_IN_HTML)
    assert "markdown" not in guarded  # past the limit, no block is parsed as Markdown
    html = _markdown(guarded)
    assert html.count("<div>") == 1000 and "x *y*" in html  # kept, as HTML with its text as it is
    one_line = "<section markdown>" * 1000 + "x" + "</section>" * 1000  # on one line, bare attribute
    _markdown(limit_nesting(one_line))


def test_a_few_markdown_html_blocks_are_left_alone(kb):
    text = "\n\n".join(f'<div class="grid" markdown>\n\n- *card {i}*\n\n</div>' for i in range(MAX_NESTING))
    assert limit_nesting(text) is text and "<em>card 19</em>" in _markdown(text)
    kb.write(sections={"Lessons learned": text})
    assert not [f for f in kb.findings() if f["code"] == "PM621"]


def test_check_reports_too_many_markdown_html_blocks(kb):
    path = kb.write(sections={"Lessons learned": DEEP_MD_IN_HTML})
    found = [f for f in kb.findings() if f["code"] == "PM621"]
    first = line_col(path, '<div markdown="1">')[0]
    assert [(f["line"], f["column"]) for f in found] == [(first + MAX_NESTING, 1)]
    assert found[0]["message"].startswith("1000 HTML blocks with a `markdown` attribute")


# ---- at most 200 findings per file ------------------------------------------------------------


def _blame(n: int) -> str:
    return "\n\n".join(f"It was human error ({i})." for i in range(n))


def test_a_file_lists_its_first_findings_and_counts_the_rest(kb):
    path = kb.write(sections={"Lessons learned": _blame(5000)})
    code, out = kb.check("--format", "json")
    found = json.loads(out)
    assert code == 1
    assert len(found) == MAX_FINDINGS_PER_FILE + 1
    *shown, summary = found
    assert all(f["code"] == "PM301" for f in shown)
    assert shown[-1]["line"] == line_col(path, f"human error ({MAX_FINDINGS_PER_FILE - 1})")[0]
    assert (summary["code"], summary["rule"], summary["severity"]) == ("PM622", "too-many-findings", "error")
    assert summary["message"].startswith(f"{5000 - MAX_FINDINGS_PER_FILE} more findings")
    assert summary["line"] == line_col(path, f"human error ({MAX_FINDINGS_PER_FILE})")[0]


def test_the_summary_is_a_warning_when_only_warnings_are_left_out(kb):
    kb.set_plugin_config(rules={"severity": {"blame-language": "warning"}})
    kb.write(sections={"Lessons learned": _blame(300)})
    code, out = kb.check("--format", "json")
    found = json.loads(out)
    assert code == 0 and found[-1]["severity"] == "warning" and found[-1]["message"].startswith("100 more")


def test_an_error_left_out_keeps_the_exit_status(kb):
    # 200 warnings come first; the one error after them is not listed, but still fails the run.
    kb.set_plugin_config(rules={"severity": {"blame-language": "warning"}})
    kb.write(sections={"Lessons learned": _blame(MAX_FINDINGS_PER_FILE) + "\n\nWe failed to verify the fix."})
    code, out = kb.check("--format", "json")
    found = json.loads(out)
    assert code == 1
    assert {f["severity"] for f in found[:-1]} == {"warning"}
    assert (found[-1]["code"], found[-1]["severity"], found[-1]["message"].split(" ")[0]) == ("PM622", "error", "1")


def test_findings_the_corpus_adds_count_towards_the_cap(kb):
    # unknown-related findings come after the per-file ones; the cap holds for the sum.
    kb.write(
        meta={"related": [f"2020-01-01-missing-{i}" for i in range(150)]}, sections={"Lessons learned": _blame(150)}
    )
    found = kb.findings()
    assert len(found) == MAX_FINDINGS_PER_FILE + 1
    assert found[-1]["message"].startswith("100 more")


def test_the_cap_does_not_depend_on_the_cache(kb):
    kb.write(sections={"Lessons learned": _blame(400)})
    first = kb.findings("--cache") if "--cache" in kb.run("check", "--help")[1] else kb.findings()
    assert kb.findings() == first and len(first) == MAX_FINDINGS_PER_FILE + 1


def test_the_site_builds_a_page_with_a_300_level_list(kb, tmp_path):
    from site_helpers import build_site

    shutil.copytree(ROOT / "ops-playbook", kb / "ops-playbook")
    shutil.copytree(
        ROOT / "templates" / "site", kb / "templates" / "site"
    )  # the kb fixture leaves the theme overrides out
    kb.write(sections={"Lessons learned": DEEP_LIST})
    result = build_site(kb.root, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-2000:]
    page = next((tmp_path / "site").rglob("2024-03-14-order-emails-delayed/index.html")).read_text(encoding="utf-8")
    assert '<pre class="pmkb-too-deep">' in page and "level 299 &lt;b&gt;" in page


# ---- the remediation report at 200,000 actions ---------------------------------------------------


def _report(n: int, owners: int, overdue_every: int = 3):
    from datetime import date, timedelta

    from postmortem_kb.analyse.remediation import OpenAction, Remediation

    today = date(2026, 11, 21)
    rows = []
    for i in range(n):
        over = 100 - i % 100 if i % overdue_every == 0 else 0
        due = today - timedelta(days=over) if over else today + timedelta(days=i % 50 + 1)
        rows.append(
            OpenAction(
                f"pm-{i // 100}#{i % 100 + 1}",
                f"pm-{i // 100}",
                "A title",
                "postmortems/x.md",
                f"Action {i} <b>",
                f"Owner {i % owners}",
                ["team-a"],
                "open",
                "",
                due,
                "",
                today,
                10,
                over,
                bool(over),
            )
        )
    rows.sort(key=lambda r: (-r.overdue_days, r.due, r.id))
    per: dict[str, list[int]] = {}
    for r in rows:
        per.setdefault(r.owner, [0, 0])
        per[r.owner][0] += 1
        per[r.owner][1] += r.overdue_days > 0
    by_owner = sorted(((o, n, over) for o, (n, over) in per.items()), key=lambda x: (-x[2], -x[1], x[0]))
    return Remediation(today, rows, n, 0, 0, by_owner, [("team-a", n, sum(1 for r in rows if r.overdue_days))])


def _page(report) -> str:
    from postmortem_kb.render.env import make_env

    urls = {a.postmortem: f"../{a.postmortem}/" for a in report.open}
    return make_env().get_template("remediation.md.j2").render(r=report, grace=0, urls=urls, stash=None)


def test_a_small_report_lists_every_action_on_the_page():
    report = _report(PAGE_ALL, owners=7)
    view = report.page()
    assert view.complete and view.rows == report.open
    assert _page(report).count("<tr id=") == PAGE_ALL


def test_a_large_report_page_is_bounded_and_points_to_the_downloads():
    report = _report(20_000, owners=2_000)  # the page is bounded by owners, not actions (200,000: see the report)
    view = report.page()
    assert not view.complete and len(view.groups) == PAGE_OWNERS and view.more_owners == 2_000 - PAGE_OWNERS
    by_owner: dict[str, list] = {}
    for a in report.open:
        by_owner.setdefault(a.owner, []).append(a)
    for g in view.groups:
        assert g.rows == by_owner[g.owner][:PAGE_PER_OWNER] and g.open == len(
            by_owner[g.owner]
        )  # overdue first, as in the report
    page = _page(report)
    assert page.count("<tr id=") == view.listed == PAGE_OWNERS * PAGE_PER_OWNER
    assert len(page) < 300_000  # was ~80 MB for the review's 204,000 actions
    assert "](remediation.csv)" in page and "](remediation.json)" in page and "and 1900 more owners" in page
    assert page.startswith("---\n")  # the page's own front matter still comes first
    assert "<b>" not in page  # still escaped


def test_the_report_repr_is_short_and_changes_with_any_action():
    report = _report(1_000, owners=10)
    key = repr(report)
    assert len(key) < 5_000
    report.open[-1].summary += " (phase two)"
    assert repr(report) != key


def test_the_downloads_hold_every_action(kb):
    from postmortem_kb.render.reports import COLUMNS, remediation_csv, remediation_json

    report = _report(3_000, owners=40)
    data = json.loads(remediation_json(report))
    assert [a["id"] for a in data["actions"]] == [a.id for a in report.open]
    assert set(data["actions"][0]) == set(COLUMNS)
    assert data["totals"]["open"] == 3_000 and len(data["by_owner"]) == 40
    rows = list(csv.DictReader(io.StringIO(remediation_csv(report))))
    assert [r["id"] for r in rows] == [a.id for a in report.open]
    empty = _report(0, owners=1)
    assert json.loads(remediation_json(empty))["actions"] == []
