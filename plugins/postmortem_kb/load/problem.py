"""The problem every loader reports: a finding about a file that could not be read as a
postmortem (encoding, front matter, YAML, schema), before any rule runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Problem:
    """A load problem, as (rule name, line, column, message, hint)."""

    rule: str
    line: int
    column: int
    message: str
    hint: str
