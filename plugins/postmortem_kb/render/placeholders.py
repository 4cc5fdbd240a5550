"""The policy values in Ops Playbook pages: plain substitution of known placeholders.

A playbook page is untrusted text (any engineer's pull request), so it is never
evaluated as a template: `{{ policy.postmortem_due_hours }}` is looked up in a table of
known names, and anything else between `{{` and `}}` is left as it is and reported.
Values come from mkdocs.yml and are escaped for Markdown and HTML (a severity named
`<img onerror=…>` is shown as text).
"""

from __future__ import annotations

import re

from ..config import Settings
from .env import md

# `{{ name }}` or `{{ name | join(", ") }}`; what is inside is matched, never run.
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_SPACES = re.compile(r"\s+")


def policy_values(settings: Settings) -> dict[str, str]:
    """Each known placeholder (its text between the braces, spaces squeezed) and its value
    as Markdown text."""
    severities = md(", ".join(settings.severities))
    values = {f"policy.{name}": md(value) for name, value in settings.policy.model_dump().items()}
    values["severities"] = severities
    values['severities | join(", ")'] = severities
    values["severities | join(', ')"] = severities
    return values


def _key(inner: str) -> str:
    return _SPACES.sub(" ", inner.strip())


def fill_placeholders(text: str, values: dict[str, str]) -> tuple[str, list[tuple[int, str]]]:
    """`text` with every known placeholder replaced by its value, and the unknown ones as
    (1-based line in `text`, placeholder), left in place."""
    unknown: list[tuple[int, str]] = []

    def one(m: re.Match[str]) -> str:
        value = values.get(_key(m.group(1)))
        if value is None:
            unknown.append((text.count("\n", 0, m.start()) + 1, " ".join(m.group(0).split())[:80]))
            return m.group(0)
        return value

    if "{{" not in text:
        return text, unknown
    return _PLACEHOLDER.sub(one, text), unknown
