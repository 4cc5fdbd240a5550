"""Measure the language rules (PM301–PM304) on the labelled evaluation set.

    .venv/bin/python eval/run.py            # both splits: figures, every miss and false alarm
    .venv/bin/python eval/run.py --gate     # also exit 1 if the holdout misses the bar

Each labelled line is placed, as it is written, in a valid postmortem in the section its
shape belongs to (prose and list items under "Contributing factors", timeline rows in the
Timeline table, action items under "Action items", lessons under "Lessons learned"); the
whole set is then checked by `pmkb check --format json` in-process, exactly as a user runs
it, so code spans, quotes, tables and comments are handled as in real files. Only the
language findings on the embedded line count.

A line is labelled with one rule (or `none`). A finding of that rule on it is a hit; a
finding of any other language rule is a false alarm. Warnings count as findings: they
annotate a pull request, so a wrong one costs the reader's trust as an error does.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "plugins"))  # the checker from this tree, whatever is installed
sys.path.insert(0, str(ROOT / "tests"))

from baseline import BASE_META  # noqa: E402

from postmortem_kb.cli import main  # noqa: E402

RULES = ("blame-language", "counterfactual", "root-cause-language", "vigilance-action")
LABELS = ("none", *RULES)
SHAPES = ("prose", "list", "timeline", "action", "lesson")
SPLITS = ("dev", "holdout")
BAR_PRECISION, BAR_RECALL = 0.95, 0.90
TODAY = "2024-03-20"
# The people the knowledge base knows (authors and owners): the names the set uses.
PEOPLE = ["Priya Raman", "Tomás Ortega", "Dana Whitfield", "Alex Chen", "Sam Okafor", "Mei Lin", "Jordan Blake", "Ravi Patel", "Lena Novak", "Omar Haddad"]

# The tests' valid baseline postmortem, with the people the set's sentences name as its
# authors (a name the knowledge base knows is a person, not a thing).
META = {**{k: v for k, v in BASE_META.items() if k != "id"}, "authors": PEOPLE}  # each line gets its own id

SECTIONS = {
    "Summary": "From 13:52 to 15:40 UTC order confirmation emails were queued instead of sent.",
    "Impact": "About 21,000 emails arrived up to 108 minutes late. None were lost.",
    "Timeline": "| Time  | Event |\n|-------|-------|\n| 13:50 | Automation rotates the broker client certificate |\n| 13:52 | Send workers lose their connections and exit |",
    "Contributing factors": "The rotation was routine. It exposed a worker that treated a closed connection as fatal.",
    "What went well": "The queue held every message, so nothing was lost.",
    "Where we got lucky": "The rotation happened in the afternoon, when the team was at work.",
    "Action items": "The follow-ups, besides those in the front matter:",
    "Lessons learned": "A system that quietly does nothing raises no error alerts.",
}
# Where each shape goes, and how it joins what the section already holds.
PLACE = {
    "prose": ("Contributing factors", "\n\n"),
    "list": ("Contributing factors", "\n\n"),
    "timeline": ("Timeline", "\n"),
    "action": ("Action items", "\n\n"),
    "lesson": ("Lessons learned", "\n\n"),
}


@dataclass
class Item:
    split: str
    index: int
    text: str
    shape: str
    label: str
    why: str
    found: dict[str, str] = field(default_factory=dict)  # rule -> severity of its finding on the line
    messages: list[str] = field(default_factory=list)


def load_split(split: str) -> list[Item]:
    path = HERE / f"{split}.jsonl"
    items = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        row = json.loads(raw)
        if row["label"] not in LABELS or row["shape"] not in SHAPES or "\n" in row["text"]:
            raise SystemExit(f"{path}:{n}: bad row {row!r}")
        items.append(Item(split, n, row["text"], row["shape"], row["label"], row["why"]))
    return items


def postmortem(item: Item, ident: str) -> tuple[str, int]:
    """The file holding `item`'s line, and the line's number in it."""
    meta = {"id": ident, **META}
    section, glue = PLACE[item.shape]
    sections = dict(SECTIONS)
    sections[section] = sections[section] + glue + item.text
    head = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10**6) + "---\n"
    body = "\n\n".join(f"## {title}\n\n{text}" for title, text in sections.items())
    text = head + "\n" + body + "\n"
    line = text.splitlines().index(item.text) + 1
    return text, line


def measure(items: list[Item]) -> None:
    """Check every item's postmortem with `pmkb check` and record its findings."""
    with tempfile.TemporaryDirectory(prefix="pmkb-eval-") as tmp:
        kb = Path(tmp)
        shutil.copy(ROOT / "mkdocs.yml", kb / "mkdocs.yml")
        shutil.copytree(ROOT / "templates", kb / "templates")
        (kb / "postmortems" / "2024").mkdir(parents=True)
        shutil.copy(ROOT / "postmortems" / "factors.yml", kb / "postmortems" / "factors.yml")
        where: dict[str, tuple[Item, int]] = {}
        for item in items:
            ident = f"2024-03-14-eval-{item.split}-{item.index:04d}"
            text, line = postmortem(item, ident)
            (kb / "postmortems" / "2024" / f"{ident}.md").write_text(text, encoding="utf-8")
            where[f"postmortems/2024/{ident}.md"] = (item, line)
        out, err = io.StringIO(), io.StringIO()
        # Every rule runs, so that a frame that is not a clean postmortem is noticed; but
        # the timeline rows' times are the set's, not in this incident's order or window.
        args = ["--config", str(kb / "mkdocs.yml"), "check", "--format", "json", "--today", TODAY, "--no-cache", "--ignore", "timeline-order"]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
        if code not in (0, 1):
            raise SystemExit(f"pmkb check exited {code}: {err.getvalue()}")
        for f in json.loads(out.getvalue()):
            item, line = where[f["path"]]
            if f["rule"] not in RULES or f["line"] != line:
                raise SystemExit(f"a finding that is not a language finding on the evaluated line (the frame is not a clean postmortem): {f}")
            # The stronger tier wins when one rule finds a line twice.
            if item.found.get(f["rule"]) != "error":
                item.found[f["rule"]] = f["severity"]
            item.messages.append(f"{f['severity']} {f['code']}: {f['message']}")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def score(items: list[Item]) -> dict[str, Score]:
    scores = {r: Score() for r in (*RULES, "overall")}
    for item in items:
        for rule in item.found:
            if rule == item.label:
                scores[rule].tp += 1
                scores["overall"].tp += 1
            else:
                scores[rule].fp += 1
                scores["overall"].fp += 1
        if item.label != "none" and item.label not in item.found:
            scores[item.label].fn += 1
            scores["overall"].fn += 1
    return scores


