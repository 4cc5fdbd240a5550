"""The phrase rules (PM301–PM304): blame, hindsight, root-cause wording and vigilance actions.

Their patterns are data, not code: language.yml (an organisation adds its own under
`language_rules:` in mkdocs.yml), applied by the engine in language/, whose examples
each rule's page shows. Here: each rule's definition, and the one check that runs the
engine over the body's prose and the front matter's prose fields.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Iterator
from typing import Any

from ..model import Postmortem
from .best_effort import validated
from .hit import Context, Hit, short
from .language import name_tokens
from .registry import rule_named
from .rule import DATA, check, define

BLAME_LANGUAGE = define(
    "PM301",
    "blame-language",
    summary=(
        'Wording that blames people ("human error", "careless", "X\'s mistake", a person as the subject of a failure).'
    ),
    why=(
        "Blame ends the inquiry where it should begin. People act sensibly given what they knew, the tools they had "
        "and the pressure they were under; the postmortem's job is to find those conditions."
    ),
    fix="Describe what the system allowed or made easy, what the person saw and why the action made sense at the time.",
)
COUNTERFACTUAL = define(
    "PM302",
    "counterfactual",
    summary='Hindsight wording ("should have", "could have caught", "failed to" about a person, "if only").',
    why="Counterfactuals describe a world that did not happen and judge people by what was only known afterwards.",
    fix=(
        "Say what happened and what made the other path hard to see or take; turn the insight into an action that "
        "changes the system."
    ),
)
ROOT_CAUSE_LANGUAGE = define(
    "PM303",
    "root-cause-language",
    summary='"The root cause", "the cause was": one cause where there are several.',
    why=(
        "Incidents in complex systems come from several conditions combining; naming one stops the search for the "
        "others."
    ),
    fix="Name the trigger as the event that exposed the conditions, and list the contributing factors.",
)
VIGILANCE_ACTION = define(
    "PM304",
    "vigilance-action",
    summary="An action asks people to be more careful instead of changing the system.",
    why="Vigilance is what people already brought; asking for more of it fixes nothing and decays in weeks.",
    fix="Change a default, add a guard rail, automate the check, or make the risky step visible.",
)


@check(BLAME_LANGUAGE, COUNTERFACTUAL, ROOT_CAUSE_LANGUAGE, VIGILANCE_ACTION, scope=DATA)
def phrases(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    """Phrase rules over the masked body and the front matter's prose fields. A finding is
    named by the engine's verdict: an organisation's file may add patterns to any rule."""
    if validated(pm):
        m = pm.meta
        people = name_tokens([*m.authors, *(a.owner for a in m.actions if a.owner)])
    else:
        people = _raw_people(pm.data if isinstance(pm.data, dict) else {})
    yield from _body(pm, ctx, people)
    if pm.meta is not None:  # the model, or the best-effort one of front matter that failed the schema
        yield from _front_matter(pm, ctx, people)


def _raw_people(data: dict[str, Any]) -> Any:
    """The authors and owners of front matter that failed the schema, where readable."""
    actions = data.get("actions")
    owners = [a.get("owner") for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []
    names = [*(data.get("authors") if isinstance(data.get("authors"), list) else []), *owners]
    return name_tokens([n for n in names if isinstance(n, str)])


def _body(pm: Postmortem, ctx: Context, people: Any) -> Iterator[Hit]:
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


def _front_matter(pm: Postmortem, ctx: Context, people: Any) -> Iterator[Hit]:
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
                offsets = _offsets(group)
            k = bisect.bisect_right(offsets, hit.start) - 1
            line, col = pm.line_of.text_pos(paths[k], hit.start - offsets[k])
            yield Hit(
                rule_named(hit.rule.name),
                line,
                col,
                hit.rule.message.replace("{match}", short(hit.text)),
                hit.rule.hint,
                hit.subject,
                hit.severity,
            )


def _line_starts(lines: list[str], out: list[int]) -> list[int]:
    """Fill `out` with the offset of each line of "\n".join(lines)."""
    out.extend(map(operator.add, itertools.accumulate(map(len, lines[:-1]), initial=0), itertools.count()))
    return out


def _field_paths(m: Any, actions: bool) -> list[tuple[Any, ...]]:
    """The paths of the values `_front_matter` joins, in the same order."""
    if actions:
        return [("actions", i, "summary") for i in range(len(m.actions))]
    return [
        ("title",),
        *([("trigger",)] if m.trigger else []),
        *(("contributing_factors", i, "description") for i in range(len(m.contributing_factors))),
    ]


_SEPARATOR = "\n\x00\n"  # no phrase spans it: NUL is neither a word character nor a space


def _offsets(values: list[str]) -> list[int]:
    """Where each of `values` starts in `_SEPARATOR.join(values)`."""
    offsets, at = [], 0
    for v in values:
        offsets.append(at)
        at += len(v) + len(_SEPARATOR)
    return offsets


def _text_hit(pm: Postmortem, hit: Any, starts: list[int]) -> Hit:
    idx = bisect.bisect_right(starts, hit.start) - 1
    return Hit(
        rule_named(hit.rule.name),
        pm.body_start + idx,
        hit.start - starts[idx] + 1,
        hit.rule.message.replace("{match}", short(" ".join(hit.text.split()))),
        hit.rule.hint,
        hit.subject,
        hit.severity,
    )
