"""Generate the Colab notebooks in notebooks/ from the chapters in book/ (jupytext).

    python .ci/notebooks.py          # write notebooks/NN-slug.ipynb for every book/NN-slug.md
    python .ci/notebooks.py --check  # exit 1 naming each notebook that is missing or out of date

Each notebook is the chapter with its outputs stripped and one cell in front that installs
`ganbook` from the repository named in _config.yml, only inside Colab and only when missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent

INSTALL_CELL = """\
# Colab: install the book's package when it is missing (nothing happens anywhere else).
import importlib.util, sys
if "google.colab" in sys.modules and importlib.util.find_spec("ganbook") is None:
    %pip install -q "ganbook @ git+{url}@{branch}"
"""


def install_source() -> str:
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    return INSTALL_CELL.format(url=repository["url"].rstrip("/"), branch=repository["branch"])


def chapters() -> list[Path]:
    return sorted((ROOT / "book").glob("[0-9][0-9]-*.md"))


def render(chapter: Path) -> str:
    notebook = jupytext.read(chapter)
    cell = nbformat.v4.new_code_cell(install_source(), metadata={"tags": ["colab-install"]})
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
    for chapter in chapters():
        target = ROOT / "notebooks" / (chapter.stem + ".ipynb")
        expected.add(target.name)
        text = render(chapter)
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
