"""Contributing factors (taxonomy ids from the words people use) and the trigger, from a
legacy postmortem's cause sections."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from .document import Document, Item
from .names import plain

# Factor words, most specific first. A bullet that matches two factors is not clear: it
# becomes `todo` with both as candidates.
FACTOR_WORDS: list[tuple[str, str]] = [
    (
        "expiring-certificate",
        r"\b(?:certificates?|certs?|tls|ssl)\b[^.;]{0,60}\b(?:expir\w*|rotat\w*|renew\w*)|"
        r"\b(?:expir\w*|rotat\w*)\b[^.;]{0,30}\b(?:certificates?|certs?)\b",
    ),
    (
        "retry-storm",
        r"\bretry storms?\b|\bthundering herd\b|"
        r"\bretr(?:y|ies|ied)\b[^.;]{0,50}\b(?:without (?:any |a )?(?:limit|backoff|back-off)|immediately|"
        r"in a tight loop|no (?:limit|backoff))",
    ),
    ("dns", r"\bDNS\b|\bname resolution\b|\bresolvers?\b"),
    ("clock-time", r"\bclock (?:drift|skew)\b|\btime ?zones?\b|\bdaylight saving|\bleap (?:day|second|year)\b|\bNTP\b"),
    ("rate-limiting", r"\brate[- ]limit\w*|\bthrottl\w+|\bquotas?\b"),
    ("data-migration", r"\b(?:data|schema|database|table) migrations?\b|\bmigration of\b"),
    (
        "deploy-pipeline",
        r"\bdeploy(?:ment)? (?:pipeline|tool\w*|system)\b|\brelease (?:pipeline|tool\w*)\b|\bCI/CD\b|"
        r"\bpartial (?:deploy|rollout)\w*|\bno canary\b|\bwithout (?:a )?canary\b|\bcanary stage\b",
    ),
    (
        "config-change",
        r"\bconfig(?:uration)? (?:change|push|update|edit|error|value)s?\b|\bfeature flags?\b|\bflag (?:flip|change)\b",
    ),
    (
        "capacity-saturation",
        r"\b(?:ran|run|running|runs) out of (?:memory|disk|cpu|connections|capacity|threads|workers|file descriptors|"
        r"space)\b|\bout of memory\b|\bOOM\b|\bdisk (?:was |got |is )?full\b|\bsaturat\w+|\bexhaust\w+|"
        r"\bno (?:spare )?(?:capacity|headroom)\b|\bno autoscaling\b",
    ),
    (
        "alert-fatigue",
        r"\balert fatigue\b|\bnoisy alerts?\b|\btoo many alerts\b|\bflapping\b|"
        r"\balerts? (?:were|was) (?:ignored|muted|silenced)\b",
    ),
    (
        "alerting-gap",
        r"\bno alerts?\b|\bno (?:page|paging)\b|\bnothing (?:alerts|alerted|paged|pages)\b|\bnot alerted\b|"
        r"\balerts? (?:did not|didn't|never|failed to) (?:fire|page|trigger)|\bmissing alerts?\b|\balerting gap\b|"
        r"\bwithout (?:an |any )?alerts?\b|\bdid(?:n't| not) page\b",
    ),
    (
        "monitoring-gap",
        r"\bno (?:monitoring|metrics?|dashboards?|visibility)\b|\bnot monitored\b|\bunmonitored\b|\bmonitoring gap\b|"
        r"\black(?:ed)? (?:of )?(?:monitoring|metrics|visibility)\b|\bmissing (?:monitoring|metrics?)\b|"
        r"\bdid(?:n't| not) (?:monitor|measure)\b",
    ),
    (
        "detection-by-customers",
        r"\b(?:customers?|users?|clients?)\b[^.;]{0,20}\b(?:reported|noticed|told us|complained|found it)\b|"
        r"\breported by (?:a )?(?:customers?|users?)\b|\bdetected by (?:customers?|users?)\b",
    ),
    (
        "missing-access",
        r"\b(?:no|lacked|lacking|missing|without|didn't have|did not have) (?:the )?(?:access|permissions?|rights|"
        r"credentials)\b|\b(?:access|permission) denied\b",
    ),
    (
        "knowledge-gap",
        r"\bno runbook\b|\bmissing runbook\b|"
        r"\brunbook\b[^.;]{0,40}\b(?:missing|outdated|out of date|never|did not|didn't|no mention)|\bundocumented\b|"
        r"\bonly one person knew\b|\bknowledge gap\b|\bnobody knew how\b",
    ),
    (
        "no-fast-rollback",
        r"\b(?:could(?:n't| not)|can't|cannot|unable to) (?:easily |quickly )?(?:roll ?back|revert|undo)\b|"
        r"\bno (?:easy |quick |fast |one-step |simple )?(?:roll ?back|revert)\b|"
        r"\broll ?back (?:took|was slow|was manual|failed)\b",
    ),
    (
        "mitigation-needs-other-team",
        r"\bonly (?:the )?[\w-]+ team (?:could|can|was able to|had)\b|"
        r"\b(?:had|needed) to (?:wait for|page|ask) (?:another|the [\w-]+) team\b|"
        r"\bhand-?off to (?:the |another )[\w-]+ team\b|\bwait(?:ed|ing) (?:on|for) (?:the|another) [\w-]+ team\b",
    ),
    (
        "handoff-ticket-queue",
        r"\bticket queue\b|\b(?:filed|raised|opened) a ticket\b|\bthrough a ticket\b|\brequest form\b",
    ),
    (
        "incident-coordination",
        r"\b(?:no|unclear) incident commander\b|\bconfusion (?:about|over) (?:who|roles)\b|\bduplicated effort\b|"
        r"\bunclear (?:roles|who was in charge)\b",
    ),
    ("single-point-of-failure", r"\bsingle points? of failure\b|\bSPOF\b|\bno redundan\w+"),
    ("third-party-dependency", r"\bthird[- ]party\b|\bvendor\b|\bexternal provider\b|\bupstream provider\b"),
    (
        "internal-dependency",
        r"\b(?:internal|downstream|upstream) (?:service|dependency) (?:failed|was down|degraded|changed)\b",
    ),
    (
        "remediation-backlog",
        r"\b(?:known|previous|earlier|prior) (?:issue|incident|postmortem|problem)\b|"
        r"\b(?:was|had been|sat) (?:on|in) the backlog\b|\bnever (?:got )?(?:prioriti[sz]ed|scheduled)\b",
    ),
    ("unclear-ownership", r"\b(?:no|unclear) owner(?:ship)?\b|\b(?:nobody|no one|no team) owned\b|\bunowned\b"),
    ("change-approval-delay", r"\bchange (?:approval|freeze|advisory board)\b|\bCAB\b|\bwait(?:ed|ing) for approval\b"),
    ("on-call-load", r"\bon-?call (?:load|fatigue|was (?:busy|overloaded|exhausted))\b|\bpaged \d+ times\b"),
    ("production-pressure", r"\b(?:launch|schedule|time|deadline|commercial) pressure\b|\bunder pressure\b"),
    ("toil", r"\btoil\b|\bmanual(?:ly)? (?:renewal|renew\w*|process|step|cleanup|chore|work)\b|\bby hand\b"),
    (
        "software-defect",
        r"\bbugs?\b|\bsoftware defect\b|\bregression\b|\brace condition\b|\bnull pointer\b|\bmemory leak\b|"
        r"\boff-by-one\b|\bunhandled exception\b",
    ),
]
DESCRIPTION_MAX = 10_000  # characters of a factor's description written to the front matter
_FACTOR_RES = [(fid, re.compile(rx, re.I)) for fid, rx in FACTOR_WORDS]


def factor_ids(text: str, known: frozenset[str]) -> list[str]:
    return [fid for fid, rx in _FACTOR_RES if fid in known and rx.search(text)]


@dataclass(slots=True)
class Factor:
    factor: str  # a taxonomy id or "todo"
    description: str
    candidates: list[str] = field(default_factory=list)


def top_items(doc: Document, lines: list[int]) -> list[tuple[int, str]]:
    """The list items (as the parser reads them) that start on `lines` and sit in no other
    item there: (first line, text). Nested items belong to their parent, in the body."""
    if not lines:
        return []
    wanted = set(lines)
    found: list[Item] = []
    k = bisect_left(doc.items, lines[0], key=lambda it: it.line)
    while k < len(doc.items) and doc.items[k].line <= lines[-1]:
        if doc.items[k].line in wanted:
            found.append(doc.items[k])
        k += 1
    top = min((it.depth for it in found), default=0)
    return [(it.line, it.text) for it in found if it.depth == top]


def sentences(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\d\"'(])", flat) if s.strip()]


def factors(doc: Document, known: frozenset[str]) -> list[Factor]:
    out: list[Factor] = []
    seen: dict[str, Factor] = {}

    def add(fid: str, description: str, candidates: list[str] | None = None) -> None:
        if fid != "todo" and fid in seen:
            if len(seen[fid].description) < DESCRIPTION_MAX:  # a factor named a thousand times: no quadratic join
                seen[fid].description += " " + description
            return
        f = Factor(fid, description, candidates or [])
        out.append(f)
        if fid != "todo":
            seen[fid] = f

    for b in doc.blocks:
        if b.target != "contributing factors":
            continue
        body = [i for i in b.lines if i not in doc.fenced]
        bullets = top_items(doc, body) if b.kind == "items" else []
        if bullets:
            for _, text in bullets:
                desc = plain(text)
                if not desc:
                    continue
                ids = factor_ids(desc, known)
                if len(ids) == 1:
                    add(ids[0], desc)
                else:
                    add("todo", desc, ids)
            continue
        prose = "\n".join(doc.lines[i] for i in body if not doc.lines[i].lstrip().startswith(("|", "<!--")))
        for sentence in sentences(plain(prose)):
            for fid in factor_ids(sentence, known):
                if fid not in seen:
                    add(fid, sentence)
    return out


def trigger(doc: Document) -> str | None:
    for b in doc.blocks:
        if b.kind == "trigger":
            paragraph: list[str] = []
            for i in b.lines:
                s = doc.lines[i].strip()
                if not s:
                    if paragraph:
                        break
                    continue
                paragraph.append(s)
            text = plain(" ".join(paragraph))
            if text:
                return text[:2000]
    return None
