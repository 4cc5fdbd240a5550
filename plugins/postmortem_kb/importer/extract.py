"""What the text of a legacy postmortem says: metadata lines, timeline events, contributing
factors and action items. Pure functions over a parsed Document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from . import when
from .structure import ITEM, KV, Block, Document, name_key

# ---- metadata lines ("Date: …", "| Severity | SEV2 |") ------------------------------------

_KEYS: dict[str, str] = {}


def _keys(field_: str, *names: str) -> None:
    for n in names:
        _KEYS[n] = field_


_keys("date", "date", "incident date", "date of incident", "when", "day", "incident day", "occurred", "occurred on")
_keys("filed", "filed", "written", "written on", "date written", "published", "publish date", "published on",
      "report date", "postmortem date", "post mortem date", "last updated", "updated", "created",
      "review date", "date of review")  # fmt: skip
_keys("authors", "author", "authors", "owner", "owners", "postmortem owner", "post mortem owner",
      "written by", "prepared by", "by", "document owner", "editor", "editors", "report owner")  # fmt: skip
_keys("severity", "severity", "sev", "severity level", "incident severity", "level")
_keys("services", "service", "services", "affected service", "affected services", "systems affected",
      "affected systems", "affected components", "components", "component", "system", "systems")  # fmt: skip
_keys("teams", "team", "teams", "owning team", "owning teams", "responsible team")
_keys("trigger", "trigger")
_keys("customer_impact", "customer impact", "customer facing", "customers affected", "customer affecting",
      "external impact", "user facing")  # fmt: skip
_keys("title", "title", "incident", "incident title", "subject", "incident name")
_keys("started", "start", "start time", "started", "started at", "incident start", "impact start", "began",
      "begin", "start of impact", "outage start")  # fmt: skip
_keys("detected", "detected", "detected at", "detection", "detection time", "time detected")
_keys("mitigated", "mitigated", "mitigated at", "mitigation time", "time mitigated", "impact end",
      "end of impact", "service restored", "restored")  # fmt: skip
_keys("resolved", "resolved", "resolved at", "resolution time", "time resolved", "end", "end time", "ended",
      "incident end", "outage end")  # fmt: skip
_keys("ttd", "time to detection", "time to detect", "ttd", "mttd")
_keys("ttm", "time to mitigation", "time to mitigate", "time to recovery", "time to recover", "time to restore",
      "time to restoration", "ttm", "ttr", "mttr", "time to repair")  # fmt: skip
_keys("ttr", "time to resolution", "time to resolve", "time to fix", "time to close")
_keys("duration", "duration", "total duration", "outage duration", "incident duration", "total downtime",
      "downtime", "outage length")  # fmt: skip
_keys("zone", "time zone", "timezone", "tz")

FACTS_SKIP = ("timeline", "action items", "contributing factors")


@dataclass(slots=True)
class Fact:
    line: int
    key: str
    value: str


def facts(doc: Document) -> list[Fact]:
    """Every "Key: value" line (or two-cell table row) outside timelines, actions and causes."""
    skip: set[int] = set(doc.fenced)
    for b in doc.blocks:
        if b.target in FACTS_SKIP:
            skip.update(b.lines)
    out: list[Fact] = []
    candidates = sorted({*doc.preamble, *doc.title_lines, *(i for b in doc.blocks for i in b.lines)} - skip)
    for i in candidates:
        line = doc.lines[i]
        s = line.strip()
        if s.startswith("|"):
            cells = [c.strip() for c in s.strip("|").split("|")]
            if len(cells) == 2 and cells[0] and cells[1] and not re.match(r"^:?-{2,}", cells[0]):
                key = name_key(cells[0])
                if key in _KEYS:
                    out.append(Fact(i, _KEYS[key], _plain(cells[1])))
            continue
        m = KV.match(line)
        if m and m.group(2):
            key = name_key(m.group(1))
            if key in _KEYS:
                out.append(Fact(i, _KEYS[key], _plain(m.group(2))))
    return out


def _plain(text: str) -> str:
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    t = re.sub(r"(\*\*|__|`)", "", t)
    return t.strip()


def people(value: str) -> list[str]:
    """"@dana.k", "Priya Natarajan and Leo Brandt", "Ines Duarte, Kwame Mensah <km@x>"."""
    value = re.sub(r"<[^>]*>|\([^)]*@[^)]*\)|\S+@\S+\.\w+", " ", value)
    out = []
    for part in re.split(r"\s*(?:,|;|&|/|\band\b|\+)\s*", value):
        name = part.strip().lstrip("@").strip(" .")
        if name and len(name) <= 200 and name.lower() not in ("tbd", "n/a", "none", "unknown", "?"):
            out.append(name)
    return out


def severity(value: str, severities: list[str]) -> str | None:
    v = value.strip()
    for s in severities:
        if s.casefold() == v.casefold():
            return s
    m = re.search(r"(?i)\bsev(?:erity)?[\s_\-]*(\d)\b", v) or re.fullmatch(r"(?i)\s*s?(\d)\s*", v)
    if m:
        wanted = f"SEV{m.group(1)}"
        for s in severities:
            if s.casefold() == wanted.casefold():
                return s
    return None


def yes_no(value: str) -> bool | None:
    v = value.strip().lower()
    if re.match(r"^(yes|y|true|customer[- ]facing|external)\b", v):
        return True
    if re.match(r"^(no|n|false|none|internal)\b", v):
        return False
    return None


_NO_CUSTOMERS = re.compile(
    r"(?i)\bno (?:external |customer[- ]facing |user[- ]facing |direct )?(?:customer|user|client|external)s?[- ]?(?:facing )?(?:impact|were affected|was affected|affected|noticed)\b"
    r"|\bnot customer[- ]facing\b|\binternal[- ]only\b|\bno customer\b|\bno users?\b"
)
_CUSTOMERS = re.compile(
    r"(?i)\b(?:customers?|users?|clients?|merchants?|shoppers?|buyers?|visitors?|members?|subscribers?|partners?|players?|patients?|drivers?|riders?)\b"
)


def customer_impact(doc: Document) -> tuple[bool | None, str]:
    """From the Impact section (or the Summary): clearly none, clearly some, or unknown;
    and which section said so."""
    for target, name in (("impact", "Impact"), ("summary", "Summary")):
        text = "\n".join(doc.text(b.lines) for b in doc.blocks if b.target == target)
        if not text.strip():
            continue
        if _NO_CUSTOMERS.search(text):
            return False, name
        if _CUSTOMERS.search(text):
            return True, name
    return None, ""


# ---- timeline ---------------------------------------------------------------------------


@dataclass(slots=True)
class Event:
    line: int
    day: date | None  # explicit on the entry
    at: time
    zone: tzinfo | None
    text: str
    when: datetime | None = None
    zone_known: bool = False


_LEAD_JUNK = " \t*_`[]()~≈-–—,:@|>"


def _strip_item(s: str) -> str:
    s = s.strip()
    s = re.sub(r"^>\s*", "", s)
    m = ITEM.match(s)
    if m:
        s = m.group(3)
    return re.sub(r"^\[[ xX]\]\s*", "", s).strip()


def lead_time(text: str, year: int | None) -> tuple[date | None, time, tzinfo | None, str] | None:
    """A time (optionally after a date) that opens `text`: "14:02 UTC — alert", "Mar 14 2:05 PM: x"."""
    m = when.TIME.search(text)
    if not m or m.start() > 40:
        return None
    at = when.parse_time(m)
    if at is None:
        return None
    prefix = text[: m.start()]
    day = None
    stripped = re.sub(r"(?i)\b(?:at|around|about|approx\.?|approximately|ca\.?|c\.|on)\b", " ", prefix).strip(_LEAD_JUNK + " ")
    if stripped:
        day = when.date_only(stripped, year)
        if day is None:
            return None  # a time in the middle of a sentence is not a timeline entry
    rest = text[m.end() :]
    zone, used = when.zone_after_time(rest)
    rest = rest[used:].strip(_LEAD_JUNK + " ")
    return day, at, zone, rest


def events(doc: Document, blocks: list[Block], year: int | None) -> tuple[list[Event], tzinfo | None]:
    """Timeline entries from table rows, bullets and time-led lines; and a zone the timeline's
    heading or table header states ("Timeline (UTC)", "| Time (PT) | Event |")."""
    out: list[Event] = []
    zone_hint: tzinfo | None = None
    current_day: date | None = None
    for b in blocks:
        zone_hint = zone_hint or when.zone_in_parens(b.title)
        header_seen = False
        for i in b.lines:
            if i in doc.fenced:
                continue
            s = doc.lines[i].strip()
            if not s:
                header_seen = False  # a blank line ends a table
                continue
            if s.startswith("|"):
                cells = [c.strip() for c in s.strip("|").split("|")]
                if re.match(r"^:?-{2,}", cells[0] or "-" * 3) and all(re.fullmatch(r":?-*:?", c) for c in cells):
                    continue
                ev = None
                if len(cells) >= 3 and (d := when.date_only(cells[0].strip("*_`"), year)):
                    hit = lead_time(cells[1], year)
                    if hit:
                        ev = Event(i, hit[0] or d, hit[1], hit[2], " ".join(c for c in [hit[3], *cells[2:]] if c))
                if ev is None and cells:
                    hit = lead_time(cells[0], year)
                    if hit:
                        ev = Event(i, hit[0], hit[1], hit[2], " ".join(c for c in [hit[3], *cells[1:]] if c))
                if ev is None:
                    if not header_seen:
                        header_seen = True
                        for c in cells:
                            if "time" in c.lower():
                                zone_hint = zone_hint or when.zone_in_parens(c) or when.zone_of(c.split()[-1])
                    continue
                out.append(ev)
                continue
            item = _strip_item(s)
            hit = lead_time(item, year)
            if hit is None:
                plain = re.sub(r"[*_`#]", "", item).strip(" :")
                if len(plain) <= 60 and (d := when.date_only(plain, year)):
                    current_day = d
                    zone_hint = zone_hint or when.zone_in_parens(plain)
                continue
            day, at, zone, rest = hit
            out.append(Event(i, day or current_day, at, zone, rest, zone_known=False))
            if day:
                current_day = day
    return out, zone_hint


def place(evs: list[Event], base: date | None, zone: tzinfo | None) -> None:
    """Give each event a datetime: its own date, or the incident's day (rolling past midnight)."""
    running = base
    previous: datetime | None = None
    for ev in evs:
        day = ev.day or running
        if day is None:
            continue
        naive = datetime.combine(day, ev.at)
        if ev.day is None and previous is not None and naive < previous - timedelta(hours=12):
            day = day + timedelta(days=1)  # 23:50 then 00:10: the next day
            naive = datetime.combine(day, ev.at)
        running = day
        previous = naive
        tz = ev.zone or zone
        ev.zone_known = tz is not None
        ev.when = naive.replace(tzinfo=tz or UTC)


