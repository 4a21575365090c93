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

BUDGET_S = {"01-cross-entropy": 60, "02-minimax-game": 90, "03-optimal-discriminator": 90,
            "04-wasserstein-distance": 90, "05-game-dynamics": 60, "06-wgan": 90, "07-wgan-gp": 90,
            "08-other-objectives": 90, "09-mode-collapse": 120, "10-conditional-and-infogan": 90,
            "11-dcgan": 120}
TOTAL_BUDGET_S = 600


def main() -> int:
    records = verify.load_records(Path(__file__).resolve().parent.parent / "_build" / "ledgers")
    if not records:
        print("no ledger records: build the book first (make book)")
        return 1
    over = 0
    print(f"{'chapter':<28} {'seconds':>8} {'budget':>7}")
    for record in records:
        budget = BUDGET_S.get(record["chapter"], 90)
        flag = "" if record["seconds"] <= budget else "  over budget"
        over += bool(flag)
        print(f"{record['chapter']:<28} {record['seconds']:>8.1f} {budget:>7}{flag}")
    total = sum(r["seconds"] for r in records)
    print(f"{'all chapters':<28} {total:>8.1f} {TOTAL_BUDGET_S:>7}"
          + ("" if total <= TOTAL_BUDGET_S else "  over budget"))
    return 1 if over or total > TOTAL_BUDGET_S else 0


if __name__ == "__main__":
    sys.exit(main())
