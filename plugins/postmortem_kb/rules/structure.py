"""The rules about a postmortem's sections, as its template requires them (PM201, PM202,
PM204). They read the front matter as written when it failed the schema, so that one run
shows every finding, not the first field error alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..load.templates import Template
from ..model import Postmortem, Section
from .best_effort import validated
from .hit import Context, Hit, pos
from .rule import DATA, rule


def _template(pm: Postmortem, ctx: Context) -> tuple[Template | None, bool]:
    """The postmortem's template and whether it has action items: from the model, or from
    the front matter as written when it failed the schema (no template: none readable)."""
    if validated(pm):
        return ctx.templates.get(pm.meta.template), bool(pm.meta.actions)
    data: dict[Any, Any] = pm.data if isinstance(pm.data, dict) else {}
    template = data.get("template", "standard")
    has_actions = bool(data.get("actions")) or "actions" not in data
    return (ctx.templates.get(template) if isinstance(template, str) else None), has_actions


def _found(pm: Postmortem) -> dict[str, Section]:
    return {s.key: s for s in pm.sections}


@rule(
    "PM201",
    "missing-section",
    summary="A section the template requires is absent.",
    why=(
        'The template\'s sections are the questions every postmortem answers. A missing "Where we got lucky" usually '
        "means the question was never asked."
    ),
    fix="Add the `## ` heading with its content; `pmkb new` writes every section with guidance.",
    scope=DATA,
)
def missing_section(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    tpl, _ = _template(pm, ctx)
    if tpl is None:
        return
    have = _found(pm)
    previous_line = min(pm.body_start, max(1, len(pm.lines)))  # the closing `---` when the body is empty
    for title, key in zip(tpl.sections, tpl.keys, strict=True):
        found = have.get(key)
        if found is not None:
            previous_line = found.end_line
            continue
        yield Hit(
            missing_section,
            previous_line,
            1,
            f"section `## {title}` is missing (template `{tpl.name}`)",
            f"add a `## {title}` section after line {previous_line}",
        )


@rule(
    "PM202",
    "empty-section",
    summary="A template section has no content (guidance comments do not count).",
    why='An empty section reads as "nothing to say", which is rarely true.',
    fix="Write the section; if there really is nothing, say so and why in one sentence.",
    scope=DATA,
)
def empty_section(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    tpl, _ = _template(pm, ctx)
    if tpl is None:
        return
    have = _found(pm)
    for title, key in zip(tpl.sections, tpl.keys, strict=True):
        found = have.get(key)
        if found is not None and not found.has_content:
            yield Hit(
                empty_section,
                found.line,
                1,
                f"section `## {title}` is empty",
                "write the section; guidance comments do not count",
            )


@rule(
    "PM204",
    "no-actions-reason",
    summary="The postmortem has no action items and does not say why.",
    why="An incident with nothing to change is possible, but the reason is itself a lesson.",
    fix='Add actions to the front matter, or explain under "Action items" why none are needed.',
    scope=DATA,
)
def no_actions_reason(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    tpl, has_actions = _template(pm, ctx)
    if tpl is None or has_actions:
        return
    action_section = _found(pm).get("action items")
    if action_section is None or not action_section.has_content:
        line = action_section.line if action_section else pos(pm, "actions")[0]
        yield Hit(
            no_actions_reason,
            line,
            1,
            "no action items, and no reason given",
            "add actions to the front matter, or say under `## Action items` why none are needed",
        )
