"""A full build converts the postmortem pages on both cores (mkdocs.convert_aside): however
the pages fall between MkDocs and the child, and if the child dies, the site is the same
and what a conversion warns about still reaches the build log and `--strict`."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from site_helpers import copy_kb
from test_blocks_in_parts import _differing

from postmortem_kb.mkdocs import convert_aside
from postmortem_kb.mkdocs.convert_aside import ConvertAside

PAGE = Path("2024") / "2024-03-14-customer-comms-outage" / "index.html"


def _build(root: Path, site: Path, strict: bool = False) -> None:
    build(load_config(str(root / "mkdocs.yml"), site_dir=str(site), strict=strict))


def _all_to_the_child(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """MkDocs's process takes no page: the child converts every postmortem."""
    given: list[int] = []

    def never_mine(self: ConvertAside, src: str) -> bool:
        self._given.add(src)
        given.append(1)
        return False

    monkeypatch.setattr(ConvertAside, "mine", never_mine)
    return given


def _converted_in(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Each page's conversion leaves the id of the process that made it in `log` (the
    child is forked: it cannot tell the test in memory)."""
    real = convert_aside.convert

    def convert(*args: object, **kw: object) -> convert_aside.Converted:
        with log.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(convert_aside, "convert", convert)


def _pids(log: Path) -> list[int]:
    return [int(line) for line in log.read_text().split()] if log.exists() else []


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = copy_kb(tmp_path)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.chdir(root)
    return root


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the child converts only with a second core")
def test_the_site_is_the_same_whoever_converts_the_pages(kb, tmp_path, monkeypatch):
    _build(kb, tmp_path / "raced")  # MkDocs and the child as they come
    with monkeypatch.context() as m:
        m.setattr(convert_aside, "possible", lambda *a: False)
        _build(kb, tmp_path / "here")  # MkDocs converts every page
    given = _all_to_the_child(monkeypatch)
    _converted_in(monkeypatch, tmp_path / "pids")
    _build(kb, tmp_path / "there")
    pids = _pids(tmp_path / "pids")
    assert len(given) >= 20 and len(pids) == len(given)  # every sample postmortem went to the child
    assert os.getpid() not in pids  # and the child converted them all
    assert not _differing(tmp_path / "here", tmp_path / "there")
    assert not _differing(tmp_path / "here", tmp_path / "raced")
    page = (tmp_path / "there" / PAGE).read_text()
    assert 'class="pmkb-card' in page and "pmkb-block:" not in page
    assert 'href="#timeline"' in page  # the table of contents came with the page


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the child converts only with a second core")
def test_a_broken_link_on_a_page_the_child_converts_still_fails_strict(kb, tmp_path, monkeypatch, caplog):
    pm = kb / "postmortems" / "2024" / "2024-03-14-customer-comms-outage.md"
    pm.write_text(pm.read_text() + "\nSee [the old runbook](no-such-runbook.md).\n")
    _all_to_the_child(monkeypatch)
    _converted_in(monkeypatch, tmp_path / "pids")
    with caplog.at_level(logging.WARNING, logger="mkdocs"), pytest.raises(Abort, match="strict mode"):
        _build(kb, tmp_path / "site", strict=True)
    said = [r for r in caplog.records if "no-such-runbook.md" in r.getMessage()]
    assert said and all(r.levelno == logging.WARNING for r in said)
    assert "2024-03-14-customer-comms-outage.md" in said[0].getMessage()
    assert _pids(tmp_path / "pids") and os.getpid() not in _pids(tmp_path / "pids")  # said by the child


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the child converts only with a second core")
def test_hostile_markup_on_a_page_the_child_converts_is_cleaned_as_here(kb, tmp_path, monkeypatch):
    pm = kb / "postmortems" / "2024" / "2024-03-14-customer-comms-outage.md"
    pm.write_text(
        pm.read_text()
        + "\n<script>alert('pr')</script>\n\n<img src=x onerror=\"alert('pr')\">\n\n"
        + "[click](javascript:alert('pr'))\n\n{{ lipsum.__globals__ }}\n"
    )
    given = _all_to_the_child(monkeypatch)
    _converted_in(monkeypatch, tmp_path / "pids")
    _build(kb, tmp_path / "site")
    assert given and os.getpid() not in _pids(tmp_path / "pids")
    page = (tmp_path / "site" / PAGE).read_text()
    assert "<script>alert" not in page and "onerror" not in page and "javascript:alert" not in page
    assert "{{ lipsum." in page  # shown as text (Markdown makes __globals__ bold), never evaluated


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the child converts only with a second core")
def test_when_the_child_dies_mkdocs_converts_its_pages(kb, tmp_path, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(convert_aside, "possible", lambda *a: False)
        _build(kb, tmp_path / "here")
    parent = os.getpid()

    def dies(*args: object) -> object:
        if os.getpid() != parent:
            os._exit(9)  # as the kernel's OOM killer would leave it
        yield {}

    _all_to_the_child(monkeypatch)
    monkeypatch.setattr(convert_aside, "_from_the_back", dies)
    _converted_in(monkeypatch, tmp_path / "pids")
    _build(kb, tmp_path / "there")
    assert set(_pids(tmp_path / "pids")) == {parent}  # every page converted here instead
    assert not _differing(tmp_path / "here", tmp_path / "there")


def test_the_child_converts_only_when_no_other_plugin_works_on_page_text():
    class Ours:
        def on_page_content(self) -> None: ...

    class Theirs:
        def on_page_markdown(self) -> None: ...

    ours, theirs = Ours(), Theirs()
    mine, theirs_md = ours.on_page_content, theirs.on_page_markdown
    alone = SimpleNamespace(events={"page_content": [mine], "page_context": [theirs_md]})
    shared = SimpleNamespace(events={"page_content": [mine], "page_markdown": [theirs_md]})
    if (os.cpu_count() or 1) > 1:
        assert convert_aside.possible(alone, ours)
    assert not convert_aside.possible(shared, ours)
