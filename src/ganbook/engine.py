r"""The training engine: one critic step, one generator step and one loop, for one seed or K seeds at once.

A run trains *lanes*, one per seed. Each lane has its own ``torch.Generator`` seeded by its seed,
which draws its data, latent codes, InfoGAN codes and penalty interpolates in a fixed order.
With one lane the models are used as they are; with K lanes of MLPs they are stacked
(:mod:`ganbook.stacked`) and every tensor gains a leading seed axis. That axis is the only
difference between the two: the steps below are written once, and each loss is a per-seed
vector summed before the backward pass, so slice k of every gradient is lane k's own.

The steps (Goodfellow et al. 2014, Algorithm 1; Arjovsky et al. 2017 and Gulrajani et al. 2017,
Algorithm 1):

* critic step: :math:`L_D` of the objective's family on a real and a (detached) generated
  batch, plus :math:`\lambda\,\mathbb E(\|\nabla_{\hat x} D(\hat x)\|_2 - 1)^2` when a penalty is
  set, plus :math:`\lambda_{\text{info}}` times InfoGAN's code cross-entropy (Chen et al. 2016,
  eq. 5); an optimiser step; then weight clipping to :math:`[-c, c]` when a bound is set;
* generator step: the objective's :math:`L_G` (plus the InfoGAN term), or feature matching
  (Salimans et al. 2016, §3.1), or the exact minibatch :math:`W_1` of
  :func:`ganbook.transport.minibatch_w1`: the value of a critic solved exactly on the batch,
  whose gradient by Danskin's theorem is that of :math:`W_1` itself.

The entry points are in :mod:`ganbook.train`.
"""

from __future__ import annotations

import inspect
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np
import torch
from torch import Tensor, nn

from ganbook import losses, stacked, transport
from ganbook.models import InfoGANDiscriminator, InfoGANGenerator, mixes_examples
from ganbook.penalties import clip_weights, critic_gradient_norms, interpolates
from ganbook.session import progress_bar
from ganbook.settings import OPTIMIZERS, Settings, number

COLUMNS = ("d_loss", "g_loss", "d_grad_norm", "g_grad_norm")


def _fused(optimizer: type, parameters: list[nn.Parameter], **options) -> torch.optim.Optimizer:
    """``optimizer`` with one fused kernel for all parameters, or multi-tensor kernels where torch has none.

    (Fused CPU kernels for Adam and SGD arrived in torch 2.4; older versions refuse
    ``fused=True`` for CPU tensors with a RuntimeError.)
    """
    try:
        return optimizer(parameters, fused=True, **options)
    except (RuntimeError, TypeError):
        return optimizer(parameters, foreach=True, **options)


def make_optimizer(kind: str, parameters: Iterable[nn.Parameter], lr: float,
                   betas: tuple[float, float] = (0.5, 0.999)) -> torch.optim.Optimizer:
    """``"adam"`` (with ``betas``), ``"rmsprop"`` or ``"sgd"`` (plain gradient steps) at learning rate ``lr``.

    Each uses torch's fastest implementation of the same arithmetic: one fused kernel for all
    parameters (Adam, SGD) or multi-tensor kernels (RMSProp), instead of a Python loop over them.
    """
    lr = number("lr (the learning rate)", lr, 0.0, strict=True)
    parameters = list(parameters)
    if kind == "adam":
        return _fused(torch.optim.Adam, parameters, lr=lr, betas=tuple(betas))
    if kind == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr, foreach=True)
    if kind == "sgd":
        return _fused(torch.optim.SGD, parameters, lr=lr)
    raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {kind!r}")


def total_norm(tensors: Sequence[Tensor]) -> Tensor:
    """:math:`\\|(\\|t_1\\|_2, \\dots, \\|t_n\\|_2)\\|_2`, the L2 norm of all ``tensors`` as one vector.

    ``torch.nn.utils.get_total_norm`` (torch 2.6 and later), else the same arithmetic spelled out.
    """
    get_total_norm = getattr(torch.nn.utils, "get_total_norm", None)
    if get_total_norm is not None:
        return get_total_norm(tensors)
    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(t) for t in tensors]))


