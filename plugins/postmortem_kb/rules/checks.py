"""The structural, reference and policy rules. Each yields Hits; the engine makes Findings.

Pure functions of a postmortem and the check context: no I/O, no clock.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import operator
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..load.schema import OPEN_STATUSES
from ..model import Postmortem
from ..suggest import did_you_mean
from . import public, timeline
from .feed_text import feed_field_markup
from .hit import Context, Hit, Rule
from .language import name_tokens
from .placeholder import placeholder
from .raw_html import raw_html


def _pos(pm: Postmortem, *path: Any) -> tuple[int, int]:
    return pm.line_of.line_of(tuple(path))


def events_in_order(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    m = pm.meta
    chain = [("started", m.started), ("detected", m.detected), ("mitigated", m.mitigated), ("resolved", m.resolved)]
    known = [(k, v) for k, v in chain if v is not None]
    for (k1, v1), (k2, v2) in itertools.pairwise(known):
        if v2 < v1:
            yield Hit(
                "schema",
                *_pos(pm, k2),
                f"`{k2}` ({v2.isoformat()}) is before `{k1}` ({v1.isoformat()})",
                f"events run started ≤ detected ≤ mitigated ≤ resolved; fix `{k2}` or `{k1}`",
            )
    filed = m.filed
    if isinstance(filed, datetime) and filed < m.started:
        yield Hit(
            "schema",
            *_pos(pm, "filed"),
            "`filed` is before the incident `started`",
            "set `filed` to when the postmortem was opened",
        )


def severity_and_template(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    m = pm.meta
    if m.severity not in ctx.settings.severities:
        close = [
            s for s in ctx.settings.severities if s.casefold() == m.severity.casefold()
        ] or difflib.get_close_matches(m.severity, ctx.settings.severities, n=1)
        yield Hit(
            "unknown-severity",
            *_pos(pm, "severity"),
            f"unknown severity `{m.severity}`" + (f"; did you mean `{close[0]}`?" if close else ""),
            f"use one of: {', '.join(ctx.settings.severities)}",
        )
    if m.template not in ctx.templates:
        yield Hit(
            "unknown-template",
            *_pos(pm, "template"),
            f"no template `{m.template}` in {ctx.settings.templates_dir}/",
            f"use one of: {', '.join(sorted(ctx.templates)) or 'standard'}",
        )


def sections(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    yield from _sections(pm, ctx, pm.meta.template, bool(pm.meta.actions))


def _sections(pm: Postmortem, ctx: Context, template: str, has_actions: bool) -> Iterator[Hit]:
    tpl = ctx.templates.get(template)
    if tpl is None:
        return
    have = {s.key: s for s in pm.sections}
    previous_line = min(pm.body_start, max(1, len(pm.lines)))  # the closing `---` when the body is empty
    for title, key in zip(tpl.sections, tpl.keys, strict=True):
        found = have.get(key)
        if found is None:
            yield Hit(
                "missing-section",
                previous_line,
                1,
                f"section `## {title}` is missing (template `{tpl.name}`)",
                f"add a `## {title}` section after line {previous_line}",
            )
            continue
        previous_line = found.end_line
        if not found.has_content:
            yield Hit(
                "empty-section",
                found.line,
                1,
                f"section `## {title}` is empty",
                "write the section; guidance comments do not count",
            )
    if not has_actions:
        action_section = have.get("action items")
        if action_section is None or not action_section.has_content:
            line = action_section.line if action_section else _pos(pm, "actions")[0]
            yield Hit(
                "no-actions-reason",
                line,
                1,
                "no action items, and no reason given",
                "add actions to the front matter, or say under `## Action items` why none are needed",
            )


MAX_SUGGESTIONS = 20  # "did you mean" per file


def references(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    m = pm.meta
    known = ctx.taxonomy.factors
    own = {cf.factor for cf in m.contributing_factors}
    suggested = 0
    for i, cf in enumerate(m.contributing_factors):
        if cf.factor == "todo":
            yield Hit(
                "unknown-factor",
                *_pos(pm, "contributing_factors", i, "factor"),
                "contributing factor not chosen yet (`todo`)",
                f"pick an id from {ctx.taxonomy.path} that names this condition",
            )
        elif known and cf.factor not in known:
            suggested += 1  # a suggestion for the first few only: a hostile list has thousands
            close = (
                did_you_mean(cf.factor, {fid: [f.name, f.definition] for fid, f in known.items()})
                if suggested <= MAX_SUGGESTIONS
                else None
            )
            yield Hit(
                "unknown-factor",
                *_pos(pm, "contributing_factors", i, "factor"),
                f"unknown factor `{cf.factor}`" + (f"; did you mean `{close}`?" if close else ""),
                f"use an id from {ctx.taxonomy.path}, or add this factor there",
            )
        for j, ref in enumerate(cf.enabled_by):
            if ref not in own:
                yield Hit(
                    "unknown-factor",
                    *_pos(pm, "contributing_factors", i, "enabled_by", j),
                    f"`enabled_by` names `{ref}`, which is not a factor of this postmortem",
                    "list only factor ids that appear in this postmortem's contributing_factors",
                )
    for i, action in enumerate(m.actions):
        for j, ref in enumerate(action.addresses):
            if ref not in own:
                yield Hit(
                    "unknown-factor",
                    *_pos(pm, "actions", i, "addresses", j),
                    f"action {i + 1} addresses `{ref}`, which is not a factor of this postmortem",
                    "list only factor ids that appear in this postmortem's contributing_factors",
                )
    for i, ref in enumerate(m.related):
        if ref == m.id:
            yield Hit(
                "unknown-related", *_pos(pm, "related", i), "a postmortem cannot be related to itself", "remove it"
            )
    # Whether the other ids exist is a question about the whole corpus: check.py asks it.
    yield from _services(pm, ctx)


def _services(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    """Service ids the catalog does not know; silent without a catalog."""
    catalog = ctx.taxonomy.services
    if catalog is None:
        return
    known = catalog.services
    candidates: dict[str, list[str]] | None = None  # built at the first unknown id only
    for i, sid in enumerate(pm.meta.services):
        if sid in known:
            continue
        if candidates is None:
            candidates = {k: [s.name, s.owner or ""] for k, s in known.items()}
        close = did_you_mean(sid, candidates) if i < MAX_SUGGESTIONS else None
        yield Hit(
            "unknown-service",
            *_pos(pm, "services", i),
            f"unknown service `{_short(sid)}`" + (f"; did you mean `{close}`?" if close else ""),
            f"use an id from {catalog.path}, or add this service there (id, name, owner, tier)",
        )


def policy(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    m = pm.meta
    pol = ctx.settings.policy
    if len(m.contributing_factors) < pol.min_contributing_factors:
        yield Hit(
            "too-few-factors",
            *pm.line_of.key_line("contributing_factors"),
            f"{len(m.contributing_factors)} contributing factor(s); the policy asks for at least {pol.min_contributing_factors}",
            "ask what let the trigger do harm, what delayed detection and what slowed restoration",
        )
    for i, action in enumerate(m.actions):
        if not action.owner:
            yield Hit(
                "action-missing-owner",
                *_pos(pm, "actions", i),
                f"action {i + 1} (“{_short(action.summary)}”) has no owner",
                "add `owner:` (a person or team who agreed to it)",
            )
        if action.due is None:
            yield Hit(
                "action-missing-due",
                *_pos(pm, "actions", i),
                f"action {i + 1} (“{_short(action.summary)}”) has no due date",
                "add `due: YYYY-MM-DD`",
            )
        elif action.status in OPEN_STATUSES:
            stale_after = _later(action.due, timedelta(days=pol.stale_action_grace_days))
            if stale_after is not None and ctx.today > stale_after:
                days = (ctx.today - action.due).days
                yield Hit(
                    "stale-action",
                    *_pos(pm, "actions", i, "due"),
                    f"action {i + 1} (“{_short(action.summary)}”) is {action.status}, {days} day(s) past its due date {action.due.isoformat()}",
                    "finish it, move `due` with a reason, or mark it `wont-do`",
                )
    deadline = _later(m.resolved, timedelta(hours=pol.postmortem_due_hours))
    filed = m.filed
    late = deadline is not None and (filed > deadline if isinstance(filed, datetime) else filed > deadline.date())
    if late:
        yield Hit(
            "late-postmortem",
            *_pos(pm, "filed"),
            f"filed {filed.isoformat()}, after the {pol.postmortem_due_hours} h deadline ({deadline.isoformat()})",
            None,
        )
    elif m.status == "draft" and deadline is not None and ctx.today > deadline.date():
        days = (ctx.today - deadline.date()).days
        yield Hit(
            "late-postmortem",
            *_pos(pm, "status"),
            f"still a draft {days} day(s) after the {pol.postmortem_due_hours} h deadline ({deadline.isoformat()})",
            "finish it and set `status: in-review`; a draft is on no one's list but its author's",
        )
    if m.customer_impact:
        public_deadline = _later(m.resolved, timedelta(hours=pol.public_postmortem_due_hours))
        pub = m.public_postmortem
        if public_deadline is None:
            pass  # due after the last representable day: not late on any date
        elif pub is None:
            if ctx.today > public_deadline.date():
                yield Hit(
                    "missing-public-postmortem",
                    *pm.line_of.key_line("customer_impact"),
                    f"customers were impacted and there is no `public_postmortem`; it was due by {public_deadline.isoformat()}",
                    "publish it and set `public_postmortem:` to its URL or date",
                )
        elif isinstance(pub, date):
            late_pub = pub > public_deadline if isinstance(pub, datetime) else pub > public_deadline.date()
            if late_pub:
                yield Hit(
                    "missing-public-postmortem",
                    *_pos(pm, "public_postmortem"),
                    f"the public postmortem ({pub.isoformat()}) came after the {pol.public_postmortem_due_hours} h deadline ({public_deadline.isoformat()})",
                    None,
                )


def timeline_order(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    sec = pm.section("timeline")
    if sec is None:
        return
    # The prose only as far as the section's end: the lines after it are not looked at.
    prose_lines = pm.prose.split("\n", max(0, sec.end_line - pm.body_start + 1))
    rows = []
    for lineno in range(sec.line + 1, sec.end_line + 1):
        idx = lineno - pm.body_start
        if 0 <= idx < len(prose_lines) and (prose := prose_lines[idx]) and not prose.isspace():
            rows.append((lineno, pm.lines[lineno - 1]))
    tz = pm.meta.started.tzinfo or UTC
    found = list(timeline.entries(rows, tz))
    for problem, e in timeline.place(found, pm.meta.started, pm.meta.resolved):
        if problem == "unreadable":
            yield Hit(
                "timeline-order",
                e.line,
                e.column,
                f"timeline entry has no readable time: “{_short(e.raw)}”",
                "start each row with `HH:MM` (or `YYYY-MM-DD HH:MM`)",
            )
        elif problem == "window":
            yield Hit(
                "timeline-order",
                e.line,
                e.column,
                f"timeline entry “{_short(e.raw)}” comes after the incident was resolved and has no date",
                "begin it with its date, e.g. `2024-03-15 09:30`, so readers know which day it was",
            )
        else:
            yield Hit(
                "timeline-order",
                e.line,
                e.column,
                f"timeline entry “{_short(e.raw)}” is earlier than the entry before it",
                "order entries earliest first; put a date on entries from another day",
            )


def unvalidated_body(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    """A file whose front matter fails the schema still has its body checked (sections
    and wording), so that one run shows every finding, not the first field error alone."""
    data = pm.data if isinstance(pm.data, dict) else {}
    template = data.get("template", "standard")
    actions = data.get("actions")
    if isinstance(template, str):
        yield from _sections(pm, ctx, template, bool(actions) or "actions" not in data)
    yield from _body_language(pm, ctx, _raw_people(data))


def _raw_people(data: dict[str, Any]) -> Any:
    """The authors and owners of front matter that failed the schema, where readable."""
    actions = data.get("actions")
    owners = [a.get("owner") for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []
    names = [*(data.get("authors") if isinstance(data.get("authors"), list) else []), *owners]
    return name_tokens([n for n in names if isinstance(n, str)])


def front_matter_language(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    """The phrase rules over the prose fields of a best-effort model (see best_effort.py)."""
    yield from _front_matter_language(pm, ctx, _raw_people(pm.data if isinstance(pm.data, dict) else {}))


def language(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    """Phrase rules over the masked body and the front matter's prose fields."""
    m = pm.meta
    people = name_tokens([*m.authors, *(a.owner for a in m.actions if a.owner)])
    yield from _body_language(pm, ctx, people)
    yield from _front_matter_language(pm, ctx, people)


