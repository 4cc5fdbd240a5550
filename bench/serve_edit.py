"""The `make serve` bar: with N postmortems served, edit one and time until its page and
the reports that show it (catalog data, its service page, its factors' pages) are fresh. Bar: ≤ 3 s at 5,000.

    python bench/serve_edit.py [N [KB]]  # default 5000; uses KB or bench/out/kb-N (made if missing)
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.read().decode("utf-8")
    except OSError:
        return ""


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    # A folder of its own (second argument) keeps other benches from regenerating the
    # corpus under a running server.
    kb = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else HERE / "out" / f"kb-{n}"
    if not (kb / "mkdocs.yml").is_file():
        generate(kb, n)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}/"
    log = open(kb.parent / f"serve-{n}.log", "w")  # noqa: SIM115
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=kb,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        while "Recent postmortems" not in _get(base):
            if proc.poll() is not None or time.monotonic() - start > 1800:
                print("mkdocs serve did not come up; see", log.name)
                return 1
            time.sleep(1)
        print(f"first build and serve of {n:,} postmortems: {time.monotonic() - start:.1f} s")
        path = sorted((kb / "postmortems").glob("20*/*.md"))[len(list((kb / "postmortems").glob("20*/*.md"))) // 2]
        pid = path.stem
        source = path.read_text(encoding="utf-8")
        service = re.search(r"^services: \[([^,\]]+)", source, re.M).group(1).strip()
        factors = sorted(set(re.findall(r"^\s*- factor: ([a-z0-9-]+)", source, re.M)))
        original = source  # put back at the end: the corpus is shared with the other benches
        times = []
        for k in range(3):
            text = path.read_text(encoding="utf-8")
            stamp = f"Edit{k}x{int(time.time())}"
            text = re.sub(
                r"^title: (.*?)( Edit\S+)?$",
                lambda m, stamp=stamp: f"title: {m.group(1)} {stamp}",
                text,
                count=1,
                flags=re.M,
            )
            t0 = time.monotonic()
            path.write_text(text, encoding="utf-8")
            urls = [
                f"{base}{pid[:4]}/{pid}/",
                f"{base}assets/pmkb/catalog.json",
                f"{base}services/{service}/",
                *(f"{base}factors/{f}/" for f in factors),
            ]
            pending = set(urls)
            while pending and time.monotonic() - t0 < 120:
                pending = {u for u in pending if stamp not in _get(u)}
                time.sleep(0.05)
            took = time.monotonic() - t0
            times.append(took)
            print(
                f"edit {k + 1}: page, catalog, service and {len(factors)} factor pages fresh after {took:.2f} s"
                + ("" if not pending else f" (still stale: {sorted(pending)})")
            )
            time.sleep(2)
        path.write_text(original, encoding="utf-8")
        best, median = min(times), statistics.median(times)
        print(f"best {best:.2f} s, median {median:.2f} s — bar ≤ 3 s: {'PASS' if median <= 3 else 'FAIL'}")
        return 0
    finally:
        proc.terminate()
        proc.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
