"""The raw-html rule in bounded time on hostile bodies: 750,000 unclosed `<!--` (a lazy
comment regex restarted at each took minutes) and 4 MiB of tags (one sanitiser call per
tag took 25 s); different tags past MAX_TAGS are one finding, not a call each."""

from __future__ import annotations

import time

import pytest

from postmortem_kb.rules.raw_html import MAX_TAGS, located

BODIES = {
    "unclosed comments": "<!--" * 750_000,
    "4 MiB of one tag": "<a>" * (4 * 1024 * 1024 // 3),
    "many different tags": "".join(f"<x{i} onclick=y>" for i in range(200_000)),
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_a_hostile_body_is_judged_in_seconds(name):
    started = time.process_time()
    found = located(BODIES[name].split("\n"))
    assert time.process_time() - started < 20  # about 1 s here; minutes before
    if name == "many different tags":
        assert len(found) == MAX_TAGS + 1
        assert "more than 2000 different HTML tags" in found[-1][2]


def test_comments_still_hide_what_they_hold_and_an_unclosed_one_runs_to_the_end():
    lines = ["x <!-- <script> --> y", "<!-- <img onerror=a>", "<script>"]
    assert located(lines) == []
    assert [f[:2] for f in located(["<!-- a -->", "<script>"])] == [(2, 1)]
