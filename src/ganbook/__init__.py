"""ganbook: GANs, verified — the package behind the executable book.

:func:`setup` seeds everything and picks the device and size profile; :mod:`ganbook.claims`
and :mod:`ganbook.verify` hold the claims and the ledger that checks them; the rest is the
machinery the chapters use: :mod:`~ganbook.theory`, :mod:`~ganbook.losses`,
:mod:`~ganbook.penalties`, :mod:`~ganbook.transport`, :mod:`~ganbook.dynamics`, :mod:`~ganbook.data`,
:mod:`~ganbook.models`, :mod:`~ganbook.train` (entry points of the one training engine,
:mod:`~ganbook.engine`, with its :mod:`~ganbook.settings`, and :mod:`~ganbook.stacked` for seeds
trained together), :mod:`~ganbook.metrics`, :mod:`~ganbook.summary` (seed summaries and tables),
:mod:`~ganbook.plots`; and, imported by name, :mod:`~ganbook.benchmarks` (the published mode
benchmarks), :mod:`~ganbook.mode_runs` (our runs of them), :mod:`~ganbook.wgan_runs` (the WGAN
arms of chapter 06) and :mod:`~ganbook.reference` (reference runs at a published budget, stored
with their provenance).

Torch: 2.9 or later (tested with 2.13); the trainer falls back to older spellings where an API
it prefers is newer (``torch.nn.utils.get_total_norm``, fused CPU optimisers).
"""

try:
    import torch  # noqa: F401
except ImportError as error:  # torch is not a declared dependency (see pyproject.toml)
    raise ImportError(
        "ganbook needs PyTorch: install it first (in the book's repository `make` installs "
        "the pinned CPU build torch==2.13.0; Colab already has one)") from error

from ganbook import (claims, data, dynamics, engine, losses, metrics, models, penalties, plots, settings,
                     stacked, summary, theory, train, transport, verify)
from ganbook.session import Session, setup
from ganbook.verify import ClaimCheckFailed, Ledger

__version__ = "0.1.0"
__all__ = ["ClaimCheckFailed", "Ledger", "Session", "claims", "data", "dynamics", "engine", "losses", "metrics",
           "models", "penalties", "plots", "settings", "setup", "stacked", "summary", "theory", "train", "transport",
           "verify"]
