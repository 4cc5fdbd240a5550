"""`make serve` notices a save (mkdocs.native_watch) and never keeps a page older than its
source: a postmortem saved while a rebuild runs is built again from its new text."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from site_helpers import copy_kb

from postmortem_kb.mkdocs import serving as serving_module
from postmortem_kb.mkdocs.native_watch import SIGNAL, NativeWatch

PM = Path("2024") / "2024-03-14-customer-comms-outage.md"
PAGE = Path("2024") / "2024-03-14-customer-comms-outage" / "index.html"


def _signals(base: Path) -> str:
    path = base / SIGNAL
    return path.read_text() if path.exists() else ""


def _settle(base: Path, seconds: float = 1.0) -> str:
    time.sleep(seconds)
    return _signals(base)


def test_one_save_is_one_signal_and_reading_is_none(tmp_path):
    docs, base = tmp_path / "docs", tmp_path / "cache"
    (docs / "2024").mkdir(parents=True)
    base.mkdir()
    pm = docs / "2024" / "a.md"
    pm.write_text("first\n")
    watch = NativeWatch(docs, base)
    if not watch.start():
        pytest.skip("no native file notifications here: MkDocs polls, as before")
    try:
        before = _settle(base, 0.3)
        for _ in range(20):
            pm.read_text()  # every build reads every file: no rebuild for that
        assert _settle(base) == before
        pm.write_text("second\n")  # modified, closed: several notices, one signal
        after = _settle(base)
        assert after != before and int(after) == int(before) + 1
        (docs / "2024" / "b.md.tmp").write_text("x")
        os.replace(docs / "2024" / "b.md.tmp", docs / "2024" / "b.md")  # an editor's save by rename
        assert int(_settle(base)) == int(after) + 1
    finally:
        watch.stop()


def test_a_postmortem_saved_during_a_rebuild_is_built_again_from_its_new_text(tmp_path, monkeypatch):
    root = copy_kb(tmp_path)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.chdir(root)
    site = tmp_path / "site"

    def config():
        return load_config(str(root / "mkdocs.yml"), site_dir=str(site))

    first = config()
    first.plugins.on_startup(command="serve", dirty=True)
    build(first, dirty=True)
    source = root / "postmortems" / PM
    text = source.read_text()
    refresh = serving_module.Serving.refresh

    def saved_while_building(self, *args):
        planned = refresh(self, *args)  # the plan is made from the text before the save
        source.write_text(text.replace("title: ", "title: Saved meanwhile ", 1))
        return planned

    time.sleep(0.05)  # a save after the first build's output, as a person's would be
    source.write_text(text.replace("title: ", "title: Edited ", 1))
    with monkeypatch.context() as m:
        m.setattr(serving_module.Serving, "refresh", saved_while_building)
        build(config(), dirty=True)
    assert not (site / PAGE).exists()  # not left as it was built, half from the last text
    build(config(), dirty=True)  # the rebuild the save starts
    assert "Saved meanwhile" in (site / PAGE).read_text()
