"""One call that makes a chapter reproducible (seeds, deterministic CPU ops, device, size profile); progress bars."""

from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import torch

from ganbook import _validate

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


def _seed(seed) -> int:
    """A seed every generator takes: an integer in [0, 2**32) (NumPy's range)."""
    return _validate.integer("seed", seed, minimum=0, maximum=2 ** 32 - 1)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global generators (``seed`` in [0, 2**32))."""
    seed = _seed(seed)
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
    seed = _seed(seed)
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


def _widgets() -> bool:
    """Running in a notebook kernel that can draw widget progress bars (Colab, Jupyter)."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def show_progress() -> bool:
    """Progress bars unless ``CI`` is set: in a terminal, or in a notebook with widgets.

    (A kernel without ipywidgets, as in the book's build, gets none: tqdm's notebook bar would
    write a warning into the page instead.)
    """
    if os.environ.get("CI"):
        return False
    return sys.stderr.isatty() or _widgets()


def progress_bar(iterable, *, desc: str, show: bool | None = None):
    """``iterable`` wrapped in a tqdm bar (a widget in notebooks) when :func:`show_progress` allows."""
    if not (show_progress() if show is None else show):
        return iterable
    if _widgets():
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm(iterable, desc=desc, leave=False)
