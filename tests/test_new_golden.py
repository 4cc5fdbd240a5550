"""`pmkb new` writes exactly what it wrote before the importer shared its template: the
golden files in tests/golden_new/ were written by `pmkb new` itself, one per option set."""

from __future__ import annotations

from pathlib import Path

import pytest
from new_cases import CASES

GOLDEN = Path(__file__).parent / "golden_new"


@pytest.mark.parametrize("name", sorted(CASES))
def test_pmkb_new_output_is_byte_identical(kb, name):
    code, _ = kb.run("new", *CASES[name])
    assert code == 0, kb.stderr
    [written] = list((kb / "postmortems").rglob("*.md"))
    assert written.read_bytes() == (GOLDEN / f"{name}.md").read_bytes()
