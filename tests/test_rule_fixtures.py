"""Every rule's fixture folder is its test: plugins/postmortem_kb/rules/fixtures/<CODE>/.

`bad.md` (or `bad/`) is checked by the real `pmkb check --format json` in a small
knowledge base (fixtures/_kb: mkdocs.yml, factors.yml, services.yml, plus the project's
templates/) and must give exactly `expected.json`; `good.md` (or `good/`), the corrected
version, must give no finding at all. A rule without a fixture folder, or a folder
naming no rule, fails. The rule's page shows the fixture, and says truly whether a
`pmkb:` comment can silence the rule.

To regenerate the golden files after a deliberate change to a rule's output, run
`PMKB_UPDATE_FIXTURES=1 .venv/bin/python -m pytest tests/test_rule_fixtures.py`, then
read the diff: each finding must be the one the rule should give, at the right line.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import shutil
from dataclasses import replace
from html import escape, unescape
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml

from postmortem_kb.cli import main
from postmortem_kb.render.env import make_env
from postmortem_kb.rules.fixture import FIXTURE_KB, FIXTURES, Fixture, fixture_codes, fixture_of
from postmortem_kb.rules.registry import registry
from postmortem_kb.rules.rule import Check

ROOT = Path(__file__).parents[1]
UPDATE = os.environ.get("PMKB_UPDATE_FIXTURES") == "1"
CODES = sorted(spec.code for spec in registry().values())


def knowledge_base(tmp: Path, fx: Fixture, side: str) -> Path:
    """A knowledge base in `tmp` holding one side of the fixture; returns its mkdocs.yml."""
    tmp.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((FIXTURE_KB / "mkdocs.yml").read_text(encoding="utf-8"))
    section = config["plugins"][0]["postmortem-kb"]
    for key, value in fx.settings.items():  # a mapping (policy, rules) is merged, not replaced
        section[key] = (
            {**section[key], **value} if isinstance(value, dict) and isinstance(section.get(key), dict) else value
        )
    (tmp / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (tmp / "templates").mkdir()
    for template in (ROOT / "templates").glob("*.md"):
        shutil.copy(template, tmp / "templates" / template.name)
    docs = tmp / "postmortems"
    docs.mkdir()
    for name in ("factors.yml", "services.yml"):
        shutil.copy(FIXTURE_KB / name, docs / name)
    setup = fx.setup[side]
    encodings = setup.get("encoding") or {}
    for name, raw in fx.files(side).items():  # after the shared files: a fixture may replace them
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        codec = encodings.get(name)
        path.write_bytes(raw.decode("utf-8").encode(codec) if codec else raw)
    for name, target in (setup.get("links") or {}).items():  # never committed: made here
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).symlink_to(target)
    return tmp / "mkdocs.yml"


def check(config: Path, fx: Fixture) -> list[dict[str, Any]]:
    """`pmkb check --format json` on the whole fixture knowledge base, as CI runs it."""
    out, err = io.StringIO(), io.StringIO()
    args = [
        "--config",
        str(config),
        "check",
        "--format",
        "json",
        "--today",
        fx.today.isoformat(),
        "--no-cache",
        "--jobs",
        "1",
    ]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    findings = json.loads(out.getvalue())
    assert code == (1 if any(f["severity"] == "error" for f in findings) else 0), err.getvalue()
    return findings


def dump(findings: list[dict[str, Any]]) -> str:
    """expected.json: the JSON array `pmkb check` prints, one finding per line (readable diffs)."""
    rows = ",\n".join("  " + json.dumps(f, ensure_ascii=False) for f in findings)
    return f"[\n{rows}\n]\n" if findings else "[]\n"


def test_every_rule_has_a_fixture_folder() -> None:
    missing = [code for code in CODES if code not in fixture_codes()]
    assert not missing, f"rules without plugins/postmortem_kb/rules/fixtures/<CODE>/ (see CONTRIBUTING.md): {missing}"


def test_every_fixture_folder_names_a_rule() -> None:
    unknown = [name for name in fixture_codes() if name not in CODES]
    assert not unknown, f"fixture folders that name no rule: {unknown}"


def _loader_rule_names() -> dict[str | None, list[str]]:
    """The rule names load/ reports (`Problem(name, …)`, `Refusal(path, name, …)`), with
    where; None for a name passed on from another problem (`problem.rule`)."""
    names: dict[str | None, list[str]] = {}
    for path in sorted((ROOT / "plugins" / "postmortem_kb" / "load").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            at = {"Problem": 0, "Refusal": 1}.get(func)
            if at is None:
                continue
            for arg in [*node.args[at : at + 1], *(k.value for k in node.keywords if k.arg == "rule")]:
                if isinstance(arg, ast.Constant):
                    name = arg.value
                elif isinstance(arg, ast.Name) and arg.id in constants:
                    name = constants[arg.id]
                else:
                    assert isinstance(arg, ast.Attribute) and arg.attr == "rule", f"{path.name}:{arg.lineno}"
                    name = None
                names.setdefault(name, []).append(f"{path.name}:{arg.lineno}")
    return names


def test_every_rule_the_loader_names_is_defined() -> None:
    """load/ reports rules by name (it must not import rules/): a name no rule has would
    fail only when that problem first occurs, so every one is looked up here."""
    named = _loader_rule_names()
    unknown = {name: where for name, where in named.items() if name is not None and name not in registry()}
    assert not unknown, f"load/ reports rules that are not defined: {unknown}"
    assert {"front-matter", "yaml-syntax", "encoding", "schema", "unpublishable-file"} <= set(named)


def test_each_check_gives_only_the_rules_it_declares(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that emits several rules declares them (`@check(...)`); one with `@rule`
    emits its own. Every fixture's bad side is checked with each hit held to that."""
    wrong: list[tuple[str, str]] = []
    given: set[str] = set()
    run = Check.__call__

    def held(self: Check, pm: Any, ctx: Any) -> Any:
        for hit in run(self, pm, ctx):
            given.add(hit.rule.code)
            if hit.rule not in self.rules:
                wrong.append((self.run.__name__, hit.rule.code))
            yield hit

    monkeypatch.setattr(Check, "__call__", held)
    for code in CODES:
        fx = fixture_of(code)
        assert fx is not None
        check(knowledge_base(tmp_path / code, fx, "bad"), fx)
    assert not wrong, wrong
    assert len(given) > 20, given  # the checks ran (a PM0/PM6 fixture's findings come from the loader)


