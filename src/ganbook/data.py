r"""Data with known laws: samplers for the book's toy targets, and the 8×8 digits.

Every sampler draws with a seeded ``torch.Generator`` on the CPU (so a seed gives the same
numbers on every machine) and returns ``float32`` tensors, moved to ``device`` when given.
Where the density is known it is available too (``pdf`` / ``log_prob``), so chapters can
compare a trained model with the exact answer.

Samplers expose ``dim`` (the dimension of one example) and ``sample(n, *, generator=None,
device=None)``. Labelled data (:class:`GaussianMixture` with ``labelled=True``, :func:`digits`)
also expose ``n_classes`` and return ``(x, y)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ganbook import _validate


def _count(n: int) -> int:
    return _validate.integer("n (the number of samples)", n, minimum=1)


def _labels(labels, n: int, k: int) -> Tensor:
    """Component indices: an integer tensor (or array) of shape (n,), each in [0, k)."""
    if not isinstance(labels, Tensor):
        labels = torch.as_tensor(np.asarray(labels))
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got {tuple(labels.shape)}")
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise TypeError(f"labels must be integers (component indices), got {labels.dtype}")
    labels = labels.cpu().long()
    if bool(((labels < 0) | (labels >= k)).any()):
        raise ValueError(f"labels must lie in [0, {k}) (one of the {k} components), "
                         f"got values from {int(labels.min())} to {int(labels.max())}")
    return labels


def _positions(index, n: int) -> Tensor:
    """Positions of examples for :meth:`TensorData.subset`: a non-empty 1-D integer sequence, each in [0, n)."""
    if not isinstance(index, Tensor):
        index = np.asarray(index)
    if index.ndim != 1 or index.shape[0] == 0:
        raise ValueError(f"index must be a non-empty 1-D sequence of positions, got shape {tuple(index.shape)}")
    if isinstance(index, Tensor):
        integer = not (index.is_floating_point() or index.is_complex() or index.dtype == torch.bool)
    else:
        integer = np.issubdtype(index.dtype, np.integer)              # bool is not np.integer
    if not integer:
        raise TypeError(f"index must be integer positions, got {index.dtype}")
    index = torch.as_tensor(index).cpu().long()
    if bool(((index < 0) | (index >= n)).any()):
        raise ValueError(f"index must lie in [0, {n}), got values from {int(index.min())} to {int(index.max())}")
    return index


def _to(x: Tensor, device) -> Tensor:
    return x if device is None else x.to(device)


class GaussianMixture:
    r"""Isotropic Gaussian mixture :math:`\sum_k w_k \mathcal N(\mu_k, \sigma_k^2 I)` in :math:`\mathbb R^d`.

    Args:
        means: ``(K, d)`` component means (a 1-D list is read as ``K`` means in one dimension).
        std: one :math:`\sigma` for all components or one per component.
        weights: mixing weights (default uniform); must be positive and sum to 1.
        labelled: when true, :meth:`sample` also returns the component index as a label.
    """

    def __init__(self, means, std, weights=None, *, labelled: bool = False):
        means = _validate.array("means", means, allow_empty=True)
        if means.ndim == 1:
            means = means[:, None]
        if means.ndim != 2 or means.size == 0:
            raise ValueError(f"means must be a non-empty (K, d) array, got shape {means.shape}")
        k = means.shape[0]
        std_in = _validate.array("std", std, finite=False)
        if std_in.shape not in ((), (1,), (k,)):
            raise ValueError(f"std must be one number or one per component ({k}), got shape {std_in.shape}")
        std = np.broadcast_to(std_in, (k,)).copy()
        if np.any(std <= 0) or not np.all(np.isfinite(std)):
            raise ValueError(f"std must be positive and finite, got {std}")
        if weights is None:
            weights = np.full(k, 1.0 / k)
        else:
            raw, weights = weights, _validate.array("weights", weights, finite=False)
            if weights.shape != (k,) or not np.all(np.isfinite(weights)) or np.any(weights <= 0) or \
                    abs(weights.sum() - 1) > max(1e-9, _validate.sum_tolerance(raw, k)):
                raise ValueError(f"weights must be {k} positive numbers summing to 1, got {weights}")
        self.means, self.std, self.weights = means, std, weights
        self.labelled = labelled
        # float32 copies for sampling, made once
        self._means = torch.as_tensor(means, dtype=torch.float32)
        self._std = torch.as_tensor(std, dtype=torch.float32)
        self._weights = torch.as_tensor(weights)

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    @property
    def n_classes(self) -> int | None:
        return len(self.means) if self.labelled else None

    def sample(self, n: int, *, generator: torch.Generator | None = None, device=None,
               labels: Tensor | None = None):
        """``n`` examples (and their component labels when ``labelled``).

        ``labels`` asks for given components instead of drawing them from the weights.
        """
        n = _count(n)
        if labels is None:         # drawn here: int64 indices in range, nothing to check
            labels = torch.multinomial(self._weights, n, replacement=True, generator=generator)
        else:
            labels = _labels(labels, n, len(self.means))
        x = self._means[labels] + self._std[labels, None] * torch.randn(n, self.dim, generator=generator)
        x = _to(x, device)
        return (x, _to(labels, device)) if self.labelled else x

    def _rows(self, x) -> np.ndarray:
        x = _validate.array("x", x)
        if x.size % self.dim or (x.ndim > 1 and x.shape[-1] != self.dim):
            raise ValueError(f"x must hold points of dimension {self.dim}, got shape {x.shape}")
        return x.reshape(-1, self.dim)

    def log_prob(self, x) -> np.ndarray:
        """Log-density at the rows of ``x`` (``(n, d)``, or ``(n,)`` in one dimension)."""
        x = self._rows(x)
        sq = ((x[:, None, :] - self.means[None]) ** 2).sum(-1)             # (n, K)
        log_comp = (np.log(self.weights) - self.dim * np.log(self.std)
                    - 0.5 * self.dim * np.log(2 * np.pi) - 0.5 * sq / self.std ** 2)
        top = log_comp.max(axis=1, keepdims=True)
        return (top + np.log(np.exp(log_comp - top).sum(axis=1, keepdims=True)))[:, 0]

    def pdf(self, x) -> np.ndarray:
        """Density at the rows of ``x``; a scalar in, a scalar out (for quadrature)."""
        value = np.exp(self.log_prob(x))
        return float(value[0]) if np.ndim(x) == 0 else value

    def posterior(self, x) -> np.ndarray:
        """:math:`p(k \\mid x)` for each row of ``x``: ``(n, K)``, rows summing to 1."""
        x = self._rows(x)
        sq = ((x[:, None, :] - self.means[None]) ** 2).sum(-1)
        log_comp = np.log(self.weights) - self.dim * np.log(self.std) - 0.5 * sq / self.std ** 2
        log_comp -= log_comp.max(axis=1, keepdims=True)
        p = np.exp(log_comp)
        return p / p.sum(axis=1, keepdims=True)


class Univariate:
    """A 1-D law given by a frozen ``scipy.stats`` distribution, sampled by its inverse CDF.

    The uniforms come from the seeded torch generator, so draws are reproducible like every
    other sampler here; ``pdf`` is the distribution's density.
    """

    dim = 1

    def __init__(self, distribution):
        from scipy import stats

        if not isinstance(getattr(distribution, "dist", None), stats.rv_continuous):
            raise ValueError("distribution must be a frozen continuous scipy.stats distribution "
                             f"(e.g. stats.norm(0, 1)), got {type(distribution).__name__}")
        self.distribution = distribution

    def sample(self, n: int, *, generator: torch.Generator | None = None, device=None) -> Tensor:
        u = torch.rand(_count(n), 1, generator=generator, dtype=torch.float64)
        # keep u inside (0, 1): ppf(0) and ppf(1) are infinite for unbounded laws
        u = u.clamp(1e-12, 1 - 1e-12).numpy()
        return _to(torch.as_tensor(self.distribution.ppf(u), dtype=torch.float32), device)

    def pdf(self, x):
        return self.distribution.pdf(x)


class Generated:
    """Samples of a generator held fixed: :math:`G(z)`, :math:`z \\sim \\mathcal N(0, I)`, without gradients.

    Lets a frozen generator stand where a sampler is expected, e.g. as the ``fake`` side of
    :func:`ganbook.train.fit_discriminator`.
    """

    def __init__(self, generator: torch.nn.Module):
        if not isinstance(generator, torch.nn.Module) or not hasattr(generator, "latent_dim"):
            raise ValueError("generator must have a latent_dim (a model of ganbook.models)")
        self.generator = generator
        self.dim = getattr(generator, "data_dim", None)

    def sample(self, n: int, *, generator: torch.Generator | None = None, device=None) -> Tensor:
        own = next(self.generator.parameters()).device
        z = torch.randn(_count(n), self.generator.latent_dim, generator=generator).to(own)
        with torch.no_grad():
            return _to(self.generator(z), device)


def gaussian(mean: float = 0.0, std: float = 1.0) -> GaussianMixture:
    """A 1-D Gaussian :math:`\\mathcal N(\\text{mean}, \\text{std}^2)` (a one-component mixture)."""
    return GaussianMixture([mean], std)


def ring(n_modes: int = 8, radius: float = 1.0, std: float = 0.01, *,
         labelled: bool = False) -> GaussianMixture:
    r"""The ring benchmark: ``n_modes`` Gaussians at :math:`r(\cos 2\pi k/K, \sin 2\pi k/K)`.

    Defaults follow VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018): 8 modes on
    the unit circle, :math:`\sigma = 0.01` (Metz et al. 2016 use a larger radius; the metrics
    scale with :math:`\sigma`). The angles are :math:`2\pi k / K` for :math:`k = 0..K-1`, so
    all :math:`K` modes are distinct.
    """
    n_modes = _validate.integer("n_modes", n_modes, minimum=1)
    radius = _validate.number("radius", radius, low=0.0, low_open=True)
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return GaussianMixture(radius * np.stack([np.cos(angles), np.sin(angles)], axis=1), std,
                           labelled=labelled)


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05, *,
         labelled: bool = False) -> GaussianMixture:
    r"""The grid benchmark: ``side * side`` Gaussians at :math:`\{-4, -2, 0, 2, 4\}^2`, :math:`\sigma = 0.05`.

    (Srivastava et al. 2017, VEEGAN; Lin et al. 2018, PacGAN.)
    """
    side = _validate.integer("side", side, minimum=1)
    spacing = _validate.number("spacing", spacing, low=0.0, low_open=True)
    ticks = spacing * (np.arange(side) - (side - 1) / 2)
    xx, yy = np.meshgrid(ticks, ticks, indexing="ij")
    return GaussianMixture(np.stack([xx.ravel(), yy.ravel()], axis=1), std, labelled=labelled)


@dataclass(frozen=True)
class DisjointLines:
    r"""The law of :math:`(\theta, Z)` with :math:`Z \sim U[0, 1]`: a segment on the line :math:`x = \theta`.

    With :math:`\theta = 0` it is :math:`P_0`, the target of the lectures' example where KL is
    infinite and JS is :math:`\log 2` for every :math:`\theta \ne 0` while :math:`W_1 = |\theta|`
    (Arjovsky et al. 2017, Example 1).
    """

    theta: float = 0.0
    dim: int = 2

    def __post_init__(self):
        _validate.number("theta", self.theta)
        if _validate.integer("dim", self.dim) != 2:
            raise ValueError(f"dim must be 2: the law lives in the plane (theta, Z), got {self.dim}")

    def sample(self, n: int, *, generator: torch.Generator | None = None, device=None) -> Tensor:
        n = _count(n)
        z = torch.rand(n, 1, generator=generator)
        return _to(torch.cat([torch.full((n, 1), float(self.theta)), z], dim=1), device)


class TensorData:
    """A finite dataset (optionally labelled) sampled uniformly with replacement."""

    def __init__(self, x: Tensor, labels: Tensor | None = None, n_classes: int | None = None):
        _validate.float_tensor("x", x)
        if x.dim() < 2 or x.numel() == 0:                 # no examples, or examples of size 0
            raise ValueError(f"x must be a non-empty batch (n, d, ...) of examples, got shape {tuple(x.shape)}")
        if not bool(torch.isfinite(x).all()):
            raise ValueError("x contains non-finite values (nan or inf)")
        if labels is not None:
            if n_classes is None:
                raise ValueError("n_classes must be given with labels")
            n_classes = _validate.integer("n_classes", n_classes, minimum=1)
            labels = _labels(labels, x.shape[0], n_classes)
        self.x, self.labels = x, labels
        self.n_classes = n_classes if labels is not None else None

    @property
    def dim(self):
        return tuple(self.x.shape[1:]) if self.x.dim() > 2 else self.x.shape[1]

    def __len__(self) -> int:
        return self.x.shape[0]

    def sample(self, n: int, *, generator: torch.Generator | None = None, device=None):
        index = torch.randint(len(self), (_count(n),), generator=generator)
        x = _to(self.x[index], device)
        return x if self.labels is None else (x, _to(self.labels[index], device))

    def subset(self, index) -> "TensorData":
        """The examples at ``index``, integer positions in ``[0, len)`` (e.g. a small training set).

        A boolean mask or float positions are refused: turned into integers, they would silently
        pick other examples (a mask ``[True, False]`` would become the positions ``[1, 0]``).
        """
        index = _positions(index, len(self))
        return TensorData(self.x[index], None if self.labels is None else self.labels[index],
                          self.n_classes)


def digits(*, size: int = 8, split: str = "all", test_fraction: float = 0.25,
           seed: int = 0) -> TensorData:
    """scikit-learn's 8×8 handwritten digits (1,797 images, shipped with scikit-learn).

    Images are ``(1, size, size)`` tensors scaled from [0, 16] to [-1, 1], labels 0-9.
    ``size=16`` upsamples by pixel repetition for architectures that need 16×16. ``split``
    is ``"all"``, ``"train"`` or ``"test"``: a stratified split fixed by ``seed``.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    seed = _validate.integer("seed", seed, minimum=0)
    test_fraction = _validate.number("test_fraction", test_fraction, low=0.0, high=1.0, low_open=True, high_open=True)
    if size not in (8, 16):
        raise ValueError(f"size must be 8 or 16, got {size}")
    if split not in ("all", "train", "test"):
        raise ValueError(f"split must be 'all', 'train' or 'test', got {split!r}")
    bunch = load_digits()
    images = torch.tensor(bunch.images, dtype=torch.float32)[:, None] / 8.0 - 1.0
    labels = torch.tensor(bunch.target, dtype=torch.long)
    if size == 16:
        images = images.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    if split != "all":
        train_idx, test_idx = train_test_split(np.arange(len(labels)), test_size=test_fraction,
                                               stratify=bunch.target, random_state=seed)
        keep = train_idx if split == "train" else test_idx
        images, labels = images[keep], labels[keep]
    return TensorData(images, labels, n_classes=10)


def mnist(root: str = "~/.cache/ganbook/mnist", *, train: bool = True) -> TensorData:
    """MNIST through torchvision (optional: needs torchvision and, the first time, a download).

    The book itself uses :func:`digits`, which ships with scikit-learn and needs no network.
    """
    try:
        from torchvision.datasets import MNIST
    except ImportError as error:
        raise RuntimeError("MNIST needs torchvision (`pip install torchvision`); "
                           "ganbook.data.digits() needs nothing more") from error
    try:
        dataset = MNIST(root, train=train, download=True)
    except (OSError, RuntimeError) as error:
        raise RuntimeError(f"MNIST could not be downloaded into {root} (offline?): connect once, "
                           "or use ganbook.data.digits(), which needs no network") from error
    images = dataset.data.float()[:, None] / 127.5 - 1.0
    return TensorData(images, dataset.targets.long(), n_classes=10)

