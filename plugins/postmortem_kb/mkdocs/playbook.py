"""Playbook pages show the policy values from mkdocs.yml: the text and the gate agree."""

from __future__ import annotations

from ..config import Settings
from ..render.placeholders import fill_placeholders, policy_values
from ..rules.raw_html import located as raw_html_in
from .report import log


def render_policy(settings: Settings, markdown: str, src: str, abs_path: str | None = None) -> str:
    """The playbook page `src` with the policy's values in its placeholders.

    The page is untrusted text: its known placeholders are replaced, nothing in it is
    evaluated (a template engine here ran `{{ lipsum.__globals__... }}` at build
    time). An unknown placeholder stays as it is, with a warning at its line."""
    filled, unknown = fill_placeholders(markdown, policy_values(settings))
    removed = raw_html_in(markdown.split("\n"))  # the page is sanitised; say what goes
    if unknown or removed:
        first = _first_line(markdown, abs_path)
        name = f"{settings.playbook_dir}/{src.removeprefix('playbook/')}"
        for line, text in unknown:
            log.warning(
                "%s:%s: unknown placeholder %s left as it is; known: %s",
                name,
                first + line - 1,
                text,
                ", ".join(f"{{{{ {k} }}}}" for k in policy_values(settings) if "|" not in k),
            )
        for line, column, message in removed:
            log.warning("%s:%s:%s: raw HTML: %s", name, first + line - 1, column, message)
    return filled


def _first_line(markdown: str, abs_path: str | None) -> int:
    """The line of the source file where the page's Markdown (after any front matter) starts."""
    try:
        with open(abs_path or "", encoding="utf-8-sig", errors="replace") as fh:
            source = fh.read()
    except OSError:
        return 1
    return source[: len(source) - len(markdown)].count("\n") + 1 if source.endswith(markdown) else 1
