"""Metadata lines of a legacy postmortem ("Date: …", "**Severity:** SEV2", "| Owner | Dana |")
and what they say: people, a severity, yes or no, customer impact."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import KV, Document
from .names import name_key, plain

_KEYS: dict[str, str] = {}


def _keys(field_: str, *names: str) -> None:
    for n in names:
        _KEYS[n] = field_


_keys("date", "date", "incident date", "date of incident", "when", "day", "incident day", "occurred", "occurred on")
_keys("filed", "filed", "written", "written on", "date written", "published", "publish date", "published on",
      "report date", "postmortem date", "post mortem date", "last updated", "updated", "created",
      "review date", "date of review")  # fmt: skip
_keys("authors", "author", "authors", "owner", "owners", "postmortem owner", "post mortem owner",
      "written by", "prepared by", "by", "document owner", "editor", "editors", "report owner")  # fmt: skip
_keys("severity", "severity", "sev", "severity level", "incident severity", "level")
_keys("services", "service", "services", "affected service", "affected services", "systems affected",
      "affected systems", "affected components", "components", "component", "system", "systems")  # fmt: skip
_keys("teams", "team", "teams", "owning team", "owning teams", "responsible team")
_keys("trigger", "trigger")
_keys("customer_impact", "customer impact", "customer facing", "customers affected", "customer affecting",
      "external impact", "user facing")  # fmt: skip
_keys("title", "title", "incident", "incident title", "subject", "incident name")
_keys("started", "start", "start time", "started", "started at", "incident start", "impact start", "began",
      "begin", "start of impact", "outage start")  # fmt: skip
_keys("detected", "detected", "detected at", "detection", "detection time", "time detected")
_keys("mitigated", "mitigated", "mitigated at", "mitigation time", "time mitigated", "impact end",
      "end of impact", "service restored", "restored")  # fmt: skip
_keys("resolved", "resolved", "resolved at", "resolution time", "time resolved", "end", "end time", "ended",
      "incident end", "outage end")  # fmt: skip
_keys("ttd", "time to detection", "time to detect", "ttd", "mttd")
_keys("ttm", "time to mitigation", "time to mitigate", "time to recovery", "time to recover", "time to restore",
      "time to restoration", "ttm", "ttr", "mttr", "time to repair")  # fmt: skip
_keys("ttr", "time to resolution", "time to resolve", "time to fix", "time to close")
_keys("duration", "duration", "total duration", "outage duration", "incident duration", "total downtime",
      "downtime", "outage length")  # fmt: skip
_keys("zone", "time zone", "timezone", "tz")

FACTS_SKIP = ("timeline", "action items", "contributing factors")


@dataclass(slots=True)
class Fact:
    line: int
    key: str
    value: str


def facts(doc: Document) -> list[Fact]:
    """Every "Key: value" line (or two-cell table row) outside timelines, actions and causes."""
    skip: set[int] = set(doc.fenced)
    for b in doc.blocks:
        if b.target in FACTS_SKIP:
            skip.update(b.lines)
    out: list[Fact] = []
    candidates = sorted({*doc.preamble, *doc.title_lines, *(i for b in doc.blocks for i in b.lines)} - skip)
    for i in candidates:
        line = doc.lines[i]
        if (row := doc.rows.get(i)) is not None:
            cells = row.cells
            if len(cells) == 2 and cells[0] and cells[1] and (key := name_key(cells[0])) in _KEYS:
                out.append(Fact(i, _KEYS[key], plain(cells[1])))
            continue
        m = KV.match(line)
        if m and m.group(2):
            key = name_key(m.group(1))
            if key in _KEYS:
                out.append(Fact(i, _KEYS[key], plain(m.group(2))))
    return out


def people(value: str) -> list[str]:
    """ "@dana.k", "Priya Natarajan and Leo Brandt", "Ines Duarte, Kwame Mensah <km@x>"."""
    value = re.sub(r"<[^>]*>|\([^)]*@[^)]*\)|\S+@\S+\.\w+", " ", value)
    out = []
    for part in re.split(r"\s*(?:,|;|&|/|\band\b|\+)\s*", value):
        name = part.strip().lstrip("@").strip(" .")
        if name and len(name) <= 200 and name.lower() not in ("tbd", "n/a", "none", "unknown", "?"):
            out.append(name)
    return out


def severity(value: str, severities: list[str]) -> str | None:
    v = value.strip()
    for s in severities:
        if s.casefold() == v.casefold():
            return s
    m = re.search(r"(?i)\bsev(?:erity)?[\s_\-]*(\d)\b", v) or re.fullmatch(r"(?i)\s*s?(\d)\s*", v)
    if m:
        wanted = f"SEV{m.group(1)}"
        for s in severities:
            if s.casefold() == wanted.casefold():
                return s
    return None


def yes_no(value: str) -> bool | None:
    v = value.strip().lower()
    if re.match(r"^(yes|y|true|customer[- ]facing|external)\b", v):
        return True
    if re.match(r"^(no|n|false|none|internal)\b", v):
        return False
    return None


_NO_CUSTOMERS = re.compile(
    r"(?i)\bno (?:external |customer[- ]facing |user[- ]facing |direct )?(?:customer|user|client|"
    r"external)s?[- ]?(?:facing )?(?:impact|were affected|was affected|affected|noticed)\b"
    r"|\bnot customer[- ]facing\b|\binternal[- ]only\b|\bno customer\b|\bno users?\b"
)
_CUSTOMERS = re.compile(
    r"(?i)\b(?:customers?|users?|clients?|merchants?|shoppers?|buyers?|visitors?|members?|subscribers?|partners?|"
    r"players?|patients?|drivers?|riders?)\b"
)


def customer_impact(doc: Document) -> tuple[bool | None, str]:
    """From the Impact section (or the Summary): clearly none, clearly some, or unknown;
    and which section said so."""
    for target, name in (("impact", "Impact"), ("summary", "Summary")):
        text = "\n".join(doc.text(b.lines) for b in doc.blocks if b.target == target)
        if not text.strip():
            continue
        if _NO_CUSTOMERS.search(text):
            return False, name
        if _CUSTOMERS.search(text):
            return True, name
    return None, ""
