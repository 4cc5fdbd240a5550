"""The valid baseline postmortem body that test helpers start from."""

from __future__ import annotations

BASE_SECTIONS: dict[str, str] = {
    "Summary": "From 13:52 to 15:40 UTC order confirmation emails were queued instead of sent.\nThey were all delivered by 16:05.",
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
    "Contributing factors": "The rotation was routine. It exposed a worker that treated a closed connection as fatal,\nand alerting that only watched failed sends.",
    "What went well": "The queue held every message, so nothing was lost.",
    "Where we got lucky": "The rotation happened in the afternoon, when the team was at work.",
    "Action items": "Reconnecting with backoff removes the exit; no other change was needed.",
    "Lessons learned": "A system that quietly does nothing raises no error alerts.",
}

LIGHTWEIGHT_SECTIONS = ("Summary", "Timeline", "Contributing factors", "Action items")
