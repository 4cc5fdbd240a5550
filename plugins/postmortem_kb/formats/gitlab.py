"""GitLab Code Quality report (a JSON array GitLab shows in merge requests)."""

from __future__ import annotations

import hashlib
import json

from ..model import Finding


def render(findings: list[Finding], ctx: dict) -> str:
    issues = []
    seen: dict[str, int] = {}
    for f in findings:
        # The fingerprint must stay the same while the finding does, so GitLab can tell
        # new findings from old ones: no line number in it (lines move), but the file, the
        # rule, the message and which occurrence of that message it is.
        base = f"{f.path}\0{f.code}\0{f.message}"
        seen[base] = seen.get(base, 0) + 1
        key = f"{base}\0{seen[base]}".encode()
        issues.append(
            {
                "description": f"{f.code} [{f.rule}] {f.message}",
                "check_name": f.rule,
                "fingerprint": hashlib.sha256(key).hexdigest(),
                "severity": "major" if f.severity == "error" else "minor",
                "location": {"path": f.path, "lines": {"begin": f.line}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
