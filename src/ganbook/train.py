r"""The one trainer behind every trained check of the book.

:func:`train` runs Algorithm 1 of Goodfellow et al. (2014): ``n_disc`` discriminator steps on
fresh minibatches, then one generator step, for ``steps`` generator steps. The same loop with
the Wasserstein critic loss, weight clipping or the gradient penalty is Algorithm 1 of
Arjovsky et al. (2017) and of Gulrajani et al. (2017). Objectives are chosen by name with the
papers' defaults (``OBJECTIVES``); any default can be overridden by an argument.

Every random draw (data, latent codes, labels, penalty interpolates) comes from one
``torch.Generator`` seeded by ``seed``; with models initialised after
:func:`ganbook.setup`, the same seed gives a bit-identical :class:`History` on the CPU.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganbook import losses, stacked
from ganbook.penalties import clip_weights, critic_gradient_norms, gradient_penalty, interpolates
from ganbook.session import seed_everything


@dataclass(frozen=True)
class Objective:
    """An objective with its paper's training defaults."""

    name: str
    family: str                       # a key of ganbook.losses.FAMILIES
    n_disc: int                       # discriminator (critic) steps per generator step
    optimizer: str                    # "adam" or "rmsprop"
    lr: float
    betas: tuple[float, float] = (0.5, 0.999)
    penalty: float = 0.0              # gradient-penalty weight lambda (0: none)
    clip: float = 0.0                 # weight-clipping bound c (0: none)
    reference: str = ""


#: The objectives by name, with the defaults of the papers that introduced them.
OBJECTIVES = {
    "gan": Objective("gan", "minimax", 1, "adam", 2e-4, reference=(
        "Goodfellow et al. 2014, Algorithm 1 with k = 1 and the saturating generator loss; "
        "Adam(2e-4, beta1 = 0.5) of Radford et al. 2015, since the 2014 paper fixes no rate")),
    "nsgan": Objective("nsgan", "nonsaturating", 1, "adam", 2e-4, reference=(
        "Goodfellow et al. 2014, §3 (non-saturating generator loss); Adam of Radford et al. 2015")),
    "wgan": Objective("wgan", "wasserstein", 5, "rmsprop", 5e-5, clip=0.01, reference=(
        "Arjovsky et al. 2017, Algorithm 1: RMSProp, alpha = 5e-5, c = 0.01, n_critic = 5")),
    "wgan-gp": Objective("wgan-gp", "wasserstein", 5, "adam", 1e-4, (0.0, 0.9), penalty=10.0,
                         reference=("Gulrajani et al. 2017, Algorithm 1: lambda = 10, n_critic = 5, "
                                    "Adam(1e-4, beta1 = 0, beta2 = 0.9)")),
    "lsgan": Objective("lsgan", "least_squares", 1, "adam", 2e-4, reference=(
        "Mao et al. 2017: a = 0, b = c = 1, Adam(2e-4, beta1 = 0.5)")),
    "hinge": Objective("hinge", "hinge", 1, "adam", 2e-4, reference=(
        "Lim & Ye 2017 hinge losses; Adam(2e-4, beta1 = 0.5) as for DCGAN")),
}


@dataclass(frozen=True)
class InfoCode:
    """InfoGAN's categorical code: the generator's last ``n_categories`` inputs are one-hot ``c``.

    ``weight`` is :math:`\\lambda` of Chen et al. 2016, eq. 5 (1 for discrete codes).
    """

    n_categories: int
    weight: float = 1.0


@dataclass
class History:
    """What one training run measured, one entry per generator step.

    ``d_loss`` is the last discriminator step's loss (penalty included), ``g_loss`` the
    generator's, ``*_grad_norm`` the global L2 norm of each player's gradient before its
    optimiser step. ``evaluations`` holds ``{"step": s, **evaluate(generator)}`` rows.
    """

    objective: str
    d_loss: np.ndarray
    g_loss: np.ndarray
    d_grad_norm: np.ndarray
    g_grad_norm: np.ndarray
    evaluations: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def steps(self) -> int:
        return len(self.g_loss)

    def metric(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, values)`` of an evaluated metric."""
        if not self.evaluations or name not in self.evaluations[0]:
            known = sorted(self.evaluations[0]) if self.evaluations else []
            raise KeyError(f"no evaluated metric {name!r} (evaluated: {known})")
        return (np.array([e["step"] for e in self.evaluations]),
                np.array([e[name] for e in self.evaluations], dtype=float))


def _integer(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _objective(name: str) -> Objective:
    if name not in OBJECTIVES:
        raise ValueError(f"unknown objective {name!r}; choose one of {sorted(OBJECTIVES)}")
    return OBJECTIVES[name]


def _constraints(spec: Objective, penalty: float | None, clip: float | None) -> tuple[float, float]:
    """The gradient-penalty weight and clipping bound: the objective's unless given (0 = off)."""
    penalty = spec.penalty if penalty is None else float(penalty)
    clip = spec.clip if clip is None else float(clip)
    if penalty < 0:
        raise ValueError(f"penalty (the gradient-penalty weight) must be >= 0, got {penalty}")
    if clip < 0:
        raise ValueError(f"clip (the weight-clipping bound) must be >= 0, got {clip}")
    return penalty, clip


