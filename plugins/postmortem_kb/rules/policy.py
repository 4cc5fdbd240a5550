"""The policy rules: what the knowledge base's policy (mkdocs.yml) asks of a postmortem and
its actions, and by when (PM401–PM406). Pure: the date is `ctx.today`, never the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from ..load.schema import OPEN_STATUSES
from ..model import Postmortem
from .hit import Context, Hit, pos, short
from .rule import rule


def _later(value: Any, delta: timedelta) -> Any:
    """`value + delta` in `value`'s own zone, or None past the last representable date."""
    try:
        return value + delta
    except OverflowError:
        return None


@rule(
    "PM401",
    "too-few-factors",
    summary="Fewer contributing factors than the policy's minimum.",
    why="One factor is a root cause by another name.",
    fix="Ask what allowed the trigger to have this effect, what delayed detection, what slowed restoration.",
)
def too_few_factors(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    found, least = len(pm.meta.contributing_factors), ctx.settings.policy.min_contributing_factors
    if found < least:
        yield Hit(
            too_few_factors,
            *pm.line_of.key_line("contributing_factors"),
            f"{found} contributing factor(s); the policy asks for at least {least}",
            "ask what let the trigger do harm, what delayed detection and what slowed restoration",
        )


@rule(
    "PM402",
    "action-missing-owner",
    summary="An action item has no owner.",
    why="An action no one owns is a wish.",
    fix="Set `owner:` to a person or team who agreed to it.",
)
def action_missing_owner(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    for i, action in enumerate(pm.meta.actions):
        if not action.owner:
            yield Hit(
                action_missing_owner,
                *pos(pm, "actions", i),
                f"action {i + 1} (“{short(action.summary)}”) has no owner",
                "add `owner:` (a person or team who agreed to it)",
            )


@rule(
    "PM403",
    "action-missing-due",
    summary="An action item has no due date.",
    why="Without a date, remediation loses to every other priority.",
    fix="Set `due: YYYY-MM-DD`.",
)
def action_missing_due(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    for i, action in enumerate(pm.meta.actions):
        if action.due is None:
            yield Hit(
                action_missing_due,
                *pos(pm, "actions", i),
                f"action {i + 1} (“{short(action.summary)}”) has no due date",
                "add `due: YYYY-MM-DD`",
            )


@rule(
    "PM404",
    "stale-action",
    summary="An action is still open past its due date (plus the policy's grace).",
    why="Stale remediation is how the same incident happens twice. The remediation report lists every one.",
    fix="Finish it, move the date with a reason, or mark it `wont-do` and say why.",
)
def stale_action(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    grace = timedelta(days=ctx.settings.policy.stale_action_grace_days)
    for i, action in enumerate(pm.meta.actions):
        if action.due is None or action.status not in OPEN_STATUSES:
            continue
        stale_after = _later(action.due, grace)
        if stale_after is not None and ctx.today > stale_after:
            days = (ctx.today - action.due).days
            yield Hit(
                stale_action,
                *pos(pm, "actions", i, "due"),
                f"action {i + 1} (“{short(action.summary)}”) is {action.status}, {days} day(s) past its due date "
                f"{action.due.isoformat()}",
                "finish it, move `due` with a reason, or mark it `wont-do`",
            )


@rule(
    "PM405",
    "late-postmortem",
    summary="The postmortem was filed, or left draft, later than the policy allows after resolution.",
    why=(
        "Memories fade and chat scrolls away; the policy's deadline keeps details intact. A draft is on no one's list "
        "but its author's, so a postmortem still in draft past the deadline is late too."
    ),
    fix=(
        "File sooner next time, and set `status: in-review` when the pull request opens for review; if `filed` is "
        "wrong, correct it."
    ),
)
def late_postmortem(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    m = pm.meta
    hours = ctx.settings.policy.postmortem_due_hours
    deadline = _later(m.resolved, timedelta(hours=hours))
    filed = m.filed
    late = deadline is not None and (filed > deadline if isinstance(filed, datetime) else filed > deadline.date())
    if late:
        yield Hit(
            late_postmortem,
            *pos(pm, "filed"),
            f"filed {filed.isoformat()}, after the {hours} h deadline ({deadline.isoformat()})",
            None,
        )
    elif m.status == "draft" and deadline is not None and ctx.today > deadline.date():
        days = (ctx.today - deadline.date()).days
        yield Hit(
            late_postmortem,
            *pos(pm, "status"),
            f"still a draft {days} day(s) after the {hours} h deadline ({deadline.isoformat()})",
            "finish it and set `status: in-review`; a draft is on no one's list but its author's",
        )


@rule(
    "PM406",
    "missing-public-postmortem",
    summary="Customers were impacted and there is no public postmortem within the policy's deadline.",
    why="Customers who were affected deserve an account of what happened and what changes.",
    fix="Publish the public write-up and set `public_postmortem:` to its URL or date.",
)
def missing_public_postmortem(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    m = pm.meta
    if not m.customer_impact:
        return
    hours = ctx.settings.policy.public_postmortem_due_hours
    public_deadline = _later(m.resolved, timedelta(hours=hours))
    pub = m.public_postmortem
    if public_deadline is None:
        return  # due after the last representable day: not late on any date
    if pub is None:
        if ctx.today > public_deadline.date():
            yield Hit(
                missing_public_postmortem,
                *pm.line_of.key_line("customer_impact"),
                "customers were impacted and there is no `public_postmortem`; it was due by "
                f"{public_deadline.isoformat()}",
                "publish it and set `public_postmortem:` to its URL or date",
            )
    elif isinstance(pub, date):
        late_pub = pub > public_deadline if isinstance(pub, datetime) else pub > public_deadline.date()
        if late_pub:
            yield Hit(
                missing_public_postmortem,
                *pos(pm, "public_postmortem"),
                f"the public postmortem ({pub.isoformat()}) came after the {hours} h deadline "
                f"({public_deadline.isoformat()})",
                None,
            )
