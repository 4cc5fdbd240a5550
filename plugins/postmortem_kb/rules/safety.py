"""What the knowledge base may publish and what the site can show (PM601–PM603, PM621–PM623).

load/publishable.py decides which files are published and reports the others by rule name
(PM601–PM603: load/ must not import rules/, see loading.py); cap.py caps a file's
findings (PM622). Nesting and markup density are judged in load/ (sections.py,
dense_markup.py), which the site's build also asks; the checks here report them.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..load.dense_markup import density_problems
from ..load.sections import nesting_problems
from ..model import Postmortem
from .hit import Context, Hit
from .rule import FILE, define, rule

UNPUBLISHABLE_FILE = define(
    "PM601",
    "unpublishable-file",
    summary=(
        "A file in the postmortems or playbook folder is not something the knowledge base publishes (HTML, script, "
        "SVG, a FIFO…)."
    ),
    why=(
        "MkDocs copies every file of the postmortems folder into the site. An HTML page or a script in a pull request "
        "would be served from the site itself, with its cookies and its trust; an SVG image can carry script too. Only "
        "Markdown, PNG, JPEG, GIF, WebP and AVIF images and the knowledge base's data files (the taxonomy, "
        "services.yml) are published."
    ),
    fix="Remove the file, or keep it outside the folders the site publishes. Export drawings as PNG or WebP.",
    silenced_by_comment=False,
)
REFUSED_LINK = define(
    "PM602",
    "refused-link",
    summary="A symbolic link leads outside its folder, to a hidden file, to a folder, or nowhere.",
    why=(
        "A link is followed when the site is built: `ln -s ../.git/config` or `ln -s ../.env` would publish the "
        "repository's secrets, and `ln -s .. loop` made the build walk the repository over and over. Only links to "
        "regular, non-hidden files inside the same folder are published; links to folders are never followed."
    ),
    fix="Commit the file itself instead of a link to it, or link to a file in the same folder.",
    silenced_by_comment=False,
)
SHADOWED_SITE_FILE = define(
    "PM603",
    "shadowed-site-file",
    summary=(
        "A file would land where the site's theme or generated pages are (`assets/…`, `search/…`, `catalog/`, "
        "`services/`…, `sitemap.xml`, `404.html`, `remediation.*`), or where another file's page makes a folder."
    ),
    why=(
        "A file of the postmortems folder lands at the same path in the site, so `assets/javascripts/bundle….min.js` "
        "in a pull request would replace the theme's script on every page, and `catalog/index.md` the catalog. A "
        "folder named `sitemap.xml`, or `x.png` beside the page `x.png.md`, stopped the build."
    ),
    fix="Move the file into a year folder, next to the postmortem that shows it, under a name of its own.",
    silenced_by_comment=False,
)


@rule(
    "PM621",
    "nesting-too-deep",
    summary=(
        "Lists or quotes are nested more than 20 levels deep, or more than 20 HTML blocks carry a `markdown` attribute."
    ),
    why=(
        "Markdown is parsed one nesting level at a time, so a few hundred levels of nested lists or `>` quotes in a "
        "pull request stopped the whole site build. The site shows every line past 20 levels as plain preformatted "
        "text instead of parsing it, so the page is published and nothing is lost, but it no longer looks like what "
        "the author wrote."
    ),
    fix=(
        "Flatten the structure: no real postmortem needs more than a few levels. Every four spaces of indentation, "
        "every `>` and every list marker at the start of a line counts as one level. Past 20 HTML blocks with a "
        "`markdown` attribute (which are parsed the same way), the site parses none of them as Markdown: write plain "
        "Markdown instead."
    ),
    scope=FILE,
)
def nesting_too_deep(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    for line, col, message in nesting_problems(pm.lines, pm.body_start):
        yield Hit(nesting_too_deep, line, col, message)


# Given by cap.cap_findings, past the findings a file may show.
TOO_MANY_FINDINGS = define(
    "PM622",
    "too-many-findings",
    summary="A file has more than 200 findings; the rest are counted, not listed.",
    why=(
        "A generated or hostile file can produce millions of findings, which would flood CI logs and code-scanning "
        "uploads. Each file lists its first 200 findings by position and then this one, which says how many more there "
        "are. It is an error when an error is among those not shown, so the exit status does not change; it cannot be "
        "silenced or deselected."
    ),
    fix=(
        "Fix the findings shown and run `pmkb check` again. To silence a deliberate finding, use a comment, never a "
        "value: in the body an HTML comment whose text starts with `pmkb:`, on the line or the line above (`<!-- pmkb: "
        "disable=PM301 -->`, several codes or names separated by commas), `<!-- pmkb: disable-next-line -->` (every "
        "rule, the next line only) or `<!-- pmkb: disable-file -->` (the whole file; `=CODES` to limit it); in the "
        "front matter a YAML comment (`# pmkb: disable=late-postmortem`). The same words in a code span or code block, "
        "a link target or title, a heading, an HTML attribute or a front-matter value (such as the title) silence "
        "nothing."
    ),
    severity="warning",
    silenced_by_comment=False,
)


@rule(
    "PM623",
    "markup-too-dense",
    summary=(
        "A paragraph (or the whole body) holds more links or emphasis marks than the site can render in bounded time; "
        "it is shown as plain text."
    ),
    why=(
        "The Markdown renderer scans ahead from every `[` and recurses into nested emphasis: a few thousand of them in "
        "one paragraph take minutes or overflow the stack, and would stop the site build for everyone. No postmortem "
        "needs more than 64 `[` or 128 `*` and `_` in one paragraph, or 4,000 in all."
    ),
    fix=(
        "Split the paragraph, put long lists of links into a list or a table, and put logs and generated text into a "
        "fenced code block."
    ),
    scope=FILE,
)
def markup_too_dense(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    for line, col, message in density_problems(pm.lines, pm.body_start):
        yield Hit(markup_too_dense, line, col, message)