def make_optimizer(kind: str, parameters: Iterable[nn.Parameter], lr: float,
                   betas: tuple[float, float] = (0.5, 0.999)) -> torch.optim.Optimizer:
    """``"adam"`` (with ``betas``), ``"rmsprop"`` or ``"sgd"`` (plain gradient steps) at learning rate ``lr``.

    Each uses torch's fastest implementation of the same arithmetic: one fused kernel for all
    parameters (Adam, SGD) or multi-tensor kernels (RMSProp), instead of a Python loop over them.
    """
    if not lr > 0:
        raise ValueError(f"learning rate must be > 0, got {lr}")
    if kind == "adam":
        return torch.optim.Adam(parameters, lr=lr, betas=betas, fused=True)
    if kind == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr, foreach=True)
    if kind == "sgd":
        return torch.optim.SGD(parameters, lr=lr, fused=True)
    raise ValueError(f"optimizer must be 'adam', 'rmsprop' or 'sgd', got {kind!r}")


def _widgets() -> bool:
    """Running in a notebook kernel that can draw widget progress bars (Colab, Jupyter)."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def show_progress() -> bool:
    """Progress bars unless ``CI`` is set: in a terminal, or in a notebook with widgets.

    (A kernel without ipywidgets, as in the book's build, gets none: tqdm's notebook bar would
    write a warning into the page instead.)
    """
    if os.environ.get("CI"):
        return False
    return sys.stderr.isatty() or _widgets()


def progress_bar(iterable, *, desc: str, show: bool | None = None):
    """``iterable`` wrapped in a tqdm bar (a widget in notebooks) when :func:`show_progress` allows."""
    if not (show_progress() if show is None else show):
        return iterable
    if _widgets():
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm(iterable, desc=desc, leave=False)


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


def _grad_norm(parameters: list[nn.Parameter]) -> Tensor:
    """Global L2 norm of the parameters' gradients (0 when none has one)."""
    grads = [p.grad for p in parameters if p.grad is not None]
    return torch.nn.utils.get_total_norm(grads) if grads else torch.zeros(())


class _Players:
    """How this run feeds the players: plain, conditional (labels) or InfoGAN (a code)."""

    def __init__(self, generator, discriminator, data, info: InfoCode | None, rng, device):
        self.G, self.D, self.data, self.info, self.rng, self.device = (
            generator, discriminator, data, info, rng, device)
        self.conditional = getattr(generator, "n_classes", None) is not None
        if self.conditional and getattr(data, "n_classes", None) != generator.n_classes:
            raise ValueError(f"a conditional generator with n_classes={generator.n_classes} needs "
                             f"labelled data with as many classes, got {getattr(data, 'n_classes', None)}")
        self.labelled = getattr(data, "n_classes", None) is not None
        self.noise_dim = generator.latent_dim - (info.n_categories if info else 0)
        if info is not None and not hasattr(discriminator, "forward_with_code"):
            raise ValueError("InfoGAN training needs a discriminator with a Q head "
                             "(ganbook.models.InfoGANDiscriminator)")

    def real(self, n: int):
        batch = self.data.sample(n, generator=self.rng, device=self.device)
        return batch if self.labelled else (batch, None)

    def inputs(self, n: int, labels: Tensor | None = None) -> tuple[tuple[Tensor, ...], Tensor | None]:
        """``(the generator's arguments, condition)`` for ``n`` fakes, drawn from this run's generator.

        The condition is the label (conditional), the code (InfoGAN) or None.
        """
        z = torch.randn(n, self.noise_dim, generator=self.rng).to(self.device)
        if self.conditional:
            return (z, labels), labels
        if self.info is not None:
            code = torch.randint(self.info.n_categories, (n,), generator=self.rng).to(self.device)
            one_hot = F.one_hot(code, self.info.n_categories).to(z.dtype)
            return (torch.cat([z, one_hot], dim=-1),), code
        return (z,), None

    def fake(self, n: int, labels: Tensor | None = None):
        """``(G(z), condition)`` for ``n`` fresh latent draws."""
        arguments, condition = self.inputs(n, labels)
        return self.G(*arguments), condition

    def score(self, x: Tensor, condition: Tensor | None) -> tuple[Tensor, Tensor | None]:
        """``(D outputs (m,), Q code logits or None)``."""
        if self.conditional:
            return self.D(x, condition), None
        if self.info is not None:
            return self.D.forward_with_code(x)
        return self.D(x), None

    def features(self, x: Tensor, condition: Tensor | None) -> Tensor:
        return self.D.features(x, condition) if self.conditional else self.D.features(x)