_NEGATED = re.compile(r"(?i)\b(?:no|not|without|never|didn't|did not|before)\s+(?:\w+\s+)?$")
DETECT = re.compile(
    r"(?i)\b(?:detect\w*|alert\w*|paged|pages|paging|pager\w*|page|noticed|notices|notice|reported|reports|report"
    r"|on-?call (?:is |was )?(?:notified|engaged)|ticket (?:opened|filed)|incident (?:declared|opened))\b"
    r"|\b(?:support|customers?|users?|partners?)\b[^.;]{0,30}\b(?:ask\w*|report\w*|notic\w*|complain\w*|escalat\w*|forward\w*)"
)
MITIGATE = re.compile(
    r"(?i)\b(?:mitigat\w*|restored|recover(?:ed|s|ing|y)|back to normal|returns? to normal|rolled back|roll-?back (?:complete|finished|done)"
    r"|service (?:is )?back|errors? (?:stop|subside)\w*|back (?:up|online))\b"
)
RESOLVE = re.compile(
    r"(?i)\b(?:resolved|all[- ]clear|incident (?:closed|ended|over|resolved)|closed the incident|fully recovered|stood down|declared over)\b"
)


def _says(pattern: re.Pattern[str], text: str) -> bool:
    return any(not _NEGATED.search(text[: m.start()]) for m in pattern.finditer(text))


