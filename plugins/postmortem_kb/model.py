"""Typed records shared by every stage: load → check → analyse → render."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Finding:
    path: str  # relative to the knowledge base root, "/"-separated
    line: int  # 1-based
    column: int  # 1-based
    code: str
    rule: str
    severity: str  # "error" | "warning"
    message: str
    hint: str

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(slots=True)
class Section:
    title: str
    key: str  # normalised title used to match template sections
    line: int  # line of the heading
    end_line: int  # last line of the section
    has_content: bool


@dataclass(slots=True)
class Factor:
    id: str
    name: str
    category: str
    definition: str
    line: int = 1


@dataclass(slots=True)
class Service:
    id: str
    name: str
    owner: str | None  # the team that runs it
    tier: int | None  # 1 (most critical) to 3
    line: int = 1


@dataclass(slots=True)
class ServiceCatalog:
    path: str
    services: dict[str, Service]


@dataclass(slots=True)
class Taxonomy:
    path: str
    categories: dict[str, str]
    factors: dict[str, Factor]
    # The service catalog (postmortems/services.yml), or None: without one, service ids
    # are free text and nothing checks them.
    services: ServiceCatalog | None = None


@dataclass(slots=True)
class Action:
    index: int
    summary: str
    owner: str | None
    due: date | None
    status: str
    tracker: str | None
    kind: str | None
    line: int


@dataclass(slots=True)
class Postmortem:
    """One postmortem file as loaded: raw text, front matter (validated or not) and sections."""

    path: str  # relative, "/"-separated
    abs_path: str
    lines: list[str]
    body_start: int  # 1-based line where the Markdown body starts (after front matter)
    data: dict[str, Any] | None = None  # front matter as parsed YAML (None if unusable)
    meta: Any = None  # validated FrontMatter model, or None if the schema check failed
    line_of: Any = None  # callable(path tuple) -> (line, column) into the file
    sections: list[Section] = field(default_factory=list)
    prose: str = ""  # body with code, links, quotes masked; same line structure as the body
    suppressions: Any = None
    problems: list[Any] = field(default_factory=list)  # load problems (load.frontmatter.Problem)

    @property
    def id(self) -> str | None:
        if self.meta is not None:
            return self.meta.id
        if isinstance(self.data, dict) and isinstance(self.data.get("id"), str):
            return self.data["id"]
        return None

    @property
    def published(self) -> bool:
        return self.meta is not None and self.meta.status == "published"

    def section(self, key: str) -> Section | None:
        for s in self.sections:
            if s.key == key:
                return s
        return None

    def body_text(self) -> str:
        return "\n".join(self.lines[self.body_start - 1 :])


@dataclass(slots=True)
class Corpus:
    root: str
    postmortems: list[Postmortem]
    taxonomy: Taxonomy
    templates: dict[str, Any]
    problems: list[tuple[str, Any]] = field(default_factory=list)  # (path, Problem) outside postmortems

    def by_id(self) -> dict[str, Postmortem]:
        out: dict[str, Postmortem] = {}
        for pm in self.postmortems:
            if pm.id and pm.id not in out:
                out[pm.id] = pm
        return out

    @property
    def valid(self) -> list[Postmortem]:
        return [pm for pm in self.postmortems if pm.meta is not None]
