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
