"""Script and template injection from a pull request (issue #13), on the built site.

A hostile knowledge base is built once (internal and public site): a postmortem whose
file name is a `javascript:` URL, another in a folder named like one, raw HTML and
Markdown tricks in bodies, a playbook page that tries to run a command at build time,
a severity and names with HTML in them. The pages are then read in Chromium: no dialog
opens, no injected script runs, and the links and Material's formatting still work.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from site_helpers import (
    ROOT,
    Guard,
    assert_built,
    build_site,
    catalog_service,
    copy_kb,
    parse_html,
    serve_dir,
    set_plugin_config,
    squash,
    write_postmortem,
)

from postmortem_kb.render.sanitize import sanitize

# Each of these runs without a click when the browser parses it (or on a click, for links).
PAYLOADS = [
    "Before <script>window.__pwned = 1; alert('script')</script> after.",
    "<img src=x onerror=\"window.__pwned = 1; alert('img')\">",
    "<img src=x onerror=alert(1)>",
    '<a id="evil-a" href="javascript:window.__pwned=1;alert(\'a\')">raw link</a> and '
    "[md link](javascript:alert('md')){: id=\"evil-md\" }",
    '<a id="evil-entity" href="&#106;ava&#x09;script:alert(\'entity\')">entity link</a>',
    "<svg><script>alert('svg')</script></svg>",
    "<details open ontoggle=\"alert('toggle')\"><summary>s</summary>x</details>",
    "<input autofocus onfocus=\"alert('focus')\">",
    "<iframe srcdoc=\"<script>parent.alert('iframe')</script>\"></iframe>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')></style></mglyph></table></mtext></math>",
    '<form action="javascript:alert(\'form\')"><button id="evil-button">go</button></form>',
    "Styled paragraph\n{: onclick=\"alert('attr')\" id=evil-attr }",
]
BENIGN = (
    '!!! note "Heads up"\n    An admonition still renders.\n\n'
    "| Left | Centre | Right |\n|:-----|:------:|------:|\n| a | b | c |\n\n"
    "A paragraph with a class.\n{: .pmkb-test-class }\n\n"
    "Some <kbd>Ctrl</kbd> and <sub>sub</sub>, `<script>shown as code</script>`."
)
SEVERITY = "<img src=x onerror=alert(1)>"
NAME = 'svc "q" <b> & co'
FACTOR = {
    "id": "quote-test",
    "name": 'Quote "q" <b> & co',
    "category": "technical",
    "definition": 'A definition with "quotes" <i>and</i> & ampersands.',
}
JS_ID = "2026-11-10-javascript-name"
JS_FILE = "javascript:alert(document.domain)%2F%2F.md"
JS_DIR_ID = "2026-11-09-javascript-folder"


def _when(day: int) -> dict[str, Any]:
    return {
        "started": datetime(2026, 11, day, 8, 0, tzinfo=UTC),
        "detected": datetime(2026, 11, day, 8, 10, tzinfo=UTC),
        "mitigated": datetime(2026, 11, day, 8, 40, tzinfo=UTC),
        "resolved": datetime(2026, 11, day, 9, 0, tzinfo=UTC),
        "filed": date(2026, 11, day),
    }


def _hostile_kb(root: Path, marker: Path) -> None:
    body = "\n\n".join(PAYLOADS) + "\n\n" + BENIGN
    path = write_postmortem(
        root,
        meta={
            "id": JS_ID,
            "title": "Hostile file name",
            "customer_impact": True,
            "public_postmortem": date(2026, 11, 11),
            "services": [NAME],
            **_when(10),
        },
        sections={"Summary": body, "Lessons learned": "\n\n".join(PAYLOADS)},
    )
    path.rename(root / "postmortems" / JS_FILE)
    folder = root / "postmortems" / "javascript:alert(2)"
    folder.mkdir()
    path = write_postmortem(
        root,
        meta={
            "id": JS_DIR_ID,
            "title": "Hostile folder name",
            "contributing_factors": [
                {"factor": "quote-test", "description": "x"},
                {"factor": "alerting-gap", "description": "y"},
            ],
            **_when(9),
        },
    )
    path.rename(folder / "x.md")
    catalog_service(root, NAME)
    taxonomy = root / "postmortems" / "factors.yml"
    doc = yaml.safe_load(taxonomy.read_text(encoding="utf-8"))
    doc["factors"].append(FACTOR)
    taxonomy.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (root / "ops-playbook" / "evil.md").write_text(
        "# Evil page\n\nDue within {{ policy.postmortem_due_hours }} hours.\n\n"
        f"{{{{ lipsum.__globals__['os'].popen('touch {marker}').read() }}}}\n\n"
        f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}\n\n"
        "{{ unknown.value }} and {% if true %}a statement{% endif %}\n\n" + "\n\n".join(PAYLOADS) + "\n",
        encoding="utf-8",
    )
    (root / "ops-playbook" / "meta.md").write_text(
        "---\n"
        "title: \"<img src=x onerror=alert('title')>\"\n"
        'description: "\\"><script>alert(\'description\')</script>"\n'
        "template: 404.html\n---\n\n# Meta page\n\nText.\n",
        encoding="utf-8",
    )
    set_plugin_config(root, severities=["SEV1", "SEV2", "SEV3", "SEV4", SEVERITY])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("hostile")
    marker = tmp / "pwned-at-build"
    root = copy_kb(tmp)
    _hostile_kb(root, marker)
    internal = tmp / "site"
    result = build_site(root, internal)
    assert_built(result)
    shutil.copy(ROOT / "mkdocs-public.yml", root / "mkdocs-public.yml")
    public = tmp / "site-public"
    pub = subprocess.run(
        [
            sys.executable,
            "-m",
            "postmortem_kb.cli",
            "--config",
            str(root / "mkdocs.yml"),
            "build",
            "--public",
            "--site-dir",
            str(public),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert pub.returncode == 0, pub.stdout + pub.stderr
    return {
        "root": root,
        "internal": internal,
        "public": public,
        "log": result.stdout + result.stderr,
        "marker": marker,
    }


# ---- at build time --------------------------------------------------------------------


def test_playbook_text_is_never_run_as_a_template(built: dict[str, Any]) -> None:
    assert not built["marker"].exists(), "a playbook page ran a command during the build"
    page = parse_html((built["internal"] / "playbook" / "evil" / "index.html").read_text(encoding="utf-8"))
    text = squash(page.find("article").text)
    assert "Due within 24 hours." in text  # a known placeholder is filled in
    # The rest is the author's Markdown text (`__globals__` is bold, as anywhere else).
    assert "{{ lipsum." in text and ".popen('touch " in text and "{{ unknown.value }}" in text
    assert "{% if true %}a statement{% endif %}" in text


def test_unknown_placeholders_are_warned_about_at_their_line(built: dict[str, Any]) -> None:
    log = built["log"]
    assert "ops-playbook/evil.md:5: unknown placeholder {{ lipsum.__globals__['os'].popen(" in log
    assert "ops-playbook/evil.md:7: unknown placeholder {{ cycler.__init__" in log
    assert "ops-playbook/evil.md:9: unknown placeholder {{ unknown.value }}" in log
    assert "policy.postmortem_due_hours }} left" not in log


def test_raw_html_on_a_playbook_page_is_warned_about_at_its_line(built: dict[str, Any]) -> None:
    log = built["log"]
    assert "ops-playbook/evil.md:11:8: raw HTML: the site removes `<script>` and its content" in log
    assert "ops-playbook/evil.md:13:1: raw HTML: the site removes the `onerror` attribute of `<img>`" in log


def test_a_playbook_pages_front_matter_is_text(built: dict[str, Any]) -> None:
    page = parse_html((built["internal"] / "playbook" / "meta" / "index.html").read_text(encoding="utf-8"))
    assert page.find("title").text == "<img src=x onerror=alert('title')> - Postmortem knowledge base"
    assert page.find("meta", name="description").get("content") == "\"><script>alert('description')</script>"
    assert page.find("article") is not None  # rendered with the page template, not the one it asked for


def test_a_severity_with_html_is_text_on_the_playbook_pages(built: dict[str, Any]) -> None:
    for url in ("playbook", "playbook/severities"):
        html = (built["internal"] / url / "index.html").read_text(encoding="utf-8")
        assert "<img src=x onerror" not in html and '<img src="x"' not in html
        assert f"SEV4, {SEVERITY}" in squash(parse_html(html).find("article").text)


@pytest.mark.parametrize(
    "kind, slug, shown", [("services", "svc-q-b-co", NAME), ("factors", "quote-test", FACTOR["name"])]
)
def test_names_on_service_and_factor_pages_are_escaped_once(
    built: dict[str, Any], kind: str, slug: str, shown: str
) -> None:
    page = parse_html((built["internal"] / kind / slug / "index.html").read_text(encoding="utf-8"))
    title = page.find("title").text
    heading = page.find("article").find("h1").text.rstrip("¶")
    assert title.startswith(shown + " - ") or title.startswith(f"Service: {shown} - "), title
    assert heading in (shown, f"Service: {shown}")
    assert "&#34;" not in title + heading and "&amp;" not in title + heading


def test_links_from_file_names_are_paths_never_schemes(built: dict[str, Any]) -> None:
    site = built["internal"]
    for url in ("", "catalog/", "services/svc-q-b-co/", "factors/quote-test/"):
        for a in parse_html((site / url / "index.html").read_text(encoding="utf-8")).find_all("a"):
            href = a.get("href") or ""
            assert not urlsplit(href).scheme or urlsplit(href).scheme in ("http", "https"), (url, href)
            assert not href.startswith(("//", "\\")), (url, href)
    rows = (site / "assets" / "pmkb" / "catalog.json").read_text(encoding="utf-8")
    assert '"u":"javascript%3Aalert%28document.domain%29%252F%252F/"' in rows


# ---- the sanitiser keeps what Markdown makes of benign text --------------------------------


def _shape(html: str) -> list[Any]:
    """Elements, attributes and text of `html`, with style declarations normalised."""
    out: list[Any] = []

    def walk(el: Any) -> None:
        for child in el.children:
            if isinstance(child, str):
                if child.strip():
                    out.append(" ".join(child.split()))
            else:
                attrs = {k: ("".join(v.split()).rstrip(";") if k == "style" else v) for k, v in child.attrs.items()}
                out.append((child.tag, sorted(attrs.items())))
                walk(child)

    walk(parse_html(html))
    return out


def test_benign_markdown_is_unchanged_by_the_sanitiser() -> None:
    import markdown

    from postmortem_kb.load.frontmatter import split

    extensions = ["tables", "attr_list", "md_in_html", "admonition", "toc"]  # as in mkdocs.yml
    texts = [
        BENIGN + "\n"
        "\n"
        "## A heading {: #custom-id .cls }\n"
        "\n"
        '![diagram](../img/x.png "A title")\n'
        "\n"
        '[a link](https://example.com/x?a=1&b=2 "t") and [mail](mailto:x@example.com)\n'
        "\n"
        "```\n"
        "<b>code</b>\n"
        "```\n"
    ]
    for path in sorted((ROOT / "postmortems").rglob("*.md")):
        sp = split(path.read_text(encoding="utf-8"))
        texts.append("\n".join(sp.lines[sp.body_start - 1 :]))
    assert len(texts) > 10
    for text in texts:
        html = markdown.markdown(text, extensions=extensions, extension_configs={"toc": {"permalink": True}})
        assert _shape(sanitize(html)) == _shape(html)


def test_what_common_material_extensions_make_is_kept() -> None:
    """Extensions an organisation may turn on: highlighted code with line anchors, task
    lists, content tabs, details, footnotes, abbreviations, marks."""
    import markdown

    text = (
        '```python\ndef f(x):\n    return x  # c\n```\n\n- [x] done\n- [ ] todo\n\n??? note "More"\n    Hidden.\n\n'
        '=== "Tab A"\n'
        "    A\n"
        "\n"
        '=== "Tab B"\n'
        "    B\n"
        "\n"
        "Term[^1]\n"
        "\n"
        "[^1]: A footnote.\n"
        "\n"
        "*[HTML]: Hyper Text\n"
        "\n"
        "HTML ==mark== ^^ins^^ ~~del~~ H~2~O\n"
    )
    extensions = [
        "pymdownx.highlight",
        "pymdownx.superfences",
        "pymdownx.tasklist",
        "pymdownx.details",
        "pymdownx.tabbed",
        "footnotes",
        "abbr",
        "pymdownx.mark",
        "pymdownx.caret",
        "pymdownx.tilde",
        "toc",
        "attr_list",
        "admonition",
    ]
    configs = {
        "pymdownx.highlight": {"anchor_linenums": True, "linenums": True},
        "pymdownx.tabbed": {"alternate_style": True},
    }
    html = markdown.markdown(text, extensions=extensions, extension_configs=configs)
    shape = [x for x in _shape(html) if x != ("tbody", [])]
    assert [x for x in _shape(sanitize(html)) if x != ("tbody", [])] == shape  # a parser adds <tbody> to a bare table
    assert ("input", [("checked", ""), ("disabled", ""), ("type", "checkbox")]) in shape


# ---- in the browser ---------------------------------------------------------------------------


playwright_sync = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def guard() -> Guard:
    return Guard()


@pytest.fixture
def page(browser: Any, guard: Guard) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, service_workers="block")
    pg = context.new_page()
    guard.watch(context, pg)
    pg.set_default_timeout(15_000)
    try:
        yield pg
    finally:
        context.close()


def _no_injected_script(page: Any, guard: Guard) -> None:
    page.wait_for_timeout(300)  # onerror of a broken image, ontoggle, onfocus fire by now
    assert page.evaluate("() => window.__pwned") is None
    for selector in ("#evil-a", "#evil-entity", "#evil-md", "#evil-attr", "#evil-button"):
        if page.locator(selector).count():
            page.locator(selector).first.click()
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__pwned") is None
    guard.assert_clean()


def test_the_file_name_link_on_the_home_page_opens_the_page(page: Any, guard: Guard, built: dict[str, Any]) -> None:
    with serve_dir(built["internal"]) as base:
        page.goto(base)
        link = page.locator(".pmkb-recent a", has_text="Hostile file name")
        assert link.get_attribute("href") == "javascript%3Aalert%28document.domain%29%252F%252F/"
        link.click()
        page.wait_for_url(base + "javascript%3Aalert%28document.domain%29%252F%252F/")
        assert page.locator("article h1").first.inner_text().strip().rstrip("¶").strip() == "Hostile file name"
        page.goto(base)
        page.locator(".pmkb-recent a", has_text="Hostile folder name").click()
        page.wait_for_url(base + "javascript%3Aalert%282%29/x/")
        assert page.locator(".pmkb-card").is_visible()
        guard.assert_clean()


def test_raw_html_in_a_postmortem_does_not_run_and_formatting_stays(
    page: Any, guard: Guard, built: dict[str, Any]
) -> None:
    with serve_dir(built["internal"]) as base:
        page.goto(base + "javascript%3Aalert%28document.domain%29%252F%252F/")
        assert page.locator(".pmkb-card").is_visible()  # the site's own blocks are in
        assert page.locator("article .admonition.note").count() == 1
        assert page.locator("article .pmkb-test-class").count() == 1
        assert page.locator("article h2 a.headerlink").count() >= 5
        assert (
            page.locator("article th", has_text="Centre").evaluate("th => getComputedStyle(th).textAlign") == "center"
        )
        assert page.locator("article kbd").inner_text() == "Ctrl"
        assert "<script>shown as code</script>" in page.locator("article code", has_text="shown as code").inner_text()
        # the diagram is the site's own SVG
        injected = "els => els.filter(e => !e.closest('.pmkb-diagram')).map(e => e.tagName)"
        assert (
            page.eval_on_selector_all(
                "article script, article iframe, article form, article svg, article math, article [autofocus]", injected
            )
            == []
        )
        _no_injected_script(page, guard)


def test_raw_html_on_a_playbook_page_does_not_run(page: Any, guard: Guard, built: dict[str, Any]) -> None:
    with serve_dir(built["internal"]) as base:
        for url in ("playbook/evil/", "playbook/meta/", "playbook/", "playbook/severities/", "catalog/", "insights/"):
            page.goto(base + url)
            _no_injected_script(page, guard)


def test_raw_html_on_the_public_page_does_not_run(page: Any, guard: Guard, built: dict[str, Any]) -> None:
    with serve_dir(built["public"]) as base:
        page.goto(base + f"incidents/{JS_ID}/")
        assert page.locator("article .admonition.note").count() == 1
        assert page.locator("article script, article iframe, article form").count() == 0
        _no_injected_script(page, guard)


# ---- pmkb check: raw-html (PM611) ----------------------------------------------------------


def _raw_html(kb: Any) -> list[tuple[int, int, str]]:
    return [(f["line"], f["column"], f["message"]) for f in kb.findings("--select", "raw-html")]


def test_raw_html_the_site_removes_is_an_error_at_its_line_and_column(kb: Any) -> None:
    from conftest import line_col

    summary = (
        "From 13:52 to 15:40 UTC <b>emails</b> were queued. <script>alert(1)</script>\n"
        "See <img src=x onerror=alert(1)> and [the dashboard](javascript:alert(2)).\n"
        '<div\n  onclick="alert(3)">across lines</div>\n'
        '<a href="JaVa&#x09;script:alert(4)">encoded</a> <iframe src="https://x.example"></iframe>'
    )
    path = kb.write(sections={"Summary": summary})
    findings = kb.findings("--select", "raw-html")
    assert {f["severity"] for f in findings} == {"error"}
    assert _raw_html(kb) == [
        (*line_col(path, "<script>"), "the site removes `<script>` and its content"),
        (*line_col(path, "<img src=x"), "the site removes the `onerror` attribute of `<img>`"),
        (*line_col(path, "javascript:alert(2)"), "a `javascript:` link: the site removes its target"),
        (*line_col(path, "<div"), "the site removes the `onclick` attribute of `<div>`"),
        (*line_col(path, "<a href"), 'the site removes `href="javascript:…"`'),
        (*line_col(path, "<iframe"), "the site removes the `<iframe>` tag"),
    ]


def test_html_the_site_keeps_and_html_in_code_or_comments_is_fine(kb: Any) -> None:
    summary = (
        "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>; H<sub>2</sub>O; "
        '<a href="https://x.example/a?b=1" title="t">a link</a>.\n'
        "\n"
        "<details><summary>More</summary>\n\nDetail.\n\n</details>\n\n"
        "Inline `<script>alert(1)</script>` is code. <!-- <img src=x onerror=alert(1)> -->\n\n"
        "```html\n<script>alert(2)</script>\n```\n\n"
        "    <iframe src=x></iframe>\n\n"
        '| Left | Right |\n|:-----|------:|\n| <span class="x">a</span> | b |\n\n'
        "[relative](../2023/other/) and [mail](mailto:sre@example.com) and <https://example.com>.\n\n"
        "A paragraph.\n{: .note #anchor }"
    )
    kb.write(sections={"Summary": summary})
    assert _raw_html(kb) == []


def test_an_attr_list_handler_and_a_reference_link_are_found(kb: Any) -> None:
    from conftest import line_col

    path = kb.write(
        sections={
            "Summary": "A paragraph.\n"
            '{: onclick="alert(1)" }\n'
            "\n"
            "A [ref][r] link.\n"
            "\n"
            "[r]: data:text/html;base64,PHNjcmlwdD4K"
        }
    )
    assert _raw_html(kb) == [
        (*line_col(path, "onclick"), "the site removes the `onclick` attribute (an attr_list attribute)"),
        (*line_col(path, "data:text"), "a `data:` link: the site removes its target"),
    ]


def test_a_link_whose_scheme_hides_behind_an_entity_is_found(kb: Any) -> None:
    from conftest import line_col

    # Markdown keeps the entity in the href; a browser decodes it to `java:` / `javascript:`.
    path = kb.write(
        sections={
            "Summary": "See [one](java&#58;alert(1)) and [two](JaVa&#x09;script:alert(2)), not "
            "[three](https://x.example/a:b)."
        }
    )
    assert _raw_html(kb) == [
        (*line_col(path, "java&#58;"), "a `java:` link: the site removes its target"),
        (*line_col(path, "JaVa&#x09;"), "a `javascript:` link: the site removes its target"),
    ]


def test_html_in_a_list_items_indented_paragraph_is_not_taken_for_code(kb: Any) -> None:
    from conftest import line_col

    path = kb.write(
        sections={
            "Summary": "- First item\n"
            "\n"
            "    Its second paragraph <img src=x onerror=alert(1)>\n"
            "\n"
            "        <script>code in the item</script>"
        }
    )
    assert _raw_html(kb) == [(*line_col(path, "<img"), "the site removes the `onerror` attribute of `<img>`")]


def test_raw_html_can_be_silenced_on_its_line(kb: Any) -> None:
    kb.write(sections={"Summary": "Shown as an example: <iframe src=x></iframe> <!-- pmkb: disable=PM611 -->"})
    assert _raw_html(kb) == []


# ---- placeholders and URLs from front matter ------------------------------------------------


def test_every_playbook_page_shows_the_same_values_as_the_template_engine_did() -> None:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from postmortem_kb.config import Settings
    from postmortem_kb.render.placeholders import fill_placeholders, policy_values

    settings = Settings(
        severities=["SEV1", "SEV2", "Sev 3"], policy={"postmortem_due_hours": 36, "toil_limit_percent": 40}
    )
    env = SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
    )  # the pages are ours here
    pages = sorted((ROOT / "ops-playbook").glob("*.md"))
    assert len(pages) >= 5
    for path in pages:
        text = path.read_text(encoding="utf-8")
        expected = env.from_string(text).render(policy=settings.policy, severities=settings.severities)
        filled, unknown = fill_placeholders(text, policy_values(settings))
        assert unknown == [], path.name
        assert filled == expected, path.name


def test_placeholder_values_are_escaped_for_markdown_and_html() -> None:
    from postmortem_kb.config import Settings
    from postmortem_kb.render.placeholders import fill_placeholders, policy_values

    values = policy_values(Settings(severities=["<script>x</script>", "[a](javascript:b)"]))
    filled, unknown = fill_placeholders(
        "{{severities}} | {{ policy.toil_limit_percent }} | {{ policy.nope }}\n{{ severities.__class__ }}", values
    )
    assert (
        filled == "&lt;script&gt;x&lt;/script&gt;, \\[a\\]\\(javascript:b\\) | 50 | {{ policy.nope }}\n"
        "{{ severities.__class__ }}"
    )
    assert unknown == [(1, "{{ policy.nope }}"), (2, "{{ severities.__class__ }}")]


@pytest.mark.parametrize(
    "value, link",
    [
        ("https://tracker.example.com/SEC-1", "https://tracker.example.com/SEC-1"),
        ("HTTP://x.example/", "HTTP://x.example/"),
        ("javascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//evil.example/", None),
        ("../relative/", None),
        (date(2024, 3, 16), None),
        (None, None),
    ],
)
def test_only_http_urls_from_front_matter_become_links(value: Any, link: str | None) -> None:
    from postmortem_kb.render.site import http_url

    assert http_url(value) == link


def test_a_tracker_or_write_up_that_is_not_http_is_text_in_the_blocks() -> None:
    from postmortem_kb.render.env import make_env

    env = make_env()
    actions = env.get_template("pm_actions.html.j2").render(
        actions=[
            {
                "n": 1,
                "summary": "S",
                "kind": None,
                "owner": "o",
                "due": None,
                "status": "open",
                "tracker": None,
                "overdue": 0,
            }
        ]
    )
    assert "<a " not in actions and ">S<" in actions


@pytest.mark.parametrize(
    "src, url",
    [
        ("javascript:alert(document.domain)%2F%2F.md", "javascript%3Aalert%28document.domain%29%252F%252F/"),
        ("data:text/html,x/y.md", "data%3Atext/html%2Cx/y/"),
        ("\\\\evil.example\\x.md", "%5C%5Cevil.example%5Cx/"),
        ("2024/2024-03-14-ok.md", "2024/2024-03-14-ok/"),
        ("vbscript:x/index.md", "vbscript%3Ax/"),
    ],
)
def test_page_urls_are_paths_whatever_the_file_is_called(src: str, url: str) -> None:
    from postmortem_kb.render.site import page_url

    assert page_url(src) == url
    assert urlsplit(page_url(src)).scheme == "" and urlsplit(page_url(src, False)).scheme == ""
    assert not page_url(src).startswith("/")


# ---- property: hostile HTML never comes out of the sanitiser runnable --------------------------


def test_hostile_html_fragments_come_out_without_script() -> None:
    from hostile_html import html_body, violations
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(html_body())
    def check(body: str) -> None:
        assert violations(body) == []

    check()
