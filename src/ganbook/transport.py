r"""Exact optimal transport between empirical measures: the Wasserstein-1 distance and its dual.

* :func:`wasserstein1`: :math:`W_1(\mu, \nu) = \min_{\pi \in \Pi(a, b)} \sum_{ij} \pi_{ij} \|x_i - y_j\|_2`
  for :math:`\mu = \sum_i a_i \delta_{x_i}`, :math:`\nu = \sum_j b_j \delta_{y_j}` in :math:`\mathbb R^d`,
  solved exactly by the network simplex of POT (``ot.emd``). For equal sizes and uniform
  weights the problem is also an assignment (Birkhoff), which ``scipy.optimize.linear_sum_assignment``
  solves exactly too; the network simplex was faster at every size measured
  (``benchmarks/wasserstein.py``: 2.4x at n = 300, 11x at n = 2000 on 2 cores), so it is the
  implementation and the assignment is the tests' independent cross-check.
* :func:`minibatch_w1`: :math:`W_1` between two minibatches as a differentiable torch scalar, the
  loss a generator receives from a critic solved to optimality on every batch.
* :func:`wasserstein1_1d`: the 1-D closed form :math:`\int |F_\mu - F_\nu|`, a cross-check.
* :func:`kantorovich_dual`: the Kantorovich–Rubinstein dual as a linear program over the
  values of a 1-Lipschitz potential on the support, :math:`\max \sum_i a_i f(x_i) - \sum_j b_j f(y_j)`.

(Villani 2008, Thm 5.10 and Remark 6.5; Arjovsky et al. 2017, eq. 2 and Thm 3.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.spatial.distance import cdist

from ganbook import _validate

#: Coordinates beyond 2**400 in magnitude (or all below 2**-400) would overflow (underflow)
#: the squared differences of the Euclidean distance: such clouds are scaled by a power of 2 first.
SAFE_SCALE = 2.0 ** 400
#: Distances below this (2**-500) are recomputed from their differences, scaled: their squares
#: would be subnormal (below 2**-1022) or 0 and lose their digits.
TINY_DISTANCE = 2.0 ** -500
#: The dual linear program is solved on distances rescaled (by a power of 2) into this range.
LP_RANGE = (2.0 ** -20, 2.0 ** 20)


def _points(name: str, value: Any) -> np.ndarray:
    arr = _validate.array(name, value, allow_empty=True)          # refuses nan and inf by name
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty (n, d) array of points, got shape {arr.shape}")
    return arr


def _weights(name: str, value: Any, n: int) -> np.ndarray:
    if value is None:
        return np.full(n, 1.0 / n)
    w = _validate.array(name, value, finite=False, allow_empty=True)
    if w.shape != (n,):
        raise ValueError(f"{name} must have one weight per point ({n}), got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"{name} must be non-negative and finite")
    if abs(w.sum() - 1.0) > _validate.sum_tolerance(value, n):
        raise ValueError(f"{name} must sum to 1, sums to {w.sum():.12g}")
    return w


def _measures(x, y, a, b):
    x, y = _points("x", x), _points("y", y)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y live in different dimensions: {x.shape[1]} vs {y.shape[1]}")
    return x, y, _weights("a", a, len(x)), _weights("b", b, len(y))


def _cost(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Euclidean distances between the rows of x and y, without overflow or underflow.

    Outside :data:`SAFE_SCALE` both clouds are divided by a power of 2 (exact) and the
    distances multiplied back: :math:`\|x - y\| = s \|x/s - y/s\|`; a distance below
    :data:`TINY_DISTANCE` (whose squared differences underflow) is recomputed with its difference scaled.
    """
    top = max(np.abs(x).max(), np.abs(y).max())
    scale = 1.0 if top == 0 or 1 / SAFE_SCALE <= top <= SAFE_SCALE else 2.0 ** np.floor(np.log2(top))
    x, y = x / scale, y / scale
    cost = cdist(x, y)
    # a distance below TINY_DISTANCE summed squares that were subnormal or 0 (a difference of 1e-170
    # squares to 0 even between points near 1): recompute it from the difference scaled to order 1,
    # ||d|| = |d|_max ||d / |d|_max||; equal points (|d|_max = 0, often many) keep their exact 0
    i, j = np.nonzero(cost < TINY_DISTANCE)
    diff = x[i] - y[j]
    size = np.abs(diff).max(axis=1)
    moved = size > 0
    cost[i[moved], j[moved]] = size[moved] * np.linalg.norm(diff[moved] / size[moved, None], axis=1)
    return cost * scale


