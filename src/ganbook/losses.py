r"""The objectives of the GAN literature, one function each, on raw discriminator outputs.

The naming grid (after TF-GAN's losses module):

* ``<family>_discriminator_loss(real_logits, fake_logits, *, reduction="mean")``, minimised by
  the discriminator (or critic);
* ``<family>_generator_loss(fake_logits, *, reduction="mean")``, minimised by the generator.

Real comes before fake everywhere, everything after the tensors is keyword-only, and the
inputs are always *raw* outputs: logits :math:`a` with :math:`D = \sigma(a)` for the
cross-entropy family, critic values :math:`f(x)` for the Wasserstein and hinge families, raw
regression outputs for least squares. Logarithms of probabilities are computed from logits with
softplus, :math:`-\log\sigma(a) = \operatorname{softplus}(-a)` and
:math:`-\log(1-\sigma(a)) = \operatorname{softplus}(a)`, finite for every finite logit.
Logs are natural.

``reduction``: ``"mean"`` (over the batch, the default and the papers' :math:`\mathbb{E}`),
``"sum"``, or ``"none"`` (per example; for a discriminator loss the real and fake terms of
example :math:`i` are added, so real and fake batches must have the same shape).

Defaults are the papers' own: no label smoothing, no :math:`\epsilon` inside a log.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from ganbook import _validate

REDUCTIONS = ("mean", "sum", "none")


def softplus(x: Tensor) -> Tensor:
    r""":math:`\log(1 + e^x)`, exact for every finite ``x`` (gradient :math:`\sigma(x)`).

    ``torch.nn.functional.softplus`` replaces the function by ``x`` above ``x = 20`` (error up
    to 2e-9, gradient exactly 1); ``logaddexp(x, 0)`` has neither error and never overflows.
    """
    _validate.float_tensor("x", x)
    return torch.logaddexp(x, torch.zeros((), dtype=x.dtype, device=x.device))


def _checked(name: str, value: Tensor) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if value.numel() == 0:
        raise ValueError(f"{name} is an empty batch")
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {value.dtype}")
    if not bool(torch.isfinite(value).all()):
        raise ValueError(f"{name} contains non-finite values (nan or inf)")
    return value


def _pair(real: Tensor, fake: Tensor, names: tuple[str, str]) -> tuple[Tensor, Tensor]:
    _checked(names[0], real)
    _checked(names[1], fake)
    if real.shape != fake.shape:
        raise ValueError(f"{names[0]} and {names[1]} differ in shape: "
                         f"{tuple(real.shape)} vs {tuple(fake.shape)}")
    if real.device != fake.device or real.dtype != fake.dtype:
        raise ValueError(f"{names[0]} and {names[1]} differ in device or dtype: "
                         f"{real.device}/{real.dtype} vs {fake.device}/{fake.dtype}")
    return real, fake


def _reduce(per_example: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return per_example.mean()
    if reduction == "sum":
        return per_example.sum()
    if reduction == "none":
        return per_example
    raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


# --- the minimax game (Goodfellow et al. 2014) ---------------------------------------------

def minimax_discriminator_loss(real_logits: Tensor, fake_logits: Tensor, *,
                               reduction: str = "mean") -> Tensor:
    r"""Binary cross-entropy of the discriminator, real label 1, fake label 0.

    .. math::
        L_D = \frac1m \sum_i \big[\operatorname{softplus}(-a(x_i))
              + \operatorname{softplus}(a(G(z_i)))\big]
            = -\frac1m \sum_i \big[\log D(x_i) + \log(1 - D(G(z_i)))\big]

    the minibatch value of Goodfellow et al. (2014), eq. 1, with its sign flipped.

    Args:
        real_logits: :math:`a(x_i)`, shape ``(m, ...)``.
        fake_logits: :math:`a(G(z_i))`, same shape.
    Returns: the mean (``"mean"``), the sum, or per-example terms (``"none"``).

    Claims: ``bce-is-negated-value``, ``value-as-minibatch-mean``, ``optimal-discriminator``.
    Chapters: 01, 02, 03.
    """
    real_logits, fake_logits = _pair(real_logits, fake_logits, ("real_logits", "fake_logits"))
    return _reduce(softplus(-real_logits) + softplus(fake_logits), reduction)


def minimax_generator_loss(fake_logits: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""The *saturating* generator loss, the generator's term of eq. 1, which G minimises.

    .. math:: L_G = \frac1m \sum_i \log(1 - D(G(z_i))) = -\frac1m \sum_i \operatorname{softplus}(a(G(z_i)))

    Its gradient in the logit is :math:`-\sigma(a) = -D(G(z))`, which vanishes when the
    discriminator confidently rejects the fakes (Goodfellow et al. 2014, §3).

    Claims: ``saturating-gradient``, ``non-saturating-numbers``. Chapter: 02.
    """
    return _reduce(-softplus(_checked("fake_logits", fake_logits)), reduction)


