"""Shared helpers for the site tests: copy the knowledge base, build it, serve it, browse it.

- `copy_kb(tmp)`: the real mkdocs.yml, templates/, ops-playbook/ and postmortems/ in a
  temporary folder (node_modules symlinked), with the build's clock frozen at `TODAY`;
- `build_site(root, dest, strict=..., config_overrides=...)`: `mkdocs build` in a subprocess;
- `write_postmortem(root, meta=..., sections=...)`: a valid postmortem with overrides;
- `serve_dir(path)`: a static HTTP server on 127.0.0.1 for the browser tests;
- `launch_browser(playwright)`: Debian's chromium, headless, with no background traffic.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import html.parser
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from baseline import BASE_META as _BASELINE_META
from baseline import BASE_SECTIONS

from postmortem_kb.config import read_mkdocs_yml

ROOT = Path(__file__).parents[1]
TODAY = date(2026, 11, 21)  # the frozen clock of every site build in these tests
PLUGIN = "postmortem-kb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UTC = UTC


# ---- mkdocs.yml -------------------------------------------------------------------


def read_config(path: Path) -> dict[str, Any]:
    return read_mkdocs_yml(path)


def plugin_section(doc: dict[str, Any]) -> dict[str, Any]:
    """The postmortem-kb section of a parsed mkdocs.yml (created if it is a bare name)."""
    plugins = doc["plugins"]
    for i, entry in enumerate(plugins):
        if isinstance(entry, dict) and PLUGIN in entry:
            if entry[PLUGIN] is None:
                entry[PLUGIN] = {}
            return entry[PLUGIN]
        if entry == PLUGIN:
            plugins[i] = {PLUGIN: {}}
            return plugins[i][PLUGIN]
    raise AssertionError(f"no {PLUGIN} plugin in mkdocs.yml")


def _merge(into: dict[str, Any], settings: dict[str, Any]) -> None:
    for key, value in settings.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def write_config(path: Path, doc: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10**6), encoding="utf-8")


def set_plugin_config(root: Path, **settings: Any) -> None:
    """Merge `settings` into the plugin section of `root`/mkdocs.yml (nested dicts merge)."""
    path = root / "mkdocs.yml"
    doc = read_config(path)
    _merge(plugin_section(doc), settings)
    write_config(path, doc)


# ---- the knowledge base --------------------------------------------------------------


def copy_kb(tmp_path: Path) -> Path:
    """A copy of the repository's knowledge base in `tmp_path`/kb, its clock frozen at TODAY."""
    root = tmp_path / "kb"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("templates", "ops-playbook", "postmortems"):
        shutil.copytree(ROOT / folder, root / folder)
    if (ROOT / "node_modules").exists():
        (root / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    set_plugin_config(root, today=TODAY.isoformat())
    return root


def build_site(
    src_root: Path,
    dest: Path,
    strict: bool = False,
    config_overrides: dict[str, Any] | None = None,
) -> subprocess.CompletedProcess:
    """`mkdocs build -f <src_root>/mkdocs.yml -d <dest>` in a subprocess (output captured).

    `config_overrides` are merged into the postmortem-kb section of mkdocs.yml for this
    build only (nested dicts merge: `{"policy": {"postmortem_due_hours": 36}}`); the file
    in `src_root` is left as it is.
    """
    config = src_root / "mkdocs.yml"
    if config_overrides:
        doc = read_config(config)
        _merge(plugin_section(doc), config_overrides)
        # Next to the original, so relative paths (docs_dir, custom_dir, …) resolve the same.
        config = src_root / ".mkdocs-test-build.yml"
        write_config(config, doc)
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(dest)]
    if strict:
        cmd.append("--strict")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(cmd, cwd=src_root, env=env, capture_output=True, text=True, timeout=300)