def _body_language(pm: Postmortem, ctx: Context, people: Any) -> Iterator[Hit]:
    text = pm.prose
    if text:
        # Most files have no hit: where each line starts is worked out at the first one.
        lines = text.split("\n")
        starts: list[int] = []
        for hit in ctx.language.scan(text, people=people):
            yield _text_hit(pm, hit, starts or _line_starts(lines, starts))
        action_sec = pm.section("action items")
        if action_sec is not None:
            k = action_sec.line - pm.body_start
            lo = sum(map(len, lines[:k])) + k
            end_idx = action_sec.end_line - pm.body_start + 1
            hi = sum(map(len, lines[:end_idx])) + end_idx if end_idx < len(lines) else len(text)
            for hit in ctx.language.scan(text[lo:hi], people=people, only_actions=True):
                hit.start += lo
                hit.end += lo
                yield _text_hit(pm, hit, starts or _line_starts(lines, starts))


def _front_matter_language(pm: Postmortem, ctx: Context, people: Any) -> Iterator[Hit]:
    # Front-matter prose is scanned as two texts (actions, the rest), not field by field;
    # which field a hit is in is worked out for hits only.
    m = pm.meta
    values = [m.title, *([m.trigger] if m.trigger else []), *(cf.description for cf in m.contributing_factors)]
    summaries = [a.summary for a in m.actions]
    for group, is_action in ((values, False), (summaries, True)):
        if not group:
            continue
        paths: list[tuple[Any, ...]] = []
        offsets: list[int] = []
        for hit in ctx.language.scan(_SEPARATOR.join(group), actions=is_action, people=people):
            if not paths:
                paths = _field_paths(m, is_action)
                offsets = _join(group)[1]
            k = bisect.bisect_right(offsets, hit.start) - 1
            line, col = _scalar_pos(pm, paths[k], hit.start - offsets[k])
            yield Hit(
                hit.rule.name,
                line,
                col,
                hit.rule.message.replace("{match}", _short(hit.text)),
                hit.rule.hint,
                hit.subject,
                hit.severity,
            )