def nonsaturating_generator_loss(fake_logits: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""The non-saturating generator loss: G maximises :math:`\log D(G(z))` instead.

    .. math:: L_G = -\frac1m \sum_i \log D(G(z_i)) = \frac1m \sum_i \operatorname{softplus}(-a(G(z_i)))

    (Goodfellow et al. 2014, §3: same fixed point, strong gradients early in training.)

    Claims: ``saturating-gradient``, ``non-saturating-numbers``. Chapter: 02.
    """
    return _reduce(softplus(-_checked("fake_logits", fake_logits)), reduction)


# --- Wasserstein GAN (Arjovsky et al. 2017) -------------------------------------------------

def wasserstein_critic_loss(real_scores: Tensor, fake_scores: Tensor, *,
                            reduction: str = "mean") -> Tensor:
    r"""The critic's loss of WGAN: the negated estimate of :math:`W_1`.

    .. math:: L_f = \frac1m \sum_i f(G(z_i)) - \frac1m \sum_i f(x_i)

    (Arjovsky et al. 2017, Algorithm 1 line 5, where the critic ascends the negation.)

    Claims: ``wgan-clipping-algorithm``, ``wgan-loss-tracks-quality``, ``wgan-gp-loss-and-sign``.
    Chapters: 06, 07.
    """
    real_scores, fake_scores = _pair(real_scores, fake_scores, ("real_scores", "fake_scores"))
    return _reduce(fake_scores - real_scores, reduction)


def wasserstein_generator_loss(fake_scores: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""The generator's loss of WGAN.

    .. math:: L_G = -\frac1m \sum_i f(G(z_i))

    (Arjovsky et al. 2017, Algorithm 1 line 10.)

    Claims: ``wgan-generator-gradient``. Chapters: 06, 07.
    """
    return _reduce(-_checked("fake_scores", fake_scores), reduction)


# --- hinge / margin losses (Lim & Ye 2017; the lecture's flipped-label form) ----------------

def hinge_discriminator_loss(real_scores: Tensor, fake_scores: Tensor, *,
                             reduction: str = "mean") -> Tensor:
    r"""The hinge (margin) loss of the discriminator, on an unbounded score :math:`f`.

    .. math:: L_D = \frac1m \sum_i \big[\max(0, 1 - f(x_i)) + \max(0, 1 + f(G(z_i)))\big]

    (Lim & Ye 2017, Geometric GAN, §3: the SVM-margin objective of the discriminator.) Its population minimiser is
    :math:`f^* = \operatorname{sign}(p_r - p_g)` with minimum :math:`2(1 - \mathrm{TV})`.

    Claims: ``flipped-labels-margin``. Chapter: 08.
    """
    real_scores, fake_scores = _pair(real_scores, fake_scores, ("real_scores", "fake_scores"))
    return _reduce(F.relu(1 - real_scores) + F.relu(1 + fake_scores), reduction)


def hinge_generator_loss(fake_scores: Tensor, *, reduction: str = "mean") -> Tensor:
    r"""The generator's loss of the hinge GAN.

    .. math:: L_G = -\frac1m \sum_i f(G(z_i))

    (Lim & Ye 2017, Geometric GAN, §3: the generator moves along the normal of the
    separating hyperplane.)

    Claims: ``flipped-labels-margin``. Chapter: 08.
    """
    return _reduce(-_checked("fake_scores", fake_scores), reduction)


def flipped_margin_discriminator_loss(real_scores: Tensor, fake_scores: Tensor, *,
                                      reduction: str = "mean") -> Tensor:
    r"""The lecture's margin loss with flipped labels (fake = 1, real = 0).

    .. math:: L = \frac1m \sum_i \big[\max(0, 1 + f(x_i)) + \max(0, 1 - f(G(z_i)))\big]

    with the decision function :math:`f = 2D - 1` (lecture-gans-banerjee.txt, "margin loss"):
    real scores are pushed below 0, fake ones above. For :math:`D \in [0, 1]` both hinges are
    always active, so the loss is then linear in :math:`D`; chapter 08 examines what that means.

    Claims: ``flipped-labels-margin``. Chapter: 08.
    """
    real_scores, fake_scores = _pair(real_scores, fake_scores, ("real_scores", "fake_scores"))
    return _reduce(F.relu(1 + real_scores) + F.relu(1 - fake_scores), reduction)


# --- least squares GAN (Mao et al. 2017) ----------------------------------------------------

def least_squares_discriminator_loss(real_outputs: Tensor, fake_outputs: Tensor, *,
                                     a: float = 0.0, b: float = 1.0,
                                     reduction: str = "mean") -> Tensor:
    r"""The LSGAN discriminator loss, with the fake target :math:`a` and real target :math:`b`.

    .. math:: L_D = \frac12 \frac1m \sum_i (D(x_i) - b)^2 + \frac12 \frac1m \sum_i (D(G(z_i)) - a)^2

    on the raw (linear) output :math:`D`. Mao et al. 2017, eq. 2, with their 0-1 coding
    :math:`a = 0, b = 1` as defaults. The pointwise minimiser is
    :math:`D^* = (b\,p_r + a\,p_g) / (p_r + p_g)`.

    Claims: ``lsgan-losses``. Chapter: 08.
    """
    real_outputs, fake_outputs = _pair(real_outputs, fake_outputs, ("real_outputs", "fake_outputs"))
    a, b = _validate.number("a", a), _validate.number("b", b)
    return _reduce(0.5 * (real_outputs - b) ** 2 + 0.5 * (fake_outputs - a) ** 2, reduction)


def least_squares_generator_loss(fake_outputs: Tensor, *, c: float = 1.0,
                                 reduction: str = "mean") -> Tensor:
    r"""The LSGAN generator loss, with the value :math:`c` the generator wants D to believe.

    .. math:: L_G = \frac12 \frac1m \sum_i (D(G(z_i)) - c)^2

    Mao et al. 2017, eq. 2, with :math:`c = 1` by default.

    Claims: ``lsgan-losses``. Chapter: 08.
    """
    fake_outputs, c = _checked("fake_outputs", fake_outputs), _validate.number("c", c)
    return _reduce(0.5 * (fake_outputs - c) ** 2, reduction)


# --- feature matching (Salimans et al. 2016) ------------------------------------------------

def feature_matching_loss(real_features: Tensor, fake_features: Tensor, *,
                          reduction: str = "sum") -> Tensor:
    r"""Squared distance between the mean intermediate features of real and generated batches.

    .. math:: L_G = \Big\| \frac1m \sum_i f(x_i) - \frac1n \sum_j f(G(z_j)) \Big\|_2^2

    (Salimans et al. 2016, §3.1.) ``real_features`` is ``(m, k)`` and ``fake_features``
    ``(n, k)``; the batch sizes may differ. The paper's squared norm is ``reduction="sum"``
    over the :math:`k` features (the default); ``"mean"`` divides by :math:`k`; ``"none"``
    gives the :math:`k` squared differences.

    Claims: ``feature-matching``. Chapter: 09.
    """
    _checked("real_features", real_features)
    _checked("fake_features", fake_features)
    if real_features.dim() != 2 or fake_features.dim() != 2:
        raise ValueError("real_features and fake_features must be (batch, features) matrices")
    if real_features.shape[1] != fake_features.shape[1]:
        raise ValueError(f"real_features and fake_features differ in feature count: "
                         f"{real_features.shape[1]} vs {fake_features.shape[1]}")
    return _reduce((real_features.mean(0) - fake_features.mean(0)) ** 2, reduction)


# --- InfoGAN (Chen et al. 2016) ------------------------------------------------------------

def infogan_categorical_loss(code_logits: Tensor, code: Tensor, *,
                             reduction: str = "mean") -> Tensor:
    r"""Negative of InfoGAN's variational term for a categorical code: :math:`-\log Q(c \mid x)`.

    .. math:: L_I = -\frac1m \sum_i \log Q(c_i \mid G(z_i, c_i)),
              \qquad Q(\cdot \mid x) = \operatorname{softmax}(\text{code\_logits})

    Chen et al. 2016, eq. 5: the mutual-information lower bound is
    :math:`L_I(G, Q) = H(c) - \text{this loss}`; minimising it maximises the bound.

    Args:
        code_logits: the Q head's logits, ``(m, K)``.
        code: the sampled category indices :math:`c_i`, ``(m,)`` integers in ``[0, K)``.

    Claims: ``infogan-mi-bound``, ``infogan-disentangles``. Chapter: 10.
    """
    _checked("code_logits", code_logits)
    if code_logits.dim() != 2:
        raise ValueError(f"code_logits must be (batch, categories), got {tuple(code_logits.shape)}")
    if not isinstance(code, Tensor):
        raise TypeError(f"code must be a torch.Tensor of category indices, got {type(code).__name__}")
    if code.shape != code_logits.shape[:1] or code.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"code must hold one integer category per row of code_logits, "
                         f"got shape {tuple(code.shape)} and dtype {code.dtype}")
    if bool(((code < 0) | (code >= code_logits.shape[1])).any()):
        raise ValueError(f"code must lie in [0, {code_logits.shape[1]})")
    return F.cross_entropy(code_logits, code.long(), reduction=_check_reduction(reduction))


