"""Generate the Colab notebooks in notebooks/ from the chapters in book/ (jupytext).

    python .ci/notebooks.py          # write notebooks/NN-slug.ipynb for every book/NN-slug.md
    python .ci/notebooks.py --check  # exit 1 naming each notebook that is missing or out of date

Each notebook is the chapter with its outputs stripped, its Markdown translated from MyST into
what Jupyter and Colab render (myst_markdown.py), and one cell in front that installs the release
of `ganbook` the notebook was made with: `ganbook @ git+<repository>@v<version>`, the repository
named in _config.yml and the version in pyproject.toml, only inside Colab and only when missing.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import jupytext
import nbformat

from myst_markdown import Book, translate

ROOT = Path(__file__).resolve().parent.parent

INSTALL_CELL = """\
# Colab: install release {tag} of the book's package, the one this notebook was made with
# (nothing happens outside Colab, or when ganbook is already installed).
import importlib.util, sys
if "google.colab" in sys.modules and importlib.util.find_spec("ganbook") is None:
    %pip install -q "ganbook @ git+{url}@{tag}"
"""


def version() -> str:
    """The package's version, from pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def install_source(book: Book) -> str:
    return INSTALL_CELL.format(url=book.repository, tag=book.ref)


def chapters() -> list[Path]:
    return sorted((ROOT / "book").glob("[0-9][0-9]-*.md"))


def render(chapter: Path, book: Book) -> str:
    notebook = translate(jupytext.read(chapter), book, chapter.name)
    cell = nbformat.v4.new_code_cell(install_source(book), metadata={"tags": ["colab-install"]})
    notebook.cells.insert(0, cell)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"  # stable ids: regenerating gives the same file
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["colab"] = {"name": chapter.stem + ".ipynb", "provenance": []}
    notebook.metadata["accelerator"] = "GPU"
    return jupytext.writes(notebook, fmt="ipynb")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a notebook is out of date")
    args = parser.parse_args()
    stale = []
    expected = set()
    book = Book.load(ROOT, ref=f"v{version()}")
    for chapter in chapters():
        target = ROOT / "notebooks" / (chapter.stem + ".ipynb")
        expected.add(target.name)
        text = render(chapter, book)
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target.relative_to(ROOT))
        else:
            target.parent.mkdir(exist_ok=True)
            target.write_text(text, encoding="utf-8")
    orphans = [p.relative_to(ROOT) for p in (ROOT / "notebooks").glob("*.ipynb")
               if p.name not in expected]
    if args.check and (stale or orphans):
        for path in stale:
            print(f"out of date: {path} (run `make notebooks`)")
        for path in orphans:
            print(f"no chapter in book/ for {path}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
