"""Achieved GFLOP/s of the stacked trainer on the ring benchmark, against the machine's matmul.

The configuration of chapter 09 (`ganbook.mode_runs.Config`: 8 seeds stacked, MLPs of 3 x 64
units, batch 128, non-saturating GAN). Floating-point operations are counted from the layer
shapes: a linear layer of `i` inputs and `o` outputs costs `2 i o` per example forward and about
twice that backward (gradients of its input and of its weights), once when its weights are frozen
(input gradients only). One generator step of Algorithm 1 (k = 1) is then, per seed and example,
`4 f_G + 8 f_D` forward costs: the discriminator step runs G forward (`f_G`), D forward on the
real and the fake batch and D backward on both (`6 f_D`); the generator step runs G and D forward,
D backward with its weights frozen and G backward (`3 f_G + 2 f_D`). (The first layer's input
gradient, never needed, is counted anyway: at 2 inputs it is under 1 % of the total.) The machine's rate is measured in the same run on
the matmul these layers are made of: a batched `(K, m, 64) @ (K, 64, 64)` product, the best a
trainer of these shapes could reach. Reported, not enforced.

A second row measures the same step written out by hand on the same stacked models, with each
seed's data and noise drawn from its own generator as the trainer draws them, and nothing else
(no records, gradient norms or input checks): what eager torch reaches on this machine for this
job, and so how much of the gap to the matmul rate is the trainer's own.

    python benchmarks/stacked_flops.py [--steps 300] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

import ganbook
from ganbook import mode_runs, models, stacked
from table import Row, print_table


def layer_flops(sizes: list[int]) -> int:
    """Forward FLOPs per example of an MLP with these layer sizes (input first)."""
    return sum(2 * i * o for i, o in zip(sizes, sizes[1:]))


def step_flops(config: mode_runs.Config) -> float:
    hidden = list(config.hidden)
    f_g, f_d = layer_flops([2, *hidden, 2]), layer_flops([2, *hidden, 1])
    return len(config.seeds) * config.batch_size * (4 * f_g + 8 * f_d)


def trainer_seconds(config: mode_runs.Config, steps: int) -> float:
    started = time.perf_counter()
    mode_runs.train_method("ring", "GAN", config, phases=(steps, 0), evaluate=False, progress=False)
    return time.perf_counter() - started


def hand_seconds(config: mode_runs.Config, steps: int) -> float:
    """Algorithm 1 (k = 1, non-saturating) on the stacked models, written out with nothing else."""
    lanes = []
    for seed in config.seeds:
        ganbook.setup(seed)
        lanes.append((models.MLPGenerator(2, 2, config.hidden), models.MLPDiscriminator(2, config.hidden)))
    G, D = stacked.stack([g for g, _ in lanes]), stacked.stack([d for _, d in lanes])
    ring, _ = mode_runs.target("ring")
    rngs = [torch.Generator().manual_seed(seed) for seed in config.seeds]
    m = config.batch_size
    noise = lambda: torch.stack([torch.randn(m, 2, generator=rng) for rng in rngs])
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr, betas=config.betas, fused=True)
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr, betas=config.betas, fused=True)
    started = time.perf_counter()
    for _ in range(steps):
        x = torch.stack([ring.sample(m, generator=rng) for rng in rngs])
        with torch.no_grad():
            fake = G(noise())
        d_loss = (F.softplus(-D(x)).mean(-1) + F.softplus(D(fake)).mean(-1)).sum()
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        for p in D.parameters():
            p.requires_grad_(False)
        g_loss = F.softplus(-D(G(noise()))).mean(-1).sum()
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        for p in D.parameters():
            p.requires_grad_(True)
    return time.perf_counter() - started


def matmul_gflops(config: mode_runs.Config, repeats: int = 200) -> float:
    k, m, width = len(config.seeds), config.batch_size, config.hidden[0]
    a, b = torch.randn(k, m, width), torch.randn(k, width, width)
    torch.bmm(a, b)
    started = time.perf_counter()
    for _ in range(repeats):
        torch.bmm(a, b)
    return 2 * k * m * width * width * repeats / (time.perf_counter() - started) / 1e9


def measure(steps: int = 300, repeats: int = 3) -> list[Row]:
    config = mode_runs.Config()
    best = {"trainer": float("inf"), "hand": float("inf")}
    for _ in range(repeats):          # alternated, each one's best time (the least disturbed)
        best["trainer"] = min(best["trainer"], trainer_seconds(config, steps))
        best["hand"] = min(best["hand"], hand_seconds(config, steps))
    peak = max(matmul_gflops(config) for _ in range(repeats))
    rows = []
    for name, label in (("trainer", "stacked trainer"), ("hand", "hand-written stacked step")):
        achieved = step_flops(config) * steps / best[name] / 1e9
        ratio = achieved / peak
        rows.append(Row(f"{label}, ring (8 seeds, 3x64, batch 128)",
                        f"{achieved:.2f} of {peak:.2f} GFLOP/s ({steps / best[name]:.0f} steps/s)", ratio,
                        ">= 0.6", ratio >= 0.6))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print_table(measure(args.steps, args.repeats))


if __name__ == "__main__":
    main()