def milestones(evs: list[Event]) -> dict[str, Event]:
    """started: the first entry; detected/mitigated/resolved: the first entry that says so."""
    placed = [e for e in evs if e.when is not None] or evs
    if not placed:
        return {}
    out = {"started": placed[0]}
    k = 0
    for key, pattern in (("detected", DETECT), ("mitigated", MITIGATE), ("resolved", RESOLVE)):
        for j in range(k, len(placed)):
            if _says(pattern, placed[j].text):
                out[key] = placed[j]
                k = j
                break
    return out


def stamp(value: str, base: date | None, zone: tzinfo | None) -> tuple[datetime, bool] | None:
    """"2021-02-09 16:20 CET", "16:20" (on the incident's day): a datetime and whether its zone was given."""
    hit = when.find_date(value)
    day = hit[0] if hit else base
    rest = value[hit[1][1] :] if hit else value
    m = when.TIME.search(rest)
    if day is None or m is None:
        return None
    at = when.parse_time(m)
    if at is None:
        return None
    own, _ = when.zone_after_time(rest[m.end() :])
    tz = own or zone
    return datetime.combine(day, at).replace(tzinfo=tz or UTC), tz is not None


# ---- contributing factors -----------------------------------------------------------------

# Factor words, most specific first. A bullet that matches two factors is not clear: it
# becomes `todo` with both as candidates.
FACTOR_WORDS: list[tuple[str, str]] = [
    ("expiring-certificate", r"\b(?:certificates?|certs?|tls|ssl)\b[^.;]{0,60}\b(?:expir\w*|rotat\w*|renew\w*)|\b(?:expir\w*|rotat\w*)\b[^.;]{0,30}\b(?:certificates?|certs?)\b"),
    ("retry-storm", r"\bretry storms?\b|\bthundering herd\b|\bretr(?:y|ies|ied)\b[^.;]{0,50}\b(?:without (?:any |a )?(?:limit|backoff|back-off)|immediately|in a tight loop|no (?:limit|backoff))"),
    ("dns", r"\bDNS\b|\bname resolution\b|\bresolvers?\b"),
    ("clock-time", r"\bclock (?:drift|skew)\b|\btime ?zones?\b|\bdaylight saving|\bleap (?:day|second|year)\b|\bNTP\b"),
    ("rate-limiting", r"\brate[- ]limit\w*|\bthrottl\w+|\bquotas?\b"),
    ("data-migration", r"\b(?:data|schema|database|table) migrations?\b|\bmigration of\b"),
    ("deploy-pipeline", r"\bdeploy(?:ment)? (?:pipeline|tool\w*|system)\b|\brelease (?:pipeline|tool\w*)\b|\bCI/CD\b|\bpartial (?:deploy|rollout)\w*|\bno canary\b|\bwithout (?:a )?canary\b|\bcanary stage\b"),
    ("config-change", r"\bconfig(?:uration)? (?:change|push|update|edit|error|value)s?\b|\bfeature flags?\b|\bflag (?:flip|change)\b"),
    ("capacity-saturation", r"\b(?:ran|run|running|runs) out of (?:memory|disk|cpu|connections|capacity|threads|workers|file descriptors|space)\b|\bout of memory\b|\bOOM\b|\bdisk (?:was |got |is )?full\b|\bsaturat\w+|\bexhaust\w+|\bno (?:spare )?(?:capacity|headroom)\b|\bno autoscaling\b"),
    ("alert-fatigue", r"\balert fatigue\b|\bnoisy alerts?\b|\btoo many alerts\b|\bflapping\b|\balerts? (?:were|was) (?:ignored|muted|silenced)\b"),
    ("alerting-gap", r"\bno alerts?\b|\bno (?:page|paging)\b|\bnothing (?:alerts|alerted|paged|pages)\b|\bnot alerted\b|\balerts? (?:did not|didn't|never|failed to) (?:fire|page|trigger)|\bmissing alerts?\b|\balerting gap\b|\bwithout (?:an |any )?alerts?\b|\bdid(?:n't| not) page\b"),
    ("monitoring-gap", r"\bno (?:monitoring|metrics?|dashboards?|visibility)\b|\bnot monitored\b|\bunmonitored\b|\bmonitoring gap\b|\black(?:ed)? (?:of )?(?:monitoring|metrics|visibility)\b|\bmissing (?:monitoring|metrics?)\b|\bdid(?:n't| not) (?:monitor|measure)\b"),
    ("detection-by-customers", r"\b(?:customers?|users?|clients?)\b[^.;]{0,20}\b(?:reported|noticed|told us|complained|found it)\b|\breported by (?:a )?(?:customers?|users?)\b|\bdetected by (?:customers?|users?)\b"),
    ("missing-access", r"\b(?:no|lacked|lacking|missing|without|didn't have|did not have) (?:the )?(?:access|permissions?|rights|credentials)\b|\b(?:access|permission) denied\b"),
    ("knowledge-gap", r"\bno runbook\b|\bmissing runbook\b|\brunbook\b[^.;]{0,40}\b(?:missing|outdated|out of date|never|did not|didn't|no mention)|\bundocumented\b|\bonly one person knew\b|\bknowledge gap\b|\bnobody knew how\b"),
    ("no-fast-rollback", r"\b(?:could(?:n't| not)|can't|cannot|unable to) (?:easily |quickly )?(?:roll ?back|revert|undo)\b|\bno (?:easy |quick |fast |one-step |simple )?(?:roll ?back|revert)\b|\broll ?back (?:took|was slow|was manual|failed)\b"),
    ("mitigation-needs-other-team", r"\bonly (?:the )?[\w-]+ team (?:could|can|was able to|had)\b|\b(?:had|needed) to (?:wait for|page|ask) (?:another|the [\w-]+) team\b|\bhand-?off to (?:the |another )[\w-]+ team\b|\bwait(?:ed|ing) (?:on|for) (?:the|another) [\w-]+ team\b"),
    ("handoff-ticket-queue", r"\bticket queue\b|\b(?:filed|raised|opened) a ticket\b|\bthrough a ticket\b|\brequest form\b"),
    ("incident-coordination", r"\b(?:no|unclear) incident commander\b|\bconfusion (?:about|over) (?:who|roles)\b|\bduplicated effort\b|\bunclear (?:roles|who was in charge)\b"),
    ("single-point-of-failure", r"\bsingle points? of failure\b|\bSPOF\b|\bno redundan\w+"),
    ("third-party-dependency", r"\bthird[- ]party\b|\bvendor\b|\bexternal provider\b|\bupstream provider\b"),
    ("internal-dependency", r"\b(?:internal|downstream|upstream) (?:service|dependency) (?:failed|was down|degraded|changed)\b"),
    ("remediation-backlog", r"\b(?:known|previous|earlier|prior) (?:issue|incident|postmortem|problem)\b|\b(?:was|had been|sat) (?:on|in) the backlog\b|\bnever (?:got )?(?:prioriti[sz]ed|scheduled)\b"),
    ("unclear-ownership", r"\b(?:no|unclear) owner(?:ship)?\b|\b(?:nobody|no one|no team) owned\b|\bunowned\b"),
    ("change-approval-delay", r"\bchange (?:approval|freeze|advisory board)\b|\bCAB\b|\bwait(?:ed|ing) for approval\b"),
    ("on-call-load", r"\bon-?call (?:load|fatigue|was (?:busy|overloaded|exhausted))\b|\bpaged \d+ times\b"),
    ("production-pressure", r"\b(?:launch|schedule|time|deadline|commercial) pressure\b|\bunder pressure\b"),
    ("toil", r"\btoil\b|\bmanual(?:ly)? (?:renewal|renew\w*|process|step|cleanup|chore|work)\b|\bby hand\b"),
    ("software-defect", r"\bbugs?\b|\bsoftware defect\b|\bregression\b|\brace condition\b|\bnull pointer\b|\bmemory leak\b|\boff-by-one\b|\bunhandled exception\b"),
]
_FACTOR_RES = [(fid, re.compile(rx, re.I)) for fid, rx in FACTOR_WORDS]


