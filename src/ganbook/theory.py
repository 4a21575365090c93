r"""Closed forms of GAN theory: the optimal discriminator and the divergences it reveals.

All logarithms are natural unless a ``base`` is given. Divergences accept either two discrete
distributions (arrays of probabilities over the same points: exact sums) or two 1-D densities:
frozen ``scipy.stats`` continuous distributions or plain callables, integrated by
``scipy.integrate.quad`` (error estimate returned with ``return_error=True``). Infinite
divergences are returned as ``inf``.

Quadrature can miss mass it never samples (a narrow peak in a wide support), so every density
integral is checked:

* break points: the support's ends and the quantiles ``BREAK_LEVELS`` of each
  ``scipy.stats`` distribution split the support, so each piece holds known mass;
* mass: :math:`\int p` and :math:`\int q`, by the same quadrature over the same pieces, must
  be 1 within ``MASS_TOL`` plus their error estimates (for KL, only :math:`\int p`:
  :math:`q` may have mass outside the support of :math:`p`), else a ``ValueError`` names the
  density and suggests a support;
* values: a density that returns ``nan``, ``inf`` or a negative number is refused by name;
* range: a result below 0 (or above :math:`\log 2` for JSD, 1 for TV) by more than its error
  estimate means the quadrature failed, and is refused rather than returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy import integrate, stats
from scipy.special import xlogy

from ganbook import _validate

Density = Callable[[float], float]

#: A density value below this, at a point where the other density is exactly 0, is taken as
#: both tails underflowing (e.g. two Gaussians beyond |x| ~ 38), not as a gap in the support;
#: such points add at most ~1e-151 to the integral.
TAIL_UNDERFLOW = float(np.sqrt(np.finfo(float).tiny))
LOG_TAIL_UNDERFLOW = float(np.log(TAIL_UNDERFLOW))
#: Quantile levels of a ``scipy.stats`` distribution used as break points: 0 and 1 give the
#: ends of its support (where a density may jump); the tail levels bound the mass a piece of
#: the support can hide from the quadrature's nodes (beyond 1e-12 on each side at most).
BREAK_LEVELS = (0.0, 1e-12, 1e-9, 1e-6, 1e-3, 0.1, 0.5, 0.9, 1 - 1e-3, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12, 1.0)
#: How far from 1 the integral of a density over the support may be: a support may cut off at
#: most a millionth of either mass (a Gaussian beyond 4.9 sd), which changes a divergence by
#: about that mass times the log density ratio in the cut tail.
MASS_TOL = 1e-6


def _density_array(name: str, values: Any) -> np.ndarray:
    return _validate.array(name, values, nonnegative=True)


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
    the result is ``nan`` there unless ``fill`` (in [0, 1]) gives the value to use. Both
    densities are divided by the larger of the two first, so values near the float maximum
    do not overflow.

    Claims: ``optimal-discriminator``, ``global-optimum-jsd``. Chapter: 03-optimal-discriminator.
    """
    a, b = _pair(p_r, p_g, ("p_r", "p_g"))
    fill = np.nan if fill is None else _validate.number("fill", fill, low=0.0, high=1.0)
    scale = np.maximum(a, b)
    out = np.full(a.shape, fill)
    positive = scale > 0
    a_s, b_s = a[positive] / scale[positive], b[positive] / scale[positive]
    out[positive] = a_s / (a_s + b_s)
    return out


def least_squares_optimal_discriminator(p_r: Any, p_g: Any, *, a: float = 0.0, b: float = 1.0,
                                        fill: float | None = None) -> np.ndarray:
    r"""The LSGAN discriminator that minimises its least-squares loss for a fixed generator.

    .. math:: D^*(x) = \frac{b\,p_r(x) + a\,p_g(x)}{p_r(x) + p_g(x)}
              = a + (b - a)\,\frac{p_r(x)}{p_r(x) + p_g(x)}

    (Mao et al. 2017, eq. 4), with :math:`a` the target for generated data and :math:`b` the
    target for real data, as in :func:`ganbook.losses.least_squares_discriminator_loss` (defaults:
    the 0-1 coding, where :math:`D^*` is the GAN's :func:`optimal_discriminator`). ``p_r`` and
    ``p_g`` are density values at the same points; where both are 0 the result is ``nan``
    unless ``fill`` gives the value to use.

    Claims: ``lsgan-losses``. Chapter: 08.
    """
    a = _validate.number("a", a)
    b = _validate.number("b", b)
    out = a + (b - a) * optimal_discriminator(p_r, p_g)
    if fill is not None:
        out[np.isnan(out)] = _validate.number("fill", fill)
    return out


