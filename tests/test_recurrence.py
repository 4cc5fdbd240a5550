"""Did the fix hold? analyse/recurrence.py on hand-made postmortems (no files, no clock)."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from baseline import BASE_META

from postmortem_kb.analyse.recurrence import index, recurrences, shared_factors
from postmortem_kb.load.schema import FrontMatter
from postmortem_kb.model import Postmortem


def pm(
    pm_id: str, started: date, factors: list[str], actions: list[dict[str, Any]] | None = None, **extra: Any
) -> Postmortem:
    """A published postmortem that started at noon UTC on `started`."""
    at = datetime(started.year, started.month, started.day, 12, 0, tzinfo=UTC)
    meta = copy.deepcopy(BASE_META)
    meta.update(
        id=pm_id,
        title=f"Incident {pm_id}",
        started=at,
        detected=at + timedelta(minutes=5),
        mitigated=at + timedelta(minutes=30),
        resolved=at + timedelta(hours=1),
        filed=started,
        contributing_factors=[{"factor": f, "description": f"{f} contributed"} for f in factors],
        actions=actions if actions is not None else [],
        **extra,
    )
    return Postmortem(
        path=f"postmortems/{pm_id}.md",
        abs_path=f"/kb/postmortems/{pm_id}.md",
        lines=[],
        body_start=1,
        meta=FrontMatter.model_validate(meta),
    )


def action(summary: str, due: date | None, status: str = "done", addresses: list[str] | None = None) -> dict[str, Any]:
    return {"summary": summary, "owner": "Team", "due": due, "status": status, "addresses": addresses or []}


FIRST = pm(
    "a-first",
    date(2024, 1, 10),
    ["retry-storm", "alerting-gap"],
    [action("Add jitter to retries", date(2024, 2, 1), addresses=["retry-storm"])],
)


def test_a_factor_that_comes_back_after_a_done_action_is_a_recurrence() -> None:
    later = pm("b-later", date(2024, 6, 1), ["retry-storm"])
    found = recurrences([later, FIRST])  # any order in, by start out
    assert [(r.factor, r.incident.id) for r in found.by_factor["retry-storm"]] == [("retry-storm", "b-later")]
    r = found.by_postmortem["b-later"][0]
    assert (r.after.postmortem, r.after.number, r.after.summary, r.after.due) == (
        "a-first",
        1,
        "Add jitter to retries",
        date(2024, 2, 1),
    )
    # alerting-gap came back nowhere, and no action addressed it: not listed.
    assert "alerting-gap" not in found.by_factor
    assert found.ranked() == [("retry-storm", 1)]


def test_an_incident_before_the_due_date_or_on_it_is_not_after_remediation() -> None:
    between = pm("b-between", date(2024, 1, 20), ["retry-storm"])  # after the incident, before the action was due
    on_the_day = pm("c-on-due", date(2024, 2, 1), ["retry-storm"])
    day_after = pm("d-after", date(2024, 2, 2), ["retry-storm"])
    found = recurrences([FIRST, between, on_the_day, day_after])
    assert [r.incident.id for r in found.by_factor["retry-storm"]] == ["d-after"]


def test_only_done_actions_with_a_due_date_count() -> None:
    open_one = pm(
        "a-open",
        date(2024, 1, 10),
        ["retry-storm"],
        [action("Add jitter", date(2024, 2, 1), status="in-progress", addresses=["retry-storm"])],
    )
    undated = pm(
        "a-undated", date(2024, 1, 11), ["retry-storm"], [action("Add jitter", None, addresses=["retry-storm"])]
    )
    wont = pm(
        "a-wont",
        date(2024, 1, 12),
        ["retry-storm"],
        [action("Add jitter", date(2024, 2, 1), status="wont-do", addresses=["retry-storm"])],
    )
    later = pm("b-later", date(2024, 6, 1), ["retry-storm"])
    assert recurrences([open_one, undated, wont, later]).by_factor == {}


def test_an_action_addressing_another_factor_does_not_count() -> None:
    later = pm("b-later", date(2024, 6, 1), ["alerting-gap"])  # FIRST's action addresses retry-storm only
    assert recurrences([FIRST, later]).by_factor == {}


def test_an_action_due_before_its_own_incident_dates_from_that_incident() -> None:
    # Due in 2023, but its incident started in 2024-05: an incident in 2024-03 cannot
    # have come after that fix.
    odd = pm(
        "a-odd", date(2024, 5, 1), ["retry-storm"], [action("Add jitter", date(2023, 12, 1), addresses=["retry-storm"])]
    )
    earlier = pm("b-earlier", date(2024, 3, 1), ["retry-storm"])
    later = pm("c-later", date(2024, 5, 2), ["retry-storm"])
    assert [r.incident.id for r in recurrences([odd, earlier, later]).by_factor["retry-storm"]] == ["c-later"]


def test_each_later_incident_cites_the_latest_fix_before_it_and_counts_them_all() -> None:
    second = pm(
        "b-second",
        date(2024, 6, 1),
        ["retry-storm"],
        [action("Cap retries per client", date(2024, 7, 1), addresses=["retry-storm"])],
    )
    third = pm("c-third", date(2024, 9, 1), ["retry-storm"])
    found = recurrences([FIRST, second, third]).by_factor["retry-storm"]
    assert [(r.incident.id, r.after.postmortem, r.done_before) for r in found] == [
        ("b-second", "a-first", 1),
        ("c-third", "b-second", 2),
    ]


def test_a_factor_named_again_in_another_service_is_no_recurrence() -> None:
    """Taxonomy factors are broad: a fix in identity is not judged by a payments incident."""
    fixed = pm(
        "a-identity",
        date(2024, 1, 10),
        ["monitoring-gap"],
        [action("Alert on clock drift", date(2024, 2, 1), addresses=["monitoring-gap"])],
        services=["identity", "web-frontend"],
    )
    elsewhere = pm("b-payments", date(2024, 6, 1), ["monitoring-gap"], services=["payments-gateway"])
    shared = pm("c-web", date(2024, 7, 1), ["monitoring-gap"], services=["checkout", "web-frontend"])
    found = recurrences([fixed, elsewhere, shared])
    assert [(r.incident.id, r.service, r.after.postmortem) for r in found.by_factor["monitoring-gap"]] == [
        ("c-web", "web-frontend", "a-identity")
    ]
    assert "b-payments" not in found.by_postmortem


def test_an_incident_in_two_services_cites_the_latest_fix_of_either() -> None:
    a = pm(
        "a-one",
        date(2024, 1, 10),
        ["retry-storm"],
        [action("Fix one", date(2024, 2, 1), addresses=["retry-storm"])],
        services=["search"],
    )
    b = pm(
        "b-two",
        date(2024, 3, 1),
        ["retry-storm"],
        [action("Fix two", date(2024, 4, 1), addresses=["retry-storm"])],
        services=["orders"],
    )
    c = pm("c-both", date(2024, 6, 1), ["retry-storm"], services=["search", "orders"])
    found = recurrences([a, b, c]).by_factor["retry-storm"]
    assert [(r.incident.id, r.service, r.after.summary, r.done_before) for r in found] == [
        ("c-both", "orders", "Fix two", 1)
    ]


def test_a_fix_that_no_later_incident_in_its_services_named_again_held() -> None:
    fixed = pm(
        "a-identity",
        date(2024, 1, 10),
        ["monitoring-gap", "retry-storm"],
        [
            action("Alert on drift", date(2024, 2, 1), addresses=["monitoring-gap"]),
            action("Jitter", date(2024, 2, 1), addresses=["retry-storm"]),
        ],
        services=["identity"],
    )
    elsewhere = pm("b-payments", date(2024, 6, 1), ["monitoring-gap"], services=["payments-gateway"])
    again = pm("c-identity", date(2024, 7, 1), ["retry-storm"], services=["identity"])
    found = recurrences([fixed, elsewhere, again])
    assert [(h.action.postmortem, h.action.summary) for h in found.held["monitoring-gap"]] == [
        ("a-identity", "Alert on drift")
    ]
    assert "retry-storm" not in found.held  # it came back in identity
    assert [r.incident.id for r in found.by_factor["retry-storm"]] == ["c-identity"]


def test_a_note_counts_earlier_recurrences_only_in_the_postmortems_services() -> None:
    from postmortem_kb.analyse.recurrence import pattern_notes

    fixed = pm(
        "a-fixed",
        date(2024, 1, 10),
        ["retry-storm"],
        [action("Jitter", date(2024, 2, 1), addresses=["retry-storm"])],
        services=["identity"],
    )
    again = pm("b-again", date(2024, 6, 1), ["retry-storm"], services=["identity"])
    elsewhere = pm("c-elsewhere", date(2024, 9, 1), ["retry-storm"], services=["payments-gateway"])
    later = pm("d-later", date(2024, 10, 1), ["retry-storm"], services=["identity", "web-frontend"])
    histories = index([fixed, again, elsewhere, later])
    found = recurrences(histories)
    (note,) = pattern_notes(elsewhere, histories, found)
    assert "was also a factor in 2 earlier incidents" in note.message
    assert "recurs here" not in note.message and "already recurred" not in note.message
    (note,) = pattern_notes(later, histories, found)
    assert "it recurs here, in identity, after a-fixed's action 1 “Jitter”" in note.message
    assert (
        "in its services it had already recurred after remediation 1 time (latest: b-again in identity)" in note.message
    )


def test_shared_factors_for_a_new_postmortem() -> None:
    other = pm("b-other", date(2024, 3, 1), ["alerting-gap"])
    future = pm("z-future", date(2025, 1, 1), ["retry-storm"])
    draft = pm("c-new", date(2024, 6, 1), ["retry-storm", "alerting-gap", "software-defect"], status="draft")
    histories = index([FIRST, other, future])
    shared = {s.factor: s for s in shared_factors(draft, histories)}
    assert set(shared) == {"retry-storm", "alerting-gap"}  # nothing earlier names software-defect
    assert [i.id for i in shared["retry-storm"].earlier] == ["a-first"]  # not the later one
    assert shared["retry-storm"].after is not None and shared["retry-storm"].after.postmortem == "a-first"
    assert [i.id for i in shared["alerting-gap"].earlier] == ["b-other", "a-first"]  # most recent first
    assert shared["alerting-gap"].after is None


def test_shared_factors_leave_out_the_postmortem_itself() -> None:
    histories = index([FIRST])
    assert shared_factors(FIRST, histories) == []


def test_many_incidents_are_handled_in_one_pass() -> None:
    # 3,000 incidents of one factor, each with a done action: every one after the first
    # few days recurs; the merge must not compare pairs (this runs in well under a second).
    pms = [
        pm(
            f"x-{k:05d}",
            date(2020, 1, 1) + timedelta(days=k),
            ["retry-storm"],
            [action("Fix", date(2020, 1, 1) + timedelta(days=k + 1), addresses=["retry-storm"])],
        )
        for k in range(3000)
    ]
    found = recurrences(pms).by_factor["retry-storm"]
    assert len(found) == 2998  # day k+2 onwards is after day k's fix
    assert found[-1].done_before == 2998


# ---- at writing time: `pmkb check` notes (information, never findings) ----------------

DAY = timedelta(days=1)


def kb_meta(
    pm_id: str, started: date, factors: list[str], actions: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    """Front matter for the `kb` fixture: the baseline moved to `started` (13:52 UTC, as
    the baseline's timeline), filed the next day, actions done unless said otherwise."""

    def at(h: int, m: int) -> datetime:
        return datetime(started.year, started.month, started.day, h, m, tzinfo=UTC)

    return {
        "id": pm_id,
        "started": at(13, 52),
        "detected": at(14, 6),
        "mitigated": at(15, 40),
        "resolved": at(16, 5),
        "filed": started + DAY,
        "contributing_factors": [{"factor": f, "description": f"{f} contributed here"} for f in factors],
        "actions": [
            {"owner": "Queue team", "tracker": "https://tracker.example.com/Q-1", "kind": "prevent", **a}
            for a in (actions or [])
        ]
        or copy.deepcopy(BASE_META["actions"]),
        **extra,
    }


def write_history(kb: Any) -> Any:
    """An incident whose done action addresses retry-storm, then a new one naming it again."""
    kb.write(
        meta=kb_meta(
            "2024-01-10-first-storm",
            date(2024, 1, 10),
            ["retry-storm", "alerting-gap"],
            [
                {
                    "summary": "Add jitter to client retries",
                    "due": date(2024, 2, 1),
                    "status": "done",
                    "addresses": ["retry-storm"],
                }
            ],
        )
    )
    kb.write(meta=kb_meta("2024-02-20-unrelated", date(2024, 2, 20), ["config-change", "software-defect"]))
    return kb.write(meta=kb_meta("2024-03-14-storm-again", date(2024, 3, 14), ["retry-storm", "software-defect"]))


NOTE = (
    "postmortems/2024/2024-03-14-storm-again.md:{line}:{col}: note: `retry-storm` was also a factor in 1 earlier "
    "incident: 2024-01-10-first-storm (2024-01-10); it recurs here, in notifications, after 2024-01-10-first-storm's "
    "action 1 “Add jitter to client retries” was done (due 2024-02-01)"
)


def test_check_of_a_named_file_notes_earlier_incidents_before_the_summary(kb: Any) -> None:
    from conftest import line_col

    path = write_history(kb)
    code, out = kb.check(str(path))
    assert code == 0, out
    lines = out.splitlines()
    line, col = line_col(path, "factor: retry-storm")
    assert lines[0].startswith(NOTE.format(line=line, col=col + len("factor: ")))
    assert "the review can ask why that fix did not hold" in lines[0]
    assert lines[1].startswith(
        f"postmortems/2024/2024-03-14-storm-again.md:{line_col(path, 'factor: software-defect')[0]}:"
    )
    assert "`software-defect` was also a factor in 1 earlier incident: 2024-02-20-unrelated (2024-02-20)" in lines[1]
    assert "recurs here" not in lines[1]  # no done action addressed it
    assert lines[2].startswith("All clear: 1 file(s) checked")  # the summary is the last word
    assert len(lines) == 3


def test_a_fix_in_another_service_is_no_recurrence_in_the_note(kb: Any) -> None:
    kb.write(
        meta=kb_meta(
            "2024-01-10-first-storm",
            date(2024, 1, 10),
            ["retry-storm", "alerting-gap"],
            [
                {
                    "summary": "Add jitter to client retries",
                    "due": date(2024, 2, 1),
                    "status": "done",
                    "addresses": ["retry-storm"],
                }
            ],
            services=["identity"],
        )
    )
    path = kb.write(
        meta=kb_meta(
            "2024-03-14-storm-again",
            date(2024, 3, 14),
            ["retry-storm", "software-defect"],
            services=["payments-gateway"],
        )
    )
    code, out = kb.check(str(path))
    assert code == 0, out
    notes = [line for line in out.splitlines() if ": note: " in line]
    assert (
        len(notes) == 1 and "`retry-storm` was also a factor in 1 earlier incident: 2024-01-10-first-storm" in notes[0]
    )
    assert "recurs here" not in notes[0]  # seen before elsewhere, not a fix that failed here


def test_notes_never_change_the_exit_code_or_the_findings(kb: Any) -> None:
    path = write_history(kb)
    path.write_text(path.read_text(encoding="utf-8").replace("## Lessons learned", "## Lessons"), encoding="utf-8")
    code, out = kb.check(str(path))
    assert code == 1
    assert "[missing-section]" in out.splitlines()[0] and "note:" in out.splitlines()[-2]
    assert out.splitlines()[-1].startswith("Found 1 error(s)")
    # JSON is what scripts parse as findings: no notes in it, whatever was named.
    found = kb.findings(str(path))
    assert found and all(
        set(f) == {"path", "line", "column", "code", "rule", "severity", "message", "hint"} for f in found
    )
    assert not any("earlier incident" in f["message"] for f in found)
    code, sarif = kb.run("check", "--format", "sarif", "--today", "2024-03-20", str(path))
    assert code == 1 and "earlier incident" not in sarif


def test_github_format_gives_the_notes_as_escaped_notice_lines(kb: Any) -> None:
    kb.write(
        meta=kb_meta(
            "2024-01-10-first-storm",
            date(2024, 1, 10),
            ["retry-storm", "alerting-gap"],
            [
                {
                    "summary": "Add jitter,\n100% of clients: done",
                    "due": date(2024, 2, 1),
                    "status": "done",
                    "addresses": ["retry-storm"],
                }
            ],
        )
    )
    path = kb.write(meta=kb_meta("2024-03-14-storm-again", date(2024, 3, 14), ["retry-storm", "software-defect"]))
    code, out = kb.check("--format", "github", str(path))
    assert code == 0
    notices = [line for line in out.splitlines() if line.startswith("::notice ")]
    assert len(notices) == 1
    assert notices[0].startswith("::notice file=postmortems/2024/2024-03-14-storm-again.md,line=")
    assert "title=earlier incidents::`retry-storm` was also a factor" in notices[0]
    assert "“Add jitter, 100%25 of clients: done”" in notices[0]  # one line, `%` escaped
    # Text output shows a line break from the file as an escape, never a second line.
    _, text = kb.check(str(path))
    assert sum("note:" in line for line in text.splitlines()) == 1


def test_a_whole_knowledge_base_run_prints_no_notes(kb: Any) -> None:
    write_history(kb)
    code, out = kb.check()
    assert code == 0 and "note:" not in out
    code, out = kb.check("--format", "github")
    assert "::notice" not in out


def test_a_draft_gets_notes_but_is_no_earlier_incident_for_others(kb: Any) -> None:
    write_history(kb)
    draft = kb.write(
        meta=kb_meta("2024-03-01-draft-storm", date(2024, 3, 1), ["retry-storm", "alerting-gap"], status="draft")
    )
    _, out = kb.check(str(draft), today="2024-03-02")
    assert "note: `retry-storm` was also a factor in 1 earlier incident: 2024-01-10-first-storm" in out
    _, out = kb.check(str(kb / "postmortems/2024/2024-03-14-storm-again.md"))
    assert "2024-03-01-draft-storm" not in out


def test_changed_files_get_notes(kb: Any) -> None:
    from test_changed import git

    kb.write(
        meta=kb_meta(
            "2024-01-10-first-storm",
            date(2024, 1, 10),
            ["retry-storm", "alerting-gap"],
            [
                {
                    "summary": "Add jitter to client retries",
                    "due": date(2024, 2, 1),
                    "status": "done",
                    "addresses": ["retry-storm"],
                }
            ],
        )
    )
    git(kb.root, "init", "-q", "-b", "main")
    git(kb.root, "add", "-A")
    git(kb.root, "commit", "-q", "-m", "main")
    git(kb.root, "checkout", "-q", "-b", "pr")
    kb.write(meta=kb_meta("2024-03-14-storm-again", date(2024, 3, 14), ["retry-storm", "software-defect"]))
    code, out = kb.check("--changed", "main")
    assert code == 0
    notes = [line for line in out.splitlines() if ": note: " in line]
    assert len(notes) == 1 and notes[0].startswith("postmortems/2024/2024-03-14-storm-again.md:")
    assert "it recurs here, in notifications, after 2024-01-10-first-storm's action 1" in notes[0]


# ---- on the site: factor page, insights, the later postmortem, at 390 px ---------------

EARLY_ID, MIDDLE_ID, LATE_ID = "2024-01-10-queue-retry-storm", "2025-05-07-checkout-retries", "2026-10-02-retries-again"
NOTIFY = "Notifications (email, SMS, push)"  # the baseline's service, as the catalog names it
HOSTILE_SUMMARY = 'Add jitter <img src=x onerror=alert(1)> to "client" retries'


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's knowledge base without its postmortems (the samples change; these
    tests count), and three incidents naming retry-storm: the first with a done action
    addressing it (its summary hostile), the second with another, the third after both."""
    import shutil

    from site_helpers import BASE_META as SITE_META
    from site_helpers import assert_built, build_site, copy_kb, write_postmortem

    root = copy_kb(tmp_path_factory.mktemp("kb"))
    for year in (root / "postmortems").glob("[0-9]*"):
        shutil.rmtree(year)
    done = {**SITE_META["actions"][0], "status": "done", "priority": "P1", "addresses": ["retry-storm"]}
    for pm_id, title, factors, actions in (
        (
            EARLY_ID,
            "Queue retries stormed the broker",
            ["retry-storm", "alerting-gap"],
            [{**done, "summary": HOSTILE_SUMMARY, "due": date(2024, 2, 1)}],
        ),
        (
            MIDDLE_ID,
            "Checkout retries stormed the processor",
            ["retry-storm", "capacity-saturation"],
            [{**done, "summary": "Add a retry budget", "due": date(2025, 6, 1)}],
        ),
        (LATE_ID, "Retries stormed the broker again", ["retry-storm", "software-defect"], None),
    ):
        day = date.fromisoformat(pm_id[:10])
        at = datetime(day.year, day.month, day.day, 13, 52, tzinfo=UTC)
        meta = {
            "id": pm_id,
            "title": title,
            "started": at,
            "detected": at + timedelta(minutes=14),
            "mitigated": at + timedelta(minutes=108),
            "resolved": at + timedelta(minutes=133),
            "filed": day + DAY,
        }
        meta["contributing_factors"] = [{"factor": f, "description": f"{f} contributed"} for f in factors]
        if actions is not None:
            meta["actions"] = actions
        write_postmortem(root, meta=meta)
    dest = tmp_path_factory.mktemp("site")
    assert_built(build_site(root, dest))
    return dest


def test_the_factor_page_says_how_often_it_recurred_after_remediation(site: Path) -> None:
    from site_helpers import load_page, squash

    page = load_page(site, "factors/retry-storm/")
    box = page.find("div", data_pmkb="recurred")
    assert box is not None
    assert (
        squash(box.find("p", cls="admonition-title").text)
        == "Recurred 2 times after remediation (see the incidents below)"
    )
    items = [squash(li.text) for li in box.find_all("li")]
    assert items == [
        f"Checkout retries stormed the processor (2025-05-07): recurred in {NOTIFY} after Queue retries stormed the "
        f"broker’s action 1 “{HOSTILE_SUMMARY}” was done (due 2024-02-01)",
        f"Retries stormed the broker again (2026-10-02): recurred in {NOTIFY} after Checkout retries stormed the "
        f"processor’s action 1 “Add a retry budget” was done (due 2025-06-01); 2 actions addressing it in {NOTIFY} "
        "were done by then",
    ]
    links = [a.get("href") for a in box.find_all("a")]
    assert links[:2] == [f"../../2025/{MIDDLE_ID}/", f"../../2024/{EARLY_ID}/#pmkb-action-1"]
    assert "due date stands for it" in squash(box.text)  # the page says what "after" means
    assert "a later incident in a service the earlier incident shares" in squash(box.text)  # and what "recurred" means
    # Both fixes were followed by the factor in the same service: neither is shown as held.
    assert page.find("div", data_pmkb="held") is None
    # The link's target exists: the earlier postmortem's action row.
    assert load_page(site, f"2024/{EARLY_ID}/").find("tr", id="pmkb-action-1") is not None
    # A factor that never came back after a fix says nothing of the kind.
    assert load_page(site, "factors/alerting-gap/").find("div", data_pmkb="recurred") is None
    # The factors index counts it too.
    rows = {
        squash(tr.find("td").text): [squash(td.text) for td in tr.find_all("td")]
        for tr in load_page(site, "factors/").find_all("tr")
        if tr.find("td")
    }
    assert rows["Retry storm"][1:3] == ["3", "2"] and rows["Alerting gap"][1:3] == ["1", "–"]


def test_markup_in_an_action_summary_stays_text(site: Path) -> None:
    from site_helpers import page_html

    for url in ("factors/retry-storm/", f"2024/{EARLY_ID}/", f"2025/{MIDDLE_ID}/"):  # list, action table, card
        html = page_html(site, url)
        assert "<img src=x" not in html, url
        assert "Add jitter &lt;img src=x onerror=alert(1)&gt;" in html, url


def test_the_factor_page_charts_its_incidents_by_quarter(site: Path) -> None:
    from site_helpers import load_page, squash

    page = load_page(site, "factors/retry-storm/")
    fig = page.find("figure", data_pmkb="factor-trend")
    assert fig is not None
    bars = [squash(r.find("title").text) for r in fig.find_all("rect")]
    assert bars == ["2024 Q1: 1 incident", "2025 Q2: 1 incident", "2026 Q4: 1 incident"]
    caption = squash(fig.find("figcaption").text)
    assert (
        caption == "Incidents naming this factor per quarter, 2024 Q1 to 2026 Q4: 2024 Q1: 1, 2025 Q2: 1, 2026 Q4: 1."
    )
    years = [squash(t.text) for t in fig.find_all("text") if squash(t.text).isdigit() and len(squash(t.text)) == 4]
    assert years == ["2024", "2025", "2026"]


def test_insights_list_recurrences_after_remediation_and_quarter_trends(site: Path) -> None:
    from site_helpers import load_page, squash

    page = load_page(site, "insights/")
    held = page.find("div", data_pmkb="held")
    rows = [[squash(td.text) for td in tr.find_all("td")] for tr in held.find("tbody").find_all("tr")]
    assert rows == [
        [
            "Retry storm",
            "2 times",
            f"Retries stormed the broker again (2026-10-02): recurred in {NOTIFY} after Checkout retries stormed the "
            "processor’s action “Add a retry budget” was done (due 2025-06-01); all 2",
        ]
    ]
    assert "1 factor came back after remediation, 2 times in all." in squash(page.text)
    trends = page.find("div", data_pmkb="factor-trends")
    first = trends.find("tbody").find("tr")
    assert squash(first.find("td").text) == "Retry storm"  # the most recurring factor first
    assert [squash(r.find("title").text) for r in first.find_all("rect")] == ["2024 Q1: 1", "2025 Q2: 1", "2026 Q4: 1"]
    assert [squash(td.text) for td in first.find_all("td")[2:]] == ["1", "3"]  # last 4 quarters, all
    assert "drawn only for n ≥ 5" in squash(page.text)  # the whisker caption


def test_the_later_postmortem_names_the_action_its_factor_came_back_after(site: Path) -> None:
    from site_helpers import load_page, squash

    card = load_page(site, f"2026/{LATE_ID}/").find("div", data_pmkb="card")
    notes = [squash(p.text) for p in card.find_all("p", cls="pmkb-recurred")]
    assert notes == [
        f"⟲ Retry storm: this factor recurred in {NOTIFY} after Checkout retries stormed the processor’s action “Add "
        "a retry budget” was done (due 2025-06-01, before this incident started)."
    ]
    # The earlier incident shows no such note for retry-storm: nothing was done before it.
    early = load_page(site, f"2024/{EARLY_ID}/")
    assert not any(
        "Retry storm" in p.text() for p in early.find("div", data_pmkb="card").find_all("p", cls="pmkb-recurred")
    )
    # Its action table has a priority column, since an action has one.
    head = [squash(th.text) for th in early.find("div", data_pmkb="actions").find_all("th")]
    assert head[:3] == ["#", "Action", "Priority"]


@pytest.mark.browser
def test_at_390_px_the_recurrence_and_trend_show_without_horizontal_scroll(site: Path, browser: Any) -> None:
    from site_helpers import Guard, serve_dir

    with serve_dir(site) as base:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        guard = Guard()
        guard.watch(context, page, console=True)
        try:
            for url in ("factors/retry-storm/", "insights/", f"2026/{LATE_ID}/"):
                page.goto(base + url)
                widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
                assert widths[0] <= widths[1], (url, widths)
            page.goto(base + "factors/retry-storm/")
            line = page.locator("[data-pmkb=recurred] .admonition-title")
            assert line.is_visible() and line.inner_text().startswith("Recurred ")
            chart = page.locator("[data-pmkb=factor-trend] svg")
            box = chart.bounding_box()
            assert chart.is_visible() and box is not None and 300 <= box["width"] <= 390 and box["height"] > 80
            # The year labels are drawn and do not overlap one another.
            labels = page.eval_on_selector_all(
                "[data-pmkb=factor-trend] svg text",
                "els => els.filter(e => /^\\d{4}$/.test(e.textContent)).map(e => { const r = "
                "e.getBoundingClientRect(); return [r.left, r.right]; })",
            )
            assert len(labels) >= 2 and all(a[1] <= b[0] for a, b in itertools.pairwise(labels))
        finally:
            context.close()
        guard.assert_clean()
