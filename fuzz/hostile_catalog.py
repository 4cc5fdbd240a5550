"""The `service-catalog` fuzz class: any postmortems/services.yml loads without raising.

Each example is the samples' catalog with hostile YAML spliced in (anchors, tags,
deep nesting, odd types, line breaks YAML alone knows), or hostile YAML alone.
Invariants:

- `load.taxonomy.load_services` returns (catalog or None, problems) and never raises;
- every problem is at a line and column inside the file;
- every service it keeps has an id of 1-200 characters, and a tier of 1, 2, 3 or None.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent


def target(folder: Path) -> tuple[Any, Any]:
    from hostile import YAML_PIECE, damaged, outside, pieces, split_lines

    from postmortem_kb.load.taxonomy import TIERS, load_services

    sample = (ROOT / "postmortems" / "services.yml").read_text(encoding="utf-8")
    texts = st.one_of(damaged(sample, YAML_PIECE), pieces(YAML_PIECE).map(lambda t: "services:\n" + t))
    path = folder / "services.yml"

    def violations(text: str | bytes) -> list[str]:
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        catalog, problems = load_services(path, "postmortems/services.yml", folder)
        lines = split_lines(path.read_bytes().decode("utf-8", "replace"))
        out = [f"{p.rule} at {why}" for p in problems if (why := outside(lines, p.line, p.column))]
        for s in catalog.services.values() if catalog is not None else ():
            if not 0 < len(s.id) <= 200 or (s.tier is not None and s.tier not in TIERS):
                out.append(f"kept a bad service: {s!r}"[:300])
        return out

    return texts, violations