def train(generator: nn.Module, discriminator: nn.Module, data, *, objective: str = "nsgan",
          steps: int = 1000, batch_size: int = 64, n_disc: int | None = None,
          lr_d: float | None = None, lr_g: float | None = None,
          optimizer: str | None = None, betas: tuple[float, float] | None = None,
          optimizers: tuple[torch.optim.Optimizer, torch.optim.Optimizer] | None = None,
          penalty: float | None = None, clip: float | None = None,
          generator_loss: str | None = None, info: InfoCode | None = None,
          callbacks: Iterable[Callable[[int, nn.Module, nn.Module], Any]] = (),
          evaluate: Callable[[nn.Module], dict] | None = None, eval_every: int = 0,
          seed: int = 0, device: str | torch.device | None = None,
          progress: bool | None = None) -> History:
    """Train ``generator`` against ``discriminator`` on ``data``; return the :class:`History`.

    Args:
        generator, discriminator: models of :mod:`ganbook.models` (or alike: ``latent_dim``,
            raw discriminator outputs of shape ``(m,)``, ``features`` for feature matching).
        data: a sampler of :mod:`ganbook.data` (``sample(n, generator=, device=)``).
        objective: a name of ``OBJECTIVES``: ``"gan"``, ``"nsgan"``, ``"wgan"``,
            ``"wgan-gp"``, ``"lsgan"``, ``"hinge"``.
        steps: generator steps (``0`` trains nothing).
        n_disc: discriminator steps per generator step (:math:`k`, ``n_critic``).
        lr_d, lr_g: learning rates (default: the objective's).
        optimizer, betas: ``"adam"``, ``"rmsprop"`` or ``"sgd"`` for both players, and Adam's
            betas, in place of the objective's (e.g. Adam on a WGAN).
        optimizers: the two optimisers ``(generator's, discriminator's)`` themselves.
        penalty: gradient-penalty weight :math:`\\lambda` (0 turns it off).
        clip: weight-clipping bound :math:`c` (0 turns it off).
        generator_loss: ``"feature_matching"`` replaces the objective's generator loss by
            :func:`ganbook.losses.feature_matching_loss` on ``discriminator.features``.
        info: an :class:`InfoCode` for InfoGAN (the discriminator needs a Q head).
        callbacks: ``f(step, generator, discriminator)`` after every generator step.
        evaluate, eval_every: ``evaluate(generator) -> dict`` before training, every
            ``eval_every`` generator steps and at the end, recorded in ``History.evaluations``.
        seed: seeds every random draw of the run.
        device: where to train (default: where the generator's parameters are).
        progress: a progress bar (default: :func:`show_progress`).
    """
    spec = _objective(objective)
    steps = _integer("steps", steps, 0)
    batch_size = _integer("batch_size", batch_size, 1)
    n_disc = _integer("n_disc", spec.n_disc if n_disc is None else n_disc, 1)
    eval_every = _integer("eval_every", eval_every, 0)
    penalty, clip = _constraints(spec, penalty, clip)
    if generator_loss not in (None, "feature_matching"):
        raise ValueError(f"generator_loss must be None or 'feature_matching', got {generator_loss!r}")
    d_loss_fn, g_loss_fn = losses.FAMILIES[spec.family]

    device = torch.device(device) if device is not None else next(generator.parameters()).device
    generator.to(device)
    discriminator.to(device)
    rng = torch.Generator().manual_seed(_integer("seed", seed, 0))
    players = _Players(generator, discriminator, data, info, rng, device)
    _check_shapes(players)

    g_params, d_params = list(generator.parameters()), list(discriminator.parameters())
    if optimizers is None:
        kind, betas = optimizer or spec.optimizer, betas or spec.betas
        opt_g = make_optimizer(kind, g_params, spec.lr if lr_g is None else lr_g, betas)
        opt_d = make_optimizer(kind, d_params, spec.lr if lr_d is None else lr_d, betas)
    else:
        opt_g, opt_d = optimizers

    def critic_at(condition):
        return (lambda x: discriminator(x, condition)) if players.conditional else discriminator

    def discriminator_step():
        x_real, y_real = players.real(batch_size)
        with torch.no_grad():
            x_fake, condition = players.fake(batch_size, y_real)
        real_out, _ = players.score(x_real, y_real)
        fake_out, code_logits = players.score(x_fake, condition)
        loss = d_loss_fn(real_out, fake_out)
        if penalty > 0:   # Gulrajani et al. 2017, Algorithm 1 lines 6-7
            loss = loss + gradient_penalty(critic_at(y_real), x_real, x_fake, penalty, generator=rng)
        if info is not None:   # Q learns the code of (detached) fakes: Chen et al. 2016, eq. 5
            loss = loss + info.weight * losses.infogan_categorical_loss(code_logits, condition)
        opt_d.zero_grad(set_to_none=True)
        loss.backward()
        norm = _grad_norm(d_params)
        opt_d.step()
        if clip > 0:       # Arjovsky et al. 2017, Algorithm 1 line 7
            clip_weights(discriminator, clip)
        return loss.detach(), norm

    def generator_step():
        labels = players.real(batch_size)[1] if players.conditional else None
        with _frozen(d_params):
            x_fake, condition = players.fake(batch_size, labels)
            if generator_loss == "feature_matching":
                x_real, y_real = players.real(batch_size)
                with torch.no_grad():
                    real_features = players.features(x_real, y_real)
                loss = losses.feature_matching_loss(real_features, players.features(x_fake, condition))
            else:
                fake_out, code_logits = players.score(x_fake, condition)
                loss = g_loss_fn(fake_out)
                if info is not None:
                    loss = loss + info.weight * losses.infogan_categorical_loss(code_logits, condition)
            opt_g.zero_grad(set_to_none=True)
            loss.backward()
        norm = _grad_norm(g_params)
        opt_g.step()
        return loss.detach(), norm

    record: list[tuple[Tensor, Tensor, Tensor, Tensor]] = []
    evaluations: list[dict] = []

    def run_evaluation(step: int):
        if evaluate is not None:
            with torch.no_grad():
                evaluations.append({"step": step, **evaluate(generator)})

    started = time.perf_counter()
    run_evaluation(0)
    for step in progress_bar(range(1, steps + 1), desc=objective, show=progress):
        for _ in range(n_disc):
            d_loss, d_norm = discriminator_step()
        g_loss, g_norm = generator_step()
        record.append((d_loss, g_loss, d_norm, g_norm))
        for callback in callbacks:
            callback(step, generator, discriminator)
        if eval_every and step % eval_every == 0 and step != steps:
            run_evaluation(step)
    if steps > 0:
        run_evaluation(steps)
    columns = (torch.stack([torch.stack(r) for r in record]).cpu().numpy().astype(float)
               if record else np.zeros((0, 4)))
    return History(objective, *columns.T, evaluations=evaluations,
                   seconds=time.perf_counter() - started)


