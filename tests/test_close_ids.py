"""The "did you mean" for an unknown `related` id gives difflib's answer, faster."""

from __future__ import annotations

import difflib
import random

from postmortem_kb.suggest import CloseIds


def _same(word: str, ids: list[str]) -> None:
    expected = difflib.get_close_matches(word, ids, n=1, cutoff=0.6)
    assert CloseIds(ids).closest(word, 0.6) == (expected[0] if expected else None), (word, ids)


def test_same_answer_as_difflib_on_random_ids() -> None:
    rng = random.Random(1)
    alphabet = "abcde-0123"
    for _ in range(2000):
        ids = list(
            {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(rng.randint(1, 40))}
        )
        _same("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))), ids)


def test_same_answer_on_long_ids_where_difflib_drops_popular_letters() -> None:
    # From 200 characters on, difflib's autojunk ignores the word's commonest letters.
    rng = random.Random(2)
    for _ in range(30):
        ids = ["".join(rng.choice("ab-") for _ in range(rng.randint(150, 260))) for _ in range(8)]
        _same("".join(rng.choice("ab-") for _ in range(rng.randint(190, 260))), ids)


def test_ties_go_to_the_greater_id_as_in_difflib() -> None:
    assert CloseIds(["2024-01-02-b", "2024-01-02-c"]).closest("2024-01-02-a") == "2024-01-02-c"
    assert CloseIds(["2024-db-outage"]).closest("something-else-entirely") is None