def wasserstein1(x, y, a=None, b=None, *, return_plan: bool = False):
    r"""Exact :math:`W_1` between two weighted point clouds (Euclidean ground cost).

    Args:
        x: ``(n, d)`` points (or ``(n,)`` on the line); y: ``(m, d)``.
        a, b: weights (default uniform), non-negative, each summing to 1.
        return_plan: also return the optimal coupling :math:`\pi` (``(n, m)``).
    Returns: the distance, or ``(distance, plan)``.

    Claims: ``disjoint-w1-abs-theta``, ``earth-mover-plans``, ``kantorovich-rubinstein``,
    ``w1-continuity``, ``wgan-loss-tracks-quality``. Chapters: 02, 04, 06, 07, 09.
    """
    import ot

    x, y, a, b = _measures(x, y, a, b)
    cost = _cost(x, y)
    plan = ot.emd(a, b, cost, numItermax=10_000_000)
    value = float(np.sum(plan * cost))
    return (value, plan) if return_plan else value


def minibatch_w1(real, fake):
    r"""Exact :math:`W_1` between two uniform minibatches, differentiable: the optimal critic's value.

    By Kantorovich–Rubinstein duality, :math:`W_1` between the batches equals
    :math:`\max_{\|f\|_L \le 1} \tfrac1m \sum_j f(x_j) - \tfrac1n \sum_i f(y_i)`, the objective of a
    WGAN critic trained to optimality on them (Arjovsky et al. 2017, eq. 2). The optimal plan
    :math:`\pi^*` is found exactly on detached points; the returned
    :math:`\sum_{ij} \pi^*_{ij} \|y_i - x_j\|` then has, by Danskin's theorem, the gradient of
    :math:`W_1` itself: each generated point :math:`y_i` is pulled along the unit vectors towards
    the real points it is coupled with. Real before fake, as in :mod:`ganbook.losses`; the value is
    symmetric. Batches whose coordinates would overflow (or underflow) the squared differences are
    scaled by a power of 2 first, exactly.

    Args:
        real: ``(m, d)`` tensor, the data batch :math:`x`.
        fake: ``(n, d)`` tensor, the generated batch :math:`y` (gradients flow through it).

    Claims: ``critic-optimality-vs-collapse``. Chapter: 09.
    """
    import ot
    import torch

    for name, batch in (("real", real), ("fake", fake)):
        if not isinstance(batch, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(batch).__name__}")
        if batch.dtype not in (torch.float32, torch.float64):
            raise TypeError(f"{name} must be float32 or float64 (the distances are exact only there), "
                            f"got {batch.dtype}")
        if batch.dim() != 2 or 0 in batch.shape:
            raise ValueError(f"{name} must be a non-empty (n, d) tensor, got shape {tuple(batch.shape)}")
        if not bool(torch.isfinite(batch).all()):
            raise ValueError(f"{name} contains non-finite values (nan or inf)")
    if fake.shape[1] != real.shape[1]:
        raise ValueError(f"real and fake live in different dimensions: {real.shape[1]} vs {fake.shape[1]}")
    real = real.to(fake.dtype)
    # ||y - x|| = s ||y/s - x/s|| for a power of 2 s: exact, and keeps the squares finite and normal
    safe = torch.finfo(fake.dtype).max ** 0.25
    top = max(fake.detach().abs().max().item(), real.detach().abs().max().item())
    scale = 1.0 if top == 0 or 1 / safe <= top <= safe else 2.0 ** np.floor(np.log2(top))
    cost = torch.cdist(fake / scale, real / scale, compute_mode="donot_use_mm_for_euclid_dist") * scale
    n, m = cost.shape
    plan = ot.emd(np.full(n, 1.0 / n), np.full(m, 1.0 / m), cost.detach().cpu().double().numpy())
    return (torch.as_tensor(plan, dtype=cost.dtype, device=cost.device) * cost).sum()


