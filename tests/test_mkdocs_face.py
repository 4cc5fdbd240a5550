"""The MkDocs face prints findings as `pmkb check` does, and only its events touch MkDocs."""

from __future__ import annotations

import logging
import subprocess
import sys

from postmortem_kb.formats.text import render
from postmortem_kb.mkdocs.report import report
from postmortem_kb.model import Finding

HOSTILE = Finding(
    path="postmortems/a\x1b[2Jb.md",
    line=3,
    column=7,
    code="PM999",
    rule="some-rule",
    severity="error",
    message="severity \x1b[31mSEV0\x1b[0m\nforged: line",
    hint="fix it\u2028now",
)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _logged(findings: list[Finding], report_only: list[str]) -> list[tuple[str, str]]:
    logger = logging.getLogger("mkdocs.plugins")
    handler, level = _Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        report(findings, report_only)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return [(r.levelname, r.getMessage()) for r in handler.records]


def test_the_build_log_prints_a_finding_as_pmkb_check_does_control_characters_escaped():
    [(level, message)] = _logged([HOSTILE], [])
    cli_lines = render([HOSTILE], {"color": False}).splitlines()[:2]  # the finding, its hint
    assert level == "WARNING"  # an error fails `mkdocs build --strict`
    assert message == "postmortem_kb: " + "\n".join(cli_lines)
    assert "\x1b" not in message and "\u2028" not in message
    assert message.count("\n") == 1  # the message's own line break cannot forge a log line
    assert "\\x1b[31mSEV0" in message and "\\nforged: line" in message
    assert message.endswith("  hint: fix it\\u2028now")


def test_report_only_errors_and_warnings_are_information():
    warning = Finding("p.md", 1, 1, "PM998", "other-rule", "warning", "w", "h")
    logged = _logged([HOSTILE, warning], ["PM999"])
    assert [level for level, _ in logged] == ["INFO", "INFO"]
    assert [level for level, _ in _logged([HOSTILE], ["some-rule"])] == ["INFO"]


def test_only_the_events_and_the_file_list_import_mkdocs():
    # MkDocs 1.x is frozen and MkDocs 2 drops plugins: the face's helpers stay usable
    # without it. Importing every helper but plugin.py and docs_files.py loads no MkDocs.
    helpers = ["downloads", "full_build", "pages", "plan", "playbook", "report", "serving", "theme"]
    code = "".join(f"import postmortem_kb.mkdocs.{h}\n" for h in helpers)
    code += "import sys\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'mkdocs'))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
