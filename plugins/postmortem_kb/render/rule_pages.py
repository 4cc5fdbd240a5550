"""A page per rule (what it checks, why, how to fix it, examples) and the rules' index."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..load.frontmatter import SAFE_LOADER
from ..rules.language import HERE as RULES_DIR
from ..rules.registry import registry

if TYPE_CHECKING:
    from .site import Site


def rule_pages(site: Site) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {}
    examples = _language_examples()
    sev_over = {k: v for k, v in site.settings.rules.severity.items()}
    rules = []
    for spec in registry().values():
        severity = sev_over.get(spec.name, sev_over.get(spec.code, spec.severity))
        rules.append((spec, severity))
        out[f"rules/{spec.name}.md"] = site.env.get_template("rule.md.j2").render(
            stash=site.stash(f"rules/{spec.name}.md"),
            spec=spec,
            severity=severity,
            report_only=spec.name in site.settings.report_only or spec.code in site.settings.report_only,
            examples=examples.get(spec.code, {}),
        )
    out["rules/index.md"] = site.env.get_template("rules_index.md.j2").render(
        rules=rules, policy=site.settings.policy, stash=site.stash("rules/index.md")
    )
    return out


def _language_examples() -> dict[str, dict]:
    """The language rules' examples by code: a rule's page shows sentences it flags and
    sentences it leaves alone (held to the rule by tests/test_language_rules.py), not its
    patterns."""
    import yaml

    language = yaml.load((RULES_DIR / "language.yml").read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    return {str(r["code"]): r.get("examples") or {} for r in language.get("rules", [])}
