"""The book's tooling: Colab notebooks up to date, Colab links built from _config.yml."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import colab_link  # noqa: E402


def test_notebooks_are_generated_from_the_chapters():
    result = subprocess.run([sys.executable, str(ROOT / ".ci" / "notebooks.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_colab_link_points_at_the_generated_notebook():
    url = colab_link.colab_url("https://github.com/ganbook/ganbook/", "main", "01-cross-entropy")
    assert url == ("https://colab.research.google.com/github/ganbook/ganbook/blob/main/"
                   "notebooks/01-cross-entropy.ipynb")


def test_every_chapter_is_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = {c["file"] for part in toc["parts"] for c in part["chapters"]}
    chapters = {f"book/{p.stem}" for p in (ROOT / "book").glob("[0-9][0-9]-*.md")}
    assert chapters <= listed, chapters - listed


def test_chapters_are_numbered_in_the_order_of_their_files():
    """The site numbers chapters by their place in _toc.yml; it must match the NN of the
    file (and so of the Colab notebook a reader opens)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    numbered = [c["file"] for part in toc["parts"] if part.get("numbered") for c in part["chapters"]]
    assert [int(Path(f).name[:2]) for f in numbered] == list(range(1, len(numbered) + 1))


def test_the_readme_example_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = [block.split("```", 1)[0] for block in readme.split("```python\n")[1:]]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GANBOOK_LEDGER_DIR", str(tmp_path))
    namespace = {}
    exec(compile(example, "README.md", "exec"), namespace)
    assert [c.status for c in namespace["ledger"].checks] == ["verified"]
    assert len(namespace["runs"]) == 8
