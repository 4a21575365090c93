"""K seeds trained together (ganbook.train.train_seeds) against the same K runs one after another.

The small MLP GAN of the benchmarks (2-64-64-2 / 2-64-64-1) on the 8-Gaussian ring, non-saturating
loss, Adam 2e-4, batch 64, K = 8 seeds; best of a few repeats for each way. The runs agree seed by
seed up to float rounding (tests/test_train_seeds.py checks it; here the largest difference in the
discriminator losses is printed too).

    python benchmarks/seeds_together.py [--steps 400] [--seeds 8] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import ganbook
from ganbook import data, models, train
from table import Row, print_table


def build(seed: int):
    return models.MLPGenerator(2, 2, (64, 64)), models.MLPDiscriminator(2, (64, 64))


def sequential(seeds, steps):
    started, histories = time.perf_counter(), []
    for seed in seeds:
        ganbook.setup(seed)
        G, D = build(seed)
        histories.append(train.train(G, D, data.ring(), steps=steps, seed=seed, progress=False))
    return time.perf_counter() - started, histories


def together(seeds, steps):
    started = time.perf_counter()
    runs = train.train_seeds(build, data.ring(), seeds=seeds, steps=steps, progress=False)
    return time.perf_counter() - started, [run.history for run in runs]


def measure(steps: int = 400, n_seeds: int = 8, repeats: int = 3) -> list[Row]:
    seeds = list(range(n_seeds))
    together(seeds[:2], 5)                              # warm-up: first calls allocate
    best_seq = best_tog = float("inf")
    for _ in range(repeats):
        t_seq, h_seq = sequential(seeds, steps)
        t_tog, h_tog = together(seeds, steps)
        best_seq, best_tog = min(best_seq, t_seq), min(best_tog, t_tog)
    # early steps, before float rounding is amplified by the game's dynamics
    gap = max(np.abs(a.d_loss[:20] - b.d_loss[:20]).max() for a, b in zip(h_seq, h_tog))
    speedup = best_seq / best_tog
    return [Row(f"{n_seeds} seeds together vs one by one", f"{best_seq:.2f} s vs {best_tog:.2f} s, "
                f"|d_loss gap| {gap:.1e} (first 20 steps)", speedup, ">= 4", speedup >= 4)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print_table(measure(args.steps, args.seeds, args.repeats))


if __name__ == "__main__":
    main()