@dataclass
class Run:
    """One seed of :func:`train_seeds`: the seed, its :class:`History` and its trained models."""

    seed: int
    history: History
    generator: nn.Module
    discriminator: nn.Module


def _stack_draws(draws: list[tuple]) -> tuple:
    """Per-seed tuples of tensors (or None) to one tuple of ``(K, ...)`` tensors (or None)."""
    return tuple(None if parts[0] is None else torch.stack(parts) for parts in zip(*draws))


def train_seeds(build: Callable[[int], tuple[nn.Module, nn.Module]], data, *, seeds: Iterable[int],
                objective: str = "nsgan", steps: int = 1000, batch_size: int = 64,
                n_disc: int | None = None, lr_d: float | None = None, lr_g: float | None = None,
                optimizer: str | None = None, betas: tuple[float, float] | None = None,
                penalty: float | None = None, clip: float | None = None,
                generator_loss: str | None = None, info: InfoCode | None = None,
                callbacks: Iterable[Callable[[int, int, nn.Module, nn.Module], Any]] = (),
                evaluate: Callable[[nn.Module], dict] | None = None, eval_every: int = 0,
                device: str | torch.device | None = None, progress: bool | None = None) -> list[Run]:
    """Train one GAN per seed, every seed in the same batched passes; one :class:`Run` per seed.

    Seed ``s`` gets the models ``build(s)`` returns after :func:`ganbook.session.seed_everything`
    ``(s)``, and a random generator seeded by ``s`` that draws its data, latent codes and
    penalty interpolates in the order :func:`train` draws them. Run ``s`` is therefore the run
    of ``setup(s); G, D = build(s); train(G, D, data, seed=s, ...)``, up to floating-point
    rounding (batched matrix products sum in another order), in a fraction of the time: the
    K models are stacked (:mod:`ganbook.stacked`) and each step is one forward and backward
    pass for all of them. The returned models are the trained ones.

    Arguments are those of :func:`train`, except ``build`` and ``seeds``, and ``callbacks``,
    called as ``f(step, seed, generator, discriminator)``; ``History.seconds`` is the wall time of
    the whole batch. Models must be MLPs (linear layers, elementwise activations, minibatch
    layers): :func:`ganbook.stacked.stack` refuses the rest.

    Claims: ``wgan-loss-tracks-quality``, ``mode-collapse``, ``feature-matching``,
    ``minibatch-features``, ``infogan-disentangles``. Chapters: 06, 09, 10.
    """
    spec = _objective(objective)
    seeds = [_integer("seed", seed, 0) for seed in seeds]
    if not seeds:
        raise ValueError("seeds is empty: give at least one seed")
    steps = _integer("steps", steps, 0)
    batch_size = _integer("batch_size", batch_size, 1)
    n_disc = _integer("n_disc", spec.n_disc if n_disc is None else n_disc, 1)
    eval_every = _integer("eval_every", eval_every, 0)
    penalty, clip = _constraints(spec, penalty, clip)
    if generator_loss not in (None, "feature_matching"):
        raise ValueError(f"generator_loss must be None or 'feature_matching', got {generator_loss!r}")
    d_loss_fn, g_loss_fn = losses.FAMILIES[spec.family]

    pairs = []
    for seed in seeds:
        seed_everything(seed)
        pairs.append(build(seed))
    device = torch.device(device) if device is not None else next(pairs[0][0].parameters()).device
    players = []
    for seed, (generator, discriminator) in zip(seeds, pairs):
        generator.to(device)
        discriminator.to(device)
        players.append(_Players(generator, discriminator, data, info,
                                torch.Generator().manual_seed(seed), device))
        _check_shapes(players[-1])
    G = stacked.stack([generator for generator, _ in pairs])
    D = stacked.stack([discriminator for _, discriminator in pairs])
    joint = _Players(G, D, data, info, None, device)    # scores all seeds; draws nothing
    g_params, d_params = list(G.parameters()), list(D.parameters())
    kind, betas = optimizer or spec.optimizer, betas or spec.betas
    opt_g = make_optimizer(kind, g_params, spec.lr if lr_g is None else lr_g, betas)
    opt_d = make_optimizer(kind, d_params, spec.lr if lr_d is None else lr_d, betas)

    def reals():
        return _stack_draws([p.real(batch_size) for p in players])

    def fakes(labels: Tensor | None):
        draws = [p.inputs(batch_size, None if labels is None else labels[k])
                 for k, p in enumerate(players)]
        arguments = _stack_draws([arguments for arguments, _ in draws])
        condition = _stack_draws([(c,) for _, c in draws])[0]
        return G(*arguments), condition

    def penalties(x_real, x_fake, y_real):
        """Seed k's gradient penalty, with its ε drawn from its own generator (as in train)."""
        x_hat = torch.stack([interpolates(x_real[k], x_fake[k], generator=p.rng)
                             for k, p in enumerate(players)])
        critic = (lambda x: D(x, y_real)) if joint.conditional else D
        norms = critic_gradient_norms(critic, x_hat, create_graph=True, batch_dims=2)   # (K, m)
        return penalty * ((norms - 1) ** 2).mean(-1)

    def per_seed(loss, *tensors):
        return torch.stack([loss(*(t[k] for t in tensors)) for k in range(len(seeds))])

    def discriminator_step():
        x_real, y_real = reals()
        with torch.no_grad():
            x_fake, condition = fakes(y_real)
        real_out, _ = joint.score(x_real, y_real)
        fake_out, code_logits = joint.score(x_fake, condition)
        loss = d_loss_fn(real_out, fake_out, reduction="none").mean(-1)          # (K,)
        if penalty > 0:
            loss = loss + penalties(x_real, x_fake, y_real)
        if info is not None:
            loss = loss + info.weight * per_seed(losses.infogan_categorical_loss, code_logits, condition)
        opt_d.zero_grad(set_to_none=True)
        loss.sum().backward()          # a sum of per-seed losses: slice k gets seed k's gradient
        norm = stacked.seed_gradient_norms(d_params)
        opt_d.step()
        if clip > 0:
            clip_weights(D, clip)
        return loss.detach(), norm

    def generator_step():
        labels = reals()[1] if joint.conditional else None
        with _frozen(d_params):
            x_fake, condition = fakes(labels)
            if generator_loss == "feature_matching":
                x_real, y_real = reals()
                with torch.no_grad():
                    real_features = joint.features(x_real, y_real)
                loss = per_seed(losses.feature_matching_loss, real_features,
                                joint.features(x_fake, condition))
            else:
                fake_out, code_logits = joint.score(x_fake, condition)
                loss = g_loss_fn(fake_out, reduction="none").mean(-1)
                if info is not None:
                    loss = loss + info.weight * per_seed(losses.infogan_categorical_loss,
                                                         code_logits, condition)
            opt_g.zero_grad(set_to_none=True)
            loss.sum().backward()
        norm = stacked.seed_gradient_norms(g_params)
        opt_g.step()
        return loss.detach(), norm

    record: list[Tensor] = []
    evaluations: list[list[dict]] = [[] for _ in seeds]

    def run_evaluation(step: int):
        if evaluate is not None:
            with torch.no_grad():
                for k, (generator, _) in enumerate(pairs):
                    evaluations[k].append({"step": step, **evaluate(generator)})

    started = time.perf_counter()
    run_evaluation(0)
    for step in progress_bar(range(1, steps + 1), desc=f"{objective} x{len(seeds)} seeds", show=progress):
        for _ in range(n_disc):
            d_loss, d_norm = discriminator_step()
        g_loss, g_norm = generator_step()
        record.append(torch.stack([d_loss, g_loss, d_norm, g_norm]))          # (4, K)
        for callback in callbacks:
            for seed, (generator, discriminator) in zip(seeds, pairs):
                callback(step, seed, generator, discriminator)
        if eval_every and step % eval_every == 0 and step != steps:
            run_evaluation(step)
    if steps > 0:
        run_evaluation(steps)
    seconds = time.perf_counter() - started
    columns = (torch.stack(record).cpu().numpy().astype(float) if record
               else np.zeros((0, 4, len(seeds))))
    return [Run(seed, History(objective, *columns[:, :, k].T, evaluations=evaluations[k], seconds=seconds),
                generator, discriminator)
            for k, (seed, (generator, discriminator)) in enumerate(zip(seeds, pairs))]


