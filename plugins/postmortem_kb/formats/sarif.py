"""SARIF 2.1.0 with stable ruleIds and helpUris to the rule pages."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

from .. import __version__
from ..model import Finding
from ..rules.registry import registry


def _uri(path: str) -> str:
    """A relative path as a URI reference (RFC 3986): spaces, `#`, `?`, `%` and non-ASCII
    characters percent-encoded, so that `%SRCROOT%` + uri names the file."""
    return quote(path, safe="/")


def _absolute_base(site_url: object) -> str:
    """`site_url` without its trailing `/` if it is an absolute http(s) URL, else "":
    SARIF 2.1.0 requires `helpUri` and `informationUri` to be absolute URIs, and a
    relative one makes code scanning reject the whole upload."""
    if not isinstance(site_url, str):
        return ""
    try:
        parts = urlsplit(site_url.strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in site_url.strip()):
        return ""
    return site_url.strip().rstrip("/")


def _rule(spec, base: str) -> dict:
    """A reportingDescriptor. Without a site to link to, `helpUri` is left out and the
    help text says what the rule page would: what to do, and why the rule exists."""
    rule = {
        "id": spec.code,
        "name": spec.name,
        "shortDescription": {"text": spec.summary},
        "fullDescription": {"text": spec.why},
        "help": {"text": spec.fix if base else f"{spec.fix}\n\nWhy: {spec.why}"},
    }
    if base:
        rule["helpUri"] = f"{base}/rules/{quote(spec.name, safe='')}/"
    rule["defaultConfiguration"] = {"level": "error" if spec.severity == "error" else "warning"}
    return rule


def render(findings: list[Finding], ctx: dict) -> str:
    base = _absolute_base(ctx.get("site_url"))
    rules = []
    index: dict[str, int] = {}
    for i, spec in enumerate(registry().values()):
        index[spec.code] = i
        rules.append(_rule(spec, base))
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
                    # informationUri is optional: without a site_url there is no page to name.
                    "driver": {
                        "name": "pmkb",
                        **({"informationUri": base} if base else {}),
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
