"""What a rule reports (Hit) and what it reads besides the postmortem (Context)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from ..config import Settings
from ..load.templates import Template
from ..model import Postmortem, Taxonomy
from .language import LanguageRules


@dataclass(slots=True)
class Hit:
    rule: str
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


Rule = Callable[[Postmortem, Context], Iterator[Hit]]
