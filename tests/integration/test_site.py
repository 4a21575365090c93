"""The built website, read by a real headless Chromium as a reader would.

Runs after the book is built (``make test`` builds it, then runs this). The site is served from
``_build/html`` on localhost; MathJax, which the pages load from a CDN, is served from the local
npm copy that ``make integration-deps`` installs, so the test needs no network. For every page: no TeX
left unrendered once MathJax has finished, every image loaded, every internal link (and its
anchor) resolving; chapter pages show a ledger table with no failed row and an "Open in Colab"
link to their notebook in ``notebooks/``. Screenshots of the claims index and one chapter are
saved under ``_build/screenshots``.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
MATHJAX = ROOT / ".cache" / "npm" / "node_modules" / "mathjax"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHAPTER = re.compile(r"book/(\d\d-[a-z0-9-]+)\.html$")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not (HTML / "index.html").exists():
    pytest.fail("no built site in _build/html: build it first (make html)", pytrace=False)
if not (MATHJAX / "es5" / "tex-mml-chtml.js").exists():
    pytest.fail("no local MathJax in .cache/npm: run `make integration-deps`", pytrace=False)
if not Path(CHROMIUM).exists():
    pytest.fail("no Chromium at /usr/bin/chromium: run `make integration-deps` (apt-get install chromium)",
                pytrace=False)

from playwright.sync_api import sync_playwright  # noqa: E402  (after the clear failures above)

PAGES = sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
               if not p.relative_to(HTML).parts[0].startswith("_")
               and p.name not in ("index.html", "genindex.html", "search.html", "py-modindex.html"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(HTML)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _serve_mathjax(route):
    """Answer a request for the CDN's MathJax 3 from the local npm copy (the test is offline)."""
    path = urlparse(route.request.url).path
    relative = path.split("/mathjax@3/", 1)[1]
    target = MATHJAX / relative
    if target.is_file():
        route.fulfill(path=str(target))
    else:
        route.fulfill(status=404)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def pages(site, browser):
    """Every page, loaded once: its text after MathJax, its images, links, ids and ledger rows."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/mathjax@3/**", _serve_mathjax)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"),       # anything else off-site
                  lambda route: route.abort() if "mathjax@3" not in route.request.url else route.fallback())
    loaded = {}
    for name in PAGES:
        page = context.new_page()
        page.goto(site + name, wait_until="load")
        page.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }")
        loaded[name] = page.evaluate("""() => ({
            // the page's prose: code (cell sources, quoted source lines) may hold TeX as text
            text: (() => { const main = document.querySelector('main, article, body').cloneNode(true);
                           main.querySelectorAll('pre, code').forEach(e => e.remove());
                           document.body.appendChild(main); const t = main.innerText; main.remove();
                           return t; })(),
            mathjax: !!(window.MathJax && MathJax.startup),
            math: document.querySelectorAll('.math').length,
            unrendered: [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container'))
                .map(e => e.textContent.slice(0, 60)),
            broken_images: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
            images: document.images.length,
            links: [...document.querySelectorAll('a[href]')].map(a => a.href),
            ids: [...document.querySelectorAll('[id]')].map(e => e.id),
            ledger: [...document.querySelectorAll('table.ledger tbody tr')].map(r => r.lastElementChild.innerText),
            colab: [...document.querySelectorAll('a[href*="colab.research.google.com"]')].map(a => a.href),
        })""")
        if name in ("book/claims.html", "book/06-wgan.html"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / name.replace("book/", "").replace(".html", ".png")),
                            full_page=False)
        page.close()
    context.close()
    return loaded


def test_every_page_loaded(pages):
    assert len(pages) == len(PAGES) >= 16


def test_the_front_door_opens_the_introduction(site, browser):
    page = browser.new_page()
    page.goto(site, wait_until="load")
    page.wait_for_url("**/book/intro.html")
    assert "GANs, verified" in page.title() or page.locator("h1").count() > 0
    page.close()


@pytest.mark.parametrize("name", PAGES)
def test_no_tex_left_unrendered(pages, name):
    page = pages[name]
    leftovers = [token for token in ("$$", "\\frac", "\\begin{", "\\mathbb") if token in page["text"]]
    assert not leftovers, f"{name}: raw TeX after MathJax finished: {leftovers}"
    # every math element of Sphinx's output holds MathJax's rendering once typesetting is done
    assert not page["unrendered"], f"{name}: math left untypeset: {page['unrendered'][:3]}"
    if page["math"]:
        assert page["mathjax"], f"{name}: has math but MathJax did not load"


@pytest.mark.parametrize("name", PAGES)
def test_every_image_loads(pages, name):
    assert not pages[name]["broken_images"], f"{name}: images that did not load: {pages[name]['broken_images']}"


@pytest.mark.parametrize("name", PAGES)
def test_every_internal_link_resolves(pages, site, name):
    missing = []
    for href in pages[name]["links"]:
        if not href.startswith(site):
            continue
        target, fragment = urldefrag(href)
        path = HTML / urlparse(target).path.lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if not path.exists():
            missing.append(href)
            continue
        key = path.relative_to(HTML).as_posix()
        if fragment and key in pages and fragment not in pages[key]["ids"]:
            missing.append(href)
    assert not missing, f"{name}: links to nothing: {sorted(set(missing))}"


CHAPTERS = [name for name in PAGES if CHAPTER.search(name)]


def test_there_are_chapters():
    assert len(CHAPTERS) >= 11


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_shows_its_ledger_without_failures(pages, name):
    statuses = pages[name]["ledger"]
    assert statuses, f"{name}: no ledger table on the page"
    # "not yet": a part of a claim the build records as unchecked (Ledger.unchecked), never a failure
    assert set(statuses) <= {"verified", "erratum", "not reproduced", "not yet"}, \
        f"{name}: ledger rows {sorted(set(statuses))}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_raw_ledger_objects_reach_the_page(name):
    text = (HTML / name).read_text(encoding="utf-8")
    for raw in ("Check(claim=", "Erratum(claim=", "&lt;ganbook."):
        assert raw not in text, f"{name}: a raw {raw!r} object is printed into the page"


@pytest.mark.parametrize("name", CHAPTERS)
def test_colab_link_opens_the_matching_notebook(pages, name):
    stem = CHAPTER.search(name).group(1)
    (link,) = set(pages[name]["colab"])
    assert link.endswith(f"/blob/main/notebooks/{stem}.ipynb"), link
    assert (ROOT / "notebooks" / f"{stem}.ipynb").exists()


def test_screenshots_were_saved(pages):
    for stem in ("claims", "06-wgan"):
        assert (SCREENSHOTS / f"{stem}.png").stat().st_size > 10_000
