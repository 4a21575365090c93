r"""Ways to keep a Wasserstein critic (approximately) 1-Lipschitz.

* :func:`clip_weights`: WGAN's weight clipping (Arjovsky et al. 2017, Algorithm 1 line 7);
* :func:`gradient_penalty`: WGAN-GP's two-sided penalty on random interpolates
  (Gulrajani et al. 2017, Algorithm 1 lines 6-7), built from :func:`interpolates` and
  :func:`critic_gradient_norms`, which chapters also use to measure gradient norms.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn

from ganbook import _validate

Critic = Callable[[Tensor], Tensor]


def _batch(name: str, value: Tensor) -> Tensor:
    if not isinstance(value, Tensor) or not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point torch.Tensor")
    if value.dim() < 1 or value.numel() == 0:
        raise ValueError(f"{name} is an empty batch")
    if not bool(torch.isfinite(value).all()):
        raise ValueError(f"{name} contains non-finite values (nan or inf)")
    return value


def interpolates(real: Tensor, fake: Tensor, *, generator: torch.Generator | None = None) -> Tensor:
    r"""Random points on the segments between paired real and generated examples.

    .. math:: \hat x_i = \epsilon_i x_i + (1 - \epsilon_i) \tilde x_i, \qquad \epsilon_i \sim U[0, 1]

    one :math:`\epsilon` per example (Gulrajani et al. 2017, Algorithm 1 line 6). The result is
    detached from ``real`` and ``fake`` (no gradient flows back into the generator).
    """
    _batch("real", real)
    _batch("fake", fake)
    if real.shape != fake.shape:
        raise ValueError(f"real and fake differ in shape: {tuple(real.shape)} vs {tuple(fake.shape)}")
    # drawn where the generator lives (a seeded CPU generator gives the same ε on any device)
    eps = torch.rand((real.shape[0],) + (1,) * (real.dim() - 1), generator=generator,
                     dtype=real.dtype, device=generator.device if generator else real.device)
    eps = eps.to(real.device)
    return (eps * real.detach() + (1 - eps) * fake.detach())  # x̂ = ε x + (1 - ε) x̃


def _scores(critic: Critic, x: Tensor, batch_dims: int) -> Tensor:
    """The critic's scores on ``x``, one per example, checked for shape and dependence on ``x``."""
    if not callable(critic):
        raise TypeError(f"critic must be callable (a module or function), got {type(critic).__name__}")
    scores = critic(x)
    batch = tuple(x.shape[:batch_dims])
    if not isinstance(scores, Tensor) or scores.shape[:batch_dims] != batch or \
            scores.numel() != x.shape[:batch_dims].numel():
        raise ValueError(f"critic must return one score per example, shape {batch} or {batch + (1,)}, "
                         f"got {tuple(scores.shape) if isinstance(scores, Tensor) else type(scores).__name__}")
    if not scores.requires_grad:
        raise ValueError("critic's scores do not depend on its input (no gradient flows from them to x): "
                         "the gradient penalty needs a critic of x")
    return scores


def _check_per_example(scores: Tensor, x: Tensor, batch_dims: int) -> None:
    """Refuse a critic whose score for one example depends on another example of the batch.

    Probe: the gradient of the first example's score with respect to the other examples must
    vanish (one more backward pass through the critic, without a graph). Minibatch
    discrimination, minibatch standard deviation and batch norm in training mode fail it;
    dropout does not (its masks are per example).
    """
    axis = batch_dims - 1
    if x.shape[axis] < 2:
        return
    first = scores.reshape(x.shape[:batch_dims]).narrow(axis, 0, 1).sum()
    (grad,) = torch.autograd.grad(first, x, retain_graph=True, allow_unused=True)
    if grad is not None and bool((grad.narrow(axis, 1, x.shape[axis] - 1) != 0).any()):
        raise ValueError("critic mixes the examples of a batch (its score for one example depends on "
                         "another: minibatch discrimination, minibatch standard deviation, batch norm in "
                         "training mode), so the per-example gradients of the penalty are not defined "
                         "by one backward pass; use a critic that scores each example on its own (e.g. "
                         "layer norm instead of batch norm, no minibatch features)")


