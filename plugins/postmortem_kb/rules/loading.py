"""The rules the loader reports while reading a file (PM001–PM003, PM101).

Their logic is in load/ (files.py, frontmatter.py, corpus.py, taxonomy.py), which reports
each as a `Problem` naming the rule: load/ must not import rules/ (rules/ imports load/,
so that would be a cycle), and checker.py maps the name through the registry
(`rules.registry.rule_named`; tests/test_rule_fixtures.py holds every name load/ uses to a
rule defined here or elsewhere). Only the order of events is judged here, on the model.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime

from ..model import Postmortem
from .hit import Context, Hit, pos
from .rule import check, define

FRONT_MATTER = define(
    "PM001",
    "front-matter",
    summary="The file has no usable front matter (empty, missing or unclosed).",
    why=(
        "Every Markdown file in the postmortems folder is a postmortem, and a postmortem starts with YAML front matter "
        "between two `---` lines. Without it the knowledge base cannot know the incident's dates, services or factors."
    ),
    fix=(
        "Start from `pmkb new`, or add the opening and closing `---` lines. Move pages that are not postmortems out of "
        "the postmortems folder."
    ),
    silenced_by_comment=False,
)
YAML_SYNTAX = define(
    "PM002",
    "yaml-syntax",
    summary="The front matter is not valid YAML.",
    why="A YAML error hides every field after it. The finding points at the line the YAML parser stopped on.",
    fix=(
        "Quote values that contain `: ` or start with `@`, `*`, `&`, `!`, `%` or a backtick; indent list items "
        "consistently; don't use anchors or aliases."
    ),
)
ENCODING = define(
    "PM003",
    "encoding",
    summary="The file is not UTF-8 text.",
    why="The site, the search index and the checker read UTF-8; other bytes would be lost or garbled.",
    fix="Save the file as UTF-8.",
    silenced_by_comment=False,
)
SCHEMA = define(
    "PM101",
    "schema",
    summary="A front-matter field is missing, unknown, of the wrong type, or events are out of order.",
    why=(
        "Reports, insights and the graph are computed from the front matter. A missing `resolved` or a timestamp "
        "without a time zone silently skews time-to-restore for everybody."
    ),
    fix=(
        "Run `pmkb schema` for the full schema, or point your editor at `templates/postmortem.schema.json`. Timestamps "
        "carry a zone (`2024-03-14T13:52:00+00:00`); `started ≤ detected ≤ mitigated ≤ resolved`."
    ),
)


@check(SCHEMA)
def events_in_order(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    """started ≤ detected ≤ mitigated ≤ resolved, and filed after started: a schema finding."""
    m = pm.meta
    chain = [("started", m.started), ("detected", m.detected), ("mitigated", m.mitigated), ("resolved", m.resolved)]
    known = [(k, v) for k, v in chain if v is not None]
    for (k1, v1), (k2, v2) in itertools.pairwise(known):
        if v2 < v1:
            yield Hit(
                SCHEMA,
                *pos(pm, k2),
                f"`{k2}` ({v2.isoformat()}) is before `{k1}` ({v1.isoformat()})",
                f"events run started ≤ detected ≤ mitigated ≤ resolved; fix `{k2}` or `{k1}`",
            )
    filed = m.filed
    if isinstance(filed, datetime) and filed < m.started:
        yield Hit(
            SCHEMA,
            *pos(pm, "filed"),
            "`filed` is before the incident `started`",
            "set `filed` to when the postmortem was opened",
        )
