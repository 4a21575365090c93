"""Achieved GFLOP/s of the stacked trainer on the ring benchmark, against the machine's matmul.

The configuration of chapter 09 (`ganbook.mode_runs.Config`: 8 seeds stacked, MLPs of 3 x 64
units, batch 128, non-saturating GAN). Floating-point operations are counted from the layer
shapes: a linear layer of `i` inputs and `o` outputs costs `2 i o` per example forward and about
twice that backward (gradients of its input and of its weights). One generator step of Algorithm 1
(k = 1) is then, per seed and example, `4 f_G + 9 f_D` forward-layer costs: the discriminator step
runs G forward, D forward on the real and the fake batch and D backward on both; the generator
step runs G and D forward and both backward. The machine's rate is measured in the same run on
the matmul these layers are made of: a batched `(K, m, 64) @ (K, 64, 64)` product, the best a
trainer of these shapes could reach. Reported, not enforced.

    python benchmarks/stacked_flops.py [--steps 300] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

import torch

from ganbook import mode_runs
from table import Row, print_table


def layer_flops(sizes: list[int]) -> int:
    """Forward FLOPs per example of an MLP with these layer sizes (input first)."""
    return sum(2 * i * o for i, o in zip(sizes, sizes[1:]))


def step_flops(config: mode_runs.Config) -> float:
    hidden = list(config.hidden)
    f_g, f_d = layer_flops([2, *hidden, 2]), layer_flops([2, *hidden, 1])
    return len(config.seeds) * config.batch_size * (4 * f_g + 9 * f_d)


def trainer_seconds(config: mode_runs.Config, steps: int) -> float:
    started = time.perf_counter()
    mode_runs.train_method("ring", "GAN", config, phases=(steps, 0), evaluate=False, progress=False)
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
    seconds = min(trainer_seconds(config, steps) for _ in range(repeats))
    achieved = step_flops(config) * steps / seconds / 1e9
    peak = max(matmul_gflops(config) for _ in range(repeats))
    ratio = achieved / peak
    return [Row("stacked trainer, ring (8 seeds, 3x64, batch 128)",
                f"{achieved:.2f} of {peak:.2f} GFLOP/s ({steps / seconds:.0f} steps/s)", ratio, ">= 0.6",
                ratio >= 0.6)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print_table(measure(args.steps, args.repeats))


if __name__ == "__main__":
    main()
