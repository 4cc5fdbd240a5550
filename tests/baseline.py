"""The valid baseline postmortem (front matter and body) that test helpers start from."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

UTC = UTC

BASE_META: dict[str, Any] = {
    "id": "2024-03-14-order-emails-delayed",
    "title": "Order confirmation emails delayed by a queue backlog",
    "status": "published",
    "template": "standard",
    "severity": "SEV2",
    "services": ["notifications"],
    "teams": ["messaging"],
    "authors": ["Priya Raman"],
    "started": datetime(2024, 3, 14, 13, 52, tzinfo=UTC),
    "detected": datetime(2024, 3, 14, 14, 6, tzinfo=UTC),
    "mitigated": datetime(2024, 3, 14, 15, 40, tzinfo=UTC),
    "resolved": datetime(2024, 3, 14, 16, 5, tzinfo=UTC),
    "filed": date(2024, 3, 15),
    "customer_impact": False,
    "trigger": "A scheduled certificate rotation closed every open broker connection at once.",
    "contributing_factors": [
        {
            "factor": "software-defect",
            "description": "Send workers exited on a closed connection instead of reconnecting.",
        },
        {
            "factor": "alerting-gap",
            "description": "Alerts watched failed sends; stopped workers send nothing, so nothing paged.",
        },
    ],
    "actions": [
        {
            "summary": "Make send workers reconnect to the broker with backoff",
            "owner": "Tomás Ortega",
            "due": date(2024, 4, 30),
            "status": "done",
            "tracker": "https://tracker.example.com/MSG-771",
            "kind": "prevent",
        }
    ],
}


BASE_SECTIONS: dict[str, str] = {
    "Summary": "From 13:52 to 15:40 UTC order confirmation emails were queued instead of sent.\n"
    "They were all delivered by 16:05.",
    "Impact": "About 21,000 emails arrived up to 108 minutes late. None were lost.",
    "Timeline": (
        "| Time  | Event |\n"
        "|-------|-------|\n"
        "| 13:50 | Automation rotates the broker client certificate |\n"
        "| 13:52 | Send workers lose their connections and exit |\n"
        "| 14:06 | Support reports missing confirmations; incident opened |\n"
        "| 15:40 | Workers restarted; queue draining |\n"
        "| 16:05 | Backlog delivered; incident resolved |"
    ),
    "Contributing factors": "The rotation was routine. "
    "It exposed a worker that treated a closed connection as fatal,\n"
    "and alerting that only watched failed sends.",
    "What went well": "The queue held every message, so nothing was lost.",
    "Where we got lucky": "The rotation happened in the afternoon, when the team was at work.",
    "Action items": "Reconnecting with backoff removes the exit; no other change was needed.",
    "Lessons learned": "A system that quietly does nothing raises no error alerts.",
}

LIGHTWEIGHT_SECTIONS = ("Summary", "Timeline", "Contributing factors", "Action items")
