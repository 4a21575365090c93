r"""Closed forms of GAN theory: the optimal discriminator and the divergences it reveals.

All logarithms are natural. Divergences accept either two discrete distributions (arrays of
probabilities over the same points: exact sums) or two 1-D densities (callables, with their
``support``: adaptive quadrature by ``scipy.integrate.quad``, whose error estimate is
returned with ``return_error=True``). Infinite divergences are returned as ``inf``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from scipy import integrate

Density = Callable[[float], float]

#: How far from 1 a probability vector may sum (float round-off over many terms).
SUM_TOL = 1e-8
#: A density value below this, at a point where the other density is exactly 0, is taken as
#: both tails underflowing (e.g. two Gaussians beyond |x| ~ 38), not as a gap in the support;
#: such points add at most ~1e-151 to the integral.
TAIL_UNDERFLOW = float(np.sqrt(np.finfo(float).tiny))


def _density_array(name: str, values: Any) -> np.ndarray:
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (nan or inf)")
    if np.any(arr < 0):
        raise ValueError(f"{name} contains negative densities (min {arr.min():g})")
    return arr


def _pair(p: Any, q: Any, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    a, b = _density_array(names[0], p), _density_array(names[1], q)
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} and {names[1]} differ in shape: {a.shape} vs {b.shape}")
    return a, b


def optimal_discriminator(p_r: Any, p_g: Any, *, fill: float | None = None) -> np.ndarray:
    r"""The discriminator that maximises :math:`V(D, G)` for a fixed generator.

    .. math:: D^*(x) = \frac{p_r(x)}{p_r(x) + p_g(x)}

    (Goodfellow et al. 2014, Proposition 1.) ``p_r`` and ``p_g`` are density values at the
    same points (same shape, finite, non-negative). Where both are 0 the ratio is undefined:
    the result is ``nan`` there unless ``fill`` gives the value to use.

    Claims: ``optimal-discriminator``, ``global-optimum-jsd``. Chapter: 03-optimal-discriminator.
    """
    a, b = _pair(p_r, p_g, ("p_r", "p_g"))
    total = a + b
    out = np.full(a.shape, np.nan if fill is None else float(fill))
    np.divide(a, total, out=out, where=total > 0)
    return out


def _probabilities(p: Any, q: Any) -> tuple[np.ndarray, np.ndarray]:
    a, b = _pair(p, q, ("p", "q"))
    for name, arr in (("p", a), ("q", b)):
        if abs(arr.sum() - 1.0) > SUM_TOL:
            raise ValueError(f"{name} must sum to 1 (a probability vector), sums to {arr.sum():.12g}")
    return a, b


def _xlogy_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a log(a / b) with 0 log 0 = 0 and a log(a / 0) = inf for a > 0."""
    out = np.zeros_like(a)
    pos = a > 0
    with np.errstate(divide="ignore"):
        out[pos] = a[pos] * (np.log(a[pos]) - np.log(b[pos]))
    return out


class _Infinite(Exception):
    """Raised inside an integrand when p > 0 where q = 0: the KL integral is +inf."""


def _quad(integrand: Density, support: tuple[float, float] | None) -> tuple[float, float]:
    if support is None or len(support) != 2 or not support[0] < support[1]:
        raise ValueError(f"support must be an interval (lo, hi) with lo < hi, got {support!r}")
    value, error = integrate.quad(integrand, support[0], support[1], limit=500)
    return float(value), float(error)


def _densities(p: Any, q: Any) -> bool:
    if callable(p) != callable(q):
        raise ValueError("p and q must both be arrays of probabilities or both be density functions")
    return callable(p)


def _result(value: float, error: float, return_error: bool):
    return (value, error) if return_error else value