@contextmanager
def _frozen(parameters: list[nn.Parameter]):
    """No gradients for these parameters inside the block (the other player's step)."""
    flags = [p.requires_grad for p in parameters]
    for p in parameters:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in zip(parameters, flags):
            p.requires_grad_(flag)


class _Axis:
    """The seed axis: absent for one lane (models used as they are), leading for K stacked lanes."""

    def __init__(self, k: int, stacked_models: bool):
        self.k, self.stacked = k, stacked_models
        self.batch_dims = 2 if stacked_models else 1

    def join(self, parts: list):
        """Per-lane tensors (or None) to the run's tensor."""
        if parts[0] is None:
            return None
        return torch.stack(parts) if self.stacked else parts[0]

    def parts(self, tensor: Tensor) -> list[Tensor]:
        return list(tensor) if self.stacked else [tensor]

    def per_seed(self, loss: Callable[..., Tensor], *tensors: Tensor) -> Tensor:
        """``loss`` of each lane's slices: shape ``(K,)``, or ``()`` for one lane."""
        if not self.stacked:
            return loss(*tensors)
        return torch.stack([loss(*(t[k] for t in tensors)) for k in range(self.k)])

    def gradient_norms(self, parameters: list[nn.Parameter]) -> Tensor:
        """Each lane's global gradient L2 norm (0 when no parameter has a gradient)."""
        if self.stacked:
            return stacked.seed_gradient_norms(parameters)
        grads = [p.grad for p in parameters if p.grad is not None]
        return total_norm(grads) if grads else torch.zeros(())


class _Feed:
    """How the players are fed, decided once: plain, conditional (labels) or InfoGAN (a code).

    Conditional models take the label as a second argument (a generator with ``n_classes``);
    an :class:`~ganbook.models.InfoGANGenerator` takes the code, and an
    :class:`~ganbook.models.InfoGANDiscriminator` returns the Q head's logits besides its own.
    """

    def __init__(self, generator: nn.Module | None, settings: Settings, device: torch.device):
        self.info, self.device = settings.info, device
        self.conditional = getattr(generator, "n_classes", None) is not None
        self.noise_dim = generator.latent_dim if generator is not None else None
        parameter = next(generator.parameters(), None) if generator is not None else None
        self.dtype = parameter.dtype if parameter is not None else torch.get_default_dtype()

    def inputs(self, rng: torch.Generator, n: int, label: Tensor | None) -> tuple[tuple[Tensor, ...], Tensor | None]:
        """One lane's ``(generator arguments, condition)`` for ``n`` fakes: ``z`` (in the generator's dtype), then the code."""
        z = torch.randn(n, self.noise_dim, generator=rng, dtype=self.dtype).to(self.device)
        if self.conditional:
            return (z, label), label
        if self.info is not None:
            code = torch.randint(self.info.n_categories, (n,), generator=rng).to(self.device)
            return (z, code), code
        return (z,), None

    def score(self, discriminator: nn.Module, x: Tensor, condition: Tensor | None) -> tuple[Tensor, Tensor | None]:
        """``(D's raw outputs, Q's code logits or None)``."""
        if self.conditional:
            return discriminator(x, condition), None
        if self.info is not None:
            return discriminator.forward_with_code(x)
        return discriminator(x), None

    def critic(self, discriminator: nn.Module, condition: Tensor | None) -> Callable[[Tensor], Tensor]:
        return (lambda x: discriminator(x, condition)) if self.conditional else discriminator

    def features(self, discriminator: nn.Module, x: Tensor, condition: Tensor | None) -> Tensor:
        return discriminator.features(x, condition) if self.conditional else discriminator.features(x)


@dataclass
class Result:
    """What the engine measured: ``columns[name]`` of shape ``(steps, K)``, per-lane evaluations, wall time."""

    columns: dict[str, np.ndarray]
    evaluations: list[list[dict]]
    seconds: float


def _arity(evaluate: Callable) -> int:
    """1 for ``evaluate(generator)``, 2 for ``evaluate(generator, discriminator)``."""
    try:
        parameters = inspect.signature(evaluate).parameters.values()
    except (TypeError, ValueError):
        return 2
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.default is p.empty]
    if any(p.kind == p.VAR_POSITIONAL for p in parameters) or len(positional) >= 2:
        return 2
    return 1


