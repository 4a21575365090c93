"""Executing a chapter twice on the CPU gives the same glued numbers, bit for bit.

Chapter 03 trains discriminators against fixed and trained generators, so it exercises seeding,
the trainer and the deterministic-algorithms switch of ``ganbook.setup``, in about 20 s a run.
Figures are compared by their glued name only (their PNG bytes depend on the renderer). The two
executions run side by side, one thread each (as the build runs chapters).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbclient

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "03-optimal-discriminator.md"


def glued_values(tmp_path: Path) -> dict[str, str]:
    notebook = jupytext.read(CHAPTER)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "book")}}).execute(
        env={**os.environ, "CI": "1", "GANBOOK_LEDGER_DIR": str(tmp_path), "OMP_NUM_THREADS": "1",
             "MKL_NUM_THREADS": "1"})
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = output.get("data", {})
                values[name] = data.get("text/plain", "<figure>" if "image/png" in data else repr(data))
    return values


def test_a_chapter_executed_twice_glues_identical_numbers(tmp_path):
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(glued_values, (tmp_path / "first", tmp_path / "second"))
    assert len(first) >= 5, f"too few glued values to compare: {sorted(first)}"
    assert first == second
