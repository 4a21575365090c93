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

Critic = Callable[[Tensor], Tensor]


def _batch(name: str, value: Tensor) -> Tensor:
    if not isinstance(value, Tensor) or not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point torch.Tensor")
    if value.dim() < 1 or value.shape[0] == 0:
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


def critic_gradient_norms(critic: Critic, x: Tensor, *, create_graph: bool = False,
                          batch_dims: int = 1) -> Tensor:
    r""":math:`\|\nabla_x f(x_i)\|_2` for each example of ``x`` (shape ``(m,)``).

    With ``create_graph=True`` the norms stay differentiable in the critic's parameters.
    ``batch_dims=2`` reads ``x`` as ``(K, m, ...)``, K stacked critics' batches
    (:mod:`ganbook.stacked`), and returns norms of shape ``(K, m)``.
    """
    x = _batch("x", x).detach().requires_grad_(True)
    scores = critic(x)
    # Each score depends on its own example only, so one backward pass gives every ∇_x f(x_i).
    (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=create_graph)
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
        critic: maps a batch ``(m, ...)`` to scores ``(m,)`` or ``(m, 1)``.
        real, fake: :math:`x_i` and :math:`\tilde x_i = G(z_i)`, same shape.
        weight: :math:`\lambda \ge 0`.
        generator: seeds the draw of :math:`\epsilon`.

    Claims: ``wgan-gp-loss-and-sign``, ``wgan-gp-unit-gradient``, ``wgan-gp-defaults``,
    ``kantorovich-rubinstein``. Chapters: 04, 07.
    """
    if not weight >= 0:
        raise ValueError(f"weight (the penalty's lambda) must be >= 0, got {weight}")
    x_hat = interpolates(real, fake, generator=generator)
    norms = critic_gradient_norms(critic, x_hat, create_graph=True)
    return weight * ((norms - 1) ** 2).mean()


@torch.no_grad()
def clip_weights(module: nn.Module, c: float) -> None:
    r"""Clip every parameter of ``module`` to :math:`[-c, c]` in place.

    (Arjovsky et al. 2017, Algorithm 1 line 7: :math:`w \leftarrow \operatorname{clip}(w, -c, c)`,
    default :math:`c = 0.01`.)

    Claims: ``wgan-clipping-algorithm``, ``clipping-pathologies``. Chapter: 06.
    """
    if not c > 0:
        raise ValueError(f"c (the clipping bound) must be > 0, got {c}")
    for parameter in module.parameters():
        parameter.clamp_(-c, c)