def critic_gradient_norms(critic: Critic, x: Tensor, *, create_graph: bool = False,
                          batch_dims: int = 1) -> Tensor:
    r""":math:`\|\nabla_x f(x_i)\|_2` for each example of ``x`` (shape ``(m,)``).

    With ``create_graph=True`` the norms stay differentiable in the critic's parameters.
    ``batch_dims=2`` reads ``x`` as ``(K, m, ...)``, K stacked critics' batches
    (:mod:`ganbook.stacked`), and returns norms of shape ``(K, m)``. Each example must have at
    least one feature dimension (a batch of scalars is ``(m, 1)``).

    One backward pass of :math:`\sum_i f(x_i)` gives every :math:`\nabla_x f(x_i)` only if each
    score depends on its own example alone; a critic that mixes examples (minibatch features,
    batch norm in training mode) is detected by a probe on two examples and refused.
    """
    batch_dims = _validate.integer("batch_dims", batch_dims, minimum=1)
    x = _batch("x", x)
    if x.dim() <= batch_dims:
        raise ValueError(f"x must have a feature dimension after its {batch_dims} batch dimension(s), "
                         f"got shape {tuple(x.shape)}; a batch of scalars is (m, 1)")
    x = x.detach().requires_grad_(True)
    scores = _scores(critic, x, batch_dims)
    _check_per_example(scores, x, batch_dims)
    (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=create_graph, allow_unused=True)
    if grad is None:
        raise ValueError("critic's scores do not depend on its input x")
    return grad.flatten(start_dim=batch_dims).norm(2, dim=-1)


def gradient_penalty(critic: Critic, real: Tensor, fake: Tensor, weight: float = 10.0, *,
                     generator: torch.Generator | None = None) -> Tensor:
    r"""WGAN-GP's penalty, added to the critic's loss :math:`\mathbb{E} f(\tilde x) - \mathbb{E} f(x)`.

    .. math:: \mathrm{GP} = \lambda \frac1m \sum_i \big(\|\nabla_{\hat x} f(\hat x_i)\|_2 - 1\big)^2,
              \qquad \hat x_i = \epsilon_i x_i + (1 - \epsilon_i) \tilde x_i

    (Gulrajani et al. 2017, Algorithm 1 line 7, :math:`\lambda = 10`.) The gradient is taken
    with ``create_graph=True``, so the penalty trains the critic's parameters. For a linear
    critic :math:`f(x) = w \cdot x` it equals :math:`\lambda (\|w\| - 1)^2` exactly.

    Args:
        critic: maps a batch ``(m, ...)`` to scores ``(m,)`` or ``(m, 1)``, each example's score
            depending on that example alone (a critic that mixes examples is refused, see
            :func:`critic_gradient_norms`).
        real, fake: :math:`x_i` and :math:`\tilde x_i = G(z_i)`, same shape ``(m, d, ...)``.
        weight: :math:`\lambda \ge 0`.
        generator: seeds the draw of :math:`\epsilon`.

    Claims: ``wgan-gp-loss-and-sign``, ``wgan-gp-unit-gradient``, ``wgan-gp-defaults``,
    ``kantorovich-rubinstein``. Chapters: 04, 07.
    """
    weight = _validate.number("weight (the penalty's lambda)", weight, low=0.0)
    x_hat = interpolates(real, fake, generator=generator)
    if real.dim() < 2:
        raise ValueError(f"real and fake must be batches (m, d, ...) with a feature dimension, got shape "
                         f"{tuple(real.shape)}; a batch of scalars is (m, 1)")
    norms = critic_gradient_norms(critic, x_hat, create_graph=True)
    return weight * ((norms - 1) ** 2).mean()


@torch.no_grad()
def clip_weights(module: nn.Module, c: float) -> None:
    r"""Clip every parameter of ``module`` to :math:`[-c, c]` in place.

    (Arjovsky et al. 2017, Algorithm 1 line 7: :math:`w \leftarrow \operatorname{clip}(w, -c, c)`,
    default :math:`c = 0.01`.)

    Claims: ``wgan-clipping-algorithm``, ``clipping-pathologies``. Chapter: 06.
    """
    c = _validate.number("c (the clipping bound)", c, low=0.0, low_open=True)
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    for parameter in module.parameters():
        parameter.clamp_(-c, c)
