"""A full build hands MkDocs each postmortem page's blocks (header card, action table,
related incidents, diagram) in parts while it writes the pages (mkdocs.full_build): however
the parts fall, every page gets its own blocks and the site is the same."""

from __future__ import annotations

import filecmp
import os
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from site_helpers import assert_built, build_site, copy_kb

from postmortem_kb.mkdocs import full_build


def _differing(a: Path, b: Path) -> list[str]:
    out = []
    for folder, _dirs, names in os.walk(a):
        rel = Path(folder).relative_to(a)
        for name in names:
            other = b / rel / name
            if not other.exists() or not filecmp.cmp(Path(folder) / name, other, shallow=False):
                out.append(str(rel / name))
    return out


def test_pages_get_their_blocks_whatever_the_size_of_the_parts(tmp_path, monkeypatch):
    root = copy_kb(tmp_path)
    assert_built(build_site(root, tmp_path / "whole"))  # the parts as they come (250: one part here)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.chdir(root)
    monkeypatch.setattr(full_build, "BLOCKS_PER_PART", 2)  # read by the side job, forked from here
    build(load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "parts")))
    assert not _differing(tmp_path / "whole", tmp_path / "parts")
    page = (tmp_path / "parts" / "2024" / "2024-03-14-customer-comms-outage" / "index.html").read_text()
    assert 'class="pmkb-card' in page and "pmkb-block:" not in page