def wasserstein1_1d(x, y, a=None, b=None) -> float:
    r""":math:`W_1` on the line by the closed form :math:`\int_{\mathbb R} |F_\mu(t) - F_\nu(t)|\,dt`."""
    x, y, a, b = _measures(x, y, a, b)
    if x.shape[1] != 1:
        raise ValueError(f"wasserstein1_1d needs points on the line, got dimension {x.shape[1]}")
    points = np.concatenate([x[:, 0], y[:, 0]])
    order = np.argsort(points, kind="stable")
    signed = np.concatenate([a, -b])[order]          # F_mu - F_nu jumps by +a_i or -b_j
    gaps = np.diff(points[order])
    return float(np.sum(np.abs(np.cumsum(signed)[:-1]) * gaps))


@dataclass(frozen=True)
class DualSolution:
    """The Kantorovich–Rubinstein dual: its value and the optimal potential on the support."""

    value: float
    f_x: np.ndarray        # f at the points of x
    f_y: np.ndarray        # f at the points of y
    primal: float          # W1 by the primal problem, for the duality check
    duality_gap: float     # |primal - value|


def kantorovich_dual(x, y, a=None, b=None, *, lipschitz: float = 1.0) -> DualSolution:
    r"""Solve :math:`\max_f \sum_i a_i f(x_i) - \sum_j b_j f(y_j)` over :math:`K`-Lipschitz ``f``.

    The unknowns are the values of :math:`f` on the support :math:`S = \{x_i\} \cup \{y_j\}`,
    constrained by :math:`f(s) - f(t) \le K \|s - t\|` for every pair of support points (such
    values extend to a :math:`K`-Lipschitz function on :math:`\mathbb R^d`, McShane 1934). The
    optimum equals :math:`K\,W_1` (Kantorovich–Rubinstein); the primal value and the gap are
    returned to check it. Size: :math:`(n+m)^2` constraints, meant for a few hundred points.

    Claims: ``kantorovich-rubinstein``, ``wgan-generator-gradient``, ``wgan-gp-unit-gradient``.
    Chapters: 04, 06, 07.
    """
    lipschitz = _validate.number("lipschitz (the constant K)", lipschitz, low=0.0, low_open=True)
    x, y, a, b = _measures(x, y, a, b)
    support = np.concatenate([x, y])
    n, size = len(x), len(x) + len(y)
    c = -np.concatenate([a, -b])                      # linprog minimises: -(a.f_x - b.f_y)
    dist = _cost(support, support)
    s, t = np.nonzero(~np.eye(size, dtype=bool))
    rows = np.arange(len(s))                          # f(s) - f(t) <= K ||s - t||
    A = sparse.csr_matrix((np.concatenate([np.ones(len(s)), -np.ones(len(s))]),
                           (np.concatenate([rows, rows]), np.concatenate([s, t]))),
                          shape=(len(s), size))
    # f is defined up to a constant: pin f(x_0) = 0 to make the optimum unique in that direction
    bounds = [(0.0, 0.0)] + [(None, None)] * (size - 1)
    # the bounds K ||s - t|| brought to order 1 by a power of two (HiGHS reads numbers beyond 1e20
    # as infinite and its tolerances are absolute), then scaled back: K is in the program itself,
    # so K W1 is the program's answer, not an identity
    bound = lipschitz * dist[s, t]
    top = bound.max()                                 # x and y are non-empty: two support points at least
    scale = 1.0 if top == 0 or LP_RANGE[0] <= top <= LP_RANGE[1] else 2.0 ** np.floor(np.log2(top))
    result = linprog(c, A_ub=A, b_ub=bound / scale, bounds=bounds, method="highs")
    if result.status != 0:
        raise RuntimeError(f"the dual linear program failed: {result.message}")
    f = scale * result.x
    value = float(-result.fun * scale)
    primal = lipschitz * wasserstein1(x, y, a, b)
    return DualSolution(value, f[:n], f[n:], primal, abs(primal - value))
