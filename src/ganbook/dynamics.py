r"""Gradient dynamics of two-player games :math:`\min_x \max_y f(x, y)`.

A game is given by its gradient field ``field(x, y) -> (df/dx, df/dy)``. The update rules
below use only arithmetic on ``x`` and ``y``, so the same function steps plain numbers, NumPy
arrays, SymPy expressions (to derive update matrices) and torch tensors (networks, with
:func:`autograd_field`). Each takes per-player learning rates ``lr_x`` (the minimising player)
and ``lr_y`` (the maximising player).

* :func:`simultaneous`: both players step from the same point (gradient descent-ascent);
* :func:`alternating`: ``x`` steps first, ``y`` then steps from the new ``x``;
* :func:`extragradient`: the lecture's predictive (lookahead) step, then a corrective step
  with the gradient at the predicted point (Korpelevich 1976);
* :func:`optimistic`: :math:`z_{t+1} = z_t - \eta (2 g_t - g_{t-1})` (Daskalakis et al. 2018).

For linear fields, :func:`update_matrix` derives each rule's update matrix with SymPy and
:func:`spectral_radius` decides convergence (radius < 1) or divergence (> 1).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import sympy as sp

Field = Callable[[Any, Any], tuple[Any, Any]]


def bilinear_field(x, y):
    r"""Gradient field of :math:`f(x, y) = x y`: :math:`(\partial_x f, \partial_y f) = (y, x)`."""
    return y, x


def simultaneous(field: Field, x, y, lr_x, lr_y=None, state=None):
    r""":math:`x' = x - \eta_x \partial_x f(x, y)`, :math:`y' = y + \eta_y \partial_y f(x, y)`."""
    lr_y = lr_x if lr_y is None else lr_y
    gx, gy = field(x, y)
    return x - lr_x * gx, y + lr_y * gy, None


def alternating(field: Field, x, y, lr_x, lr_y=None, state=None):
    r""":math:`x' = x - \eta_x \partial_x f(x, y)`, then :math:`y' = y + \eta_y \partial_y f(x', y)`."""
    lr_y = lr_x if lr_y is None else lr_y
    gx, _ = field(x, y)
    x_new = x - lr_x * gx
    _, gy = field(x_new, y)
    return x_new, y + lr_y * gy, None


def extragradient(field: Field, x, y, lr_x, lr_y=None, state=None):
    r"""Predict :math:`(\tilde x, \tilde y)` with a simultaneous step, then step from :math:`(x, y)`
    with the gradient at the prediction (lecture-gans-banerjee.txt, "Predictive Step")."""
    lr_y = lr_x if lr_y is None else lr_y
    gx, gy = field(x, y)
    x_tilde, y_tilde = x - lr_x * gx, y + lr_y * gy          # predictive step
    gx_tilde, gy_tilde = field(x_tilde, y_tilde)
    return x - lr_x * gx_tilde, y + lr_y * gy_tilde, None   # corrective step


def optimistic(field: Field, x, y, lr_x, lr_y=None, state=None):
    r""":math:`x' = x - \eta_x (2 g^x_t - g^x_{t-1})`, :math:`y' = y + \eta_y (2 g^y_t - g^y_{t-1})`.

    ``state`` carries the previous gradients (``None`` at the first step, which is then a
    simultaneous step); the returned state is the current gradients.
    """
    lr_y = lr_x if lr_y is None else lr_y
    gx, gy = field(x, y)
    px, py = (gx, gy) if state is None else state
    return x - lr_x * (2 * gx - px), y + lr_y * (2 * gy - py), (gx, gy)


RULES = {"simultaneous": simultaneous, "alternating": alternating,
         "extragradient": extragradient, "optimistic": optimistic}


def _rule(rule):
    if callable(rule):
        return rule
    if rule not in RULES:
        raise ValueError(f"rule must be one of {sorted(RULES)} or a function, got {rule!r}")
    return RULES[rule]


def trajectory(rule, field: Field, x0, y0, steps: int, lr_x, lr_y=None) -> list[tuple[Any, Any]]:
    """The iterates :math:`(x_t, y_t)`, :math:`t = 0..\\text{steps}`, of ``rule`` from ``(x0, y0)``."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    step = _rule(rule)
    points, state = [(x0, y0)], None
    x, y = x0, y0
    for _ in range(steps):
        x, y, state = step(field, x, y, lr_x, lr_y, state)
        points.append((x, y))
    return points


