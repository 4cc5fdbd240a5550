"""What the knowledge base's folders may publish: decided here once, for `pmkb check` (a
finding per refused file) and for the site (which leaves them out).

The postmortems folder (MkDocs's docs_dir) and the Ops Playbook are untrusted: any pull
request can add files to them, and MkDocs copies every file it finds, following every
symbolic link. So only what a knowledge base needs is published: Markdown, images of a
few raster types (no SVG: it can hold script) and the data files the plugin reads. A
symbolic link is published only when it leads to a regular file inside its own folder,
and not to a hidden one (`ln -s ../.git/config` is inside the repository and still
refused); a link to a folder is never followed (MkDocs followed `ln -s .. loop` forty
levels deep, over the whole repository, and then crashed). A file at a path the theme or
the site writes (`assets/…`, `search/…`, `sitemap.xml`, `404.html`) is refused: it would
replace the theme's script.

No file is opened here: a walk with `os.scandir` (which knows each entry's type without a
`stat`) and, for links only, a `stat` and `realpath`.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .taxonomy import SERVICES_FILE

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})
MARKDOWN_SUFFIX = ".md"
# Other Markdown suffixes (MkDocs renders some of them): pages the checker never reads.
OTHER_MARKDOWN = frozenset({".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".mdwn", ".mdtxt", ".mdtext"})
# Places in the built site that the theme, MkDocs, the search plugin or this plugin fill
# (see render.site.Site.pages and DOWNLOADS; tests/test_hostile_files.py checks that a
# built site has nothing else at its top but year folders).
RESERVED_FOLDERS = frozenset(
    {"assets", "search", "catalog", "graph", "remediation", "insights", "services", "factors", "rules", "playbook"}
)
RESERVED_FILES = frozenset(
    {"index.html", "404.html", "sitemap.xml", "sitemap.xml.gz", "remediation.csv", "remediation.json", "feed.xml"}
)

UNPUBLISHABLE = "unpublishable-file"
REFUSED_LINK = "refused-link"
SHADOWED = "shadowed-site-file"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A file or link that is not published, and why."""

    path: str  # relative to the folder surveyed, `/`-separated
    rule: str
    message: str
    hint: str
    reported: bool = True  # False when the loader already reports it (a Markdown file it cannot read)


@dataclass(slots=True)
class Survey:
    files: list[str] = field(default_factory=list)  # publishable, relative to the folder, in MkDocs's order
    refused: list[Refusal] = field(default_factory=list)


def survey(
    folder: str | os.PathLike[str],
    root: str | os.PathLike[str],
    label: str,
    *,
    data_files: Iterable[str] = (),
    skip: Iterable[str] = (),
    reserved: bool = True,
) -> Survey:
    """Every non-hidden entry below `folder`, published or refused.

    `label` names the folder in messages (`postmortems`); `root` is the repository.
    `data_files` (relative paths) are published as they are; `skip` (the taxonomy) is the
    loader's to judge and is neither listed nor refused. `reserved`: refuse the paths the
    site's own files take (the docs folder's files land at the site's root).
    """
    out = Survey()
    top = os.path.realpath(folder)
    real_root = os.path.realpath(root)
    if not os.path.isdir(top):
        return out
    if not _within(top, real_root):
        # The folder itself was replaced by a link (`postmortems -> /etc`): none of it is ours.
        out.refused.append(
            Refusal(
                "",
                REFUSED_LINK,
                f"the folder {label}/ leads outside the repository (to {top!r}); nothing in it is published or checked",
                "commit the folder itself, not a link to one",
            )
        )
        return out
    judge = _Judge(top, real_root, label, frozenset(data_files), frozenset(skip), reserved)
    stack: list[tuple[str, str]] = [(os.fspath(folder), "")]
    while stack:
        path, rel = stack.pop()
        try:
            with os.scandir(path) as it:
                entries = [e for e in it if not e.name.startswith(".")]
        except OSError:
            continue  # unreadable folder: nothing of it can be published either
        files = sorted((e for e in entries if not _is_real_dir(e)), key=_mkdocs_order)
        for entry in files:
            judge.entry(entry, rel + entry.name, out)
        subdirs = sorted(e.name for e in entries if _is_real_dir(e))
        stack.extend((os.path.join(path, name), f"{rel}{name}/") for name in reversed(subdirs))
    _refuse_collisions(out)
    return out


