"""`make bench`: every benchmark measured in one run, printed as one table of ratios.

Speed ratios are reported, not enforced (a loaded machine moves them); the W1 values must agree
within 1e-9 and the per-seed runs within float rounding, or the run fails.
"""

from __future__ import annotations

import chapter_times
import seeds_together
import stacked_flops
import train_throughput
import wasserstein
from table import print_table


def main() -> None:
    rows = (train_throughput.measure() + seeds_together.measure() + stacked_flops.measure() + wasserstein.measure()
            + chapter_times.measure())
    print_table(rows)
    if not chapter_times.measure():
        print("(no chapter times: build the book first, make book)")


if __name__ == "__main__":
    main()
