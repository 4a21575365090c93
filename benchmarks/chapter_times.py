"""Each executed chapter's time against its budget, from the ledger records of the last build.

The time is what each chapter's ledger measured, from its opening to ``ledger.save()`` (the
imports of the set-up cell, a few seconds, come before it). Budgets are the CPU profile's, as
the chapter issues set them; the whole book must execute in under 10 minutes on 2 cores.

    python benchmarks/chapter_times.py   # after `make book` or `make test`
"""

from __future__ import annotations

import sys
from pathlib import Path

from ganbook import verify
from table import Row, print_table

# The shares of the book's 600 s on 2 cores (the brief); chapter 09's is within the 180 s cap of the
# mode benchmarks issue.
BUDGET_S = {"01-cross-entropy": 20, "02-minimax-game": 45, "03-optimal-discriminator": 45,
            "04-wasserstein-distance": 40, "05-game-dynamics": 20, "06-wgan": 70, "07-wgan-gp": 70,
            "08-other-objectives": 40, "09-mode-collapse": 120, "10-conditional-and-infogan": 50,
            "11-dcgan": 80}
TOTAL_BUDGET_S = sum(BUDGET_S.values())   # 600


def measure() -> list[Row]:
    """One row per chapter (time / budget) and one for the whole book; empty before a build."""
    records = verify.load_records(Path(__file__).resolve().parent.parent / "_build" / "ledgers")
    rows = []
    for record in records:
        budget = BUDGET_S.get(record["chapter"], 90)
        rows.append(Row(f"chapter {record['chapter']}", f"{record['seconds']:.1f} s of {budget} s",
                        record["seconds"] / budget, "<= 1", record["seconds"] <= budget))
    if records:
        total = sum(r["seconds"] for r in records)
        rows.append(Row("all chapters (2 cores)", f"{total:.1f} s of {TOTAL_BUDGET_S} s",
                        total / TOTAL_BUDGET_S, "<= 1", total <= TOTAL_BUDGET_S))
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
