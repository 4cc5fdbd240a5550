"""What the face says in the build log: findings printed by the CLI's text formatter,
and the logger every helper of the face writes through."""

from __future__ import annotations

import logging
from collections.abc import Iterable, MutableMapping
from typing import Any

from ..formats.text import finding
from ..model import Finding


class _PluginLog(logging.LoggerAdapter):
    """`mkdocs.plugins.get_plugin_logger`, without importing MkDocs: a logger under
    "mkdocs.plugins" (MkDocs prints it, and its warnings fail `--strict`) whose messages
    start with the package's name, as MkDocs writes a plugin's."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        return f"postmortem_kb: {msg}", kwargs


log = _PluginLog(logging.getLogger("mkdocs.plugins.postmortem_kb.mkdocs"), {})


def report(findings: Iterable[Finding], report_only: Iterable[str]) -> None:
    """Each finding in the build log, as `pmkb check` prints it (control characters
    escaped, its hint on the next line): an error as a warning, which fails `mkdocs build
    --strict`, unless its rule is report-only."""
    quiet = set(report_only)
    for f in findings:
        text = finding(f)
        if f.severity == "error" and f.rule not in quiet and f.code not in quiet:
            log.warning(text)  # fails `mkdocs build --strict`
        else:
            log.info(text)
