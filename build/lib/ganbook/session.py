"""One call that makes a chapter reproducible: seeds, deterministic CPU ops, device, size profile."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import torch

PROFILES = ("cpu", "gpu")
T = TypeVar("T")


@dataclass(frozen=True)
class Session:
    """What :func:`setup` chose: the device, the size profile and the seed."""

    device: torch.device
    profile: str
    seed: int

    def size(self, *, cpu: T, gpu: T) -> T:
        """Pick the value for the current profile: ``cpu`` (small, CI) or ``gpu`` (larger)."""
        return cpu if self.profile == "cpu" else gpu


def pick_device() -> torch.device:
    """CUDA when present, then Apple's MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup(seed: int = 0, profile: str | None = None) -> Session:
    """Seed everything, make torch deterministic on the CPU, pick the device and the size profile.

    The profile is ``profile`` when given, else the environment variable ``GANBOOK_PROFILE``,
    else ``"gpu"`` when CUDA is present and ``"cpu"`` otherwise. Chapters size their training
    with :meth:`Session.size`, and their checks must hold at both sizes.

    Used by every chapter's setup cell.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    device = pick_device()
    chosen = profile or os.environ.get("GANBOOK_PROFILE") or (
        "gpu" if device.type == "cuda" else "cpu")
    if chosen not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {chosen!r}")
    seed_everything(int(seed))
    # Bit-identical CPU runs: refuse nondeterministic kernels (warn only on accelerators,
    # where some kernels have no deterministic variant).
    torch.use_deterministic_algorithms(True, warn_only=device.type != "cpu")
    return Session(device=device, profile=chosen, seed=int(seed))