def factor_ids(text: str, known: frozenset[str]) -> list[str]:
    return [fid for fid, rx in _FACTOR_RES if fid in known and rx.search(text)]


@dataclass(slots=True)
class Factor:
    factor: str  # a taxonomy id or "todo"
    description: str
    candidates: list[str] = field(default_factory=list)


def items(doc: Document, indexes: list[int]) -> list[tuple[int, str]]:
    """Top-level list items (with their lazy continuation lines) as (first line, text)."""
    out: list[tuple[int, list[str]]] = []
    top: int | None = None
    open_item = False
    for i in indexes:
        if i in doc.fenced:
            open_item = False
            continue
        line = doc.lines[i]
        if not line.strip():
            open_item = False
            continue
        m = ITEM.match(line)
        if m:
            indent = len(m.group(1))
            if top is None or indent <= top + 1:
                top = indent if top is None else min(top, indent)
                out.append((i, [m.group(3).strip()]))
                open_item = True
            continue  # nested items belong to their parent, in the body
        if open_item and not line.lstrip().startswith(("|", "#", ">")):
            out[-1][1].append(line.strip())
    return [(i, " ".join(parts)) for i, parts in out]


def sentences(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\d\"'(])", flat) if s.strip()]


def plain(text: str) -> str:
    t = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1", text)
    t = re.sub(r"(\*\*|__|~~|`)", "", t)
    return re.sub(r"\s+", " ", t).strip()