def pointwise_argmin(objective: Callable[[float, float, float], float], p_r: Any, p_g: Any, *,
                     bounds: tuple[float, float], xatol: float = 1e-10) -> tuple[np.ndarray, float]:
    r"""Minimise ``objective(v, p_r[i], p_g[i])`` over ``v`` in ``bounds`` at each point, numerically.

    The route to a pointwise optimum that uses no formula: scipy's bounded scalar minimiser
    (Brent's method) at each pair of density values. Returns the minimisers and a bound on their
    error: the method stops once the bracket around its answer :math:`v` is within
    :math:`2(\sqrt{\varepsilon}\,|v| + \text{xatol}/3)` of it, so for an objective unimodal in
    :math:`v` the true minimiser is at most that far away (:math:`\approx 3\times10^{-8}` at
    :math:`|v| = 1`, whatever ``xatol`` below that). The bound is the largest over the points.

    Claims: ``optimal-discriminator``, ``flipped-labels-margin``. Chapters: 03, 08.
    """
    from scipy import optimize

    p_r, p_g = _pair(p_r, p_g, ("p_r", "p_g"))
    low, high = (_validate.number("bounds", b) for b in bounds)
    if not low < high:
        raise ValueError(f"bounds must be (low, high) with low < high, got {bounds!r}")
    xatol = _validate.number("xatol", xatol, low=0.0, low_open=True)
    found = np.array([optimize.minimize_scalar(objective, bounds=(low, high), args=(a, b), method="bounded",
                                               options={"xatol": xatol}).x for a, b in zip(p_r, p_g)])
    return found, bounded_minimiser_error(found, xatol=xatol)


def bounded_minimiser_error(v: Any, *, xatol: float) -> float:
    r""":math:`2(\sqrt{\varepsilon}\,\max|v| + \text{xatol}/3)`: how far scipy's bounded minimiser may stop from a
    unimodal objective's minimiser, for answers ``v`` found with tolerance ``xatol`` (see :func:`pointwise_argmin`)."""
    v = _validate.array("v", v)
    return float(2 * (np.sqrt(np.finfo(float).eps) * np.abs(v).max() + xatol / 3))


def cross_entropy(targets: Any, predicted: Any, *, base: float = np.e) -> np.ndarray:
    r"""Cross-entropy of each example: :math:`H_i = -\sum_c y_{c,i} \log_{\text{base}} p_{c,i}`.

    ``targets`` holds the label distributions :math:`y_{\cdot,i}` (one-hot rows for class
    labels) and ``predicted`` the model's probabilities :math:`p_{\cdot,i}`, both of shape
    ``(n, C)`` (or ``(C,)`` for one example), each row summing to 1. With :math:`0 \log 0 = 0`,
    only the classes a target gives mass to enter; a zero probability on such a class gives
    ``inf``. ``base=2`` gives bits (the slides' table in chapter 01, whose totals are the sums
    of these per-example values), the default natural log gives nats.

    Claims: ``cross-entropy-table``. Chapter: 01.
    """
    y, p = _pair(targets, predicted, ("targets", "predicted"))
    if y.ndim not in (1, 2):
        raise ValueError(f"targets must be (n, C) rows of probabilities or one (C,) row, got shape {y.shape}")
    for name, raw, arr in (("targets", targets, y), ("predicted", predicted, p)):
        sums = arr.sum(axis=-1)
        tol = _validate.sum_tolerance(raw, arr.shape[-1])
        if np.any(np.abs(sums - 1.0) > tol):
            raise ValueError(f"each row of {name} must sum to 1 (a probability vector), "
                             f"sums range from {sums.min():.12g} to {sums.max():.12g}")
    base = _validate.number("base", base, low=0.0, low_open=True)
    if base == 1.0:
        raise ValueError("base must not be 1 (log base 1 is undefined)")
    return -xlogy(y, p).sum(axis=-1) / np.log(base)


def _probabilities(p: Any, q: Any) -> tuple[np.ndarray, np.ndarray]:
    a, b = _pair(p, q, ("p", "q"))
    for name, raw, arr in (("p", p, a), ("q", q, b)):
        if abs(arr.sum() - 1.0) > _validate.sum_tolerance(raw, arr.size):
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


def _frozen(value: Any) -> bool:
    """A frozen continuous ``scipy.stats`` distribution (``stats.norm(0, 1)``)."""
    return isinstance(getattr(value, "dist", None), stats.rv_continuous)


def _scalar(name: str, value: Any, x: float) -> float:
    arr = np.asarray(value)
    if arr.size != 1 or np.iscomplexobj(arr) or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must return one real number per point, got {value!r} at x = {x:g}")
    return float(arr.reshape(()))


