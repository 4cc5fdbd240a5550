"""Each legacy postmortem in tests/legacy/ imports to exactly the file in tests/golden_import/
(front matter through `pmkb new`'s template, body with every original line): a change to the
importer shows up here as a diff of what users get. After a deliberate change, rewrite them
with `PMKB_UPDATE_GOLDEN=1 pytest tests/test_import_golden.py` and read the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from postmortem_kb.importer import Options, convert

LEGACY = ROOT / "tests" / "legacy"
EXPECTED = ROOT / "tests" / "golden_import"
FACTOR_IDS = frozenset(
    f["id"] for f in yaml.safe_load((ROOT / "postmortems" / "factors.yml").read_text(encoding="utf-8"))["factors"]
)


@pytest.mark.parametrize("src", sorted(LEGACY.glob("*.md")), ids=lambda p: p.name)
def test_a_legacy_postmortem_imports_to_its_expected_file(src: Path):
    text = src.read_bytes().decode("utf-8")
    result = convert(text, src.name, Options(factor_ids=FACTOR_IDS, source=f"legacy/{src.name}"))
    out = result.text("../../templates/postmortem.schema.json")
    expected = EXPECTED / result.relpath.replace("/", "--")
    if os.environ.get("PMKB_UPDATE_GOLDEN"):
        expected.write_text(out, encoding="utf-8", newline="\n")
    assert out == expected.read_text(encoding="utf-8")
