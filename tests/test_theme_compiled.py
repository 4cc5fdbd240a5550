"""`mkdocs serve` makes a new template environment for every rebuild: the theme's
templates compiled by the last one are reused (mkdocs.theme.CompiledTemplates), and a
template edited meanwhile is compiled again, so the page shows the edit."""

from __future__ import annotations

import time

from jinja2 import Environment

from postmortem_kb.mkdocs import theme


def _env(custom: str, compiled: theme.CompiledTemplates) -> Environment:
    env = Environment(autoescape=True)
    theme.install(env, custom, [custom], set(), set(), compiled)
    return env


def test_a_rebuild_reuses_compiled_templates_and_sees_an_edit(tmp_path, monkeypatch):
    page = tmp_path / "page.html"
    page.write_text("<p>{{ greeting }}, first</p>")
    compiled = theme.CompiledTemplates()
    compiles: list[str] = []
    original = Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiles.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(Environment, "compile", counting)
    assert _env(str(tmp_path), compiled).get_template("page.html").render(greeting="Hi") == "<p>Hi, first</p>"
    assert compiles == ["page.html"]
    # The next rebuild's environment: nothing to compile.
    assert _env(str(tmp_path), compiled).get_template("page.html").render(greeting="Hi") == "<p>Hi, first</p>"
    assert compiles == ["page.html"]
    # The author edits the override between two saves: compiled again, the edit shows.
    time.sleep(0.01)
    page.write_text("<p>{{ greeting }}, second</p>")
    assert _env(str(tmp_path), compiled).get_template("page.html").render(greeting="Hi") == "<p>Hi, second</p>"
    assert compiles == ["page.html", "page.html"]
