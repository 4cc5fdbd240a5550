"""SARIF 2.1.0 with stable ruleIds and helpUris to the rule pages."""

from __future__ import annotations

import json
from urllib.parse import quote

from .. import __version__
from ..model import Finding
from ..rules.registry import registry


def _uri(path: str) -> str:
    """A relative path as a URI reference (RFC 3986): spaces, `#`, `?`, `%` and non-ASCII
    characters percent-encoded, so that `%SRCROOT%` + uri names the file."""
    return quote(path, safe="/")


def render(findings: list[Finding], ctx: dict) -> str:
    base = (ctx.get("site_url") or "").rstrip("/")
    rules = []
    index: dict[str, int] = {}
    for i, spec in enumerate(registry().values()):
        index[spec.code] = i
        rules.append(
            {
                "id": spec.code,
                "name": spec.name,
                "shortDescription": {"text": spec.summary},
                "fullDescription": {"text": spec.why},
                "help": {"text": spec.fix},
                "helpUri": f"{base}/rules/{spec.name}/" if base else f"rules/{spec.name}/",
                "defaultConfiguration": {"level": "error" if spec.severity == "error" else "warning"},
            }
        )
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error" if f.severity == "error" else "warning",
            "message": {"text": f"{f.message} (hint: {f.hint})"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        for f in findings
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pmkb",
                        "informationUri": base or "https://example.invalid/postmortem-kb",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