def _line_starts(lines: list[str], out: list[int]) -> list[int]:
    """Fill `out` with the offset of each line of "\n".join(lines)."""
    out.extend(map(operator.add, itertools.accumulate(map(len, lines[:-1]), initial=0), itertools.count()))
    return out


def _field_paths(m: Any, actions: bool) -> list[tuple[Any, ...]]:
    """The paths of the values `language` joins, in the same order."""
    if actions:
        return [("actions", i, "summary") for i in range(len(m.actions))]
    return [
        ("title",),
        *([("trigger",)] if m.trigger else []),
        *(("contributing_factors", i, "description") for i in range(len(m.contributing_factors))),
    ]


_SEPARATOR = "\n\x00\n"  # no phrase spans it: NUL is neither a word character nor a space


def _join(values: list[str]) -> tuple[str, list[int]]:
    offsets, pos = [], 0
    for v in values:
        offsets.append(pos)
        pos += len(v) + len(_SEPARATOR)
    return _SEPARATOR.join(values), offsets


def _text_hit(pm: Postmortem, hit: Any, starts: list[int]) -> Hit:
    idx = bisect.bisect_right(starts, hit.start) - 1
    return Hit(
        hit.rule.name,
        pm.body_start + idx,
        hit.start - starts[idx] + 1,
        hit.rule.message.replace("{match}", _short(" ".join(hit.text.split()))),
        hit.rule.hint,
        hit.subject,
        hit.severity,
    )


