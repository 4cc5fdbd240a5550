"""GitHub Actions workflow commands: one annotation per finding, then a summary.

GitHub shows only the first 10 error annotations of a step, so the summary line says
how many there were in all.
"""

from __future__ import annotations

from ..model import Finding
from .text import summary


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding], ctx: dict) -> str:
    out = []
    for f in findings:
        level = "error" if f.severity == "error" else "warning"
        title = _prop(f"{f.code} {f.rule}")
        out.append(
            f"::{level} file={_prop(f.path)},line={f.line},col={f.column},title={title}::"
            f"{_data(f.message + ' (hint: ' + f.hint + ')')}"
        )
    line = summary(findings, ctx.get("files", 0))
    if len([f for f in findings if f.severity == "error"]) > 10:
        line += " GitHub shows the first 10 annotations; run `pmkb check` locally for all."
    out.append(line)
    return "\n".join(out) + "\n"