def assert_built(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"mkdocs build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"


# The checker's baseline, moved to the site tests' frozen clock (2026-11-21): an open
# action not yet due, so the baseline publishes without findings.
BASE_META: dict[str, Any] = {
    **_BASELINE_META,
    "id": "2026-10-02-test-incident",
    "severity": "SEV3",
    "started": datetime(2026, 10, 2, 13, 52, tzinfo=UTC),
    "detected": datetime(2026, 10, 2, 14, 6, tzinfo=UTC),
    "mitigated": datetime(2026, 10, 2, 15, 40, tzinfo=UTC),
    "resolved": datetime(2026, 10, 2, 16, 5, tzinfo=UTC),
    "filed": date(2026, 10, 3),
    "actions": [{**_BASELINE_META["actions"][0], "due": date(2026, 12, 30), "status": "open"}],
}


def write_postmortem(
    root: Path,
    meta: dict[str, Any] | None = None,
    sections: dict[str, str | None] | None = None,
) -> Path:
    """Write a postmortem (the valid baseline with `meta` and `sections` overrides) under
    `root`/postmortems/<year>/<id>.md; a section set to None is left out."""
    m = copy.deepcopy(BASE_META)
    m.update(copy.deepcopy(meta or {}))
    body = dict(BASE_SECTIONS)
    for title, text in (sections or {}).items():
        if text is None:
            body.pop(title, None)
        else:
            body[title] = text
    front = yaml.safe_dump(m, sort_keys=False, allow_unicode=True, width=10**6)
    text = f"---\n{front}---\n\n" + "\n\n".join(f"## {t}\n\n{s}" for t, s in body.items()) + "\n"
    path = root / "postmortems" / str(m["id"])[:4] / f"{m['id']}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def page_html(site: Path, url: str) -> str:
    """The built HTML of a directory URL such as `factors/dns/` (or `` for the home page)."""
    return (site / url / "index.html").read_text(encoding="utf-8")


# ---- serving and browsing --------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser that moved on
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_dir(path: Path) -> Iterator[str]:
    """Serve `path` on 127.0.0.1 on a free port; yields the base URL (ending in `/`)."""
    handler = functools.partial(_QuietHandler, directory=str(path))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch_browser(playwright: Any) -> Any:
    """Debian's chromium, headless, with background networking off."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS))


LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class Guard:
    """What a page must not do: request another host, open a dialog, throw (or, when
    watched with `console=True`, log an error)."""

    def __init__(self) -> None:
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []

    def route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or (
            parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS
        ):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def watch(self, context: Any, page: Any, console: bool = False) -> None:
        context.route("**/*", self.route)  # every request of the pages and their workers
        page.on("dialog", self.dialog)
        page.on("pageerror", lambda err: self.errors.append(str(err)))
        if console:
            page.on("console", self.console)

    def assert_clean(self) -> None:
        assert not self.outside, f"requests to outside hosts: {self.outside}"
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"
        assert not self.errors, f"uncaught script errors: {self.errors}"


# ---- extra postmortems the site tests add --------------------------------------------

OVERDUE_IDS = ("2026-09-14-overdue-long", "2026-10-20-overdue-short")


def add_overdue_postmortems(root: Path) -> None:
    """Two postmortems with open actions due before TODAY (60 and 10 days overdue)."""
    for pm_id, due, owner in (
        (OVERDUE_IDS[0], date(2026, 9, 22), "Overdue Owner Long"),
        (OVERDUE_IDS[1], date(2026, 11, 11), "Overdue Owner Short"),
    ):
        day = int(pm_id[8:10])
        month = int(pm_id[5:7])
        write_postmortem(
            root,
            meta={
                "id": pm_id,
                "title": f"Overdue remediation example {pm_id[-5:]}",
                "started": datetime(2026, month, day, 9, 0, tzinfo=UTC),
                "detected": datetime(2026, month, day, 9, 12, tzinfo=UTC),
                "mitigated": datetime(2026, month, day, 10, 0, tzinfo=UTC),
                "resolved": datetime(2026, month, day, 10, 30, tzinfo=UTC),
                "filed": date(2026, month, day),
                "actions": [
                    {
                        "summary": f"Add a queue-depth alert for {pm_id}",
                        "owner": owner,
                        "due": due,
                        "status": "open",
                        "tracker": f"https://tracker.example.com/{pm_id}",
                        "kind": "detect",
                    },
                    {
                        "summary": f"Document the broker reconnect for {pm_id}",
                        "owner": owner,
                        "due": date(2026, 10, 1),
                        "status": "done",
                        "tracker": f"https://tracker.example.com/{pm_id}-2",
                        "kind": "process",
                    },
                ],
            },
        )


INJECTION_ID = "2026-10-05-injection-attempt"


def catalog_service(root: Path, sid: str) -> None:
    """Add `sid` (as its own name) to the knowledge base's service catalog, when it has
    one: a service id the catalog does not know gets no page (PM108)."""
    path = root / "postmortems" / "services.yml"
    if path.exists():
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["services"].append({"id": sid, "name": sid, "owner": "security", "tier": 3})
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10**6), encoding="utf-8")


def add_injection_postmortem(root: Path, payload: str) -> Path:
    """A published postmortem with `payload` in every front-matter text a reader sees.

    (The body is the author's Markdown, where HTML is allowed, as on any MkDocs page.)
    """
    catalog_service(root, f"svc {payload}")
    return write_postmortem(
        root,
        meta={
            "id": INJECTION_ID,
            "title": f"Injection {payload}",
            "services": [f"svc {payload}"],
            "teams": [f"team {payload}"],
            "authors": [f"Author {payload}"],
            "trigger": f"Trigger {payload}",
            "started": datetime(2026, 10, 5, 8, 0, tzinfo=UTC),
            "detected": datetime(2026, 10, 5, 8, 20, tzinfo=UTC),
            "mitigated": datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
            "resolved": datetime(2026, 10, 5, 9, 30, tzinfo=UTC),
            "filed": date(2026, 10, 5),
            "tags": [f"tag {payload}"],
            "contributing_factors": [
                {"factor": "software-defect", "description": f"Defect {payload}"},
                {"factor": "alerting-gap", "description": f"Gap {payload}"},
            ],
            "actions": [
                {
                    "summary": f"Action {payload}",
                    "owner": f"Owner {payload}",
                    "due": date(2026, 11, 1),
                    "status": "open",
                    "tracker": "https://tracker.example.com/SEC-1",
                    "kind": "prevent",
                }
            ],
        },
    )


# ---- reading built HTML ------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


class Element:
    """A small DOM: enough to find elements by tag and class and read text and attributes."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None = None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Element | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        out = []
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            if cls is not None and cls not in el.classes:
                continue
            if any(el.attrs.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            out.append(el)
        return out

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element | None:
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    @property
    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return "".join(parts)

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


class _TreeBuilder(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}, self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def load_page(site: Path, url: str) -> Element:
    return parse_html(page_html(site, url))


def squash(text: str) -> str:
    return " ".join(text.split())