def _check_shapes(players: _Players) -> None:
    """Refuse a generator whose samples do not have the data's shape, before training."""
    x_real, y_real = players.real(2)
    with torch.no_grad():
        x_fake, _ = players.fake(2, y_real)
    if x_fake.shape[1:] != x_real.shape[1:]:
        raise ValueError(f"generator output shape {tuple(x_fake.shape[1:])} does not match the "
                         f"data's example shape {tuple(x_real.shape[1:])}")


@torch.no_grad()
def generate(generator: nn.Module, n: int, *, seed: int = 0, labels: Tensor | None = None,
             code: Tensor | None = None, n_categories: int | None = None) -> Tensor:
    """``n`` samples of ``generator`` from latent draws seeded by ``seed`` (on its device).

    ``labels`` for a conditional generator; ``code`` (category indices) with ``n_categories``
    for an InfoGAN generator whose last ``n_categories`` inputs are the one-hot code.
    """
    device = next(generator.parameters()).device
    rng = torch.Generator().manual_seed(seed)
    noise_dim = generator.latent_dim - (n_categories or 0)
    z = torch.randn(_integer("n", n, 1), noise_dim, generator=rng).to(device)
    if labels is not None:
        return generator(z, labels.to(device))
    if code is not None:
        if n_categories is None:
            raise ValueError("code needs n_categories")
        z = torch.cat([z, F.one_hot(code.to(device), n_categories).to(z.dtype)], dim=1)
    return generator(z)


