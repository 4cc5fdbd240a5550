"""At most so many findings per file, so a hostile file cannot flood the output, the
workers' pipes or the cache."""

from __future__ import annotations

from collections import defaultdict

from .model import Finding
from .rules.safety import TOO_MANY_FINDINGS

MAX_FINDINGS_PER_FILE = 200
_MORE = "more findings in this file are not shown"
_ONE_MORE = "more finding in this file is not shown"


def cap_findings(findings: list[Finding], limit: int = MAX_FINDINGS_PER_FILE) -> list[Finding]:
    """At most `limit` findings per file, the first by position, then one `too-many-findings`
    saying how many more there are (counting those an earlier cap left out). It is an
    error when an error was left out, so the exit status stays what it would have been.
    It is not subject to --select, --ignore or suppression comments: it says what is hidden."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_path[f.path].append(f)
    if all(len(fs) <= limit and not any(f.rule == TOO_MANY_FINDINGS.name for f in fs) for fs in by_path.values()):
        return findings
    out: list[Finding] = []
    for path, fs in by_path.items():
        earlier = [f for f in fs if f.rule == TOO_MANY_FINDINGS.name]
        rest = sorted((f for f in fs if f.rule != TOO_MANY_FINDINGS.name), key=Finding.sort_key)
        hidden = rest[limit:]
        count = sum(int(f.message.split(" ", 1)[0]) for f in earlier) + len(hidden)
        out.extend(rest[:limit])
        if count:
            spec = TOO_MANY_FINDINGS
            at = min((f.line, f.column) for f in [*earlier, *hidden[:1]])
            error = any(f.severity == "error" for f in [*earlier, *hidden])
            message = f"{count} {_MORE if count > 1 else _ONE_MORE} (at most {limit} per file)"
            out.append(
                Finding(
                    path,
                    *at,
                    spec.code,
                    spec.name,
                    "error" if error else spec.severity,
                    message,
                    "fix the findings shown and run pmkb check again",
                )
            )
    return out
