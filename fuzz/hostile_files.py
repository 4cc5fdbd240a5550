"""The `files` fuzz class: file names and symbolic links in the postmortems folder.

Each example is a small tree planted in the docs folder of one knowledge base: files
with hostile names (`:`, `%2F`, `..`, unicode, right-to-left marks, 250 bytes long, the
site's own paths), FIFOs, folders, and symbolic links to random targets inside the
folder, elsewhere in the repository (`.git`, `.env`), outside it and nowhere (loops
included). Invariants:

- nothing raises: the survey, the checker's findings and (every BUILD_EVERY-th example)
  a whole `mkdocs build` of the tree;
- nothing is published from outside the folder: every published file is a regular,
  non-hidden file inside it, of a type the knowledge base publishes, and the built site
  holds no byte of the secret planted outside, in `.git` and `.env`;
- every refused file is a finding (or, for a Markdown file the loader cannot read, the
  loader's finding), and every entry is either published or refused.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

BUILD_EVERY = 8  # a site build takes about a second; the survey's invariants run on every example
SECRET = "pmkb-fuzz-secret-7f3a"

NAMES = [
    "a.md",
    "b.png",
    "c.JPG",
    "d.webp",
    "evil.html",
    "x.svg",
    "x.js",
    "noext",
    "..md",
    "...png",
    ":a.png",
    "a:b.md",
    "a%2Fb.png",
    "%2E%2E%2Fsecret.png",
    "a\\b.png",
    "é.png",
    "ﬁ.md",
    "\u202egnp.exe",
    "a b.jpg",
    "CON.png",
    "up.MD",
    "x.markdown",
    "caf\udce9.png",
    "caf\udce9.md",
    "index.md",
    "README.md",
    "assets",
    "search",
    "sitemap.xml",
    "404.html",
    "services.yml",
    "factors.yml",
    ".hidden.png",
    "2024",
    "x" * 246 + ".png",
    "😀.gif",
]  # caf\udce9: the byte 0xE9, a name that is not UTF-8
TARGETS = [
    "..",
    ".",
    "../.env",
    "../.git",
    "../.git/config",
    "../..",
    "../../outside/secret.png",
    "/dev/zero",
    "/etc/passwd",
    "nowhere.png",
    ".hidden/secret.png",
    "../postmortems",
    "../templates/standard.md",
    "2024",
    "2024/a.md",
    "b.png",
    "loop-a",
    "loop-b",
    "../postmortems/.hidden/secret.png",
    "a/../../.env",
]


def _name() -> st.SearchStrategy[str]:
    free = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=24)
    suffix = st.sampled_from(["", ".md", ".png", ".html", ".svg", ".yml"])
    made = st.builds(lambda a, b: a + b, free, suffix)
    return st.one_of(st.sampled_from(NAMES), made).filter(
        lambda n: n not in (".", "..") and len(n.encode("utf-8", "surrogatepass")) <= 250
    )


def entries() -> st.SearchStrategy[str]:
    """A JSON list of [path parts, kind, link target], one per entry to plant (JSON, so
    that the run keeps each input as text that can be replayed)."""
    parts = st.lists(_name(), min_size=1, max_size=3)
    kind = st.sampled_from(["file", "file", "dir", "link", "link", "fifo"])
    target = st.one_of(st.sampled_from(TARGETS), st.lists(_name(), min_size=1, max_size=2).map("/".join))
    return st.lists(st.tuples(parts, kind, target), max_size=10).map(lambda tree: json.dumps(tree, ensure_ascii=False))


class FilesTarget:
    """One knowledge base; each example replants its docs folder."""

    def __init__(self, folder: Path) -> None:
        from conftest import ROOT

        from postmortem_kb.config import load_project

        self.root = folder / "kb"
        self.root.mkdir()
        shutil.copy(ROOT / "mkdocs.yml", self.root / "mkdocs.yml")
        for name in ("templates", "ops-playbook"):
            shutil.copytree(ROOT / name, self.root / name)
        (self.root / ".git").mkdir()
        (self.root / ".git" / "config").write_text(SECRET, encoding="utf-8")
        (self.root / ".env").write_text(SECRET, encoding="utf-8")
        outside = folder / "outside"
        outside.mkdir()
        (outside / "secret.png").write_text(SECRET, encoding="utf-8")
        self.taxonomy = (ROOT / "postmortems" / "factors.yml").read_bytes()
        self.docs = self.root / "postmortems"
        self.site = folder / "site"
        self._plant([])
        self.project = load_project(self.root / "mkdocs.yml")
        self.examples = 0

    def _plant(self, tree: list[tuple[list[str], str, str]]) -> None:
        if self.docs.exists():
            shutil.rmtree(self.docs)
        (self.docs / ".hidden").mkdir(parents=True)
        (self.docs / ".hidden" / "secret.png").write_text(SECRET, encoding="utf-8")
        (self.docs / "factors.yml").write_bytes(self.taxonomy)
        top = os.path.realpath(self.docs)
        for parts, kind, target in tree:
            path = self.docs.joinpath(*parts)
            if os.path.lexists(path) or not os.path.realpath(path.parent).startswith(top):
                continue  # never write through what was planted (a FIFO would block, a link lead out)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if kind == "file":
                    path.write_text("ok\n", encoding="utf-8")
                elif kind == "dir":
                    path.mkdir()
                elif kind == "fifo":
                    os.mkfifo(path)
                else:
                    os.symlink(target, path)
            except (OSError, ValueError):
                pass  # a name the file system refuses, or a path through a file: not plantable

    def __call__(self, value: Any) -> list[str]:
        from postmortem_kb.load.corpus import load_postmortem, refusal_problems
        from postmortem_kb.load.publishable import site_files

        try:
            tree = json.loads(value) if isinstance(value, str) else []
        except ValueError:
            tree = []  # the run's warm-up input is front matter, not a tree
        self._plant(tree)
        found = site_files(self.docs, self.root, "factors.yml")
        problems = {p for p, _ in refusal_problems(self.project)}
        out = [why for rel in found.files if (why := self._unsafe(rel))]
        out += _collisions(found.files)
        refused = {r.path for r in found.refused}
        for r in found.refused:
            shown = f"postmortems/{r.path}"
            if r.reported and shown not in problems:
                out.append(f"refused without a finding: {r.path!r}")
            if not r.reported and not load_postmortem(str(self.docs / r.path), shown, str(self.root)).problems:
                out.append(f"refused, left to the loader, which found nothing: {r.path!r}")
        for rel in self._entries():
            if rel not in refused and rel not in found.files and rel != "factors.yml":
                out.append(f"neither published nor refused: {rel!r}")
        self.examples += 1
        if self.examples % BUILD_EVERY == 1:
            out += self._build()
        return out

    def _unsafe(self, rel: str) -> str | None:
        """Why a published file must not have been, or None."""
        from postmortem_kb.load.publishable import IMAGE_SUFFIXES, is_site_place, site_places

        path = self.docs / rel
        real = os.path.realpath(path)
        top = os.path.realpath(self.docs)
        if not real.startswith(top + os.sep):
            return f"published from outside the folder: {rel!r} -> {real!r}"
        if any(p.startswith(".") for p in os.path.relpath(real, top).split(os.sep)):
            return f"published a hidden file: {rel!r}"
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                return f"published what is not a regular file: {rel!r}"
        except OSError as err:
            return f"published what cannot be read: {rel!r} ({err})"
        suffix = os.path.splitext(rel)[1]
        if suffix != ".md" and suffix.lower() not in IMAGE_SUFFIXES and rel != "services.yml":
            return f"published a {suffix or 'suffixless'} file: {rel!r}"
        if rel != "services.yml" and any(is_site_place(p) for p in site_places(rel)):
            return f"published a file in the site's own place: {rel!r}"
        return None

    def _entries(self) -> list[str]:
        """Every non-hidden entry of the docs folder, by a walk that follows no link."""
        out = []
        for folder, dirs, files in os.walk(self.docs):
            rel = os.path.relpath(folder, self.docs)
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in links]
            out += [prefix + n for n in [*files, *links] if not n.startswith(".")]
        return out

    def _build(self) -> list[str]:
        """A whole `mkdocs build` of the tree: no exception, no secret in the site."""
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        if self.site.exists():
            shutil.rmtree(self.site)
        config = load_config(config_file=str(self.root / "mkdocs.yml"), site_dir=str(self.site))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
        out = []
        for path in self.site.rglob("*"):
            if path.is_symlink():
                out.append(f"a link in the site: {path.relative_to(self.site)}")
            elif path.is_file() and SECRET.encode() in path.read_bytes():
                out.append(f"the secret is published: {path.relative_to(self.site)}")
        return out


def _collisions(published: list[str]) -> list[str]:
    """Published files whose place in the site is a folder of another's (MkDocs stops)."""
    import posixpath

    from postmortem_kb.load.publishable import site_places

    out = []
    for mode in (0, 1):  # with directory URLs, without
        places = {rel: (ps[mode] if len(ps) > 1 else ps[0]) for rel in published if (ps := site_places(rel))}
        folders = set()
        for p in places.values():
            d = posixpath.dirname(p)
            while d:
                folders.add(d)
                d = posixpath.dirname(d)
        out += [f"published where another file makes a folder: {rel!r}" for rel, p in places.items() if p in folders]
    return out


def target(folder: Path) -> tuple[Any, Any]:
    """(strategy, function of one input returning invariant violations) for fuzz/run.py."""
    return entries(), FilesTarget(folder)