def kl_divergence(p: Any, q: Any, *, support: tuple[float, float] | None = None,
                  return_error: bool = False, log_densities: bool = False):
    r"""Kullback–Leibler divergence :math:`\mathrm{KL}(p \,\|\, q) = \int p \log \frac{p}{q}`.

    Infinite (``inf``) when ``p`` puts mass where ``q`` has none. For arrays the sum is exact
    (:math:`0 \log 0 = 0`); for densities, quadrature over ``support`` (error estimate with
    ``return_error=True``; an infinite value is found where the quadrature evaluates a point
    with ``p > 0 = q``). With ``log_densities=True`` the callables return log-densities
    (e.g. ``scipy.stats`` ``logpdf``): use it when a density underflows to 0 in a tail where
    the other does not, which would otherwise read as an infinite divergence.

    Claims: ``mle-is-kl``, ``disjoint-kl-infinite``. Chapters: 03, 04.
    """
    if log_densities:
        if not (callable(p) and callable(q)):
            raise ValueError("log_densities=True needs p and q to be log-density functions")

        def log_integrand(x: float) -> float:
            log_px, log_qx = p(x), q(x)
            if log_px == -np.inf:
                return 0.0
            if log_qx == -np.inf:
                raise _Infinite
            return np.exp(log_px) * (log_px - log_qx)
        try:
            return _result(*_quad(log_integrand, support), return_error)
        except _Infinite:
            return _result(np.inf, 0.0, return_error)
    if _densities(p, q):
        def integrand(x: float) -> float:
            px, qx = p(x), q(x)
            if px <= 0:
                return 0.0
            if qx <= 0:
                if px < TAIL_UNDERFLOW:
                    return 0.0
                raise _Infinite
            return px * (np.log(px) - np.log(qx))
        try:
            return _result(*_quad(integrand, support), return_error)
        except _Infinite:
            return _result(np.inf, 0.0, return_error)
    a, b = _probabilities(p, q)
    return _result(float(np.sum(_xlogy_ratio(a, b))), 0.0, return_error)


def jensen_shannon(p: Any, q: Any, *, support: tuple[float, float] | None = None,
                   return_error: bool = False):
    r"""Jensen–Shannon divergence, natural log, between 0 and :math:`\log 2`.

    .. math:: \mathrm{JSD}(p \,\|\, q) = \tfrac12 \mathrm{KL}(p \,\|\, m) + \tfrac12 \mathrm{KL}(q \,\|\, m),
              \quad m = \tfrac12 (p + q)

    (Goodfellow et al. 2014, Theorem 1, where :math:`\max_D V = -\log 4 + 2\,\mathrm{JSD}`.)

    Claims: ``global-optimum-jsd``, ``disjoint-js-log2``. Chapters: 03, 04.
    """
    if _densities(p, q):
        def integrand(x: float) -> float:
            px, qx = p(x), q(x)
            # log(p / m) as a difference of logs: finite even where p is denormal and p/m overflows
            # (halving the smallest denormal gives 0, so log m = log(p + q) - log 2)
            log_m = np.log(px + qx) - np.log(2.0) if px + qx > 0 else 0.0
            total = 0.0
            if px > 0:
                total += 0.5 * px * (np.log(px) - log_m)
            if qx > 0:
                total += 0.5 * qx * (np.log(qx) - log_m)
            return total
        return _result(*_quad(integrand, support), return_error)
    a, b = _probabilities(p, q)
    m = 0.5 * (a + b)
    value = 0.5 * np.sum(_xlogy_ratio(a, m)) + 0.5 * np.sum(_xlogy_ratio(b, m))
    return _result(float(value), 0.0, return_error)


def total_variation(p: Any, q: Any, *, support: tuple[float, float] | None = None,
                    return_error: bool = False):
    r"""Total variation distance :math:`\mathrm{TV}(p, q) = \tfrac12 \int |p - q|`, between 0 and 1.

    Claims: ``flipped-labels-margin`` (the hinge optimum is :math:`2(1 - \mathrm{TV})`). Chapter: 08.
    """
    if _densities(p, q):
        return _result(*_quad(lambda x: 0.5 * abs(p(x) - q(x)), support), return_error)
    a, b = _probabilities(p, q)
    return _result(float(0.5 * np.sum(np.abs(a - b))), 0.0, return_error)
