"""`make serve` (mkdocs serve --dirty) rebuilds what an edit changes: the postmortem, the
reports, the taxonomy's pages, the playbook."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from site_helpers import copy_kb


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8")
    except OSError:
        return ""


def _wait_for(url: str, needle: str, seconds: float = 90, proc: subprocess.Popen | None = None) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"mkdocs serve exited with {proc.returncode}")
        if needle in _get(url):
            return time.monotonic() - start
        time.sleep(0.2)
    page = _get(url)
    raise AssertionError(f"{needle!r} never appeared at {url}: {page[page.find('<title>') : page.find('</title>')]!r}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = copy_kb(tmp_path_factory.mktemp("serve"))
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=open(root / "serve.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(base, "Recent postmortems", 180, proc)
        yield root, base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_editing_a_postmortem_refreshes_its_page_and_the_reports(served):
    root, base = served
    path = root / "postmortems/2024/2024-03-14-customer-comms-outage.md"
    _edit(
        path,
        "title: Customer notifications stopped for two hours",
        "title: Customer notifications stopped for two long hours",
    )
    _wait_for(base + "2024/2024-03-14-customer-comms-outage/", "two long hours")
    _wait_for(base + "assets/pmkb/catalog.json", "two long hours")
    _wait_for(base + "services/notifications/", "two long hours")


def test_editing_an_action_refreshes_the_remediation_report(served):
    root, base = served
    path = root / "postmortems/2024/2024-03-14-customer-comms-outage.md"
    text = path.read_text(encoding="utf-8")
    summary = re.search(r"summary: (Move the notification workers[^\n]*)", text).group(1)
    _edit(path, summary, summary + " (phase two)")
    _wait_for(base + "remediation/", "(phase two)")


def test_editing_the_taxonomy_refreshes_factor_pages_and_postmortem_chips(served):
    root, base = served
    _edit(root / "postmortems/factors.yml", "name: Alerting gap", "name: Alerting blind spot")
    _wait_for(base + "factors/alerting-gap/", "Alerting blind spot")
    _wait_for(base + "2024/2024-03-14-customer-comms-outage/", "Alerting blind spot")


def test_editing_a_playbook_page_refreshes_it(served):
    root, base = served
    _edit(root / "ops-playbook/severities.md", "# Severities", "# Severities and what they mean")
    _wait_for(base + "playbook/severities/", "Severities and what they mean")


def _search_pages(base: str) -> set[str]:
    docs = json.loads(_get(base + "search/search_index.json"))["docs"]
    return {d["location"].split("#", 1)[0] for d in docs}


def test_search_keeps_every_page_after_a_save_and_forgets_a_deleted_one(served):
    """A dirty rebuild converts only what changed; search still finds every postmortem,
    and a deleted postmortem leaves neither its page nor its search entries behind."""
    root, base = served
    before = _search_pages(base)
    path = root / "postmortems/2025/2025-02-19-identity-clock-skew.md"
    _edit(path, "title: ", "title: Searchable ")
    _wait_for(base + "2025/2025-02-19-identity-clock-skew/", "Searchable ")
    _wait_for(base + "search/search_index.json", "Searchable ")
    assert _search_pages(base) == before  # every page, the saved one included
    locations = [d["location"] for d in json.loads(_get(base + "search/search_index.json"))["docs"]]
    assert len(locations) == len(set(locations))  # each section once, though several pages were converted again
    gone = root / "postmortems/2026/2026-01-22-notifications-profile-contract.md"
    gone.unlink()
    deadline = time.monotonic() + 90
    while "2026/2026-01-22-notifications-profile-contract/" in _search_pages(base) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _search_pages(base) == before - {"2026/2026-01-22-notifications-profile-contract/"}
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(base + "2026/2026-01-22-notifications-profile-contract/", timeout=5)
    assert err.value.code == 404


def test_the_idle_collection_between_rebuilds_leaves_no_garbage_behind():
    # Serving freezes what survives each idle collection (so that the next rebuild's
    # collections skip it); the next idle collection must still free what died since.
    import gc
    import weakref

    from postmortem_kb.mkdocs.serving import _collect_all_and_freeze

    class Node:
        pass

    node = Node()
    node.cycle = node  # only a collection frees it
    dead = weakref.ref(node)
    try:
        _collect_all_and_freeze()
        assert gc.get_freeze_count() > 0
        del node
        _collect_all_and_freeze()
        assert dead() is None
    finally:
        gc.unfreeze()


def test_search_is_merged_before_material_writes_it_or_after_when_it_cannot_be():
    """Serving.merge_search makes Material's index whole in memory (its entries and the
    last index's for pages not converted again); an index it does not know is left to
    keep_search_whole, which merges the written file."""
    from types import SimpleNamespace

    from postmortem_kb.mkdocs.serving import Serving

    serving = Serving()
    serving.page_urls = {"./", "a/", "b/"}  # pages by file URL: the home page's is "./", its entries' ""
    serving.search_docs = [{"location": "", "text": "home"}, {"location": "a/", "text": "a"}, {"location": "gone/"}]
    search = SimpleNamespace(
        search_index=SimpleNamespace(entries=[{"location": "b/", "text": "b"}]), search_index_prev=1
    )
    assert serving.merge_search(search)
    assert sorted(d["location"] for d in search.search_index.entries) == ["", "a/", "b/"]
    assert search.search_index_prev is None  # Material must not merge its last index in again
    assert not serving.merge_search(SimpleNamespace())  # another search plugin: the file is merged instead
