"""placeholder: what `pmkb new` and `pmkb import` leave to be filled in, still there once
a postmortem is past `draft`.

A scaffold is valid YAML on purpose (so an editor and the checker can help while it is
written), which means its placeholders pass the schema: `trigger: "TODO: …"`,
`customer_impact: false  # TODO`, four times at the same midnight. Left in a published
postmortem they put "Trigger: TODO" on the page and a zero-minute incident in the
insights, so once the status says the writing is done, each is a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..load.sections import _yaml_comment_columns, _yaml_values
from ..model import Postmortem
from .hit import Context, Hit, short
from .rule import rule

# Upper case only: "a todo list" or "tbd" in prose is not a marker.
_MARK = re.compile(r"(?<![\w-])(TODO|TBD|FIXME|XXX)(?![\w-])")
_TIMES = ("started", "detected", "mitigated", "resolved")


_MARKS = ("TODO", "TBD", "FIXME", "XXX")


@rule(
    "PM107",
    "placeholder",
    summary=(
        "A postmortem past `draft` still holds what the scaffold left to fill in — TODO, TBD or FIXME in a field, a "
        "comment or the text, or the same time in every timestamp."
    ),
    why=(
        "`pmkb new` and `pmkb import` write valid placeholders so that the editor and the checker can help while a "
        'postmortem is written. Left in a postmortem that is in review or published, they put "Trigger: TODO" on its '
        "page and a zero-minute incident into the time-to-restore figures everybody reads."
    ),
    fix=(
        "Write the real value and remove the `# TODO` comment beside it. If something is not known yet, say so plainly "
        '("the vendor has not yet said why"), not with a marker. Drafts may keep placeholders.'
    ),
)
def placeholder(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    if pm.meta.status in ("draft", "archived"):
        return
    # Most files hold no marker at all: four substring scans rule it out (walking every
    # value was an eighth of a check).
    head = "\n".join(pm.lines[: pm.body_start - 1])
    if any(mark in head for mark in _MARKS):
        yield from _in_values(pm)
        yield from _in_comments(pm)
    yield from _times(pm)
    if pm.prose and any(mark in pm.prose for mark in _MARKS):
        yield from _in_body(pm)


def _in_values(pm: Postmortem) -> Iterator[Hit]:
    for path, text in _strings(pm.data, ()):
        if (m := _MARK.search(text)) is not None:
            line, col = pm.line_of.text_pos(path, m.start())
            field = ".".join(str(p) for p in path)
            yield Hit(
                placeholder,
                line,
                col,
                f"`{field}` still holds the placeholder {m.group()}: “{short(text)}”",
                "write the real value, or ask in review if it is not known yet",
            )


def _strings(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def _in_comments(pm: Postmortem) -> Iterator[Hit]:
    """`# TODO` comments beside a value in the front matter: the value was never
    confirmed. (A comment on a line of its own is guidance, and stays.)"""
    lines = pm.lines[1 : max(1, pm.body_start - 2)]  # between the `---` lines
    text = "\n".join(lines)
    values, upto = _yaml_values(text)
    offset = 0
    for i, line in enumerate(lines):
        for col in _yaml_comment_columns(line):
            at = offset + col
            if not line[:col].strip():
                break  # a comment line of its own
            if at < upto and not any(a <= at < b for a, b in values) and (m := _MARK.search(line, col)):
                yield Hit(
                    placeholder,
                    i + 2,
                    col + 1,
                    f"a {m.group()} comment is still beside this value: “{short(line[col + 1 :])}”",
                    "check the value, then remove the comment",
                )
                break
        offset += len(line) + 1


def _times(pm: Postmortem) -> Iterator[Hit]:
    m = pm.meta
    times = [getattr(m, k) for k in _TIMES if getattr(m, k) is not None]
    if len(set(times)) == 1 and len(times) >= 3:
        line, col = pm.line_of.line_of(("detected",))
        when = times[0].isoformat()
        yield Hit(
            placeholder,
            line,
            col,
            f"`started`, `detected` and `resolved` are all {when}: the scaffold's times, not the incident's",
            "write when the impact began, when it was noticed, when it ended and when it was closed",
        )


def _in_body(pm: Postmortem) -> Iterator[Hit]:
    """Markers in the prose of the body (code, quotes, links and comments are masked)."""
    for i, line in enumerate(pm.prose.split("\n")):
        if (m := _MARK.search(line)) is not None:
            yield Hit(
                placeholder,
                pm.body_start + i,
                m.start() + 1,
                f"the text still holds the placeholder {m.group()}",
                "write it, or say plainly what is not known yet and who is finding out",
            )
