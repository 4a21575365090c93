r"""Generators and discriminators for the book's experiments.

Every discriminator returns *raw* outputs of shape ``(m,)`` (logits, critic values or LSGAN
outputs: the objective decides how they are read) and exposes ``features(x)``, the last hidden
layer, for feature matching. Every generator has ``latent_dim``; :func:`generate` samples a
trained one.

* :class:`MLPGenerator`, :class:`MLPDiscriminator`: toy targets in :math:`\mathbb R^d`;
  the discriminator can add minibatch features (:class:`MinibatchDiscrimination`,
  Salimans et al. 2016 §3.2, or :class:`MinibatchStdDev`, Karras et al. 2018 §3);
* :class:`ConditionalGenerator`, :class:`ConditionalDiscriminator`: labels given to both
  players as one-hot vectors concatenated to the input (Mirza & Osindero 2014);
* :class:`InfoGANGenerator`: a generator fed a one-hot categorical code besides :math:`z`, and
  :class:`InfoGANDiscriminator`: a discriminator with a Q head on the same body (Chen et al. 2016);
* :class:`DCGANGenerator`, :class:`DCGANDiscriminator`: convolutional models for 8×8 or 16×16
  images following Radford et al. 2015, each guideline switchable for ablation.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "tanh": nn.Tanh,
               "elu": nn.ELU}


def _activation(name: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]()


def _positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def mlp(in_dim: int, hidden: Sequence[int], activation: str = "relu") -> nn.Sequential:
    """Linear layers of the ``hidden`` widths, each followed by ``activation``."""
    layers: list[nn.Module] = []
    width = _positive("in_dim", in_dim)
    for h in hidden:
        layers += [nn.Linear(width, _positive("hidden width", h)), _activation(activation)]
        width = h
    return nn.Sequential(*layers)


class MLPGenerator(nn.Module):
    """:math:`G: \\mathbb R^{\\text{latent\\_dim}} \\to \\mathbb R^{\\text{data\\_dim}}`, an MLP with a linear output."""

    def __init__(self, latent_dim: int = 2, data_dim: int = 2, hidden: Sequence[int] = (128, 128),
                 activation: str = "relu"):
        super().__init__()
        self.latent_dim, self.data_dim = _positive("latent_dim", latent_dim), _positive("data_dim", data_dim)
        self.body = mlp(latent_dim, hidden, activation)
        self.out = nn.Linear(hidden[-1] if hidden else latent_dim, data_dim)

    def forward(self, z: Tensor) -> Tensor:
        return self.out(self.body(z))


class MinibatchDiscrimination(nn.Module):
    r"""Minibatch discrimination (Salimans et al. 2016, §3.2).

    Each example's features :math:`f_i \in \mathbb R^A` are mapped by a tensor :math:`T` to
    :math:`M_i \in \mathbb R^{B \times C}`; then
    :math:`o(x_i)_b = \sum_j \exp(-\|M_{i,b} - M_{j,b}\|_{L_1})` (the :math:`j = i` term
    included, so a batch of copies gives :math:`m`) is appended to :math:`f_i`. The defaults,
    :math:`B = 5` kernels of :math:`C = 3` dimensions, are sized for the 2-D benchmarks: the
    pairwise :math:`L_1` distances cost :math:`m^2 B C` per batch, already several times the rest
    of a small discriminator's step at :math:`m = 128`.
    """

    def __init__(self, in_features: int, n_kernels: int = 5, kernel_dim: int = 3):
        super().__init__()
        self.n_kernels, self.kernel_dim = n_kernels, kernel_dim
        self.T = nn.Parameter(0.1 * torch.randn(in_features, n_kernels * kernel_dim))
        self.out_features = in_features + n_kernels

    def forward(self, f: Tensor) -> Tensor:
        # batch axis -2: a leading axis of stacked seeds (ganbook.stacked) passes through
        M = (f @ self.T).unflatten(-1, (self.n_kernels, self.kernel_dim))     # (m, B, C)
        per_kernel = M.transpose(-2, -3)                                       # (B, m, C)
        l1 = torch.cdist(per_kernel, per_kernel, p=1)                          # (B, m, m): b, i, j
        return torch.cat([f, torch.exp(-l1).sum(-1).transpose(-1, -2)], dim=-1)


class MinibatchStdDev(nn.Module):
    """Minibatch standard deviation (Karras et al. 2018, §3): appends the batch's mean feature std."""

    def __init__(self, in_features: int):
        super().__init__()
        self.out_features = in_features + 1

    def forward(self, f: Tensor) -> Tensor:
        # std over the batch of each feature, averaged into one number shared by every example
        spread = f.std(dim=-2, unbiased=False).mean(-1, keepdim=True)          # batch axis -2
        return torch.cat([f, spread.unsqueeze(-2).expand(*f.shape[:-1], 1)], dim=-1)