@pytest.mark.parametrize("code", CODES)
def test_bad_gives_exactly_the_expected_findings(code: str, tmp_path: Path) -> None:
    fx = fixture_of(code)
    assert fx is not None, f"{code} has no fixture folder {FIXTURES / code}"
    assert fx.bad and fx.good, f"{code}: the fixture needs bad.md (or bad/) and good.md (or good/)"
    found = check(knowledge_base(tmp_path, fx, "bad"), fx)
    if UPDATE:
        (fx.folder / "expected.json").write_text(dump(found), encoding="utf-8")
        return
    assert (fx.folder / "expected.json").is_file(), (
        f"{code}: no expected.json (PMKB_UPDATE_FIXTURES=1 writes it; then review it)"
    )
    assert found == fx.expected
    assert any(f["code"] == code for f in found), f"{code}: bad gives no finding of the rule itself"


@pytest.mark.parametrize("code", CODES)
def test_good_gives_no_finding(code: str, tmp_path: Path) -> None:
    fx = fixture_of(code)
    assert fx is not None, f"{code} has no fixture folder {FIXTURES / code}"
    assert check(knowledge_base(tmp_path, fx, "good"), fx) == []


def rule_page(code: str) -> str:
    """The rule's page as the site renders it (rule.md.j2, then Markdown to HTML)."""
    spec = next(s for s in registry().values() if s.code == code)
    text = (
        make_env()
        .get_template("rule.md.j2")
        .render(stash=None, spec=spec, severity=spec.severity, report_only=False, examples={})
    )
    return markdown.markdown(text, extensions=["fenced_code", "tables", "attr_list", "md_in_html", "admonition", "toc"])


@pytest.mark.parametrize("code", CODES)
def test_rule_page_shows_its_fixture(code: str) -> None:
    fx = fixture_of(code)
    assert fx is not None
    html = rule_page(code)
    assert '<h2 id="example">Example</h2>' in html
    for f in fx.own_findings():
        assert f"<code>{escape(f['path'])}</code>, line {f['line']}, column {f['column']}:" in html
        # The flagged line itself is shown, numbered as in the file (unless the file moved).
        shown = {ex.name: ex.text for ex in fx.excerpts("bad") if not ex.same_as}
        name = f["path"].removeprefix("postmortems/")
        if name in shown:
            raw = fx.bad[name].decode("utf-8").split("\n")[f["line"] - 1]
            numbered = f"{f['line']}  {raw}".rstrip()
            assert re.search(rf"[\n>] *{re.escape(numbered)}\n", unescape(html)), (f, raw)


def test_a_fixture_shows_as_text_never_as_markup() -> None:
    """raw-html's fixture holds an <iframe>: its page shows it escaped in a code block."""
    html = rule_page("PM611")
    assert "&lt;iframe src=" in html and "<iframe" not in html


@pytest.mark.parametrize("code", CODES)
def test_silencing_works_as_the_rule_page_says(code: str, tmp_path: Path) -> None:
    """A `pmkb: disable-file=CODE` comment silences the rule unless its page says it
    cannot; `rules: {ignore: [...]}` silences every rule but too-many-findings."""
    fx = fixture_of(code)
    assert fx is not None
    spec = next(s for s in registry().values() if s.code == code)
    comment = f"\n<!-- pmkb: disable-file={code} -->\n".encode()
    commented = replace(fx, bad={n: raw + comment if n.endswith(".md") else raw for n, raw in fx.bad.items()})
    left = [f for f in check(knowledge_base(tmp_path / "comment", commented, "bad"), commented) if f["code"] == code]
    assert bool(left) != spec.silenced_by_comment, left
    ignoring = replace(fx, settings={**fx.settings, "rules": {"ignore": [code]}})
    left = [f for f in check(knowledge_base(tmp_path / "ignore", ignoring, "bad"), ignoring) if f["code"] == code]
    assert bool(left) == (spec.name == "too-many-findings"), left