@dataclass(frozen=True)
class _Law:
    """One density as the quadrature sees it: checked values, and what it knows of its mass."""

    name: str
    function: Callable[[float], Any]
    log: bool                       # function returns log-densities
    distribution: Any = None        # the frozen scipy.stats distribution, when given one

    def pdf(self, x: float) -> float:
        if self.log:
            return float(np.exp(self.logpdf(x)))
        value = _scalar(self.name, self.function(x), x)
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{self.name} returned {value!r} at x = {x:g}: a density must be finite and >= 0")
        return value

    def logpdf(self, x: float) -> float:
        if not self.log:
            value = self.pdf(x)
            with np.errstate(divide="ignore"):
                return float(np.log(value))
        value = _scalar(self.name, self.function(x), x)
        if np.isnan(value) or value == np.inf:
            raise ValueError(f"{self.name} returned the log-density {value!r} at x = {x:g}")
        return value

    def points(self) -> list[float]:
        if self.distribution is None:
            return []
        return [float(t) for t in self.distribution.ppf(BREAK_LEVELS) if np.isfinite(t)]

    def hint(self) -> str:
        if self.distribution is not None:
            lo, hi = self.distribution.ppf([1e-9, 1 - 1e-9])
            return f"support=({lo:.6g}, {hi:.6g}) covers all but 2e-9 of it"
        return ("pass a support that brackets its mass tightly, or the scipy.stats distribution "
                "itself, whose quantiles become break points")


def _law(name: str, value: Any, log: bool, frozen_log: bool) -> _Law:
    if _frozen(value):
        return _Law(name, value.logpdf if frozen_log else value.pdf, frozen_log, value)
    if hasattr(getattr(value, "dist", None), "pmf"):
        raise TypeError(f"{name} is a discrete scipy.stats distribution: pass its probabilities "
                        "on the points as an array instead")
    return _Law(name, value, log)


def _support(support: Any, laws: tuple[_Law, _Law]) -> tuple[float, float]:
    if support is None:
        if any(law.distribution is None for law in laws):
            raise ValueError("support (lo, hi) must be given when p or q is a plain function; "
                             "scipy.stats distributions bring their own")
        ends = np.array([law.distribution.support() for law in laws], dtype=float)
        return float(ends[:, 0].min()), float(ends[:, 1].max())
    try:
        lo, hi = (float(end) for end in support)
    except (TypeError, ValueError):
        raise ValueError(f"support must be an interval (lo, hi) with lo < hi, got {support!r}") from None
    if not lo < hi:
        raise ValueError(f"support must be an interval (lo, hi) with lo < hi, got {support!r}")
    return lo, hi


def _segments(support: tuple[float, float], laws: tuple[_Law, _Law]) -> list[tuple[float, float]]:
    lo, hi = support
    inner = sorted({t for law in laws for t in law.points() if lo < t < hi})
    edges = [lo, *inner, hi]
    return list(zip(edges[:-1], edges[1:]))


def _integrate(integrand: Density, segments) -> tuple[float, float]:
    value = error = 0.0
    for lo, hi in segments:
        v, e = integrate.quad(integrand, lo, hi, limit=500)
        value, error = value + v, error + e
    return float(value), float(error)


def _check_mass(laws: tuple[_Law, _Law], segments, q_inside: bool) -> None:
    """p's mass, and q's unless ``q_inside`` (KL needs only p's support: q's mass there is <= 1)."""
    support = (segments[0][0], segments[-1][1])
    for law in laws:
        mass, error = _integrate(law.pdf, segments)
        low = -np.inf if law.name == "q" and q_inside else 1.0 - MASS_TOL - error
        if not low <= mass <= 1.0 + MASS_TOL + error:
            raise ValueError(f"{law.name} integrates to {mass:.9g} (error {error:.1g}) over the support "
                             f"{support}, not 1: the support cuts off part of its mass or the quadrature "
                             f"missed a narrow peak; {law.hint()}")


def _quadrature(name: str, integrand_of, p: Any, q: Any, support: Any, log: bool,
                bounds: tuple[float, float], *, kl: bool = False) -> tuple[float, float]:
    """Checked quadrature of ``integrand_of(law_p, law_q)`` over ``support``, in ``bounds``.

    ``log``: callables return log-densities. ``kl``: distributions enter by their ``logpdf``, and
    only p's mass must be 1 over the support (KL integrates over p's support; q's mass is <= 1).
    """
    laws = (_law("p", p, log, kl), _law("q", q, log, kl))
    support = _support(support, laws)
    segments = _segments(support, laws)
    # an infinite KL (raised from the integrand) is exact wherever found, so the mass check
    # guards only finite values
    value, error = _integrate(integrand_of(*laws), segments)
    _check_mass(laws, segments, q_inside=kl)
    low, high = bounds
    if not low - error <= value <= high + error:
        raise ValueError(f"quadrature gave {name} = {value:.6g} outside [{low:g}, {high:g}] beyond its "
                         f"error estimate {error:.1g} over support {support}: it missed a feature of p or "
                         "q; pass scipy.stats distributions (their quantiles become break points) or a "
                         "tighter support")
    return value, error