MINIBATCH_LAYERS = {"discrimination": MinibatchDiscrimination, "stddev": MinibatchStdDev}


class MLPDiscriminator(nn.Module):
    """:math:`D: \\mathbb R^{\\text{data\\_dim}} \\to \\mathbb R`, raw outputs of shape ``(m,)``.

    ``minibatch``: ``None``, ``"discrimination"`` or ``"stddev"`` adds minibatch features
    between the last hidden layer and the output.

    ``pack``: PacGAN's packing (Lin et al. 2018, §3): the discriminator scores ``pack``
    consecutive samples of a batch concatenated into one input of ``pack * data_dim``
    coordinates, so a batch of ``m`` samples gets ``m / pack`` outputs (``m`` must be a multiple).
    """

    def __init__(self, data_dim: int = 2, hidden: Sequence[int] = (128, 128),
                 activation: str = "relu", minibatch: str | None = None, pack: int = 1):
        super().__init__()
        self.data_dim = _positive("data_dim", data_dim)
        self.pack = _positive("pack", pack)
        self.body = mlp(data_dim * pack, hidden, activation)
        width = hidden[-1] if hidden else data_dim
        if minibatch is not None and minibatch not in MINIBATCH_LAYERS:
            raise ValueError(f"minibatch must be None or one of {sorted(MINIBATCH_LAYERS)}, "
                             f"got {minibatch!r}")
        self.minibatch = MINIBATCH_LAYERS[minibatch](width) if minibatch else None
        self.head = nn.Linear(self.minibatch.out_features if minibatch else width, 1)

    def features(self, x: Tensor) -> Tensor:
        """The last hidden layer (what feature matching compares), one row per pack."""
        if self.pack > 1:       # batch axis -2: (..., m, d) -> (..., m / pack, pack * d)
            if x.shape[-2] % self.pack:
                raise ValueError(f"x: a batch of {x.shape[-2]} samples cannot be cut into packs "
                                 f"of {self.pack}")
            x = x.reshape(*x.shape[:-2], x.shape[-2] // self.pack, self.pack * x.shape[-1])
        return self.body(x)

    def forward(self, x: Tensor) -> Tensor:
        h = self.features(x)
        if self.minibatch is not None:
            h = self.minibatch(h)
        return self.head(h).squeeze(-1)


class ConditionalGenerator(MLPGenerator):
    """:math:`G(z \\mid y)`: the one-hot label is concatenated to :math:`z` (Mirza & Osindero 2014)."""

    def __init__(self, latent_dim: int, n_classes: int, data_dim: int = 2,
                 hidden: Sequence[int] = (128, 128), activation: str = "relu"):
        super().__init__(latent_dim + _positive("n_classes", n_classes), data_dim, hidden, activation)
        self.latent_dim, self.n_classes = latent_dim, n_classes

    def forward(self, z: Tensor, y: Tensor) -> Tensor:
        return super().forward(torch.cat([z, F.one_hot(y, self.n_classes).to(z.dtype)], dim=-1))


class ConditionalDiscriminator(MLPDiscriminator):
    """:math:`D(x \\mid y)`: the one-hot label is concatenated to the (flattened) input."""

    def __init__(self, data_dim: int, n_classes: int, hidden: Sequence[int] = (128, 128),
                 activation: str = "leaky_relu"):
        super().__init__(data_dim + _positive("n_classes", n_classes), hidden, activation)
        self.n_classes = n_classes

    def _input(self, x: Tensor, y: Tensor) -> Tensor:
        flat = x.reshape(*y.shape, -1)          # (m, ...) -> (m, d); y holds the batch axes
        return torch.cat([flat, F.one_hot(y, self.n_classes).to(x.dtype)], dim=-1)

    def features(self, x: Tensor, y: Tensor) -> Tensor:
        return self.body(self._input(x, y))

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        return self.head(self.features(x, y)).squeeze(-1)


class InfoGANGenerator(nn.Module):
    """:math:`G(z, c)`: ``generator`` fed :math:`z` and the one-hot categorical code :math:`c` (Chen et al. 2016).

    ``generator``'s last ``n_categories`` inputs are the code, so its ``latent_dim`` must exceed
    ``n_categories``; this generator's ``latent_dim`` is the noise dimension that remains.
    """

    def __init__(self, generator: nn.Module, n_categories: int):
        super().__init__()
        self.n_categories = _positive("n_categories", n_categories)
        if generator.latent_dim <= n_categories:
            raise ValueError(f"the generator's latent_dim ({generator.latent_dim}) must exceed "
                             f"n_categories ({n_categories}): its last inputs are the code")
        self.generator = generator
        self.latent_dim = generator.latent_dim - n_categories

    def forward(self, z: Tensor, code: Tensor) -> Tensor:
        return self.generator(torch.cat([z, F.one_hot(code, self.n_categories).to(z.dtype)], dim=-1))


class InfoGANDiscriminator(MLPDiscriminator):
    """A discriminator whose body also feeds a Q head: logits of :math:`Q(c \\mid x)` for a categorical code."""

    def __init__(self, data_dim: int, n_categories: int, hidden: Sequence[int] = (128, 128),
                 activation: str = "leaky_relu"):
        super().__init__(data_dim, hidden, activation)
        self.n_categories = _positive("n_categories", n_categories)
        self.q_head = nn.Linear(hidden[-1] if hidden else data_dim, n_categories)

    def forward_with_code(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(D logits (m,), Q code logits (m, n_categories))`` from one pass through the body."""
        h = self.features(x)
        return self.head(h).squeeze(-1), self.q_head(h)


# --- DCGAN (Radford et al. 2015) ------------------------------------------------------------

class DCGANGenerator(nn.Module):
    r"""DCGAN generator for ``(channels, size, size)`` images, ``size`` 8 or 16.

    The guidelines of Radford et al. 2015 (§3), each a switch for ablation:

    * ``upsample="strided"``: fractionally-strided convolutions (``"nearest"``: nearest-neighbour
      upsampling followed by a convolution, the pooling-style alternative);
    * ``batch_norm=True``: batch norm in every layer but the output;
    * ``fully_connected=False``: the latent code is projected once, no fully connected hidden
      layers (``True`` adds two);
    * ``activation="relu"`` in hidden layers and ``output="tanh"`` (``"linear"`` to ablate).
    """

    def __init__(self, latent_dim: int = 16, channels: int = 1, size: int = 8, width: int = 64, *,
                 upsample: str = "strided", batch_norm: bool = True, fully_connected: bool = False,
                 activation: str = "relu", output: str = "tanh"):
        super().__init__()
        if size not in (8, 16):
            raise ValueError(f"size must be 8 or 16, got {size}")
        if upsample not in ("strided", "nearest"):
            raise ValueError(f"upsample must be 'strided' or 'nearest', got {upsample!r}")
        if output not in ("tanh", "linear"):
            raise ValueError(f"output must be 'tanh' or 'linear', got {output!r}")
        self.latent_dim = _positive("latent_dim", latent_dim)
        self.width = width
        n_up = 1 if size == 8 else 2                      # 4x4 -> 8x8 (-> 16x16)
        project: list[nn.Module] = []
        if fully_connected:
            project += [nn.Linear(latent_dim, 256), _activation(activation),
                        nn.Linear(256, 256), _activation(activation)]
        project.append(nn.Linear(256 if fully_connected else latent_dim, width * 4 * 4))
        self.project = nn.Sequential(*project)
        self.stem = nn.Sequential(*([nn.BatchNorm2d(width)] if batch_norm else []),
                                  _activation(activation))
        blocks: list[nn.Module] = []
        channels_in = width
        for i in range(n_up):
            last = i == n_up - 1
            channels_out = channels if last else width // 2
            if upsample == "strided":
                blocks.append(nn.ConvTranspose2d(channels_in, channels_out, 4, 2, 1))
            else:
                blocks += [nn.Upsample(scale_factor=2, mode="nearest"),
                           nn.Conv2d(channels_in, channels_out, 3, 1, 1)]
            if not last:
                blocks += [*([nn.BatchNorm2d(channels_out)] if batch_norm else []),
                           _activation(activation)]
            channels_in = channels_out
        if output == "tanh":
            blocks.append(nn.Tanh())
        self.blocks = nn.Sequential(*blocks)

    def forward(self, z: Tensor) -> Tensor:
        h = self.project(z).view(-1, self.width, 4, 4)
        return self.blocks(self.stem(h))


class DCGANDiscriminator(nn.Module):
    r"""DCGAN discriminator for ``(channels, size, size)`` images, ``size`` 8 or 16.

    Switches: ``downsample="strided"`` (strided convolutions; ``"pool"``: convolution then
    average pooling), ``batch_norm=True`` (in every layer but the input's), ``activation=
    "leaky_relu"`` (slope 0.2; ``"relu"`` to ablate), ``fully_connected=False`` (``True`` adds
    a fully connected hidden layer before the output).
    """

    def __init__(self, channels: int = 1, size: int = 8, width: int = 64, *,
                 downsample: str = "strided", batch_norm: bool = True,
                 activation: str = "leaky_relu", fully_connected: bool = False):
        super().__init__()
        if size not in (8, 16):
            raise ValueError(f"size must be 8 or 16, got {size}")
        if downsample not in ("strided", "pool"):
            raise ValueError(f"downsample must be 'strided' or 'pool', got {downsample!r}")
        n_down = 1 if size == 8 else 2                    # (16x16 ->) 8x8 -> 4x4
        layers: list[nn.Module] = []
        channels_in = channels
        for i in range(n_down):
            channels_out = width if i == n_down - 1 else width // 2
            if downsample == "strided":
                layers.append(nn.Conv2d(channels_in, channels_out, 4, 2, 1))
            else:
                layers += [nn.Conv2d(channels_in, channels_out, 3, 1, 1), nn.AvgPool2d(2)]
            if batch_norm and i > 0:
                layers.append(nn.BatchNorm2d(channels_out))
            layers.append(_activation(activation))
            channels_in = channels_out
        layers.append(nn.Flatten())
        self.body = nn.Sequential(*layers)
        features = width * 4 * 4
        if fully_connected:
            self.hidden = nn.Sequential(nn.Linear(features, 256), _activation(activation))
            features = 256
        else:
            self.hidden = nn.Identity()
        self.head = nn.Linear(features, 1)

    def features(self, x: Tensor) -> Tensor:
        return self.hidden(self.body(x))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x)).squeeze(-1)


def mixes_examples(module: nn.Module) -> bool:
    """Whether ``module``'s output for one example depends on the others in its batch.

    True for the minibatch layers, batch norm and PacGAN's packing (``pack > 1``): a per-example
    input gradient (the gradient penalty's) is then not the gradient of one example's score.
    """
    return any(isinstance(m, (MinibatchDiscrimination, MinibatchStdDev, nn.modules.batchnorm._BatchNorm))
               or (isinstance(m, MLPDiscriminator) and m.pack > 1) for m in module.modules())


@torch.no_grad()
def generate(generator: nn.Module, n: int, *, seed: int = 0, labels: Tensor | None = None,
             code: Tensor | None = None, n_categories: int | None = None) -> Tensor:
    """``n`` samples of ``generator`` from latent draws :math:`z \\sim \\mathcal N(0, I)` seeded by ``seed``.

    ``labels`` for a conditional generator; ``code`` (category indices) for an
    ``InfoGANGenerator``, or with ``n_categories`` for a plain generator whose last
    ``n_categories`` inputs are the one-hot code. Samples are on the generator's device.
    """
    n = _positive("n", n)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2 ** 64:
        raise ValueError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    if code is not None and not isinstance(generator, InfoGANGenerator):
        if n_categories is None:
            raise ValueError("code needs n_categories (or an InfoGANGenerator)")
        generator = InfoGANGenerator(generator, n_categories)
    device = next(generator.parameters()).device
    rng = torch.Generator().manual_seed(int(seed))
    z = torch.randn(n, generator.latent_dim, generator=rng).to(device)
    if labels is not None:
        return generator(z, labels.to(device))
    if code is not None:
        return generator(z, code.to(device))
    return generator(z)


@torch.no_grad()
def outputs_at(model: nn.Module, x) -> np.ndarray:
    """Raw outputs of ``model`` at the points ``x`` (``(n,)`` on the line or ``(n, d)``), as float64 NumPy.

    For comparing a trained discriminator with a closed form on a grid. Chapters: 03, 04, 08.
    """
    points = np.asarray(x, dtype=float)
    points = points[:, None] if points.ndim == 1 else points
    device = next(model.parameters()).device
    out = model(torch.as_tensor(points, dtype=torch.float32, device=device))
    return out.cpu().numpy().astype(float)


class LineGenerator(nn.Module):
    r"""The one-parameter generator of the disjoint-supports example: :math:`G_\theta(z) = (\theta, \Phi(z))`.

    With :math:`z \sim \mathcal N(0, 1)` (the trainer's latent) :math:`\Phi(z) \sim U[0, 1]`, so
    :math:`G_\theta` samples the law of :math:`(\theta, Z)` of :class:`ganbook.data.DisjointLines`
    (Arjovsky et al. 2017, Example 1). :math:`\theta` is the only parameter.
    """

    latent_dim, data_dim = 1, 2

    def __init__(self, theta: float = 1.0):
        super().__init__()
        self.theta = nn.Parameter(torch.tensor(float(theta)))

    def forward(self, z: Tensor) -> Tensor:
        uniform = 0.5 * (1 + torch.erf(z / 2 ** 0.5))        # Phi(z)
        return torch.cat([self.theta.expand(z.shape[0], 1).to(z.dtype), uniform], dim=1)
