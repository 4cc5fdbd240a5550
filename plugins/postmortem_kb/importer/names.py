"""The names people give a postmortem's sections, by the standard section each belongs to,
and how a heading's text is reduced to such a name ("## 📝 1. Root Causes (draft):")."""

from __future__ import annotations

import re

# Heading names people use, by the standard template section they belong to.
# kind: how contributing factors are read from it ("items": one factor per bullet;
# "prose": factor words in sentences; "trigger": also the front matter's `trigger`).
SECTION_NAMES: dict[str, tuple[str, str]] = {}


def _names(target: str, kind: str, *names: str) -> None:
    for name in names:
        SECTION_NAMES[name] = (target, kind)


_names("summary", "", "summary", "overview", "background", "executive summary", "tl dr", "tldr",
       "description", "incident summary", "what happened", "synopsis", "abstract",
       "incident description", "context")  # fmt: skip
_names("impact", "", "impact", "customer impact", "user impact", "business impact", "scope",
       "blast radius", "impact assessment", "who was affected", "effect", "effects")  # fmt: skip
_names("timeline", "", "timeline", "timeline of events", "sequence of events", "chronology",
       "event log", "incident timeline", "events", "detailed timeline")  # fmt: skip
_names("contributing factors", "items", "root cause", "root causes", "causes", "cause",
       "contributing factors", "contributing factor", "contributing causes", "what went wrong",
       "things that went wrong", "why it happened", "why did it happen", "underlying causes",
       "factors")  # fmt: skip
_names("contributing factors", "prose", "5 whys", "five whys", "whys", "root cause analysis",
       "rca", "analysis", "causal analysis", "investigation")  # fmt: skip
_names("contributing factors", "trigger", "trigger", "triggers", "what triggered it")
_names("what went well", "", "what went well", "went well", "what went right",
       "things that went well", "positives", "the good", "what worked")  # fmt: skip
_names("where we got lucky", "", "where we got lucky", "where we were lucky", "got lucky",
       "lucky", "luck", "what was lucky")  # fmt: skip
_names("action items", "", "action items", "action item", "actions", "follow ups", "follow up",
       "followups", "followup", "follow up actions", "follow up items", "remediation",
       "remediations", "remediation items", "remediation actions", "next steps", "todo",
       "to do", "todos", "corrective actions", "preventive actions",
       "corrective and preventive actions", "action plan", "fixes", "tasks")  # fmt: skip
_names("lessons learned", "", "lessons learned", "lessons learnt", "lessons", "learnings",
       "key learnings", "takeaways", "key takeaways", "what we learned", "what we learnt",
       "learned")  # fmt: skip


def name_key(title: str) -> str:
    """ "## 📝 1. Root Causes (draft):" → "root causes"."""
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    t = re.sub(r"[*_`~]", "", t)
    t = re.sub(r"\([^)]*\)", " ", t)
    t = t.lower().replace("&", " and ")
    t = re.sub(r"^[^\w]*(?:\d+|[ivx]+)[.)]\s+", "", t)
    t = re.sub(r"[^a-z0-9]+", " ", t).strip()
    return re.sub(r"^(?:the|our)\s+", "", t)


def section_of(title: str) -> tuple[str, str] | None:
    """(standard section key, kind) for a heading people write, or None."""
    return SECTION_NAMES.get(name_key(title))


def clean_title(title: str) -> str:
    """Heading text without Markdown emphasis or a trailing colon."""
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    t = re.sub(r"(\*\*|__|`)", "", t)
    return t.strip().rstrip(":").strip()


def plain(text: str) -> str:
    """Text without link targets or emphasis marks, on one line."""
    t = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1", text)
    t = re.sub(r"(\*\*|__|~~|`)", "", t)
    return re.sub(r"\s+", " ", t).strip()