def _check_models(generators: list, discriminators: list, settings: Settings) -> None:
    """Refuse, by name, what the steps cannot do right."""
    modules = [m for m in generators + discriminators if m is not None]
    if len({id(m) for m in modules}) != len(modules):
        raise ValueError("the same module appears twice among the generators and discriminators "
                         "(build must return new modules for every seed)")
    dtypes = {name: {p.dtype for p in m.parameters()}
              for name, group in (("generator", generators), ("discriminator", discriminators))
              for m in group if m is not None}
    found = {dtype for group in dtypes.values() for dtype in group}
    if len(found) > 1:
        raise ValueError(f"generator and discriminator parameters must share one dtype, got "
                         f"{', '.join(f'{name}: {sorted(map(str, d))}' for name, d in dtypes.items())}")
    for generator in generators:
        if isinstance(generator, InfoGANGenerator) and (
                settings.info is None or settings.info.n_categories != generator.n_categories):
            raise ValueError(f"an InfoGANGenerator of {generator.n_categories} categories trains with "
                             f"info=InfoCode({generator.n_categories}), got info={settings.info!r}")
    for discriminator in discriminators:
        if discriminator is None:
            continue
        if settings.penalty > 0 and mixes_examples(discriminator):
            raise ValueError("penalty > 0 with a discriminator that mixes the examples of a batch "
                             "(minibatch features, batch norm): its per-example input gradients are not "
                             "the gradients the penalty needs; use penalty=0 or a per-example critic")
        if settings.info is not None and not isinstance(discriminator, InfoGANDiscriminator):
            raise ValueError("info (InfoGAN training) needs a discriminator with a Q head "
                             "(ganbook.models.InfoGANDiscriminator)")