def site_places(rel: str) -> tuple[str, ...]:
    """Where a file of the folder lands in the site: a page `a/b.md` at `a/b/index.html`
    (or `a/b.html` without directory URLs: both are counted), anything else as it is.
    (The fuzz class checks the survey against this; the survey itself uses the quicker
    `_on_site_place` and `_refuse_collisions`.)"""
    if not rel.endswith(MARKDOWN_SUFFIX):
        return (rel,)
    stem = rel[: -len(MARKDOWN_SUFFIX)]
    folder, base = posixpath.split(stem)
    if base in ("index", "README"):
        return (posixpath.join(folder, "index.html"),)
    return (f"{stem}/index.html", f"{stem}.html")


def is_site_place(place: str) -> bool:
    """Whether the site's own files take `place` (or a folder of it)."""
    top = place.split("/", 1)[0]
    return top in RESERVED_FOLDERS or top in RESERVED_FILES


def _on_site_place(rel: str) -> bool:
    """`is_site_place` of each of `site_places(rel)`, with string operations only (the
    survey runs on every check: 5,000 files)."""
    top, sep, _ = rel.partition("/")
    if sep:
        return top in RESERVED_FOLDERS or top in RESERVED_FILES
    if not rel.endswith(MARKDOWN_SUFFIX):
        return rel in RESERVED_FILES or rel in RESERVED_FOLDERS
    stem = rel[: -len(MARKDOWN_SUFFIX)]
    return (
        stem in ("index", "README")
        or stem in RESERVED_FOLDERS
        or stem in RESERVED_FILES
        or f"{stem}.html" in RESERVED_FILES
    )


def _refuse_collisions(out: Survey) -> None:
    """Refuse a file that would land where a page of the folder makes a folder (`x.png`
    beside the page `x.png.md`, whose page is `x.png/index.html`): MkDocs stopped with
    "Is a directory". Other files' places are files, and real folders hold no file's place."""
    pages = {rel[: -len(MARKDOWN_SUFFIX)] for rel in out.files if rel.endswith(MARKDOWN_SUFFIX)}
    if not any(not rel.endswith(MARKDOWN_SUFFIX) and rel in pages for rel in out.files):
        return
    kept = []
    for rel in out.files:
        if not rel.endswith(MARKDOWN_SUFFIX) and rel in pages:
            why = f"`{rel}` would land where the page `{rel}.md` makes a folder ({rel}/); it is not published"
            out.refused.append(Refusal(rel, SHADOWED, why, "rename one of the two"))
        else:
            kept.append(rel)
    out.files = kept


def _mkdocs_order(entry: os.DirEntry[str]) -> tuple[bool, str]:
    """MkDocs's order of a folder's files: `index` and `README` first, then by name."""
    name = entry.name
    first = name.startswith(("index", "README")) and os.path.splitext(name)[0] in ("index", "README")
    return (not first, name)


