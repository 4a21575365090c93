"""Each executed chapter's time against its budget, from the ledger records of the last build.

The time is what each chapter's ledger measured, from its opening to ``ledger.save()`` (the
imports of the set-up cell, a few seconds, come before it). The book must execute in under 10
minutes on 2 cores; ``.ci/execute.py`` runs two chapters at a time there, one thread each, so the
chapters share 2 x 600 chapter-seconds and the last row is the build's wall time (from
``_build/book_seconds.json``). A chapter's budget is its share of those 1,200 s.

    python benchmarks/chapter_times.py   # after `make book` or `make test`
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ganbook import verify
from table import Row, print_table

# The shares of the 1,200 chapter-seconds (two chapters at a time for the book's 600 s on 2 cores);
# chapter 09's is within the 180 s cap of the mode benchmarks issue.
BUDGET_S = {"01-cross-entropy": 30, "02-minimax-game": 80, "03-optimal-discriminator": 80,
            "04-wasserstein-distance": 80, "05-game-dynamics": 30, "06-wgan": 160, "07-wgan-gp": 140,
            "08-other-objectives": 80, "09-mode-collapse": 160, "10-conditional-and-infogan": 100,
            "11-dcgan": 260}
CHAPTER_SECONDS = sum(BUDGET_S.values())   # 1,200
WALL_BUDGET_S = 600
ROOT = Path(__file__).resolve().parent.parent


def measure() -> list[Row]:
    """One row per chapter (time / budget) and one for the whole book; empty before a build."""
    records = verify.load_records(ROOT / "_build" / "ledgers")
    rows = []
    for record in records:
        budget = BUDGET_S.get(record["chapter"], 90)
        rows.append(Row(f"chapter {record['chapter']}", f"{record['seconds']:.1f} s of {budget} s",
                        record["seconds"] / budget, "<= 1", record["seconds"] <= budget))
    if records:
        total = sum(r["seconds"] for r in records)
        rows.append(Row("all chapters, chapter time", f"{total:.1f} s of {CHAPTER_SECONDS} s",
                        total / CHAPTER_SECONDS, "<= 1", total <= CHAPTER_SECONDS))
    wall = ROOT / "_build" / "book_seconds.json"
    if records and wall.is_file():
        book = json.loads(wall.read_text())
        rows.append(Row(f"book wall time ({book['jobs']} at a time)", f"{book['wall']:.1f} s of {WALL_BUDGET_S} s",
                        book["wall"] / WALL_BUDGET_S, "<= 1", book["wall"] <= WALL_BUDGET_S))
    return rows


def main() -> int:
    rows = measure()
    if not rows:
        print("no ledger records: build the book first (make book)")
        return 1
    print_table(rows)
    return 0 if all(r.met for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