class Engine:
    """Train the ``pairs`` (one ``(generator, discriminator)`` per seed) with ``settings``.

    ``settings`` holds one :class:`~ganbook.settings.Settings` per lane (they differ in the seed
    only). ``stack``: train the lanes as one stacked model (MLPs), else there must be one lane.
    A ``None`` generator (:func:`~ganbook.train.fit_discriminator`) takes its fakes from
    ``fake_data``; ``data=None`` (:func:`~ganbook.train.fit_generator`) needs no real batch.
    ``critic`` / ``generator_steps``: which players step.
    """

    def __init__(self, pairs: Sequence[tuple[nn.Module | None, nn.Module | None]], data, settings: Sequence[Settings],
                 *, stack: bool, device: torch.device, fake_data=None, critic: bool = True,
                 generator_steps: bool = True,
                 optimizers: tuple[torch.optim.Optimizer, torch.optim.Optimizer] | None = None):
        self.settings, self.s = list(settings), settings[0]
        self.data, self.fake_data, self.device = data, fake_data, device
        self.critic_steps = self.s.n_disc if critic else 0
        self.generator_steps = generator_steps
        self.originals = [tuple(pair) for pair in pairs]
        generators = [g for g, _ in self.originals]
        discriminators = [d for _, d in self.originals]
        _check_models(generators, discriminators, self.s)
        for module in generators + discriminators:
            if module is not None:
                module.to(device)
        if self.s.info is not None:
            generators = [g if g is None or isinstance(g, InfoGANGenerator)
                          else InfoGANGenerator(g, self.s.info.n_categories) for g in generators]
        if not stack and len(pairs) != 1:
            raise ValueError("lanes that are not stacked train one at a time")
        self.axis = _Axis(len(pairs), stack)
        self.G = (stacked.stack(generators) if stack else generators[0]) if generators[0] is not None else None
        self.D = (stacked.stack(discriminators) if stack else discriminators[0]) \
            if discriminators[0] is not None else None
        self.rngs = [torch.Generator().manual_seed(s.seed) for s in self.settings]
        self.feed = _Feed(self.G, self.s, device)
        self.labelled = data is not None and getattr(data, "n_classes", None) is not None
        if self.feed.conditional and getattr(data, "n_classes", None) != self.G.n_classes:
            raise ValueError(f"a conditional generator with n_classes={self.G.n_classes} needs labelled "
                             f"data with as many classes, got {getattr(data, 'n_classes', None)}")
        self.d_loss_fn, self.g_loss_fn = losses.FAMILIES[self.s.spec.family]
        self.d_params = list(self.D.parameters()) if self.D is not None else []
        self.g_params = list(self.G.parameters()) if self.G is not None else []
        if optimizers is not None:
            self.opt_g, self.opt_d = optimizers
        else:
            s = self.s
            self.opt_g = make_optimizer(s.optimizer, self.g_params, s.lr_g, s.betas) if generator_steps else None
            self.opt_d = make_optimizer(s.optimizer, self.d_params, s.lr_d, s.betas) if self.critic_steps else None

    # --- draws (each lane from its own generator) ------------------------------------------

    def reals(self, n: int) -> tuple[Tensor, Tensor | None]:
        """``(real batch, labels or None)``, ``n`` examples a lane."""
        draws = []
        for rng in self.rngs:
            batch = self.data.sample(n, generator=rng, device=self.device)
            draws.append(batch if self.labelled else (batch, None))
        return self.axis.join([x for x, _ in draws]), self.axis.join([y for _, y in draws])

    def fakes(self, n: int, labels: Tensor | None) -> tuple[Tensor, Tensor | None]:
        """``(generated batch, condition)``, ``n`` a lane; labels (conditional) are the real batch's."""
        if self.G is None:
            draws = [self.fake_data.sample(n, generator=rng, device=self.device) for rng in self.rngs]
            if self.s.info is not None:      # a labelled sampler: its labels are the samples' codes
                return self.axis.join([x for x, _ in draws]), self.axis.join([code for _, code in draws])
            return self.axis.join(draws), None
        label_parts = self.axis.parts(labels) if labels is not None else [None] * self.axis.k
        draws = [self.feed.inputs(rng, n, label) for rng, label in zip(self.rngs, label_parts)]
        arguments = [self.axis.join(list(parts)) for parts in zip(*(a for a, _ in draws))]
        return self.G(*arguments), self.axis.join([c for _, c in draws])

    def check_shapes(self) -> None:
        """Refuse a generator whose samples differ from the data's in shape or dtype (draws 2 of each)."""
        x_real, y_real = self.reals(2)
        with torch.no_grad():
            x_fake, _ = self.fakes(2, y_real)
        if x_fake.shape[self.axis.batch_dims:] != x_real.shape[self.axis.batch_dims:]:
            raise ValueError(f"generator output shape {tuple(x_fake.shape[self.axis.batch_dims:])} does not "
                             f"match the data's example shape {tuple(x_real.shape[self.axis.batch_dims:])}")
        if x_fake.dtype != x_real.dtype:
            raise ValueError(f"the generator makes {x_fake.dtype} samples, the data sampler {x_real.dtype}: "
                             f"convert the models (.to(dtype)) or the data")

    # --- the two steps ---------------------------------------------------------------------

    def critic_step(self) -> tuple[Tensor, Tensor]:
        s, axis = self.s, self.axis
        x_real, y_real = self.reals(s.batch_size)
        with torch.no_grad():
            x_fake, condition = self.fakes(s.batch_size, y_real)
        real_out, _ = self.feed.score(self.D, x_real, y_real)
        fake_out, code_logits = self.feed.score(self.D, x_fake, condition)
        loss = self.d_loss_fn(real_out, fake_out, reduction="none").mean(-1)
        if s.penalty > 0:      # Gulrajani et al. 2017, Algorithm 1 lines 6-7, ε from each lane's generator
            x_hat = axis.join([interpolates(real, fake, generator=rng) for real, fake, rng
                               in zip(axis.parts(x_real), axis.parts(x_fake), self.rngs)])
            norms = critic_gradient_norms(self.feed.critic(self.D, y_real), x_hat, create_graph=True,
                                          batch_dims=axis.batch_dims)
            loss = loss + s.penalty * ((norms - 1) ** 2).mean(-1)
        if s.info is not None:   # Q learns the code of (detached) fakes: Chen et al. 2016, eq. 5
            loss = loss + s.info.weight * axis.per_seed(losses.infogan_categorical_loss, code_logits, condition)
        self.opt_d.zero_grad(set_to_none=True)
        loss.sum().backward()
        norm = axis.gradient_norms(self.d_params)
        self.opt_d.step()
        if s.clip > 0:         # Arjovsky et al. 2017, Algorithm 1 line 7
            clip_weights(self.D, s.clip)
        return loss.detach(), norm

    def generator_step(self) -> tuple[Tensor, Tensor]:
        s, axis = self.s, self.axis
        exact = s.generator_loss == "minibatch_w1"
        first = self.reals(s.batch_size) if (self.feed.conditional or exact) else (None, None)
        with _frozen(self.d_params):
            x_fake, condition = self.fakes(s.batch_size, first[1])
            if s.generator_loss == "feature_matching":
                x_real, y_real = self.reals(s.batch_size)
                with torch.no_grad():
                    real_features = self.feed.features(self.D, x_real, y_real)
                loss = axis.per_seed(losses.feature_matching_loss, real_features,
                                     self.feed.features(self.D, x_fake, condition))
            elif exact:
                loss = axis.per_seed(transport.minibatch_w1, first[0], x_fake)
            else:
                fake_out, code_logits = self.feed.score(self.D, x_fake, condition)
                loss = self.g_loss_fn(fake_out, reduction="none").mean(-1)
                if s.info is not None:
                    loss = loss + s.info.weight * axis.per_seed(losses.infogan_categorical_loss,
                                                                code_logits, condition)
            self.opt_g.zero_grad(set_to_none=True)
            loss.sum().backward()
        norm = axis.gradient_norms(self.g_params)
        self.opt_g.step()
        return loss.detach(), norm

    # --- the loop --------------------------------------------------------------------------

    def run(self, *, evaluate: Callable | None = None, callbacks: Iterable[Callable] = (),
            desc: str, progress: bool | None = None) -> Result:
        """``steps`` rounds of ``n_disc`` critic steps and one generator step; the :class:`Result`.

        ``evaluate(generator[, discriminator]) -> dict`` runs on each lane's own models at step 0,
        every ``eval_every`` steps and at the end; ``callbacks`` are called as
        ``f(step, seed, generator, discriminator)`` after every step, lane by lane.
        """
        s, callbacks = self.s, list(callbacks)
        evaluations: list[list[dict]] = [[] for _ in self.originals]
        both = evaluate is not None and _arity(evaluate) == 2

        def run_evaluation(step: int):
            if evaluate is None:
                return
            with torch.no_grad():
                for rows, (generator, discriminator) in zip(evaluations, self.originals):
                    rows.append({"step": step, **(evaluate(generator, discriminator) if both
                                                  else evaluate(generator))})

        nothing = torch.full(() if not self.axis.stacked else (self.axis.k,), float("nan"))
        record: list[Tensor] = []
        started = time.perf_counter()
        run_evaluation(0)
        for step in progress_bar(range(1, s.steps + 1), desc=desc, show=progress):
            d_loss = d_norm = g_loss = g_norm = nothing
            for _ in range(self.critic_steps):
                d_loss, d_norm = self.critic_step()
            if self.generator_steps:
                g_loss, g_norm = self.generator_step()
                if s.generator_loss == "minibatch_w1":    # the exact critic: loss -W1, no parameters
                    d_loss, d_norm = -g_loss, torch.zeros_like(g_norm)
            record.append(torch.stack([d_loss, g_loss, d_norm, g_norm]))
            for callback in callbacks:
                for lane, (generator, discriminator) in zip(self.settings, self.originals):
                    callback(step, lane.seed, generator, discriminator)
            if s.eval_every and step % s.eval_every == 0 and step != s.steps:
                run_evaluation(step)
        if s.steps > 0:
            run_evaluation(s.steps)
        seconds = time.perf_counter() - started
        values = (torch.stack(record).cpu().numpy().astype(float).reshape(len(record), 4, self.axis.k)
                  if record else np.zeros((0, 4, self.axis.k)))
        return Result({name: values[:, i, :] for i, name in enumerate(COLUMNS)}, evaluations, seconds)

