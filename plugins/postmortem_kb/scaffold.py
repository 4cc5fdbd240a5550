"""A postmortem file from `render/templates/new_postmortem.md.j2`: `pmkb new`'s scaffold
(`scaffold`), and `pmkb import`'s conversions (`render` of a `Head` it filled in). The
template lays the front matter out and YAML-escapes every value; a `Head` says what to
write, with a note (a YAML comment) where a value is a placeholder or needs a look."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined

from .load.templates import Template

# Characters a YAML stream may not hold, even in a comment (YAML 1.1 "printable"); NEL and
# the Unicode line and paragraph separators are line breaks to YAML 1.1: escaped too.
_UNPRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def yaml_str(value: object) -> str:
    """A double-quoted YAML scalar: JSON's escapes (JSON strings are YAML), plus an escape
    for any character YAML refuses raw."""
    text = json.dumps(str(value), ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}" if ord(m.group(0)) < 0x10000 else "\ufffd", text)


def yaml_plain(value: object) -> str:
    """`value` unquoted when YAML reads it back as that very string (an id), else quoted:
    "2019" or "true" would not be strings."""
    text = str(value)
    return text if _PLAIN.fullmatch(text) and yaml.safe_load(text) == text else yaml_str(text)


def yaml_list(values: Iterable[object]) -> str:
    return "[" + ", ".join(yaml_str(v) for v in values) + "]"


def yaml_comment(text: object) -> str:
    """Text a YAML comment can hold: one line, no character YAML refuses."""
    return _UNPRINTABLE.sub("", re.sub(r"[\r\n\x85\u2028\u2029]+", " ", str(text)))


_env = Environment(
    loader=PackageLoader("postmortem_kb", "render/templates"),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
)
_env.filters.update(yaml_str=yaml_str, yaml_plain=yaml_plain, yaml_list=yaml_list, yaml_comment=yaml_comment)


@dataclass(slots=True)
class Time:
    """`started`, `detected`, `mitigated` or `resolved`: an ISO value, or None for TODO
    (`commented`: the whole line is a comment, for a field that may be left out)."""

    key: str
    value: str | None = None
    note: str = ""
    commented: bool = False


@dataclass(slots=True)
class FactorEntry:
    factor: str
    description: str
    note: str = ""


@dataclass(slots=True)
class ActionEntry:
    summary: str
    status: str = "open"
    owner: str | None = None
    due: str | None = None
    tracker: str | None = None
    kind: str | None = None
    note: str = ""  # a comment line under the action


@dataclass(slots=True)
class Notes:
    """The comment after each field ("" for none); public_postmortem's is a whole line."""

    status: str = ""
    severity: str = ""
    services: str = ""
    authors: str = ""
    filed: str = ""
    customer_impact: str = ""
    public_postmortem: str = ""
    contributing_factors: str = ""
    actions: str = ""


@dataclass(slots=True)
class Head:
    """What the front matter says, field by field, in the template's order."""

    id: str
    title: str
    template: str
    severity: str
    services: list[str]
    teams: list[str]
    authors: list[str]
    times: list[Time]
    filed: str | None  # None: TODO
    trigger: str
    factors: list[FactorEntry]
    status: str = "draft"
    customer_impact: bool = False
    actions: list[ActionEntry] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)  # comment lines after the schema line
    notes: Notes = field(default_factory=Notes)
    review_hints: bool = False  # the review's optional fields, commented out


def render(head: Head, body: str, schema_path: str | None = None) -> str:
    """The whole file: front matter between `---` lines, a blank line, then `body`."""
    return _env.get_template("new_postmortem.md.j2").render(fm=head, body=body, schema_path=schema_path)


def slugify(title: str, limit: int = 60) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (slug[:limit].rstrip("-")) or "incident"


# ---- pmkb new ------------------------------------------------------------------------------

_NEW_TIMES = {
    "started": "TODO: when the impact began",
    "detected": "TODO: when we knew",
    "mitigated": "TODO: when the impact ended (or remove)",
    "resolved": "TODO: when the incident was closed",
}
_NEW_NOTES = Notes(
    status="draft | in-review | published | archived",
    customer_impact="TODO: true if customers were affected (then add public_postmortem)",
    contributing_factors="at least two; ids from postmortems/factors.yml",
    actions="{summary, owner, due, status, tracker, kind, priority: P0|P1|P2, addresses: [factor ids above]}",
)
_NEW_FACTOR = FactorEntry("todo", "TODO: how this condition contributed")


def _new_times(day: date, started: datetime | None) -> list[Time]:
    """Every time at `started` (or midnight UTC of `day`), each marked TODO but a given start."""
    placeholder = started.isoformat() if started else f"{day.isoformat()}T00:00:00+00:00"
    return [Time(key, placeholder, "" if key == "started" and started else note) for key, note in _NEW_TIMES.items()]


def scaffold(
    *,
    docs_dir: Path,
    template: Template,
    title: str,
    services: list[str],
    severity: str,
    teams: list[str],
    authors: list[str],
    day: date,
    today: date,
    schema_path: str,
    started: datetime | None = None,
) -> tuple[Path, str]:
    """The path to write and its text."""
    ident = f"{day.isoformat()}-{slugify(title)}"
    path = docs_dir / f"{day.year}" / f"{ident}.md"
    head = Head(
        id=ident,
        title=title,
        template=template.name,
        severity=severity,
        services=services,
        teams=teams,
        authors=authors,
        times=_new_times(day, started),
        filed=today.isoformat(),
        trigger="TODO: the event that exposed the latent conditions",
        factors=[_NEW_FACTOR, _NEW_FACTOR],
        intro=["Every field: `pmkb schema`. Replace each TODO and write each section, then run `pmkb check`."],
        notes=_NEW_NOTES,
        review_hints=True,
    )
    return path, render(head, template.body, schema_path)


def write_new(path: Path, text: str) -> bool:
    """Write `text` to `path` only if nothing is there; True if written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        return False
    return True