def factors(doc: Document, known: frozenset[str]) -> list[Factor]:
    out: list[Factor] = []
    seen: dict[str, Factor] = {}

    def add(fid: str, description: str, candidates: list[str] | None = None) -> None:
        if fid != "todo" and fid in seen:
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
        bullets = items(doc, body) if b.kind == "items" else []
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


# ---- action items -------------------------------------------------------------------------

_STATUS_MARK = "✅☑✔⬜⬛🔲☐❌🚧⏳🟢🟡🔴✓✗"
_EMOJI_ITEM = re.compile(rf"^\s*([{_STATUS_MARK}])\ufe0f?\s*(.*)$")
_DONE = re.compile(
    r"(?i)\((?:done|completed?|fixed|shipped|resolved|closed)\)|^\s*\[x\]|[✅☑✔✓]|\bDONE\b|[-—–:,]\s*(?:done|completed?|fixed|shipped)\s*[.!]?\s*$|\bstatus:\s*(?:done|complete|closed|fixed)\b|^~~.*~~$"
)
_IN_PROGRESS = re.compile(r"(?i)\((?:in[- ]progress|wip|started|ongoing|underway)\)|[🚧⏳]|\bin[- ]progress\b|\bstatus:\s*(?:in[- ]progress|started|wip)\b")
_WONT = re.compile(r"(?i)\(?\b(?:won'?t (?:do|fix)|wontfix|dropped|cancell?ed|not doing)\b\)?")
_URL = re.compile(r"https?://[^\s<>\"'()\]]+")
_STATUS_WORDS = {"done", "open", "closed", "complete", "completed", "fixed", "todo", "wip", "blocked", "shipped", "in", "due"}
_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|team|squad|group|on-?call))*"
_OWNER_PAREN = re.compile(r"(?i)\(\s*(?:owners?|owned by|assignee|assigned to|who)\s*[:=]?\s*([^,;)]+)")
_OWNER_KV = re.compile(r"(?i)\b(?:owners?|assignee|assigned to|owned by)\s*[:=]\s*([^,;()\[\]]+)")
_OWNER_DASH = re.compile(rf"\s(?:[—–]|--)\s*@?({_NAME})\s*(?=\(|,|;|$)")
_HANDLE = re.compile(r"(?<![\w.@/])@([A-Za-z0-9](?:[\w.-]*[A-Za-z0-9])?)")
_DUE_AFTER = re.compile(r"(?i)\b(?:due(?:\s+date)?|by|deadline|eta|target|before|until)\b\s*[:=]?\s*(?:on\s+)?")


