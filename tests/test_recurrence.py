"""Did the fix hold? analyse/recurrence.py on hand-made postmortems (no files, no clock)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

from baseline import BASE_META

from postmortem_kb.analyse.recurrence import index, recurrences, shared_factors
from postmortem_kb.load.schema import FrontMatter
from postmortem_kb.model import Postmortem


def pm(pm_id: str, started: date, factors: list[str], actions: list[dict[str, Any]] | None = None, **extra: Any) -> Postmortem:
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
    return Postmortem(path=f"postmortems/{pm_id}.md", abs_path=f"/kb/postmortems/{pm_id}.md", lines=[], body_start=1, meta=FrontMatter.model_validate(meta))


def action(summary: str, due: date | None, status: str = "done", addresses: list[str] | None = None) -> dict[str, Any]:
    return {"summary": summary, "owner": "Team", "due": due, "status": status, "addresses": addresses or []}


FIRST = pm("a-first", date(2024, 1, 10), ["retry-storm", "alerting-gap"], [action("Add jitter to retries", date(2024, 2, 1), addresses=["retry-storm"])])


def test_a_factor_that_comes_back_after_a_done_action_is_a_recurrence() -> None:
    later = pm("b-later", date(2024, 6, 1), ["retry-storm"])
    found = recurrences([later, FIRST])  # any order in, by start out
    assert [(r.factor, r.incident.id) for r in found.by_factor["retry-storm"]] == [("retry-storm", "b-later")]
    r = found.by_postmortem["b-later"][0]
    assert (r.after.postmortem, r.after.number, r.after.summary, r.after.due) == ("a-first", 1, "Add jitter to retries", date(2024, 2, 1))
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
    open_one = pm("a-open", date(2024, 1, 10), ["retry-storm"], [action("Add jitter", date(2024, 2, 1), status="in-progress", addresses=["retry-storm"])])
    undated = pm("a-undated", date(2024, 1, 11), ["retry-storm"], [action("Add jitter", None, addresses=["retry-storm"])])
    wont = pm("a-wont", date(2024, 1, 12), ["retry-storm"], [action("Add jitter", date(2024, 2, 1), status="wont-do", addresses=["retry-storm"])])
    later = pm("b-later", date(2024, 6, 1), ["retry-storm"])
    assert recurrences([open_one, undated, wont, later]).by_factor == {}


def test_an_action_addressing_another_factor_does_not_count() -> None:
    later = pm("b-later", date(2024, 6, 1), ["alerting-gap"])  # FIRST's action addresses retry-storm only
    assert recurrences([FIRST, later]).by_factor == {}


def test_an_action_due_before_its_own_incident_dates_from_that_incident() -> None:
    # Due in 2023, but its incident started in 2024-05: an incident in 2024-03 cannot
    # have come after that fix.
    odd = pm("a-odd", date(2024, 5, 1), ["retry-storm"], [action("Add jitter", date(2023, 12, 1), addresses=["retry-storm"])])
    earlier = pm("b-earlier", date(2024, 3, 1), ["retry-storm"])
    later = pm("c-later", date(2024, 5, 2), ["retry-storm"])
    assert [r.incident.id for r in recurrences([odd, earlier, later]).by_factor["retry-storm"]] == ["c-later"]


def test_each_later_incident_cites_the_latest_fix_before_it_and_counts_them_all() -> None:
    second = pm("b-second", date(2024, 6, 1), ["retry-storm"], [action("Cap retries per client", date(2024, 7, 1), addresses=["retry-storm"])])
    third = pm("c-third", date(2024, 9, 1), ["retry-storm"])
    found = recurrences([FIRST, second, third]).by_factor["retry-storm"]
    assert [(r.incident.id, r.after.postmortem, r.done_before) for r in found] == [("b-second", "a-first", 1), ("c-third", "b-second", 2)]


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
    pms = [pm(f"x-{k:05d}", date(2020, 1, 1) + timedelta(days=k), ["retry-storm"], [action("Fix", date(2020, 1, 1) + timedelta(days=k + 1), addresses=["retry-storm"])]) for k in range(3000)]
    found = recurrences(pms).by_factor["retry-storm"]
    assert len(found) == 2998  # day k+2 onwards is after day k's fix
    assert found[-1].done_before == 2998


# ---- at writing time: `pmkb check` notes (information, never findings) ----------------

DAY = timedelta(days=1)


def kb_meta(pm_id: str, started: date, factors: list[str], actions: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
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
        "actions": [{"owner": "Queue team", "tracker": "https://tracker.example.com/Q-1", "kind": "prevent", **a} for a in (actions or [])] or copy.deepcopy(BASE_META["actions"]),
        **extra,
    }


def write_history(kb: Any) -> Any:
    """An incident whose done action addresses retry-storm, then a new one naming it again."""
    kb.write(meta=kb_meta("2024-01-10-first-storm", date(2024, 1, 10), ["retry-storm", "alerting-gap"], [{"summary": "Add jitter to client retries", "due": date(2024, 2, 1), "status": "done", "addresses": ["retry-storm"]}]))
    kb.write(meta=kb_meta("2024-02-20-unrelated", date(2024, 2, 20), ["config-change", "software-defect"]))
    return kb.write(meta=kb_meta("2024-03-14-storm-again", date(2024, 3, 14), ["retry-storm", "software-defect"]))


NOTE = "postmortems/2024/2024-03-14-storm-again.md:{line}:{col}: note: `retry-storm` was also a factor in 1 earlier incident: 2024-01-10-first-storm (2024-01-10); it recurs here after 2024-01-10-first-storm's action 1 “Add jitter to client retries” was done (due 2024-02-01)"


def test_check_of_a_named_file_notes_earlier_incidents_after_the_findings(kb: Any) -> None:
    from conftest import line_col

    path = write_history(kb)
    code, out = kb.check(str(path))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("All clear: 1 file(s) checked")  # findings (none) and summary first
    line, col = line_col(path, "factor: retry-storm")
    assert lines[1].startswith(NOTE.format(line=line, col=col + len("factor: ")))
    assert "the review can ask why that fix did not hold" in lines[1]
    assert lines[2].startswith(f"postmortems/2024/2024-03-14-storm-again.md:{line_col(path, 'factor: software-defect')[0]}:")
    assert "`software-defect` was also a factor in 1 earlier incident: 2024-02-20-unrelated (2024-02-20)" in lines[2]
    assert "recurs here" not in lines[2]  # no done action addressed it
    assert len(lines) == 3


def test_notes_never_change_the_exit_code_or_the_findings(kb: Any) -> None:
    path = write_history(kb)
    path.write_text(path.read_text(encoding="utf-8").replace("## Lessons learned", "## Lessons"), encoding="utf-8")
    code, out = kb.check(str(path))
    assert code == 1
    assert "[missing-section]" in out.splitlines()[0] and "note:" in out.splitlines()[-1]
    # JSON is what scripts parse as findings: no notes in it, whatever was named.
    found = kb.findings(str(path))
    assert found and all(set(f) == {"path", "line", "column", "code", "rule", "severity", "message", "hint"} for f in found)
    assert not any("earlier incident" in f["message"] for f in found)
    code, sarif = kb.run("check", "--format", "sarif", "--today", "2024-03-20", str(path))
    assert code == 1 and "earlier incident" not in sarif


def test_github_format_gives_the_notes_as_escaped_notice_lines(kb: Any) -> None:
    kb.write(meta=kb_meta("2024-01-10-first-storm", date(2024, 1, 10), ["retry-storm", "alerting-gap"], [{"summary": "Add jitter,\n100% of clients: done", "due": date(2024, 2, 1), "status": "done", "addresses": ["retry-storm"]}]))
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
    draft = kb.write(meta=kb_meta("2024-03-01-draft-storm", date(2024, 3, 1), ["retry-storm", "alerting-gap"], status="draft"))
    _, out = kb.check(str(draft), today="2024-03-02")
    assert "note: `retry-storm` was also a factor in 1 earlier incident: 2024-01-10-first-storm" in out
    _, out = kb.check(str(kb / "postmortems/2024/2024-03-14-storm-again.md"))
    assert "2024-03-01-draft-storm" not in out


def test_changed_files_get_notes(kb: Any) -> None:
    from test_changed import git

    kb.write(meta=kb_meta("2024-01-10-first-storm", date(2024, 1, 10), ["retry-storm", "alerting-gap"], [{"summary": "Add jitter to client retries", "due": date(2024, 2, 1), "status": "done", "addresses": ["retry-storm"]}]))
    git(kb.root, "init", "-q", "-b", "main")
    git(kb.root, "add", "-A")
    git(kb.root, "commit", "-q", "-m", "main")
    git(kb.root, "checkout", "-q", "-b", "pr")
    kb.write(meta=kb_meta("2024-03-14-storm-again", date(2024, 3, 14), ["retry-storm", "software-defect"]))
    code, out = kb.check("--changed", "main")
    assert code == 0
    notes = [line for line in out.splitlines() if ": note: " in line]
    assert len(notes) == 1 and notes[0].startswith("postmortems/2024/2024-03-14-storm-again.md:")
    assert "it recurs here after 2024-01-10-first-storm's action 1" in notes[0]
