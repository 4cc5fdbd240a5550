"""Fixtures for the checker's tests: a small knowledge base in a temporary folder.

`kb` copies the real mkdocs.yml, templates/ and the factor taxonomy, and offers:

- `kb.write(...)`: a postmortem from a valid baseline, with front-matter and section overrides;
- `kb.run(*args)`: `pmkb --config <kb>/mkdocs.yml *args` in-process, returning (exit code, stdout);
- `kb.findings(*args)`: `pmkb check --format json` parsed into a list of dicts.

Dates are always frozen with `--today`; no test reads the wall clock.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import shutil
from collections.abc import Iterable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import yaml
from baseline import BASE_META, BASE_SECTIONS, LIGHTWEIGHT_SECTIONS

from postmortem_kb.cli import main
from postmortem_kb.config import read_mkdocs_yml

ROOT = Path(__file__).parents[1]
TODAY = "2024-03-20"  # the default frozen date of these tests: after every baseline deadline
UTC = UTC


def dump_front_matter(meta: dict[str, Any]) -> str:
    """YAML with one scalar per line (no wrapping), keys in the given order."""
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10**6, default_flow_style=False)


def render(meta: dict[str, Any], sections: dict[str, str]) -> str:
    body = "\n\n".join(f"## {title}\n\n{text}" if text else f"## {title}" for title, text in sections.items())
    return f"---\n{dump_front_matter(meta)}---\n\n{body}\n"


def merged_meta(meta: dict[str, Any] | None = None, drop: Iterable[str] = ()) -> dict[str, Any]:
    out = copy.deepcopy(BASE_META)
    for key, value in (meta or {}).items():
        out[key] = value
    for key in drop:
        out.pop(key, None)
    return out


def merged_sections(sections: dict[str, str | None] | None = None, template: str = "standard") -> dict[str, str]:
    base = dict(BASE_SECTIONS)
    if template == "lightweight":
        base = {k: v for k, v in base.items() if k in LIGHTWEIGHT_SECTIONS}
    for title, text in (sections or {}).items():
        if text is None:
            base.pop(title, None)
        else:
            base[title] = text
    return base


class KB:
    """A knowledge base in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.stderr = ""

    def __truediv__(self, other: str) -> Path:
        return self.root / other

    def __fspath__(self) -> str:
        return str(self.root)

    @property
    def config(self) -> Path:
        return self.root / "mkdocs.yml"

    def set_plugin_config(self, **settings: Any) -> None:
        """Merge `settings` into the postmortem-kb section of mkdocs.yml (nested dicts merge)."""
        doc = read_mkdocs_yml(self.config)
        for entry in doc["plugins"]:
            if isinstance(entry, dict) and "postmortem-kb" in entry:
                section = entry["postmortem-kb"]
                for key, value in settings.items():
                    if isinstance(value, dict) and isinstance(section.get(key), dict):
                        section[key].update(value)
                    else:
                        section[key] = value
        self.config.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")

    def write(
        self,
        name: str | None = None,
        *,
        meta: dict[str, Any] | None = None,
        drop: Iterable[str] = (),
        sections: dict[str, str | None] | None = None,
        text: str | None = None,
    ) -> Path:
        """Write a postmortem (the valid baseline with overrides, or raw `text`) and return its path.

        `name` is relative to postmortems/ and defaults to `<year>/<id>.md`.
        """
        if text is None:
            m = merged_meta(meta, drop)
            text = render(m, merged_sections(sections, str(m.get("template", "standard"))))
            if name is None:
                name = f"{str(m.get('id', 'x'))[:4]}/{m.get('id', 'x')}.md"
        assert name is not None, "raw text needs a file name"
        path = self.root / "postmortems" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def write_bytes(self, name: str, data: bytes) -> Path:
        path = self.root / "postmortems" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def run(self, *args: str) -> tuple[int, str]:
        """`pmkb --config <kb>/mkdocs.yml ARGS`: (exit code, stdout); stderr lands in `self.stderr`."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(["--config", str(self.config), *args])
            except SystemExit as exc:  # argparse usage errors
                code = exc.code if isinstance(exc.code, int) else 2
        self.stderr = err.getvalue()
        return code, out.getvalue()

    def check(self, *args: str, today: str = TODAY) -> tuple[int, str]:
        return self.run("check", "--today", today, *args)

    def findings(self, *args: str, today: str = TODAY) -> list[dict[str, Any]]:
        code, out = self.run("check", "--format", "json", "--today", today, *args)
        assert code in (0, 1), f"exit {code}: {self.stderr}"
        result = json.loads(out)
        has_errors = any(f["severity"] == "error" for f in result)
        assert code == (1 if has_errors else 0), (code, result)
        return result


def line_col(path: Path, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the n-th occurrence of `needle` in the file."""
    seen = 0
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        start = 0
        while (idx := text.find(needle, start)) >= 0:
            seen += 1
            if seen == occurrence:
                return number, idx + 1
            start = idx + 1
    raise AssertionError(f"{needle!r} not found in {path}")


def codes(findings: list[dict[str, Any]]) -> list[str]:
    return [f["code"] for f in findings]


def only(findings: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule"] == rule or f["code"] == rule]


@pytest.fixture
def kb(tmp_path: Path) -> KB:
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", tmp_path / "templates", ignore=shutil.ignore_patterns("site"))
    (tmp_path / "postmortems").mkdir()
    shutil.copy(ROOT / "postmortems" / "factors.yml", tmp_path / "postmortems" / "factors.yml")
    return KB(tmp_path)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, one per test module."""
    playwright_sync = pytest.importorskip("playwright.sync_api")
    from site_helpers import launch_browser

    with playwright_sync.sync_playwright() as pw:
        b = launch_browser(pw)
        try:
            yield b
        finally:
            b.close()