@dataclass(slots=True)
class Action:
    summary: str
    status: str = "open"
    owner: str | None = None
    due: date | None = None
    tracker: str | None = None
    kind: str | None = None
    line: int = 0


def _due(text: str, incident: date | None) -> date | None:
    for m in _DUE_AFTER.finditer(text):
        after = text[m.end() : m.end() + 40]
        hit = when.find_date(after)
        if hit and hit[1][0] <= 2:
            return hit[0]
        if incident is not None:
            part = when.find_partial_date(after, incident.year)
            if part and part[1][0] <= 2:
                d = part[0]
                return d if d >= incident else d.replace(year=d.year + 1)
    for m in re.finditer(r"\(([^()]*)\)", text):
        hit = when.find_date(m.group(1))
        if hit:
            return hit[0]
    return None


def _owner(text: str) -> str | None:
    for rx in (_OWNER_PAREN, _OWNER_KV):
        m = rx.search(text)
        if m:
            name = m.group(1).strip().lstrip("@").strip(" .")
            if name and name.lower() not in ("tbd", "?", "n/a", "none", "unassigned"):
                return name[:200]
    m = _OWNER_DASH.search(text)
    if m and m.group(1).split()[0].lower() not in _STATUS_WORDS:
        return m.group(1).strip()[:200]
    m = _HANDLE.search(text)
    if m:
        return m.group(1)
    return None


