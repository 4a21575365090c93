"""Steps per second of ganbook.train.train against a minimal hand-written torch loop.

Same models (MLP 2-64-64-2 / 2-64-64-1), same data (the 8-Gaussian ring), same objective
(non-saturating GAN, Adam 2e-4, batch 64, k = 1), measured in one run, alternating the two
loops over several repeats and keeping each one's best time (the least disturbed). The hand loop
uses torch's default Adam (a Python loop over parameters); the trainer's `make_optimizer` asks for
the fused kernel, so part of any lead is that choice, which a hand loop can make too.

    python benchmarks/train_throughput.py [--steps 500] [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

import ganbook
from ganbook import data, models, train
from table import Row, print_table


def make_models(seed: int):
    ganbook.setup(seed)
    return models.MLPGenerator(2, 2, (64, 64)), models.MLPDiscriminator(2, (64, 64))


def hand_loop(steps: int, seed: int = 0) -> float:
    """Algorithm 1 (k = 1, non-saturating) written out with nothing else."""
    G, D = make_models(seed)
    ring = data.ring()
    rng = torch.Generator().manual_seed(seed)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    started = time.perf_counter()
    for _ in range(steps):
        x = ring.sample(64, generator=rng)
        with torch.no_grad():
            fake = G(torch.randn(64, 2, generator=rng))
        d_loss = F.softplus(-D(x)).mean() + F.softplus(D(fake)).mean()
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = F.softplus(-D(G(torch.randn(64, 2, generator=rng)))).mean()
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
    return time.perf_counter() - started


def trainer(steps: int, seed: int = 0) -> float:
    G, D = make_models(seed)
    started = time.perf_counter()
    train.train(G, D, data.ring(), objective="nsgan", steps=steps, batch_size=64, seed=seed,
                progress=False)
    return time.perf_counter() - started


def measure(steps: int = 500, repeats: int = 5) -> list[Row]:
    best = {"hand loop": float("inf"), "ganbook.train": float("inf")}
    for _ in range(repeats):
        best["hand loop"] = min(best["hand loop"], hand_loop(steps))
        best["ganbook.train"] = min(best["ganbook.train"], trainer(steps))
    rate = {name: steps / seconds for name, seconds in best.items()}
    ratio = rate["ganbook.train"] / rate["hand loop"]
    return [Row("trainer vs hand-written loop", f"{rate['ganbook.train']:.0f} vs "
                f"{rate['hand loop']:.0f} steps/s", ratio, ">= 0.95", ratio >= 0.95)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print_table(measure(args.steps, args.repeats))


if __name__ == "__main__":
    main()
