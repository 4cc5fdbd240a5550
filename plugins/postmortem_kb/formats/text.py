"""`path:line:col: CODE [rule] message`, the shape editors and ruff users already know."""

from __future__ import annotations

import re

from ..model import Finding

# One finding per line, and nothing the terminal would act on: line breaks, escape
# sequences and other control characters from file names or file content are shown
# as escapes (`\n`, `\x1b`, `\u2028`).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def clean(text: str) -> str:
    return _CONTROL.sub(_escape, text)


def summary(findings: list[Finding], files: int) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if not findings:
        return f"All clear: {files} file(s) checked, no findings."
    return f"Found {errors} error(s) and {warnings} warning(s) in {len({f.path for f in findings})} of {files} file(s)."


def finding(f: Finding, color: bool = False) -> str:
    """One finding, as `pmkb check` and the `mkdocs build` log print it: its
    `path:line:col: CODE [rule] message` line, then its hint on a second line."""
    bold, red, yellow, dim, reset = ("\033[1m", "\033[31m", "\033[33m", "\033[2m", "\033[0m") if color else ("",) * 5
    sev = f"{red}{f.code}{reset}" if f.severity == "error" else f"{yellow}{f.code}{reset}"
    return (
        f"{bold}{clean(f.path)}:{f.line}:{f.column}:{reset} {sev} [{f.rule}] {clean(f.message)}\n"
        f"  {dim}hint: {clean(f.hint)}{reset}"
    )


def render(findings: list[Finding], ctx: dict) -> str:
    color = ctx.get("color", False)
    out = [finding(f, color) for f in findings]
    out.append(summary(findings, ctx.get("files", 0)))
    return "\n".join(out) + "\n"