def _status(text: str) -> str:
    if _DONE.search(text):
        return "done"
    if _IN_PROGRESS.search(text):
        return "in-progress"
    if _WONT.search(text):
        return "wont-do"
    return "open"


def _summary(text: str) -> str:
    s = re.sub(r"^\[[ xX]\]\s*", "", text.strip())
    s = re.sub(rf"[{_STATUS_MARK}]\ufe0f?", " ", s)
    s = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1", s)
    s = re.sub(r"(?i)\(\s*(?:owners?|owned by|assignee|assigned to|who)\b[^)]*\)", " ", s)
    s = re.sub(r"(?i)\(\s*(?:due|by|eta|deadline)\b[^)]*\)", " ", s)
    s = re.sub(r"(?i)\(\s*(?:done|completed?|fixed|shipped|resolved|closed|in[- ]progress|wip|started|ongoing|underway|won'?t (?:do|fix)|wontfix|dropped|cancell?ed)\s*\)", " ", s)
    s = re.sub(r"(?i)\s(?:[—–]|--)\s*(?:done|completed?|fixed|shipped)\s*[.!]?\s*$", " ", s)
    m = _OWNER_DASH.search(s)
    if m and m.group(1).split()[0].lower() not in _STATUS_WORDS:
        s = s[: m.start()]
    s = re.sub(r"(?i)[,;]?\s*\b(?:due|deadline|eta)\b\s*[:=]?\s*(?:on\s+)?\S+(?:\s+\d{1,2},?)?(?:\s+\d{4})?\s*$", " ", s)
    s = _HANDLE.sub(" ", s)
    s = re.sub(r"\(\s*https?://[^)]*\)", " ", s)
    s = re.sub(r"\(\s*[,;]?\s*\)", " ", s)
    s = re.sub(r"(\*\*|__|~~|`)", "", s)
    s = re.sub(r"\s+", " ", s).strip(" -–—,;:")
    return s