def update_matrix(rule, field: Field = bilinear_field, lr_x=None, lr_y=None) -> sp.Matrix:
    r"""The matrix :math:`A` with :math:`z_{t+1} = A z_t` for a *linear* field, derived with SymPy.

    For the one-step rules :math:`z = (x, y)`; for :func:`optimistic`, which remembers the
    previous point, :math:`z_t = (x_t, y_t, x_{t-1}, y_{t-1})` (its previous gradients are
    the field at the previous point). ``lr_x``/``lr_y`` may be numbers or SymPy symbols
    (default: one symbol :math:`\eta`).

    Claims: ``bilinear-simultaneous-diverges``, ``bilinear-remedies``. Chapter: 05.
    """
    eta = sp.Symbol("eta", positive=True)
    lr_x = eta if lr_x is None else lr_x
    lr_y = lr_x if lr_y is None else lr_y
    x, y, x_prev, y_prev = sp.symbols("x y x_prev y_prev", real=True)
    step = _rule(rule)
    if step is optimistic:
        new_x, new_y, _ = step(field, x, y, lr_x, lr_y, field(x_prev, y_prev))
        return sp.Matrix([new_x, new_y, x, y]).jacobian([x, y, x_prev, y_prev]).applyfunc(sp.expand)
    new_x, new_y, _ = step(field, x, y, lr_x, lr_y)
    return sp.Matrix([new_x, new_y]).jacobian([x, y]).applyfunc(sp.expand)


def spectral_radius(matrix) -> float:
    r"""Largest eigenvalue modulus of a square numeric matrix (a SymPy matrix of numbers is fine).

    A matrix with free symbols (e.g. the step size :math:`\eta` of :func:`update_matrix`) has no
    numeric radius: substitute numbers first (``matrix.subs(eta, 0.1)``).
    """
    try:
        symbolic = sp.Matrix(matrix)
    except (TypeError, ValueError, sp.SympifyError) as error:
        raise TypeError(f"matrix must be a square matrix of numbers, got {type(matrix).__name__}: {error}") from None
    if symbolic.free_symbols:
        names = ", ".join(sorted(str(symbol) for symbol in symbolic.free_symbols))
        raise ValueError(f"matrix has free symbols ({names}): substitute numbers for them first, "
                         "e.g. matrix.subs(eta, 0.1)")
    if not symbolic.is_square or symbolic.rows == 0:
        raise ValueError(f"matrix must be square and non-empty, got shape {symbolic.shape}")
    try:
        values = np.asarray(symbolic.evalf(), dtype=float)
    except TypeError:
        raise TypeError("matrix must have real entries (complex or non-numeric entries found)") from None
    if not np.all(np.isfinite(values)):
        raise ValueError("matrix contains non-finite entries (nan or inf)")
    return float(np.max(np.abs(np.linalg.eigvals(values))))


def autograd_field(value: Callable) -> Field:
    r"""The gradient field of a torch game value ``value(x, y)`` (x minimises, y maximises).

    ``x`` and ``y`` are floating-point tensors (e.g. a generator's and a discriminator's
    parameters, flattened); the field returns :math:`(\nabla_x f, \nabla_y f)` as detached
    tensors, so the update rules above step networks exactly as they step numbers. NumPy
    arrays and numbers are refused: convert them with ``torch.tensor``.
    """
    import torch

    if not callable(value):
        raise TypeError(f"value must be a function value(x, y) -> scalar tensor, got {type(value).__name__}")

    def field(x, y):
        for name, point in (("x", x), ("y", y)):
            if not isinstance(point, torch.Tensor) or not point.is_floating_point():
                raise TypeError(f"{name} must be a floating-point torch.Tensor (autograd_field "
                                f"differentiates with torch), got "
                                f"{point.dtype if isinstance(point, torch.Tensor) else type(point).__name__}")
        x_ = x.detach().requires_grad_(True)
        y_ = y.detach().requires_grad_(True)
        out = value(x_, y_)
        if not isinstance(out, torch.Tensor) or out.numel() != 1:
            raise ValueError(f"value must return a scalar tensor, got "
                             f"{tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__}")
        if not out.requires_grad:                   # a constant game: no force on either player
            return torch.zeros_like(x_), torch.zeros_like(y_)
        gx, gy = torch.autograd.grad(out.sum(), (x_, y_), allow_unused=True)
        return (torch.zeros_like(x_) if gx is None else gx), (torch.zeros_like(y_) if gy is None else gy)
    return field


def dirac_gan_value(theta, psi):
    r"""The Dirac-GAN of Mescheder et al. (2018, §2.2): data :math:`\delta_0`, generator
    :math:`\delta_\theta`, discriminator :math:`D_\psi(x) = \sigma(\psi x)`.

    .. math:: V(\theta, \psi) = \log \sigma(\psi \cdot 0) + \log(1 - \sigma(\psi \theta))
              = -\log 2 - \operatorname{softplus}(\psi \theta)

    the GAN value (Goodfellow et al. 2014, eq. 1), which :math:`\theta` minimises and
    :math:`\psi` maximises. Its unique equilibrium is :math:`(0, 0)`.
    """
    import math

    import torch.nn.functional as F
    return -math.log(2.0) - F.softplus(psi * theta).sum()