def _scalar_pos(pm: Postmortem, path: tuple[Any, ...], offset: int) -> tuple[int, int]:
    return pm.line_of.text_pos(path, offset)


def _later(value: Any, delta: timedelta) -> Any:
    """`value + delta` in `value`'s own zone, or None past the last representable date."""
    try:
        return value + delta
    except OverflowError:
        return None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def public_leak(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    """Only postmortems with customer impact get a public version; everything it shows
    (title, public sections, action summaries) is judged as rendered (see rules/public.py)."""
    if not pm.meta.customer_impact:
        return
    for leak in public.find_leaks(pm, ctx.settings.public, ctx.templates.get(pm.meta.template)):
        yield Hit("public-leak", leak.line, leak.column, leak.message, None)


PER_POSTMORTEM: list[Rule] = [
    events_in_order,
    severity_and_template,
    sections,
    references,
    policy,
    timeline_order,
    language,
    public_leak,
    raw_html,
    placeholder,
    feed_field_markup,
]
# Front matter that failed the schema: the body as ever, and every rule on the best-effort
# model (check.py drops what read a stood-in field).
BEST_EFFORT: list[Rule] = [
    unvalidated_body,
    *(r for r in PER_POSTMORTEM if r not in (sections, language)),
    front_matter_language,
]