def fit_discriminator(discriminator: nn.Module, real, fake, *, objective: str = "gan",
                      steps: int = 2000, batch_size: int = 256, lr: float | None = None,
                      penalty: float | None = None, clip: float | None = None, seed: int = 0,
                      device: str | torch.device | None = None,
                      progress: bool | None = None) -> np.ndarray:
    """Train only the discriminator (or critic) to tell two fixed samplers apart.

    Each step draws fresh minibatches from ``real`` and ``fake`` (samplers of
    :mod:`ganbook.data`) and takes one step on the ``objective``'s discriminator loss, with its
    optimiser, learning rate, penalty and clipping unless overridden. This is the inner
    maximisation of the game for a frozen generator, used to compare a trained discriminator
    with its closed-form optimum. Returns the loss of every step.

    Claims: ``optimal-discriminator``, ``global-optimum-jsd``, ``kantorovich-rubinstein``,
    ``lsgan-losses``, ``flipped-labels-margin``, ``clipping-pathologies``. Chapters: 03, 04, 06, 08.
    """
    spec = _objective(objective)
    steps = _integer("steps", steps, 0)
    batch_size = _integer("batch_size", batch_size, 1)
    penalty, clip = _constraints(spec, penalty, clip)
    if real.dim != fake.dim:
        raise ValueError(f"real and fake samplers differ in dimension: {real.dim} vs {fake.dim}")
    d_loss_fn = losses.FAMILIES[spec.family][0]
    device = torch.device(device) if device is not None else next(discriminator.parameters()).device
    discriminator.to(device)
    rng = torch.Generator().manual_seed(_integer("seed", seed, 0))
    optimizer = make_optimizer(spec.optimizer, discriminator.parameters(),
                               spec.lr if lr is None else lr, spec.betas)
    history = []
    for _ in progress_bar(range(steps), desc=f"{objective} discriminator", show=progress):
        x_real = real.sample(batch_size, generator=rng, device=device)
        x_fake = fake.sample(batch_size, generator=rng, device=device)
        loss = d_loss_fn(discriminator(x_real), discriminator(x_fake))
        if penalty > 0:
            loss = loss + gradient_penalty(discriminator, x_real, x_fake, penalty, generator=rng)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if clip > 0:
            clip_weights(discriminator, clip)
        history.append(loss.detach())
    return torch.stack(history).cpu().numpy().astype(float) if history else np.zeros(0)


