"""The build bar's baseline is stock Material (#12): bench/generate.py's plain config has
no custom_dir and no template shims, and reads the same Markdown as the plugin's site."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402  (bench/ is not a package)


def _meta(path: Path) -> dict:
    """The front matter (between the first two `---` lines) as YAML."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text[4:].split("\n---", 1)[0]) or {}


def test_the_baseline_is_stock_material_over_the_same_markdown(tmp_path):
    kb = generate(tmp_path / "kb", 120)
    plain = yaml.safe_load((kb / "mkdocs-plain.yml").read_text(encoding="utf-8"))
    site = yaml.safe_load((kb / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "custom_dir" not in plain["theme"]
    assert not (kb / "plain-overrides").exists()
    assert plain["markdown_extensions"] == site["markdown_extensions"]
    assert plain["plugins"] == ["search"]
    docs, mirror = kb / site["docs_dir"], kb / plain["docs_dir"]
    originals = sorted(p.relative_to(docs) for p in docs.rglob("*") if p.is_file())
    assert originals == sorted(p.relative_to(mirror) for p in mirror.rglob("*") if p.is_file())
    named = 0
    for rel in originals:
        src, copy = docs / rel, mirror / rel
        if rel.suffix != ".md":
            assert copy.read_bytes() == src.read_bytes()
            continue
        meta = _meta(src)
        # Only a template other than the default is named; MkDocs would read it as the
        # page's Jinja template, so the stock build's copy loses that line alone.
        assert meta.get("template", "lightweight") == "lightweight"
        assert "template" not in _meta(copy)
        if "template" in meta:
            named += 1
            assert copy.read_text(encoding="utf-8") == src.read_text(encoding="utf-8").replace(
                "template: lightweight\n", "", 1
            )
        else:
            assert copy.stat().st_ino == src.stat().st_ino  # a hard link: the same bytes
    assert named > 0  # the corpus still has lightweight postmortems for the checker
