"""What a rule reports (Hit) and what it reads besides the postmortem (Context)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..config import Settings
from ..load.templates import Template
from ..model import Postmortem, Taxonomy
from .language import LanguageRules
from .rule import Rule


@dataclass(slots=True)
class Hit:
    rule: Rule
    line: int
    column: int
    message: str
    hint: str | None = None
    person: str | None = None  # stands only if the knowledge base knows this name
    severity: str | None = None  # the tier this hit is sure of; None: the rule's own


@dataclass(slots=True)
class Context:
    settings: Settings
    today: date
    taxonomy: Taxonomy
    templates: dict[str, Template]
    language: LanguageRules


def pos(pm: Postmortem, *path: Any) -> tuple[int, int]:
    """The line and column of a front-matter value, by its path (`"actions", 0, "due"`)."""
    return pm.line_of.line_of(tuple(path))


def short(text: str, limit: int = 60) -> str:
    """`text` on one line, cut to `limit` characters with `…`: for quoting it in a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
