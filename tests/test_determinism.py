"""`pmkb check` output is byte-identical across runs, file orderings and worker counts.

CI diffs it, SARIF uploads deduplicate on it, and a reviewer reruns it: the same
knowledge base must give the same bytes in every format, whatever order the files were
created in (directory order differs), whatever `-j` (the parallel path forks workers
from 200 files on), and whatever Python's string-hash seed (set iteration order).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASE_META, KB, ROOT, TODAY, merged_meta, merged_sections, render

from postmortem_kb.check import PARALLEL_FROM

FORMATS = ("text", "json", "github", "sarif")
N = 248  # postmortems, plus two other Markdown files: 250 files
assert N >= PARALLEL_FROM + 40


def corpus() -> dict[str, str]:
    """N postmortems whose findings touch every kind of rule, cross-file ones included."""
    files: dict[str, str] = {}
    for i in range(N):
        year = 2019 + i % 8
        ident = f"{year}-03-{1 + i % 28:02}-incident-{i:03}"
        meta = merged_meta({"id": ident})
        sections = merged_sections()
        if i % 5 == 0:
            sections["Lessons learned"] = "It was human error. The root cause was a careless change."
        if i % 7 == 0:
            sections.pop("Where we got lucky")
        if i % 13 == 0:
            meta["id"] = f"{2019 + (i + 1) % 8}-03-{1 + (i + 1) % 28:02}-incident-{i + 1:03}"  # a duplicate id
        if i % 17 == 0:
            meta["related"] = [
                f"{year}-03-{1 + i % 28:02}-incident-{i + 100:03}x"
            ]  # unknown: "did you mean" picks among ids
        if i % 19 == 0:
            sections["Impact"] = "Priya Raman failed to notice the queue. Tomás should have double-checked."
        if i % 23 == 0:
            meta["contributing_factors"] = [{"factor": "alerting-gapp", "description": "x"}]  # unknown, and too few
        if i % 29 == 0:
            meta["actions"] = [dict(BASE_META["actions"][0], status="open", owner=None)]
        text = render(meta, sections)
        if i % 11 == 0:
            text = text.replace("title: ", "title: Broken: yaml ", 1)
        folder = f"{year}/q{i % 3}" if i % 2 else str(year)
        files[f"{folder}/{ident}.md"] = text
    files["2020/notes.md"] = "Not a postmortem.\n"
    files["2021/empty.md"] = ""
    return files


def make_kb(root: Path, files: dict[str, str], seed: int | None) -> KB:
    """The knowledge base, its folders and files created in sorted order, or shuffled."""
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", root / "templates", ignore=shutil.ignore_patterns("site"))
    (root / "postmortems").mkdir()
    shutil.copy(ROOT / "postmortems" / "factors.yml", root / "postmortems" / "factors.yml")
    names = sorted(files)
    folders = sorted({str(Path(n).parent) for n in names})
    if seed is not None:
        rng = random.Random(seed)
        rng.shuffle(names)
        rng.shuffle(folders)
    for folder in folders:
        (root / "postmortems" / folder).mkdir(parents=True, exist_ok=True)
    for name in names:
        (root / "postmortems" / name).write_text(files[name], encoding="utf-8")
    return KB(root)


@pytest.fixture(scope="module")
def two_kbs(tmp_path_factory) -> tuple[KB, KB]:
    files = corpus()
    return make_kb(tmp_path_factory.mktemp("sorted"), files, None), make_kb(
        tmp_path_factory.mktemp("shuffled"), files, 7
    )


_OUTPUTS: dict[tuple[str, str, str], str] = {}


def output(kb: KB, fmt: str, jobs: str) -> str:
    """`pmkb check --format FMT -j JOBS` on `kb`, run once per module."""
    key = (str(kb.root), fmt, jobs)
    if key not in _OUTPUTS:
        code, out = kb.check("--format", fmt, "-j", jobs)
        assert code == 1, kb.stderr
        _OUTPUTS[key] = out
    return _OUTPUTS[key]


def test_every_format_is_byte_identical_across_orderings_and_worker_counts(two_kbs):
    a, b = two_kbs
    for fmt in FORMATS:
        # Every format from the two most different runs; JSON from all four.
        combos = [("sorted", a, "1"), ("shuffled", b, "2")] + (
            [("sorted", a, "2"), ("shuffled", b, "1")] if fmt == "json" else []
        )
        runs = {(name, jobs): output(kb, fmt, jobs) for name, kb, jobs in combos}
        first = runs[("sorted", "1")]
        for key, out in runs.items():
            assert out == first, (fmt, key)
    findings = json.loads(output(a, "json", "2"))
    # The corpus exercises what could vary: cross-file rules and many files with findings.
    assert {"PM002", "PM102", "PM103", "PM104", "PM201", "PM301", "PM303", "PM402"} <= {f["code"] for f in findings}
    assert len({f["path"] for f in findings}) > 100


def test_every_format_is_byte_identical_across_hash_seeds_and_processes(two_kbs, tmp_path):
    a, _ = two_kbs
    script = (
        "import contextlib, io, json, sys\n"
        "from postmortem_kb.cli import main\n"
        "out = {}\n"
        f"for fmt in {FORMATS!r}:\n"
        "    buf = io.StringIO()\n"
        "    with contextlib.redirect_stdout(buf):\n"
        f"        main(['--config', sys.argv[1], 'check', '--format', fmt, '--today', {TODAY!r}, '-j', sys.argv[2]])\n"
        "    out[fmt] = buf.getvalue()\n"
        "print(json.dumps(out))\n"
    )
    results = []
    for seed, jobs in (("1", "1"), ("12345", "2")):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run(
            [sys.executable, "-c", script, str(a.config), jobs],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        results.append(json.loads(proc.stdout))
    here = {fmt: output(a, fmt, "1") for fmt in FORMATS}  # this process: another seed
    for result in results:
        assert result == here


def test_the_order_of_path_arguments_does_not_change_the_output(two_kbs, monkeypatch):
    a, _ = two_kbs
    monkeypatch.chdir(a.root)
    paths = sorted(str(p.relative_to(a.root)) for p in (a / "postmortems").rglob("*.md"))[:40]
    shuffled = list(paths)
    random.Random(3).shuffle(shuffled)
    for fmt in ("json", "text"):
        assert a.check("--format", fmt, *paths) == a.check("--format", fmt, *shuffled, *paths[:5])
