"""A JSON array of findings with the keys scripts rely on (PRODUCT.md, "Checks")."""

from __future__ import annotations

import json

from ..model import Finding


def render(findings: list[Finding], ctx: dict) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False) + "\n"
