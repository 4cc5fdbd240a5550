"""One legacy postmortem in, one postmortem-kb postmortem out: front matter filled from
what the text says, TODO where it says nothing, every original line kept in the body.

`convert(text, name, options)` is a pure function: no files, no clock. The file is written
through the template `pmkb new` uses (scaffold.render).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

from ..load import frontmatter
from ..load import times as when
from ..load.templates import Template
from ..scaffold import Head, render, slugify, yaml_comment
from . import actions, factors, facts
from .body import body
from .document import Document, h2_sections, parse
from .head import Said, head
from .names import plain
from .stamps import incident_day, read_times

STANDARD_SECTIONS: tuple[tuple[str, str], ...] = (
    ("Summary", "Two or three sentences: what people saw, for how long, and how it ended."),
    ("Impact", "Who was affected and how, with numbers where you have them."),
    ("Timeline", "One entry per line, earliest first, with times in the zone of `started`."),
    (
        "Contributing factors",
        "How the factors in the front matter made the incident possible, longer or harder to fix.",
    ),
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
    r"(?i)^(?:post[- ]?mortem|incident(?:\s+(?:report|review|summary|post[- ]?mortem|retrospective))?|pir|rca|"
    r"retro(?:spective)?|outage report)\s*[:\-–—|]\s*"
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
    guidance = h2_sections(template.body)
    return tuple(
        (title, guidance.get(title, "").replace("<!--", "").replace("-->", "").strip()) for title in template.sections
    )


@dataclass(slots=True)
class Imported:
    id: str
    folder: str  # "2019", or "undated" when the original gives no date at all
    head: Head  # the front matter's fields
    body: str
    notes: list[str] = field(default_factory=list)  # one per TODO left for the author
    front_matter: list[str] = field(default_factory=list)  # its YAML lines, without the `---` fences

    @property
    def relpath(self) -> str:
        return f"{self.folder}/{self.id}.md"

    @property
    def meta(self) -> dict[str, Any]:
        data, problem = _load("\n".join(self.front_matter))
        if data is None:
            raise ValueError(problem)
        return data

    def text(self, schema_path: str | None = None) -> str:
        return render(self.head, self.body.removesuffix("\n"), schema_path)  # the template ends the file


def _load(text: str) -> tuple[dict[str, Any] | None, str]:
    """YAML read as the checker reads front matter: bounded in size, nodes and depth."""
    parsed, problems = frontmatter.load_yaml(text)
    if parsed is None or not isinstance(parsed.data, dict):
        return None, problems[0].message if problems else "the generated front matter is not a mapping"
    return parsed.data, ""


def _clean_title(title: str) -> tuple[str, date | None]:
    """The title without "Postmortem:" and the like, and the date it held, if any."""
    t = re.sub(r"^[^\w(\"'`]+", "", plain(title))  # leading emoji and bullets
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


def _names(value: str) -> list[str]:
    """ "payments-api, catalog and search" as a list (services, teams)."""
    return [s.strip(" .`*") for s in re.split(r"\s*[,;]\s*|\s+and\s+", value) if s.strip(" .`*")][:50]


def _meta_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return facts.people(value)
    if isinstance(value, list):
        return [str(v).strip() for v in value if isinstance(v, (str, int)) and str(v).strip()]
    return []


def _title(doc: Document, said: dict[str, facts.Fact], name: str) -> tuple[str, date | None]:
    raw = doc.title or (f.value if (f := said.get("title")) else None)
    title, title_day = _clean_title(raw) if raw else ("", None)
    if not title:
        stem = when.FILE_DATE.sub(" ", PurePath(name).stem)
        title = re.sub(r"[-_]+", " ", stem).strip().capitalize() or "Imported postmortem"
    return title, title_day


def _severity(
    doc: Document, said: dict[str, facts.Fact], severities: list[str], unfenced: str
) -> tuple[str | None, str | None]:
    """(a known severity, or None; what a "Severity:" line says)."""
    stated = said["severity"].value if "severity" in said else None
    sev = facts.severity(stated, severities) if stated is not None else None
    if sev is None and isinstance(doc.meta.get("severity"), (str, int)):
        sev = facts.severity(str(doc.meta["severity"]), severities)
    if sev is None and stated is None and (m := re.search(r"(?i)\bsev(?:erity)?[\s\-]?([0-9])\b", unfenced)):
        sev = facts.severity(m.group(0), severities)
    return sev, stated


def _people(doc: Document, said: dict[str, facts.Fact]) -> tuple[list[str], list[str], list[str]]:
    """(services, teams, authors) from "Key: value" lines, else the original front matter."""
    services = _names(said["services"].value) if "services" in said else _meta_list(doc.meta.get("services"))
    teams = _names(said["teams"].value) if "teams" in said else _meta_list(doc.meta.get("teams"))
    authors = facts.people(said["authors"].value) if "authors" in said else []
    return services, teams, authors or _meta_list(doc.meta.get("authors") or doc.meta.get("author"))


def _read(doc: Document, name: str, opts: Options) -> Said:
    """Everything the original says that the front matter holds."""
    said = {f.key: f for f in reversed(facts.facts(doc))}  # the first line of each kind wins
    unfenced = "\n".join(line for i, line in enumerate(doc.lines) if i not in doc.fenced)
    title, title_day = _title(doc, said, name)
    day, stamps, marks = read_times(doc, said, incident_day(doc, name, said, title_day), unfenced)
    sev, sev_said = _severity(doc, said, list(opts.severities), unfenced)
    services, teams, authors = _people(doc, said)
    impact = facts.yes_no(said["customer_impact"].value) if "customer_impact" in said else None
    impact, impact_from = (impact, "") if impact is not None else facts.customer_impact(doc)
    filed = hit[0] if "filed" in said and (hit := when.find_date(said["filed"].value)) else None
    slug = _stem_slug(name) or slugify(title)
    return Said(
        ident=f"{day.isoformat()}-{slug}" if day else slug,
        title=title,
        day=day,
        stamps=stamps,
        marks=marks,
        severity=sev,
        severity_said=sev_said,
        services=services,
        teams=teams,
        authors=authors,
        filed=filed,
        impact=impact,
        impact_from=impact_from,
        trigger=said["trigger"].value if "trigger" in said else factors.trigger(doc),
        factors=factors.factors(doc, opts.factor_ids),
        actions=actions.actions(doc, day),
        tags=_meta_list(doc.meta.get("tags")),
    )


def convert(text: str, name: str, options: Options | None = None) -> Imported:
    """A legacy postmortem (`text`, from a file called `name`) as a postmortem-kb postmortem."""
    opts = options or Options()
    doc = parse(text)
    said = _read(doc, name, opts)
    source = opts.source or name
    fm, notes = head(
        said, source=yaml_comment(source), status=opts.status, template=opts.template, severities=opts.severities
    )
    text_out = render(fm, "")
    lines = text_out.split("\n")
    front = lines[1 : lines.index("---", 1)]
    data, problem = _load("\n".join(front))
    if data is None:  # e.g. a hundred thousand action items: no file `pmkb check` would refuse
        raise ValueError(f"its front matter would not load as `pmkb check` reads it: {problem}")
    folder = str(said.day.year) if said.day else "undated"
    return Imported(said.ident, folder, fm, body(doc, opts.sections, source, notes), notes, front)
