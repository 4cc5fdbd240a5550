"""Output formats for findings: text, json, github, sarif."""

from __future__ import annotations

from collections.abc import Callable

from ..model import Finding
from . import github, gitlab, jsonfmt, sarif, text

Formatter = Callable[[list[Finding], dict], str]

FORMATS: dict[str, Formatter] = {
    "text": text.render,
    "json": jsonfmt.render,
    "github": github.render,
    "sarif": sarif.render,
    "gitlab": gitlab.render,
}