def _is_real_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class _Judge:
    top: str  # the folder, links resolved
    root: str  # the repository, links resolved
    label: str
    data_files: frozenset[str]
    skip: frozenset[str]
    reserved: bool

    def entry(self, entry: os.DirEntry[str], rel: str, out: Survey) -> None:
        if rel in self.skip:
            return
        markdown = rel.endswith(MARKDOWN_SUFFIX)  # as the loader finds postmortems: `.MD` is not read
        try:
            is_link = entry.is_symlink()
            regular = entry.is_file(follow_symlinks=False)
        except OSError:
            is_link, regular = False, False
        refusal = self._link(entry.path, rel, markdown) if is_link else None
        if refusal is None and not is_link and not regular:
            # A FIFO would block the copy, a device would never end; the loader reports a Markdown one.
            refusal = Refusal(
                rel,
                UNPUBLISHABLE,
                "not a regular file (a FIFO, socket or device); it is not published",
                "keep only postmortems and images in this folder",
                reported=not markdown,
            )
        if refusal is None:
            refusal = self._name(rel, markdown)
        if refusal is None:
            out.files.append(rel)
        else:
            out.refused.append(refusal)

    def _name(self, rel: str, markdown: bool) -> Refusal | None:
        """By the published name: a page, an image, a data file, or nothing the site needs."""
        if self.reserved and rel not in self.data_files and _on_site_place(rel):
            return Refusal(
                rel,
                SHADOWED,
                f"`{rel}` would land on a place the site's theme or generated pages take ({site_places(rel)[0]}); "
                "it is not published",
                "move it into a year folder, next to the postmortems (not `assets/`, `search/` or a name of the "
                "site's own pages and files)",
            )
        if markdown or rel in self.data_files:
            return None
        suffix = os.path.splitext(rel)[1].lower()
        if suffix in IMAGE_SUFFIXES:
            return None
        if suffix in OTHER_MARKDOWN:
            return Refusal(
                rel,
                UNPUBLISHABLE,
                f"a `{os.path.splitext(rel)[1]}` file is not read by the checker (postmortems end in `.md`), "
                "so it is not published",
                "rename it to end in `.md`",
            )
        if suffix == ".svg":
            return Refusal(
                rel, UNPUBLISHABLE, "an SVG image can hold script; it is not published", "export it as PNG (or WebP)"
            )
        kind = f"a `{suffix}` file" if suffix else "a file without a suffix"
        return Refusal(
            rel,
            UNPUBLISHABLE,
            f"{kind} is not part of a knowledge base (Markdown postmortems and PNG, JPEG, GIF, WebP or AVIF images); "
            "it is not published",
            "remove it, or keep it outside the folders the site publishes",
        )

    def _link(self, path: str, rel: str, markdown: bool) -> Refusal | None:
        """A symbolic link is published only as a regular, non-hidden file inside the folder."""
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        hint = f"commit the file itself in {self.label}/, not a link to it"
        real = os.path.realpath(path)
        try:
            st = os.stat(path)
        except OSError as err:
            why = "a loop of links" if err.errno == errno.ELOOP else "nothing"
            # The loader reports a Markdown file it cannot read ("cannot read the file").
            return Refusal(
                rel,
                REFUSED_LINK,
                f"a symbolic link to {target!r}, which leads to {why}; it is not published",
                hint,
                reported=not markdown,
            )
        if not _within(real, self.top):
            where = f"outside {self.label}/" if _within(real, self.root) else "outside the repository"
            # A Markdown link out of the repository is the loader's finding ("it was not read").
            reported = not (markdown and not _within(real, self.root) and stat.S_ISREG(st.st_mode))
            return Refusal(
                rel,
                REFUSED_LINK,
                f"a symbolic link to {target!r}, {where}; it is not published",
                hint,
                reported=reported,
            )
        inner = os.path.relpath(real, self.top).split(os.sep)
        if any(part.startswith(".") for part in inner if part not in (".", "..")):
            return Refusal(
                rel, REFUSED_LINK, f"a symbolic link to {target!r}, a hidden file; it is not published", hint
            )
        if stat.S_ISDIR(st.st_mode):
            return Refusal(
                rel,
                REFUSED_LINK,
                f"a symbolic link to the folder {target!r}; links to folders are not followed, "
                "so nothing under it is published",
                "link to files, or move the folder here",
            )
        if not stat.S_ISREG(st.st_mode):
            return Refusal(
                rel,
                UNPUBLISHABLE,
                f"a symbolic link to {target!r}, not a regular file; it is not published",
                hint,
                reported=not markdown,
            )
        return None


def _within(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def site_files(docs_dir: Path, root: Path, taxonomy: str) -> Survey:
    """The docs folder's survey as the site and the checker apply it."""
    # The taxonomy and the service catalog are the loader's to judge, and neither is a page:
    # the site shows them as factor and service pages, so the raw files stay unpublished.
    return survey(docs_dir, root, _label(docs_dir, root), skip=(taxonomy, SERVICES_FILE))


def playbook_files(folder: Path, root: Path) -> Survey:
    """The Ops Playbook's survey: its files land under `playbook/`, where nothing is reserved."""
    return survey(folder, root, _label(folder, root), reserved=False)


def _label(folder: Path, root: Path) -> str:
    try:
        return Path(os.path.abspath(folder)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return os.path.basename(os.path.normpath(folder))