def _kind(value: str) -> str | None:
    v = value.strip().lower()
    return {"detect": "detect", "detection": "detect", "mitigate": "mitigate", "mitigation": "mitigate",
            "prevent": "prevent", "prevention": "prevent", "process": "process"}.get(v)  # fmt: skip


_COLUMNS = {
    "summary": ("action item", "action items", "action", "actions", "item", "summary", "task", "description", "what", "remediation", "follow up"),
    "owner": ("owner", "owners", "assignee", "who", "owned by", "responsible"),
    "due": ("due", "due date", "deadline", "eta", "target", "target date", "when", "by"),
    "status": ("status", "state", "done", "complete"),
    "kind": ("type", "kind", "category"),
    "tracker": ("bug", "bugs", "ticket", "tracker", "issue", "link", "jira", "url"),
}


def _table_actions(doc: Document, rows: list[int], incident: date | None) -> list[Action]:
    cells_of = [[c.strip() for c in doc.lines[i].strip().strip("|").split("|")] for i in rows]
    header = [name_key(c) for c in cells_of[0]]
    col: dict[str, int] = {}
    for name, aliases in _COLUMNS.items():
        for j, h in enumerate(header):
            if h in aliases and j not in col.values():
                col[name] = j
                break
    col.setdefault("summary", 0)
    out = []
    for i, cells in zip(rows[1:], cells_of[1:], strict=True):
        if all(re.fullmatch(r":?-*:?", c) for c in cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            j = col.get(name)
            return cells[j] if j is not None and j < len(cells) else ""

        raw = cell("summary")
        summary = _summary(raw)
        if not summary:
            continue
        status_text = cell("status")
        status = _status(raw)
        if status_text:
            s = status_text.lower()
            if re.search(r"done|complete|fixed|closed|shipped|yes|✅|\[x\]", s):
                status = "done"
            elif re.search(r"progress|wip|started|ongoing", s):
                status = "in-progress"
            elif re.search(r"won'?t|wontfix|dropped|cancel", s):
                status = "wont-do"
        owner = plain(cell("owner")).lstrip("@") or _owner(raw)
        if owner and owner.lower() in ("-", "—", "tbd", "?", "n/a", "none", "unassigned"):
            owner = None
        due_text = cell("due")
        due = (when.find_date(due_text) or (None,))[0] if due_text else _due(raw, incident)
        urls = _URL.findall(cell("tracker")) or _URL.findall(raw)
        out.append(Action(summary[:10_000], status, owner or None, due, urls[0].rstrip(".,;:") if urls else None, _kind(plain(cell("kind"))), i))
    return out


def actions(doc: Document, incident: date | None) -> list[Action]:
    out: list[Action] = []
    for b in doc.blocks:
        if b.target != "action items":
            continue
        body = [i for i in b.lines if i not in doc.fenced]
        table: list[int] = []
        for i in body:
            if doc.lines[i].lstrip().startswith("|"):
                table.append(i)
            elif table:
                break
        if len(table) >= 3:
            out.extend(_table_actions(doc, table, incident))
        found: list[tuple[int, str]] = list(items(doc, body))
        found += [(i, m.group(1) + " " + m.group(2)) for i in body if (m := _EMOJI_ITEM.match(doc.lines[i])) and not ITEM.match(doc.lines[i])]
        for i, text in sorted(found):
            summary = _summary(text)
            if not summary:
                continue
            urls = _URL.findall(text)
            out.append(Action(summary[:10_000], _status(text), _owner(text), _due(text, incident), urls[0].rstrip(".,;:") if urls else None, None, i))
    return out