def infogan_continuous_loss(mean: Tensor, log_std: Tensor, code: Tensor, *,
                            reduction: str = "mean") -> Tensor:
    r"""Negative of InfoGAN's variational term for a continuous code, Gaussian :math:`Q`.

    .. math:: L_I = -\frac1m \sum_i \log \mathcal N(c_i; \mu(x_i), \sigma(x_i)^2)
              = \frac1m \sum_i \sum_k \Big[\tfrac12 \log 2\pi + \log\sigma_k
                + \frac{(c_{ik} - \mu_k)^2}{2\sigma_k^2}\Big]

    (Chen et al. 2016, eq. 5 and §6, a factored Gaussian posterior.) All three tensors are
    ``(m, k)``; per-example values sum over the :math:`k` code dimensions.

    Claims: ``infogan-mi-bound``. Chapter: 10.
    """
    for name, value in (("mean", mean), ("log_std", log_std), ("code", code)):
        _checked(name, value)
    if not (mean.shape == log_std.shape == code.shape) or mean.dim() != 2:
        raise ValueError(f"mean, log_std and code must share one (batch, k) shape, got "
                         f"{tuple(mean.shape)}, {tuple(log_std.shape)}, {tuple(code.shape)}")
    nll = 0.5 * math.log(2 * math.pi) + log_std + 0.5 * ((code - mean) * torch.exp(-log_std)) ** 2
    return _reduce(nll.sum(dim=1), reduction)


def _check_reduction(reduction: str) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


#: Each family's (discriminator loss, generator loss); the trainer looks objectives up here.
FAMILIES = {
    "minimax": (minimax_discriminator_loss, minimax_generator_loss),
    "nonsaturating": (minimax_discriminator_loss, nonsaturating_generator_loss),
    "wasserstein": (wasserstein_critic_loss, wasserstein_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
    "least_squares": (least_squares_discriminator_loss, least_squares_generator_loss),
}
