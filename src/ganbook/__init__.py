"""ganbook: GANs, verified — the package behind the executable book.

Chapters and readers import from here: :func:`setup` (seeds, device, size profile), the claims
and the ledger (:mod:`ganbook.claims`, :mod:`ganbook.verify`) and the theory
(:mod:`ganbook.theory`).
"""

try:
    import torch  # noqa: F401
except ImportError as error:  # torch is not a declared dependency (see pyproject.toml)
    raise ImportError(
        "ganbook needs PyTorch: install it first (in the book's repository `make` installs "
        "the pinned CPU build torch==2.13.0; Colab already has one)") from error

from ganbook import claims, theory, verify
from ganbook.session import Session, setup
from ganbook.verify import ClaimCheckFailed, Ledger

__version__ = "0.1.0"
__all__ = ["ClaimCheckFailed", "Ledger", "Session", "claims", "setup", "theory", "verify"]