def report(split: str, items: list[Item]) -> dict[str, Score]:
    scores = score(items)
    labels = Counter(i.label for i in items)
    print(f"\n== {split}: {len(items)} lines, {len(items) - labels['none']} positive, {labels['none']} negative")
    print(f"{'rule':22} {'lines':>5} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>6}")
    for rule, s in scores.items():
        n = len(items) - labels["none"] if rule == "overall" else labels[rule]
        print(f"{rule:22} {n:5d} {s.tp:4d} {s.fp:4d} {s.fn:4d} {s.precision:9.2f} {s.recall:6.2f}")
    tiers = Counter(sev for i in items for sev in i.found.values())
    print(f"findings by severity: {dict(sorted(tiers.items()))}")
    misses = [i for i in items if i.label != "none" and i.label not in i.found]
    alarms = [i for i in items if any(r != i.label for r in i.found)]
    print(f"-- misses ({len(misses)})")
    for i in misses:
        print(f"  {split}:{i.index} [{i.label}/{i.shape}] {i.text}")
    print(f"-- false alarms ({len(alarms)})")
    for i in alarms:
        print(f"  {split}:{i.index} [{i.label}/{i.shape}] {i.text}\n      " + "\n      ".join(i.messages))
    return scores


def main_(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gate", action="store_true", help=f"exit 1 if the holdout's overall precision < {BAR_PRECISION} or recall < {BAR_RECALL}")
    ap.add_argument("--split", choices=[*SPLITS, "both"], default="both")
    args = ap.parse_args(argv)
    splits = SPLITS if args.split == "both" else (args.split,)
    items = {s: load_split(s) for s in splits}
    measure([i for s in splits for i in items[s]])
    results = {s: report(s, items[s]) for s in splits}
    if args.gate:
        if "holdout" not in results:
            print("--gate needs the holdout split", file=sys.stderr)
            return 2
        overall = results["holdout"]["overall"]
        ok = overall.precision >= BAR_PRECISION and overall.recall >= BAR_RECALL
        print(f"\ngate (holdout overall precision >= {BAR_PRECISION}, recall >= {BAR_RECALL}): {'PASS' if ok else 'FAIL'} ({overall.precision:.2f}, {overall.recall:.2f})")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main_())
