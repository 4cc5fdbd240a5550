"""Fuzz the front-matter parser, the section scanner and the checker: `make fuzz`.

    python fuzz/run.py                       # 20,000 examples in all (or FUZZ_EXAMPLES)
    FUZZ_EXAMPLES=200000 python fuzz/run.py  # a longer run
    python fuzz/run.py --only checker --seed 7

Hypothesis at scale, with the strategies and invariants of the property tests
(tests/hostile.py): any input gives findings or a clean pass, never an exception, and
every finding points inside its file. Each class of input runs in its own process, so a
crash of the interpreter itself (a C stack overflow in a parser) is reported, with the
input that caused it, instead of ending the run. Failures are collected, not shrunk:
the run goes on and reports every distinct crash.

Reports examples tried per class, crashes (with their inputs saved to the output
folder), the slowest input and its time, and peak memory; exits 1 on any crash.
See fuzz/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

EXAMPLE_TIME_LIMIT = 60  # seconds for one input before it counts as a hang
# Share of the examples each class gets; "amplified" inputs are large (a hostile
# fragment repeated to up to 1 MiB), so they get few.
CLASSES: dict[str, float] = {
    "front-matter": 0.2,
    "block-yaml": 0.1,
    "sections": 0.2,
    "checker": 0.3,
    "values": 0.2,
    "amplified": 0.005,
    "files": 0.01,
    "raw-html": 0.05,
    "regex-timing": 0.002,
    "nesting": 0.01,
    "service-catalog": 0.01,
    "import": 0.02,
}


class Hang(Exception):
    pass


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, list):
        value = "\n".join(value)
    return str(value).encode("utf-8", "surrogatepass")


def _targets(folder: Path) -> dict[str, tuple[Any, Any]]:
    """class name -> (strategy, function of one input returning invariant violations)."""
    from hostile import (
        ANY_PIECE,
        OneFile,
        file_bytes,
        front_matter_text,
        markdown_lines,
        meta_file,
        outside,
        split_lines,
    )
    from hypothesis import strategies as st
    from test_block_yaml import assert_as_pyyaml
    from test_block_yaml import front_matter as plain_front_matter

    from postmortem_kb.load import frontmatter
    from postmortem_kb.load.sections import scan

    one = OneFile(folder)

    def front_matter(text: str) -> list[str]:
        sp = frontmatter.split(text)
        parsed, problems = frontmatter.parse(sp)
        lines = split_lines(text)
        out = [f"{p.rule} at {why}" for p in [*sp.problems, *problems] if (why := outside(lines, p.line, p.column))]
        if parsed is not None:
            out += [
                f"position of {key!r} at {why}"
                for key in parsed.data
                if (why := outside(lines, *parsed.line_of((key,))))
            ]
        return out

    def block_yaml(text: str) -> list[str]:
        assert_as_pyyaml(text)  # a difference from PyYAML raises: a crash, kept with its input
        return []

    def sections(body: list[str]) -> list[str]:
        found, prose, _ = scan(body, 1)
        out = []
        for raw, masked in zip(body, prose.split("\n"), strict=False):
            if len(masked) > len(raw) or any(m not in (" ", r) for m, r in zip(masked, raw, strict=False)):
                out.append(f"masking moved text: {raw!r} -> {masked!r}")
        out += [
            f"section {s.title!r} at lines {s.line}-{s.end_line} of {len(body)}"
            for s in found
            if not 1 <= s.line <= s.end_line <= len(body)
        ]
        return out

    amplified = st.builds(
        lambda unit, size: (unit * (size // max(1, len(unit.encode("utf-8", "surrogatepass"))) + 1)).encode(
            "utf-8", "surrogatepass"
        )[:size],
        st.lists(ANY_PIECE, min_size=1, max_size=6).map("".join).filter(lambda u: u.strip() != ""),
        st.sampled_from([64 * 1024, 256 * 1024, 1024 * 1024]),
    ).map(lambda body: b"---\nid: x\n---\n" + body if body[:3] != b"---" else body)
    header = st.sampled_from([b"", _baseline_front_matter()])
    return {
        "front-matter": (front_matter_text(), front_matter),
        "block-yaml": (plain_front_matter(), block_yaml),
        "sections": (markdown_lines(), sections),
        "checker": (file_bytes(), one.violations),
        "values": (meta_file(), one.violations),
        "amplified": (st.tuples(header, amplified).map(lambda hb: hb[0] + hb[1]), one.violations),
        "files": __import__("hostile_files").target(
            folder
        ),  # names and links in the docs folder (fuzz/hostile_files.py)
        "raw-html": __import__(
            "hostile_html"
        ).target(),  # HTML in a body, cleaned as the site cleans it (tests/hostile_html.py)
        "regex-timing": __import__(
            "regex_timing"
        ).target(),  # public-leak's scans at 256 KiB and 1 MiB: linear (fuzz/regex_timing.py)
        "nesting": __import__(
            "hostile_bounds"
        ).target(),  # lists and quotes past the limit never reach Python-Markdown (fuzz/hostile_bounds.py)
        "service-catalog": __import__("hostile_catalog").target(
            folder
        ),  # postmortems/services.yml: problems inside the file, no raise (fuzz/hostile_catalog.py)
        "import": __import__(
            "hostile_import"
        ).target(),  # pmkb import's conversion: every line kept, front matter loads (fuzz/hostile_import.py)
    }


def _baseline_front_matter() -> bytes:
    from hostile import BASELINE

    return BASELINE[: BASELINE.index("\n---\n", 4) + 5].encode()


def child(name: str, examples: int, seed: int, out: Path) -> int:
    """Run one class in this process; write its result as JSON."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    with tempfile.TemporaryDirectory() as folder:
        strategy, target = _targets(Path(folder))[name]
        last_fd = os.open(out / f"{name}.last-input", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        state: dict[str, Any] = {"tried": 0, "crashes": {}, "slowest": (0.0, b"")}

        def on_alarm(signum: int, frame: Any) -> None:
            raise Hang(f"no result after {EXAMPLE_TIME_LIMIT} s")

        signal.signal(signal.SIGALRM, on_alarm)

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis_seed(seed)
        @given(strategy)
        def run(value: Any) -> None:
            data = _as_bytes(value)
            os.ftruncate(last_fd, 0)
            os.pwrite(last_fd, data, 0)  # in the kernel at once: survives a crash of this process
            state["tried"] += 1
            start = time.perf_counter()
            signal.alarm(EXAMPLE_TIME_LIMIT)
            try:
                problems = target(value)
                error = None
            except Exception as err:  # a crash: recorded, and the run goes on
                problems = []
                error = err
            finally:
                signal.alarm(0)
            took = time.perf_counter() - start
            if took > state["slowest"][0]:
                state["slowest"] = (took, data)
            if error is not None:
                frame = traceback.extract_tb(error.__traceback__)[-1]
                key = f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}"
                text = "".join(traceback.format_exception(error))
                state["crashes"].setdefault(key, (text, data))
            for problem in problems:
                state["crashes"].setdefault(f"finding outside its file: {problem.split(':')[0]}", (problem, data))

        warm_up = {"front-matter": "---\nid: x\n---\n", "block-yaml": "id: x", "sections": ["## Summary", "Text."]}.get(
            name, _baseline_front_matter()
        )
        target(warm_up)  # compile the rules' patterns first: the slowest input is then the input's doing
        run()
        os.close(last_fd)
    crashes = []
    for i, (key, (text, data)) in enumerate(sorted(state["crashes"].items()), start=1):
        path = out / f"{name}-crash-{i}.input"
        path.write_bytes(data)
        (out / f"{name}-crash-{i}.txt").write_text(text, encoding="utf-8")
        crashes.append({"what": key, "input": str(path), "detail": text.strip().splitlines()[-1][:300]})
    took, data = state["slowest"]
    slow_path = out / f"{name}-slowest.input"
    slow_path.write_bytes(data)
    result = {
        "class": name,
        "tried": state["tried"],
        "crashes": crashes,
        "slowest": {
            "seconds": took,
            "bytes": len(data),
            "input": str(slow_path),
            "preview": data[:120].decode("utf-8", "backslashreplace"),
        },
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    (out / f"{name}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


def parent(total: int, seed: int, only: list[str], out: Path) -> int:
    results = []
    started = time.perf_counter()
    for name, share in CLASSES.items():
        if only and name not in only:
            continue
        n = max(20, round(total * share))
        print(f"fuzz: {name}: {n} examples…", flush=True)
        (out / f"{name}.json").unlink(missing_ok=True)
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            name,
            "--examples",
            str(n),
            "--seed",
            str(seed),
            "--out",
            str(out),
        ]
        timeout = 600 + n * 2.0
        try:
            proc = subprocess.run(cmd, cwd=ROOT, timeout=timeout, capture_output=True, text=True)
            status = proc.returncode
            stderr = proc.stderr
        except subprocess.TimeoutExpired:
            status, stderr = None, f"no result after {timeout:.0f} s"
        report = out / f"{name}.json"
        if status == 0 and report.exists():
            results.append(json.loads(report.read_text(encoding="utf-8")))
            continue
        # The process died (a signal, an interpreter crash) or hung: the input it was on is kept.
        last = out / f"{name}.last-input"
        why = (
            f"killed by signal {-status}"
            if status is not None and status < 0
            else (f"exit {status}" if status is not None else stderr)
        )
        results.append(
            {
                "class": name,
                "tried": None,
                "crashes": [
                    {
                        "what": f"the fuzzing process died: {why}",
                        "input": str(last),
                        "detail": (stderr or "").strip()[-300:],
                    }
                ],
                "slowest": None,
                "max_rss_mb": None,
            }
        )
    return _report(results, time.perf_counter() - started, out, seed)


def _report(results: list[dict[str, Any]], took: float, out: Path, seed: int) -> int:
    print()
    print(f"{'class':<14}{'tried':>8}{'crashes':>9}{'slowest':>10}{'size':>10}{'peak RSS':>10}")
    slowest: tuple[float, dict[str, Any]] | None = None
    crashes = 0
    for r in results:
        s = r["slowest"]
        crashes += len(r["crashes"])
        if s and (slowest is None or s["seconds"] > slowest[0]):
            slowest = (s["seconds"], r)
        tried = "?" if r["tried"] is None else str(r["tried"])
        secs = f"{s['seconds']:.3f} s" if s else "?"
        size = f"{s['bytes']:,}" if s else "?"
        rss = f"{r['max_rss_mb']:.0f} MB" if r["max_rss_mb"] else "?"
        print(f"{r['class']:<14}{tried:>8}{len(r['crashes']):>9}{secs:>10}{size:>10}{rss:>10}")
    tried = sum(r["tried"] or 0 for r in results)
    print(f"\n{tried} examples in {took:.0f} s (seed {seed}); inputs and reports in {out}")
    if slowest:
        s = slowest[1]["slowest"]
        print(f"slowest input: {slowest[1]['class']}, {s['bytes']:,} bytes, {s['seconds']:.3f} s ({s['input']})")
        print(f"  starts: {s['preview']!r}")
    for r in results:
        for c in r["crashes"]:
            print(f"CRASH [{r['class']}] {c['what']}\n  {c['detail']}\n  input: {c['input']}")
    print("FAIL: crashes found" if crashes else "OK: no crashes")
    return 1 if crashes else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--examples",
        type=int,
        default=int(os.environ.get("FUZZ_EXAMPLES", "20000")),
        help="examples in all (default 20000, or FUZZ_EXAMPLES)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=int(os.environ.get("FUZZ_SEED", "0")),
        help="hypothesis seed (default 0, or FUZZ_SEED)",
    )
    p.add_argument(
        "--only", action="append", default=[], choices=sorted(CLASSES), help="run only this class (repeatable)"
    )
    p.add_argument(
        "--out",
        default=os.environ.get("FUZZ_OUT"),
        help="folder for inputs and reports (default: a new temporary folder, or FUZZ_OUT)",
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="pmkb-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    if args.child:
        return child(args.child, args.examples, args.seed, out)
    return parent(args.examples, args.seed, args.only, out)


if __name__ == "__main__":
    sys.exit(main())
