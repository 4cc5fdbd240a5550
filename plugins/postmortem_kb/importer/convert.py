"""One legacy postmortem in, one postmortem-kb postmortem out: front matter filled from
what the text says, TODO where it says nothing, every original line kept in the body.

`convert(text, name, options)` is a pure function: no files, no clock.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import PurePath
from typing import Any

import yaml

from ..load.templates import Template
from ..scaffold import slugify
from . import extract, when
from .structure import Block, Document, name_key, parse, section_of

STANDARD_SECTIONS: tuple[tuple[str, str], ...] = (
    ("Summary", "Two or three sentences: what people saw, for how long, and how it ended."),
    ("Impact", "Who was affected and how, with numbers where you have them."),
    ("Timeline", "One entry per line, earliest first, with times in the zone of `started`."),
    ("Contributing factors", "How the factors in the front matter made the incident possible, longer or harder to fix."),
    ("What went well", "What helped: alerts that fired, tools that worked, people who stepped in."),
    ("Where we got lucky", "What limited the damage by chance rather than by design."),
    ("Action items", "Why these actions and not others; if there are none, why."),
    ("Lessons learned", "What the organisation now knows that it did not know before."),
)
_GENERIC_STEMS = {
    "postmortem", "post-mortem", "postmortem-template", "incident", "incident-report", "report",
    "readme", "index", "untitled", "draft", "notes", "pm", "rca", "retro", "retrospective",
    "incident-review", "review", "outage", "document",
}  # fmt: skip
_TITLE_PREFIX = re.compile(
    r"(?i)^(?:post[- ]?mortem|incident(?:\s+(?:report|review|summary|post[- ]?mortem|retrospective))?|pir|rca|retro(?:spective)?|outage report)\s*[:\-–—|]\s*"
)


@dataclass(frozen=True, slots=True)
class Options:
    template: str = "standard"
    status: str = "archived"  # history, held to format and safety; "draft" to bring it up to the template
    sections: tuple[tuple[str, str], ...] = STANDARD_SECTIONS  # (title, guidance) of the template
    severities: tuple[str, ...] = ("SEV1", "SEV2", "SEV3", "SEV4")
    factor_ids: frozenset[str] = frozenset()  # the taxonomy: words are matched only to these ids
    source: str = ""  # how to name the original in the output (its path, as given)


def template_sections(template: Template) -> tuple[tuple[str, str], ...]:
    """(title, guidance) of each `## ` section of a template, guidance taken from its comments."""
    guidance: dict[str, list[str]] = {}
    current: str | None = None
    for line in template.body.splitlines():
        m = re.match(r"^##\s+(.+?)\s*$", line)
        if m:
            current = m.group(1)
            guidance[current] = []
        elif current is not None:
            guidance[current].append(line)
    out = []
    for title in template.sections:
        text = "\n".join(guidance.get(title, [])).replace("<!--", "").replace("-->", "").strip()
        out.append((title, text))
    return tuple(out)


@dataclass(slots=True)
class Imported:
    id: str
    folder: str  # "2019", or "undated" when the original gives no date at all
    front_matter: list[str]  # YAML lines, without the `---` fences
    body: str
    notes: list[str] = field(default_factory=list)  # one per TODO left for the author

    @property
    def relpath(self) -> str:
        return f"{self.folder}/{self.id}.md"

    @property
    def meta(self) -> dict[str, Any]:
        return yaml.safe_load("\n".join(self.front_matter))

    def text(self, schema_path: str | None = None) -> str:
        head = [f"# yaml-language-server: $schema={schema_path}"] if schema_path else []
        return "---\n" + "\n".join(head + self.front_matter) + "\n---\n\n" + self.body


@dataclass(slots=True)
class _Stamp:
    when: datetime | None
    zone_known: bool
    source: str = ""
    todo: str = ""


# Characters a YAML stream may not hold, even in a comment (YAML 1.1 "printable").
# (NEL and the Unicode line and paragraph separators are line breaks to YAML 1.1: escaped too.)
_UNPRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _q(value: str) -> str:
    """A double-quoted YAML scalar (JSON's escapes, plus any character YAML rejects raw)."""
    text = json.dumps(value, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}" if ord(m.group(0)) < 0x10000 else "\ufffd", text)


def _plain_id(ident: str) -> str:
    return ident if yaml.safe_load(ident) == ident else _q(ident)  # "2019" or "true" would not be strings


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _short(text: str, limit: int = 70) -> str:
    text = re.sub(r"\s+", " ", extract.plain(text)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _event(ev: extract.Event) -> str:
    day = f"{ev.day.isoformat()} " if ev.day else ""
    return f"{day}{ev.at.strftime('%H:%M')} {ev.text}".strip()


def _comment(text: str) -> str:
    return _UNPRINTABLE.sub("", re.sub(r"[\r\n\x85\u2028\u2029]+", " ", text))


def _clean_title(title: str) -> tuple[str, date | None]:
    t = extract.plain(title)
    t = re.sub(r"^[^\w(\"'`]+", "", t)  # leading emoji and bullets
    t = _TITLE_PREFIX.sub("", t)
    hit = when.find_date(t)
    found = None
    if hit:
        found, (a, b) = hit
        t = (t[:a].rstrip(" -–—,:(|[") + " " + t[b:].lstrip(" -–—,:)|]")).strip()
        t = re.sub(r"[\s\-–—,:(|\[]+$", "", t).strip()
        t = re.sub(r"(?i)\s+(?:on|at|of|in|from|since|during)$", "", t)
    return t.strip(" -–—:|") or title.strip(), found


def _stem_slug(name: str) -> str:
    stem = PurePath(name).stem
    slug = slugify(when.FILE_DATE.sub(" ", stem))
    return "" if slug in _GENERIC_STEMS or "-" not in slug or slug.isdigit() else slug


def _services(value: str) -> list[str]:
    return [s.strip(" .`*") for s in re.split(r"\s*[,;]\s*|\s+and\s+", value) if s.strip(" .`*")][:50]


def _meta_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return extract.people(value)
    if isinstance(value, list):
        return [str(v).strip() for v in value if isinstance(v, (str, int)) and str(v).strip()]
    return []


def convert(text: str, name: str, options: Options | None = None) -> Imported:
    """A legacy postmortem (`text`, from a file called `name`) as a postmortem-kb postmortem."""
    opts = options or Options()
    doc = parse(text)
    facts = extract.facts(doc)
    notes: list[str] = []

    def fact(key: str) -> extract.Fact | None:
        return next((f for f in facts if f.key == key), None)

    # -- title and the incident's day ------------------------------------------------------
    raw_title = doc.title or (f.value if (f := fact("title")) else None)
    title, title_day = _clean_title(raw_title) if raw_title else ("", None)
    if not title:
        title = re.sub(r"[-_]+", " ", when.FILE_DATE.sub(" ", PurePath(name).stem)).strip().capitalize() or "Imported postmortem"
    day = when.file_date(PurePath(name).name)
    if day is None and (f := fact("date")):
        day = hit[0] if (hit := when.find_date(f.value)) else None
    day = day or title_day
    if day is None and isinstance(doc.meta.get("date"), (date, str)):
        d = doc.meta["date"]
        day = d.date() if isinstance(d, datetime) else d if isinstance(d, date) else (when.find_date(d) or (None,))[0]
    year = day.year if day else None

    # -- times -------------------------------------------------------------------------------
    zone = None
    if f := fact("zone"):
        zone = when.zone_of(f.value) or when.zone_of(f.value.split()[0] if f.value.split() else "")
    timeline_blocks = [b for b in doc.blocks if b.target == "timeline"]
    evs, hint = extract.events(doc, timeline_blocks, year)
    unfenced = "\n".join(line for i, line in enumerate(doc.lines) if i not in doc.fenced)
    zone = zone or hint or when.stated_zone(unfenced)
    if day is None:
        day = next((e.day for e in evs if e.day), None)
    extract.place(evs, day, zone)
    stamps: dict[str, _Stamp] = {}
    marks = extract.milestones(evs)
    for key, ev in marks.items():
        if ev.when is not None:
            stamps[key] = _Stamp(ev.when, ev.zone_known, f"timeline: {_q(_short(_event(ev)))}")
    durations = {"detected": "ttd", "mitigated": "ttm", "resolved": "ttr"}
    for key in ("started", "detected", "mitigated", "resolved"):
        f = fact(key)
        if f is None:
            continue
        st = extract.stamp(f.value, day, zone)
        if st is not None:
            stamps[key] = _Stamp(st[0], st[1], f"from {_q(_short(doc.lines[f.line], 50))}")
            if day is None:
                day = st[0].date()
    started = stamps.get("started")
    for key, dkey in (*durations.items(), ("resolved", "duration")):
        if key in stamps or started is None or started.when is None:
            continue
        f = fact(dkey) or (fact(key) if key != "started" else None)
        dur = when.parse_duration(f.value) if f else None
        if f and dur is not None:
            stamps[key] = _Stamp(started.when + dur, started.zone_known, f"start + {_q(_short(doc.lines[f.line], 50))}")
    if day is None and stamps:
        day = min(s.when for s in stamps.values() if s.when).date()

    if stamps:
        known = [s.when for s in stamps.values() if s.when]
        if "started" not in stamps:
            first = min(known)
            stamps["started"] = _Stamp(first, any(s.zone_known for s in stamps.values()), todo="when it started: not in the original (this is the earliest time it gives)")
        if "detected" not in stamps:
            s0 = stamps["started"]
            stamps["detected"] = _Stamp(s0.when, s0.zone_known, todo="when it was detected: not in the original (set to started)")
        if "resolved" not in stamps:
            last = max([*known, *(e.when for e in evs if e.when)])
            ref = next((s for s in stamps.values() if s.when == last), stamps["started"])
            stamps["resolved"] = _Stamp(last, ref.zone_known, todo="when it was resolved: not in the original (this is the last time it gives)")
    elif day is not None:
        midnight = datetime.combine(day, time(0), UTC)
        for key, what in (("started", "when the impact began"), ("detected", "when we knew"), ("resolved", "when the incident was closed")):
            stamps[key] = _Stamp(midnight, True, todo=f"{what}: the original gives only the date")

    # -- who, what, how bad -------------------------------------------------------------------
    sev = None
    if f := fact("severity"):
        sev = extract.severity(f.value, list(opts.severities))
    if sev is None and isinstance(doc.meta.get("severity"), (str, int)):
        sev = extract.severity(str(doc.meta["severity"]), list(opts.severities))
    sev_said = f.value if (f := fact("severity")) else None
    if sev is None and sev_said is None and (m := re.search(r"(?i)\bsev(?:erity)?[\s\-]?([0-9])\b", unfenced)):
        sev = extract.severity(m.group(0), list(opts.severities))
    services = _services(f.value) if (f := fact("services")) else _meta_list(doc.meta.get("services"))
    teams = _services(f.value) if (f := fact("teams")) else _meta_list(doc.meta.get("teams"))
    authors = extract.people(f.value) if (f := fact("authors")) else []
    authors = authors or _meta_list(doc.meta.get("authors") or doc.meta.get("author"))
    impact: bool | None = None
    impact_from = ""
    if f := fact("customer_impact"):
        impact = extract.yes_no(f.value)
    if impact is None:
        impact, impact_from = extract.customer_impact(doc)
    trig = f.value if (f := fact("trigger")) else extract.trigger(doc)
    factors = extract.factors(doc, opts.factor_ids)
    actions = extract.actions(doc, day)
    tags = _meta_list(doc.meta.get("tags"))

    # -- identity -------------------------------------------------------------------------------
    slug = _stem_slug(name) or slugify(title)
    ident = f"{day.isoformat()}-{slug}" if day else slug
    folder = str(day.year) if day else "undated"

    # -- front matter ---------------------------------------------------------------------------
    fm: list[str] = [
        f"# Imported by `pmkb import` from {_comment(opts.source or name)}. Replace each TODO, then run `pmkb check`.",
        f"id: {_plain_id(ident)}",
        f"title: {_q(title[:300])}",
        f"status: {opts.status:<17}# archived: history, checked for format and safety only; draft: to bring up to the template",
        f"template: {opts.template}",
    ]
    if sev:
        fm.append(f"severity: {sev}")
    else:
        said = f" (the original says {_q(_short(sev_said, 30))})" if sev_said else " (not in the original)"
        fm.append(f"severity: TODO            # TODO: one of {', '.join(opts.severities)}{_comment(said)}")
        notes.append("severity")
    if services:
        fm.append(f"services: {_flow(services)}")
    else:
        fm.append('services: ["TODO"]        # TODO: the affected services (not in the original)')
        notes.append("services")
    fm.append(f"teams: {_flow(teams)}")
    if authors:
        fm.append(f"authors: {_flow(authors)}")
    else:
        fm.append('authors: ["TODO"]         # TODO: who wrote it (not in the original)')
        notes.append("authors")

    zone_note = False
    for key in ("started", "detected", "mitigated", "resolved"):
        st = stamps.get(key)
        if st is None or st.when is None:
            ev = marks.get(key)
            said = f"; its timeline says {_q(_short(_event(ev), 50))}" if ev is not None else ""
            if key == "mitigated":
                fm.append(f"# mitigated: TODO         — when the impact ended, if before `resolved` (not in the original{_comment(said)})")
                notes.append("mitigated")
                continue
            fm.append(f"{key}: TODO{' ' * (10 - len(key))}# TODO: date, time and zone (the original gives no date{_comment(said)})")
            notes.append(key)
            continue
        parts = []
        if st.todo:
            parts.append("TODO: " + st.todo)
            notes.append(key)
        if not st.zone_known:
            parts.append("TODO: confirm time zone (none in the original; UTC assumed)")
            zone_note = True
        if st.source:
            parts.append(st.source)
        fm.append(f"{key}: {st.when.isoformat()}" + (f"   # {_comment(' · '.join(parts))}" if parts else ""))
    if zone_note:
        notes.append("time zone")

    filed = None
    if f := fact("filed"):
        filed = hit[0] if (hit := when.find_date(f.value)) else None
    if filed is not None:
        fm.append(f"filed: {filed.isoformat()}")
    elif day is not None:
        res = stamps.get("resolved")
        guess = res.when.date() if res and res.when else day
        fm.append(f"filed: {guess.isoformat()}         # TODO: when the postmortem was written (not in the original; set to the day it was resolved)")
        notes.append("filed")
    else:
        fm.append("filed: TODO               # TODO: when the postmortem was written (not in the original)")
        notes.append("filed")

    if impact is None:
        fm.append("customer_impact: false    # TODO: true if customers were affected (the original does not say)")
        notes.append("customer_impact")
    elif not impact_from:
        fm.append(f"customer_impact: {'true' if impact else 'false'}")
    else:
        fm.append(f"customer_impact: {'true' if impact else 'false'}   # TODO: confirm (read from the {impact_from} section)")
        notes.append("customer_impact")
    if impact:
        fm.append("# public_postmortem: TODO — the URL or date of the public write-up, if there is one")
        notes.append("public_postmortem")
    if trig:
        fm.append(f"trigger: {_q(trig[:10_000])}")
    else:
        fm.append('trigger: "TODO: the event that exposed the latent conditions"')
        notes.append("trigger")

    fm.append("contributing_factors:     # ids from factors.yml; at least two")
    if not factors:
        factors = [extract.Factor("todo", "TODO: how this condition contributed")]
    for fc in factors:
        if fc.factor == "todo":
            why = f" (candidates: {', '.join(fc.candidates)})" if fc.candidates else ""
            fm.append(f"  - factor: todo            # TODO: pick a factor id{why}")
            notes.append("contributing factor")
        else:
            fm.append(f"  - factor: {fc.factor}")
        fm.append(f"    description: {_q(fc.description[:10_000])}")

    if actions:
        fm.append("actions:")
        for a in actions:
            fm.append(f"  - summary: {_q(a.summary)}")
            if a.owner:
                fm.append(f"    owner: {_q(a.owner)}")
            if a.due:
                fm.append(f"    due: {a.due.isoformat()}")
            fm.append(f"    status: {a.status}")
            if a.tracker:
                fm.append(f"    tracker: {_q(a.tracker)}")
            if a.kind:
                fm.append(f"    kind: {a.kind}")
            missing = [w for w, v in (("owner", a.owner), ("due date", a.due)) if not v]
            if missing and a.status in ("open", "in-progress"):
                fm.append(f"    # TODO: {' and '.join(missing)} (not in the original)")
                notes.append("action " + " and ".join(missing))
    else:
        fm.append("actions: []               # TODO: {summary, owner, due, status, tracker, kind}; none found in the original")
        notes.append("actions")
    fm.append("related: []")
    fm.append(f"tags: {_flow(tags)}")
    parsed = yaml.safe_load("\n".join(fm))  # a bug here must never write a broken file
    if not isinstance(parsed, dict):  # pragma: no cover
        raise ValueError("the generated front matter is not a mapping")

    body = _body(doc, opts, name, notes)
    return Imported(ident, folder, fm, body, notes)


# ---- the body -------------------------------------------------------------------------------


def _hidden(doc: Document, indexes: list[int], intro: str) -> list[str]:
    """Original lines kept inside an HTML comment (a renamed heading, the title).
    A line that would end the comment early is kept visible instead, after it."""
    inside = [doc.lines[i] for i in indexes if "-->" not in doc.lines[i]]
    after = [doc.lines[i] for i in indexes if "-->" in doc.lines[i]]
    out = [f"<!-- {intro}", *inside, "-->"] if inside else []
    return out + after


def _trim(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _para(out: list[str], lines: list[str]) -> None:
    """Append `lines` as a paragraph group, one blank line before it."""
    lines = _trim(lines)
    if not lines:
        return
    if out and out[-1].strip():
        out.append("")
    out.extend(lines)


def _body(doc: Document, opts: Options, name: str, notes: list[str]) -> str:
    out: list[str] = []
    source = (opts.source or name).replace("--", "- -")
    hidden = doc.front_matter + doc.title_lines
    intro = f"Imported by `pmkb import` from {source}. Every line of the original is kept; its title, front matter and renamed headings are in comments like this one."
    if hidden:
        _para(out, _hidden(doc, hidden, intro))
    else:
        _para(out, [f"<!-- {intro} -->"])
    _para(out, [doc.lines[i] for i in doc.preamble])

    targets: dict[str, str] = {}
    for title, _ in opts.sections:
        known = section_of(title)
        targets[known[0] if known else name_key(title)] = title
    placed: dict[str, list[Block]] = {}
    extras: list[Block] = []
    for b in doc.blocks:
        if b.target is not None and b.target in targets:
            placed.setdefault(b.target, []).append(b)
        else:
            extras.append(b)

    for title, guidance in opts.sections:
        known = section_of(title)
        key = known[0] if known else name_key(title)
        heading = f"## {title}"
        _para(out, [heading])
        blocks = placed.get(key, [])
        content = False
        for b in blocks:
            sub = f"### {b.title}" if len(blocks) > 1 and name_key(b.title) != name_key(title) and not b.label else None
            if b.heading and [doc.lines[i] for i in b.heading] not in ([heading], [sub]):
                _para(out, _hidden(doc, b.heading, "heading in the original:"))
            if sub:
                _para(out, [sub])
            lines = [doc.lines[i] for i in b.lines]
            content = content or any(line.strip() for line in lines)
            _para(out, lines)
        if not content:
            why = "empty in the original" if blocks else "not in the original"
            text = f"<!-- TODO (pmkb import): this section is {why}. {guidance}".rstrip()
            _para(out, [*text.splitlines(), "-->"] if "\n" in text else [text + " -->"])
            notes.append(f"section {title}")

    for b in extras:
        heading = f"## {b.title}"
        _para(out, [heading])
        if b.heading and [doc.lines[i] for i in b.heading] != [heading]:
            _para(out, _hidden(doc, b.heading, "heading in the original:"))
        _para(out, [doc.lines[i] for i in b.lines])
    return "\n".join(out).rstrip("\n") + "\n"