def fit_generator(generator: nn.Module, discriminator: nn.Module, *, objective: str = "nsgan",
                  steps: int = 100, batch_size: int = 256, optimizer: str | None = None,
                  lr: float | None = None, seed: int = 0,
                  progress: bool | None = None) -> np.ndarray:
    """Train only the generator against a frozen discriminator, with the ``objective``'s generator loss.

    The outer minimisation for a fixed discriminator: with ``optimizer="sgd"`` (plain steps of
    size ``lr``) the distance moved follows the gradient's size, which is what separates the
    saturating (``"gan"``) from the non-saturating (``"nsgan"``) loss. Returns the loss of
    every step.

    Claims: ``saturating-gradient``, ``non-saturating-numbers``. Chapter: 02.
    """
    spec = _objective(objective)
    steps = _integer("steps", steps, 0)
    batch_size = _integer("batch_size", batch_size, 1)
    g_loss_fn = losses.FAMILIES[spec.family][1]
    device = next(generator.parameters()).device
    discriminator.to(device)
    rng = torch.Generator().manual_seed(_integer("seed", seed, 0))
    opt = make_optimizer(optimizer or spec.optimizer, generator.parameters(),
                         spec.lr if lr is None else lr, spec.betas)
    d_params = list(discriminator.parameters())
    history = []
    with _frozen(d_params):
        for _ in progress_bar(range(steps), desc=f"{objective} generator", show=progress):
            z = torch.randn(batch_size, generator.latent_dim, generator=rng).to(device)
            loss = g_loss_fn(discriminator(generator(z)))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            history.append(loss.detach())
    return torch.stack(history).cpu().numpy().astype(float) if history else np.zeros(0)
