"""The Colab notebooks of ``notebooks/``, rendered as Jupyter renders them and read in a browser.

Each notebook is converted to HTML by nbconvert (its Markdown rendered by mistune, as Jupyter's
own export does) and opened in the headless Chromium of ``test_site.py``, with MathJax 3 served
from the local npm copy (the test is offline). MathJax runs with Jupyter's delimiters, without the
book's macros (a notebook front end has none) and without ``noundefined``, so an unknown control
sequence is an error node instead of red text. On every page: no MyST syntax left in the rendered
Markdown, no TeX left untypeset, no MathJax error, and no link that only resolves inside the book.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MATHJAX = ROOT / ".cache" / "npm" / "node_modules" / "mathjax"
MATHJAX_URL = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Jupyter's TeX set-up (JupyterLab's delimiters); nothing of the book's _config.yml
MATHJAX_CONFIG = """<script>window.MathJax = {tex: {
  inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
  processEscapes: true, processEnvironments: true, packages: {'[-]': ['noundefined', 'noerrors']}}};
</script>"""
MYST = [":::", "```{", "{prf:", "{glue", "{download}", "{cite", "{doc}", "{ref}", "{numref}"]
MYST_ROLE = re.compile(r"\{[a-z][\w-]*(:[\w-]+)?\}(?=\S)")
MYST_TARGET = re.compile(r"^\([\w.-]+\)=$", re.M)
TEX_LEFT = re.compile(r"\$\$|\\[A-Za-z]+")

if not (MATHJAX / "es5" / "tex-mml-chtml.js").exists():
    pytest.fail("no local MathJax in .cache/npm: run `make integration-deps`", pytrace=False)
if not Path(CHROMIUM).exists():
    pytest.fail("no Chromium at /usr/bin/chromium: run `make integration-deps` (apt-get install chromium)",
                pytrace=False)

import nbformat  # noqa: E402  (after the clear failures above)
from nbconvert import HTMLExporter  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve_mathjax(route):
    """Answer a request for the CDN's MathJax 3 from the local npm copy."""
    relative = urlparse(route.request.url).path.split("/mathjax@3/", 1)[1]
    target = MATHJAX / relative
    route.fulfill(path=str(target)) if target.is_file() else route.fulfill(status=404)


def render(notebook: Path, folder: Path) -> Path:
    """nbconvert's HTML of a notebook, loading MathJax 3 with Jupyter's delimiters."""
    exporter = HTMLExporter(template_name="lab", mathjax_url=MATHJAX_URL)
    html, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    html = html.replace(f'<script src="{MATHJAX_URL}">', MATHJAX_CONFIG + f'<script src="{MATHJAX_URL}">', 1)
    target = folder / (notebook.stem + ".html")
    target.write_text(html, encoding="utf-8")
    return target


def read_pages(paths: list[Path], folder: Path) -> dict[str, dict]:
    """Open each rendered notebook in Chromium; return what its Markdown cells show after MathJax."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}/"
    pages = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context()
            context.set_default_timeout(300_000)   # a page and its MathJax, on a busy 2-core machine
            context.route("**/mathjax@3/**", _serve_mathjax)
            context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"),
                          lambda route: route.abort() if "mathjax@3" not in route.request.url else route.fallback())
            for path in paths:
                page = context.new_page()
                page.goto(site + path.name, wait_until="load")
                page.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }")
                pages[path.stem] = page.evaluate("""() => {
                    const cells = [...document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')];
                    const prose = cells.map(cell => {
                        const copy = cell.cloneNode(true);
                        copy.querySelectorAll('mjx-container, code, pre').forEach(e => e.remove());
                        return copy.innerText;
                    });
                    return {
                        mathjax: !!(window.MathJax && MathJax.startup && MathJax.startup.document),
                        typeset: document.querySelectorAll('.jp-MarkdownCell mjx-container').length,
                        errors: [...document.querySelectorAll('mjx-merror')].map(e =>
                            (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120)),
                        text: cells.map(cell => cell.innerText).join('\\n'),
                        prose: prose.join('\\n'),
                        links: [...document.querySelectorAll('.jp-MarkdownCell a[href]')]
                            .filter(a => !a.classList.contains('anchor-link')).map(a => a.getAttribute('href')),
                    };
                }""")
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return pages


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rendered")
    return read_pages([render(notebook, folder) for notebook in NOTEBOOKS], folder)


def test_there_is_a_notebook_per_chapter():
    chapters = {p.stem for p in (ROOT / "book").glob("[0-9][0-9]-*.md")}
    assert {p.stem for p in NOTEBOOKS} == chapters and len(chapters) >= 11


@pytest.mark.parametrize("stem", [p.stem for p in NOTEBOOKS])
def test_no_myst_syntax_in_the_rendered_markdown(pages, stem):
    text = pages[stem]["text"]
    left = [token for token in MYST if token in text] + MYST_ROLE.findall(text) + MYST_TARGET.findall(text)
    assert not left, f"{stem}: MyST syntax rendered as text: {left}"


@pytest.mark.parametrize("stem", [p.stem for p in NOTEBOOKS])
def test_math_typesets_without_errors(pages, stem):
    page = pages[stem]
    assert page["mathjax"], f"{stem}: MathJax did not start"
    assert page["typeset"] > 0, f"{stem}: no math typeset"
    assert not page["errors"], f"{stem}: MathJax errors: {page['errors'][:5]}"
    assert "Undefined control sequence" not in page["text"]
    left = TEX_LEFT.findall(page["prose"])
    assert not left, f"{stem}: TeX left as text outside math: {left[:5]}"


@pytest.mark.parametrize("stem", [p.stem for p in NOTEBOOKS])
def test_links_work_outside_the_book(pages, stem):
    """A relative link resolves on the website but not in Colab: every link is absolute."""
    relative = [href for href in pages[stem]["links"] if not re.match(r"^(https?:|mailto:|#)", href)]
    assert not relative, f"{stem}: links that only work inside the book: {relative}"


def test_a_myst_notebook_fails_these_checks(tmp_path):
    """Negative control: the chapter's MyST source as a notebook (what the notebooks were before
    translation) is caught by the checks above."""
    import jupytext

    chapter = ROOT / "book" / "06-wgan.md"
    source = tmp_path / "myst-06.ipynb"
    source.write_text(json.dumps(jupytext.reads(chapter.read_text(encoding="utf-8"), fmt="md:myst")))
    (page,) = read_pages([render(source, tmp_path)], tmp_path).values()
    assert [token for token in MYST if token in page["text"]]
    assert any("Undefined control sequence" in error for error in page["errors"])
