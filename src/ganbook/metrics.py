r"""How good are the samples? Mode metrics for the 2-D benchmarks, and a digits classifier.

* :func:`mode_metrics`: the three numbers of the mode-collapse literature (Metz et al. 2016;
  Srivastava et al. 2017, VEEGAN; Lin et al. 2018, PacGAN): modes captured, the share of
  high-quality samples, and the reverse KL between the mode histogram and uniform.
* :class:`DigitsClassifier` (:func:`digits_classifier`, cached per session): a small CNN trained
  on real digits only, giving label accuracy, class-histogram entropy and a Fréchet distance in
  its feature space (:func:`frechet_distance`, the "FID" of Heusel et al. 2017 on digits).
* :func:`nearest_distances` and :func:`copy_share`: does a generator reproduce its training
  images? Distances to the nearest training image, measured against fresh real images.

* ``w1_to_reference``: the exact Wasserstein-1 distance of generated samples to a fixed
  reference sample of the target (see :mod:`ganbook.transport`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from scipy import linalg
from torch import Tensor, nn

from ganbook import _validate, transport


def _array(name: str, value, ndim: int) -> np.ndarray:
    arr = _validate.array(name, value, finite=False, allow_empty=True)
    if arr.ndim != ndim or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (nan or inf)")
    return arr


@dataclass(frozen=True)
class ModeMetrics:
    """The mode-collapse metrics of one sample set."""

    modes_captured: int          # modes that are the nearest mean of >= 1 high-quality sample
    high_quality: float          # share of samples within `threshold` std of their nearest mean
    reverse_kl: float            # KL(histogram of high-quality samples over modes || uniform)
    counts: np.ndarray           # high-quality samples per mode


def mode_metrics(samples, centers, std: float, *, threshold: float = 3.0) -> ModeMetrics:
    r"""Modes captured, high-quality share and reverse KL, as the published code defines them.

    A sample is *high quality* when its Euclidean distance to the nearest mode mean is below
    ``threshold`` :math:`\times\,\sigma`; a mode is *captured* when it is the nearest mean of at
    least one high-quality sample. The reverse KL is :math:`\sum_k q_k \log(K q_k)`, with
    :math:`q` the histogram of high-quality samples over the :math:`K` modes (natural log;
    :math:`\log K` when all sit on one mode, 0 when spread evenly). With no high-quality sample
    at all, :math:`q` is undefined and the reverse KL is reported as ``inf``.
    The literature evaluates 2,500 samples.

    Claims: ``mode-collapse``, ``feature-matching``, ``minibatch-features``,
    ``critic-optimality-vs-collapse``, ``wgan-gp-defaults``. Chapters: 07, 09.
    """
    x, mu = _array("samples", samples, 2), _array("centers", centers, 2)
    if x.shape[1] != mu.shape[1]:
        raise ValueError(f"samples and centers differ in dimension: {x.shape[1]} vs {mu.shape[1]}")
    std = _validate.number("std", std, low=0.0, low_open=True)
    threshold = _validate.number("threshold", threshold, low=0.0, low_open=True)
    dist = np.sqrt(((x[:, None, :] - mu[None]) ** 2).sum(-1))
    nearest = dist.argmin(axis=1)
    good = dist[np.arange(len(x)), nearest] < threshold * std
    counts = np.bincount(nearest[good], minlength=len(mu))
    if counts.sum() == 0:
        reverse_kl = float("inf")
    else:
        q = counts / counts.sum()
        nz = q > 0
        reverse_kl = float(np.sum(q[nz] * np.log(len(mu) * q[nz])))
    return ModeMetrics(int((counts > 0).sum()), float(good.mean()), reverse_kl, counts)


def _flat(name: str, value) -> np.ndarray:
    """Examples as rows: images (any trailing shape) flattened, points on the line as ``(n, 1)``."""
    arr = _validate.array(name, value, finite=False, allow_empty=True)
    if arr.ndim == 1:
        return arr[:, None]
    # the row length spelled out: reshape(n, -1) cannot infer it for an empty batch (n = 0)
    return arr.reshape(len(arr), int(np.prod(arr.shape[1:]))) if arr.ndim > 2 else arr


def _samples_and_reference(samples, reference) -> tuple[np.ndarray, np.ndarray]:
    x = _array("samples", _flat("samples", samples), 2)
    ref = _array("reference", _flat("reference", reference), 2)
    if x.shape[1] != ref.shape[1]:
        raise ValueError(f"samples and reference differ in dimension: {x.shape[1]} vs {ref.shape[1]}")
    return x, ref


def w1_to_reference(samples, reference) -> float:
    r"""Exact :math:`W_1` between generated ``samples`` and a fixed ``reference`` sample of the target.

    .. math:: W_1(\hat\mu, \hat\nu) = \min_{\pi \in \Pi(\frac1n, \frac1m)} \sum_{ij} \pi_{ij} \|y_i - x_j\|_2

    between the uniform empirical measures of ``samples`` (``(n, d)``, e.g.
    ``train.generate(G, n, seed=...)``) and ``reference`` (``(m, d)``, drawn once from the
    target with a fixed seed, so every model and seed is measured against the same set).
    Points on the line may be ``(n,)``; images are compared as flattened vectors. In one
    dimension the closed form :func:`ganbook.transport.wasserstein1_1d` is used, elsewhere the
    exact linear program :func:`ganbook.transport.wasserstein1` (same value, Villani 2008,
    Remark 2.19). Even samples of the target itself are at :math:`W_1 > 0` from the
    reference (finite-sample error, :math:`O(n^{-1/d})`): compare with that floor.

    Claims: ``wgan-loss-tracks-quality``, ``wgan-gp-defaults``, ``w1-continuity``. Chapters: 02, 06, 07, 08.
    """
    x, ref = _samples_and_reference(samples, reference)
    if x.shape[1] == 1:
        return transport.wasserstein1_1d(x, ref)
    return transport.wasserstein1(x, ref)


def nearest_distances(samples, reference) -> np.ndarray:
    """Euclidean distance from each of ``samples`` to its nearest point of ``reference``.

    Images (any trailing shape) are compared as flattened vectors; returns one distance per sample.

    Claims: ``generator-never-sees-data``. Chapter: 11.
    """
    x, ref = _samples_and_reference(samples, reference)
    distances = torch.cdist(torch.as_tensor(x), torch.as_tensor(ref), compute_mode="donot_use_mm_for_euclid_dist")
    return distances.min(dim=1).values.numpy()


def copy_share(samples, train, fresh, *, quantile: float = 0.05) -> float:
    r"""Share of ``samples`` that are near-copies of a ``train`` image.

    A sample is a near-copy when its nearest training image is closer than :math:`\tau`, the
    ``quantile`` of the same distance for ``fresh`` real images that were not trained on. A
    generator that draws new images from the data distribution therefore scores about
    ``quantile``; one that reproduces its training set scores near 1.

    Claims: ``generator-never-sees-data``. Chapter: 11.
    """
    quantile = _validate.number("quantile", quantile, low=0.0, high=1.0, low_open=True, high_open=True)
    tau = np.quantile(nearest_distances(fresh, train), quantile)
    return float(np.mean(nearest_distances(samples, train) < tau))


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    r"""Fréchet distance between Gaussians :math:`\mathcal N(\mu_1, \Sigma_1)` and :math:`\mathcal N(\mu_2, \Sigma_2)`.

    .. math:: \|\mu_1 - \mu_2\|^2 + \operatorname{tr}\big(\Sigma_1 + \Sigma_2 - 2 (\Sigma_1 \Sigma_2)^{1/2}\big)

    (Dowson & Landau 1982; the FID of Heusel et al. 2017 applies it to network features.)
    """
    mu1, mu2 = _array("mu1", mu1, 1), _array("mu2", mu2, 1)
    sigma1, sigma2 = _array("sigma1", sigma1, 2), _array("sigma2", sigma2, 2)
    k = len(mu1)
    for name, arr, shape in (("mu2", mu2, (k,)), ("sigma1", sigma1, (k, k)), ("sigma2", sigma2, (k, k))):
        if arr.shape != shape:
            raise ValueError(f"{name} must have shape {shape} to match mu1 of shape {mu1.shape}, got {arr.shape}")
    sigma1, sigma2 = _covariance("sigma1", sigma1), _covariance("sigma2", sigma2)
    # tr (S1 S2)^{1/2} = tr (S1^{1/2} S2 S1^{1/2})^{1/2}: a symmetric PSD matrix, whose square
    # root's trace is the sum of the square roots of its eigenvalues (stable for singular S1, S2)
    w, v = linalg.eigh(sigma1)
    root1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    inner = linalg.eigvalsh(root1 @ sigma2 @ root1)
    trace_root = float(np.sum(np.sqrt(np.clip(inner, 0, None))))
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_root)


#: Relative round-off allowed in a covariance: asymmetry, and negative eigenvalues of a singular
#: one (np.cov of n < k samples gives eigenvalues of order -1e-16 times the largest).
COVARIANCE_TOL = 1e-8


def _covariance(name: str, sigma: np.ndarray) -> np.ndarray:
    """A covariance matrix: symmetric and positive semi-definite up to round-off, symmetrised."""
    scale = max(float(np.abs(sigma).max()), np.finfo(float).tiny)
    if np.abs(sigma - sigma.T).max() > COVARIANCE_TOL * scale:
        raise ValueError(f"{name} must be symmetric (a covariance matrix), "
                         f"asymmetry {np.abs(sigma - sigma.T).max():.3g}")
    sigma = 0.5 * (sigma + sigma.T)
    lowest = float(linalg.eigvalsh(sigma)[0])
    if lowest < -COVARIANCE_TOL * scale * len(sigma):
        raise ValueError(f"{name} must be positive semi-definite (a covariance matrix), "
                         f"has eigenvalue {lowest:.3g}")
    return sigma


class _DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Flatten())
        self.hidden = nn.Sequential(nn.Linear(32 * 4 * 4, 64), nn.ReLU())
        self.out = nn.Linear(64, 10)

    def features(self, x: Tensor) -> Tensor:
        return self.hidden(self.conv(x))

    def forward(self, x: Tensor) -> Tensor:
        return self.out(self.features(x))


class DigitsClassifier:
    """A CNN trained on real 8×8 digits (train split); ``test_accuracy`` on the held-out split."""

    def __init__(self, net: _DigitsNet, test_accuracy: float):
        self.net, self.test_accuracy = net.eval(), test_accuracy

    @staticmethod
    def _images(images: Tensor) -> Tensor:
        if not isinstance(images, Tensor) or not images.is_floating_point():
            raise TypeError(f"images must be a floating-point torch.Tensor, got "
                            f"{images.dtype if isinstance(images, Tensor) else type(images).__name__}")
        if images.dim() != 4 or images.shape[0] == 0 or images.shape[1:] not in ((1, 8, 8), (1, 16, 16)):
            raise ValueError(f"images must be (n, 1, 8, 8) or (n, 1, 16, 16) with n >= 1, got {tuple(images.shape)}")
        if not bool(torch.isfinite(images).all()):
            raise ValueError("images contains non-finite values (nan or inf)")
        images = images.detach().float().cpu()
        if images.shape[-1] == 16:  # back to 8x8 (the inverse of data.digits(size=16))
            images = F.avg_pool2d(images, 2)
        return images

    @torch.no_grad()
    def probabilities(self, images: Tensor) -> Tensor:
        return torch.softmax(self.net(self._images(images)), dim=1)

    @torch.no_grad()
    def features(self, images: Tensor) -> np.ndarray:
        """The penultimate layer (64 features), for :func:`fid`."""
        return self.net.features(self._images(images)).numpy().astype(float)

    def predict(self, images: Tensor) -> Tensor:
        return self.probabilities(images).argmax(dim=1)

    def label_accuracy(self, images: Tensor, labels: Tensor) -> float:
        """Share of ``images`` classified as their requested ``labels``."""
        if not isinstance(labels, Tensor) or labels.shape != images.shape[:1] or \
                labels.dtype not in (torch.int64, torch.int32):
            raise ValueError(f"labels must be an integer tensor of shape ({len(images)},), got "
                             f"{getattr(labels, 'dtype', type(labels).__name__)} {tuple(getattr(labels, 'shape', ()))}")
        return float((self.predict(images) == labels.cpu()).float().mean())

    def class_entropy(self, images: Tensor) -> float:
        """Entropy (nats) of the histogram of predicted classes: log 10 when all classes are equally common."""
        counts = torch.bincount(self.predict(images)).double()    # absent classes add nothing
        q = counts / counts.sum()
        q = q[q > 0]
        return float(-(q * q.log()).sum()) + 0.0   # + 0.0: a single class gives 0, not -0

    def confidence(self, images: Tensor) -> float:
        """Mean probability of the predicted class."""
        return float(self.probabilities(images).max(dim=1).values.mean())

    def fid(self, real: Tensor, fake: Tensor) -> float:
        """Fréchet distance between Gaussians fitted to the features of ``real`` and ``fake``."""
        for name, images in (("real", real), ("fake", fake)):
            if len(images) < 2:
                raise ValueError(f"{name} needs at least 2 images for a covariance, got {len(images)}")
        fr, ff = self.features(real), self.features(fake)
        return frechet_distance(fr.mean(0), np.cov(fr, rowvar=False),
                                ff.mean(0), np.cov(ff, rowvar=False))


@lru_cache(maxsize=None)
def digits_classifier(seed: int = 0, epochs: int = 30) -> DigitsClassifier:
    """Train (once per session and seed) the digits classifier on the train split of :func:`ganbook.data.digits`."""
    from ganbook.data import digits

    seed = _validate.integer("seed", seed, minimum=0)
    epochs = _validate.integer("epochs", epochs, minimum=1)
    train, test = digits(split="train", seed=seed), digits(split="test", seed=seed)
    rng = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        net = _DigitsNet()
    optimizer = torch.optim.Adam(net.parameters(), lr=2e-3)
    for _ in range(epochs):
        order = torch.randperm(len(train), generator=rng)
        for start in range(0, len(train), 64):
            index = order[start:start + 64]
            loss = F.cross_entropy(net(train.x[index]), train.labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    net.eval()
    with torch.no_grad():
        accuracy = float((net(test.x).argmax(1) == test.labels).float().mean())
    return DigitsClassifier(net, accuracy)