def _density(value: Any) -> bool:
    """A density: a function, or a (continuous or, to be refused by name, discrete) distribution."""
    return callable(value) or _frozen(value) or hasattr(getattr(value, "dist", None), "pmf")


def _densities(p: Any, q: Any) -> bool:
    if _density(p) != _density(q):
        raise ValueError("p and q must both be arrays of probabilities or both be densities "
                         "(functions or scipy.stats distributions)")
    return _density(p)


def _result(value: float, error: float, return_error: bool):
    return (value, error) if return_error else value


def kl_divergence(p: Any, q: Any, *, support: tuple[float, float] | None = None,
                  return_error: bool = False, log_densities: bool = False):
    r"""Kullback–Leibler divergence :math:`\mathrm{KL}(p \,\|\, q) = \int p \log \frac{p}{q}`.

    Infinite (``inf``) when ``p`` puts mass where ``q`` has none. For arrays the sum is exact
    (:math:`0 \log 0 = 0`); for densities, checked quadrature over ``support`` (see the module
    docstring; error estimate with ``return_error=True``; an infinite value is found where the
    quadrature evaluates a point with ``p > 0 = q``). ``scipy.stats`` distributions are
    integrated through their ``logpdf``. With ``log_densities=True`` callables return
    log-densities (e.g. ``scipy.stats`` ``logpdf``): use it when a density underflows to 0 in a
    tail where the other does not, which would otherwise read as an infinite divergence.

    Claims: ``mle-is-kl``, ``disjoint-kl-infinite``. Chapters: 03, 04.
    """
    if log_densities and not (_density(p) and _density(q)):
        raise ValueError("log_densities=True needs p and q to be log-density functions")
    if _densities(p, q):
        def integrand_of(law_p: _Law, law_q: _Law) -> Density:
            def integrand(x: float) -> float:
                log_px = law_p.logpdf(x)
                if log_px == -np.inf:
                    return 0.0
                log_qx = law_q.logpdf(x)
                if log_qx == -np.inf:
                    # a density (not log-density) of q that underflowed where p is as tiny
                    if not law_q.log and log_px < LOG_TAIL_UNDERFLOW:
                        return 0.0
                    raise _Infinite
                return np.exp(log_px) * (log_px - log_qx)
            return integrand
        try:
            return _result(*_quadrature("KL", integrand_of, p, q, support, log_densities,
                                        (0.0, np.inf), kl=True), return_error)
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
    Arrays of probabilities, or densities (callables or ``scipy.stats`` distributions) by
    checked quadrature over ``support`` (module docstring).

    Claims: ``global-optimum-jsd``, ``disjoint-js-log2``. Chapters: 03, 04.
    """
    if _densities(p, q):
        def integrand_of(law_p: _Law, law_q: _Law) -> Density:
            def integrand(x: float) -> float:
                px, qx = law_p.pdf(x), law_q.pdf(x)
                # log(p / m) as a difference of logs: finite even where p is denormal and p/m
                # overflows (halving the smallest denormal gives 0, so log m = log(p + q) - log 2)
                log_m = np.log(px + qx) - np.log(2.0) if px + qx > 0 else 0.0
                total = 0.0
                if px > 0:
                    total += 0.5 * px * (np.log(px) - log_m)
                if qx > 0:
                    total += 0.5 * qx * (np.log(qx) - log_m)
                return total
            return integrand
        return _result(*_quadrature("JSD", integrand_of, p, q, support, False, (0.0, np.log(2.0))),
                       return_error)
    a, b = _probabilities(p, q)
    m = 0.5 * (a + b)
    value = 0.5 * np.sum(_xlogy_ratio(a, m)) + 0.5 * np.sum(_xlogy_ratio(b, m))
    return _result(float(value), 0.0, return_error)


def total_variation(p: Any, q: Any, *, support: tuple[float, float] | None = None,
                    return_error: bool = False):
    r"""Total variation distance :math:`\mathrm{TV}(p, q) = \tfrac12 \int |p - q|`, between 0 and 1.

    Arrays of probabilities, or densities (callables or ``scipy.stats`` distributions) by
    checked quadrature over ``support`` (module docstring).

    Claims: ``flipped-labels-margin`` (the hinge optimum is :math:`2(1 - \mathrm{TV})`). Chapter: 08.
    """
    if _densities(p, q):
        def integrand_of(law_p: _Law, law_q: _Law) -> Density:
            return lambda x: 0.5 * abs(law_p.pdf(x) - law_q.pdf(x))
        return _result(*_quadrature("TV", integrand_of, p, q, support, False, (0.0, 1.0)), return_error)
    a, b = _probabilities(p, q)
    return _result(float(0.5 * np.sum(np.abs(a - b))), 0.0, return_error)
