"""ganbook.transport.wasserstein1 against POT's emd2 on the same point clouds.

Equal-size uniform clouds in 2-D (n = 300, 1000, 2000): the values must agree within 1e-9; the
time ratio (ganbook / POT, best of a few repeats, both including the cost matrix) is printed.

    python benchmarks/wasserstein.py [--sizes 300 1000 2000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import ot

from ganbook import transport
from table import Row, print_table


def best_time(function, repeats: int) -> tuple[float, float]:
    best, value = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - started)
    return best, value


def measure(sizes=(300, 1000, 2000), repeats: int = 3) -> list[Row]:
    """One row per size; raises when the values differ by more than 1e-9."""
    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        x, y = rng.normal(size=(n, 2)), rng.normal(size=(n, 2)) + [1.0, 0.5]
        weights = np.full(n, 1.0 / n)
        ours, value = best_time(lambda: transport.wasserstein1(x, y), repeats)
        pot, reference = best_time(lambda: ot.emd2(weights, weights, ot.dist(x, y, metric="euclidean"),
                                                    numItermax=10_000_000), repeats)
        difference = abs(value - reference)
        if difference > 1e-9:
            raise SystemExit(f"n = {n}: values differ by {difference:.3e} > 1e-9")
        rows.append(Row(f"wasserstein1 vs POT emd2, n = {n}",
                        f"{ours:.3f} s vs {pot:.3f} s, |difference| {difference:.1e}",
                        ours / pot, "<= 2", ours / pot <= 2))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 2000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print_table(measure(args.sizes, args.repeats))


if __name__ == "__main__":
    main()
