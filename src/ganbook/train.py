r"""Training entry points: one engine (``ganbook.engine``) behind every trained check of the book.

* :func:`train` runs Algorithm 1 of Goodfellow et al. (2014): ``n_disc`` discriminator steps on
  fresh minibatches, then one generator step, for ``steps`` generator steps. The same loop with
  the Wasserstein critic loss, weight clipping or the gradient penalty is Algorithm 1 of
  Arjovsky et al. (2017) and of Gulrajani et al. (2017). Objectives are chosen by name with the
  papers' defaults (``OBJECTIVES``); any default can be overridden by an argument.
* :func:`train_seeds` runs :func:`train` for several seeds at once (stacked MLPs), or one
  after another for models that cannot be stacked; :func:`initial_models` rebuilds the models a
  seed started from.
* :func:`fit_discriminator` and :func:`fit_generator` run one player's steps only, and
  :func:`fit_discriminator_seeds` the first for several seeds at once.

All take the same arguments with the same meanings (validated once, in
``ganbook.settings.Settings``). Every random draw (data, latent codes, labels, penalty
interpolates) comes from one ``torch.Generator`` per seed; with models initialised after
:func:`ganbook.setup`, the same seed gives a bit-identical :class:`History` on the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np
import torch
from torch import Tensor, nn

from ganbook import stacked
from ganbook.engine import Engine, Result, make_optimizer
from ganbook.models import generate
from ganbook.session import progress_bar, seed_everything, show_progress
from ganbook.settings import OBJECTIVES, InfoCode, Objective, Settings, seed as checked_seed

__all__ = ["History", "InfoCode", "OBJECTIVES", "Objective", "Run", "Settings", "fit_discriminator",
           "fit_discriminator_seeds", "fit_generator", "generate", "initial_models", "make_optimizer",
           "progress_bar", "show_progress", "train", "train_seeds"]

Evaluate = Callable[..., dict]


@dataclass
class History:
    """What one training run measured, one entry per generator step.

    ``d_loss`` is the last discriminator step's loss (penalty included), ``g_loss`` the
    generator's, ``*_grad_norm`` the global L2 norm of each player's gradient before its
    optimiser step. ``evaluations`` holds ``{"step": s, **evaluate(...)}`` rows, step 0 (the
    untrained models) first. With ``generator_loss="minibatch_w1"`` the critic is solved exactly:
    ``d_loss`` is its loss :math:`-W_1` and ``d_grad_norm`` is 0 (it has no parameters).
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

    def then(self, later: "History") -> "History":
        """This run and ``later``, a second phase that continued from this one's models, as one History.

        ``later``'s steps are counted after this run's; its step-0 evaluation (this run's final
        models, evaluated again) is dropped. Both phases must train the same objective.
        """
        if not isinstance(later, History):
            raise TypeError(f"later must be a History, got {type(later).__name__}")
        if later.objective != self.objective:
            raise ValueError(f"later must train the same objective ({self.objective!r}), got {later.objective!r}")
        columns = [np.concatenate([getattr(self, k), getattr(later, k)])
                   for k in ("d_loss", "g_loss", "d_grad_norm", "g_grad_norm")]
        evaluations = self.evaluations + [dict(e, step=e["step"] + self.steps) for e in later.evaluations[1:]]
        return History(self.objective, *columns, evaluations=evaluations, seconds=self.seconds + later.seconds)


@dataclass
class Run:
    """One seed of :func:`train_seeds`: the seed, its :class:`History` and its trained models."""

    seed: int
    history: History
    generator: nn.Module
    discriminator: nn.Module | None


def _histories(objective: str, result: Result) -> list[History]:
    return [History(objective, *(result.columns[name][:, k] for name in
                                 ("d_loss", "g_loss", "d_grad_norm", "g_grad_norm")),
                    evaluations=result.evaluations[k], seconds=result.seconds)
            for k in range(len(result.evaluations))]


def _sampler(name: str, value, *, labelled: bool | None = False):
    """A sampler of :mod:`ganbook.data` (``sample(n, generator=, device=)``), labelled or not as expected."""
    if isinstance(value, (Tensor, np.ndarray)) or not callable(getattr(value, "sample", None)):
        raise ValueError(f"{name} must be a sampler of ganbook.data (an object with "
                         f"sample(n, generator=, device=)), got {type(value).__name__}; wrap a tensor of "
                         f"examples in ganbook.data.TensorData")
    n_classes = getattr(value, "n_classes", None)
    if labelled is False and n_classes is not None:
        raise ValueError(f"{name} is labelled (n_classes={n_classes}) where unlabelled examples are "
                         f"expected: use its unlabelled version (e.g. data.ring(labelled=False))")
    return value


def _device(device, model: nn.Module) -> torch.device:
    if device is not None:
        return torch.device(device)
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def train(generator: nn.Module, discriminator: nn.Module | None, data, *, objective: str = "nsgan",
          steps: int = 1000, batch_size: int = 64, n_disc: int | None = None,
          lr_d: float | None = None, lr_g: float | None = None,
          optimizer: str | None = None, betas: tuple[float, float] | None = None,
          optimizers: tuple[torch.optim.Optimizer, torch.optim.Optimizer] | None = None,
          penalty: float | None = None, clip: float | None = None,
          generator_loss: str | None = None, info: InfoCode | None = None,
          callbacks: Iterable[Callable[[int, nn.Module, nn.Module], Any]] = (),
          evaluate: Evaluate | None = None, eval_every: int = 0,
          seed: int = 0, device: str | torch.device | None = None,
          progress: bool | None = None) -> History:
    """Train ``generator`` against ``discriminator`` on ``data``; return the :class:`History`.

    Args:
        generator, discriminator: models of :mod:`ganbook.models` (or alike: ``latent_dim``,
            raw discriminator outputs of shape ``(m,)``, ``features`` for feature matching;
            ``n_classes`` and a label argument for conditional models).
        data: a sampler of :mod:`ganbook.data` (``sample(n, generator=, device=)``), labelled
            for a conditional generator (an unconditional one ignores labels).
        objective: a name of ``OBJECTIVES``: ``"gan"``, ``"nsgan"``, ``"wgan"``,
            ``"wgan-gp"``, ``"lsgan"``, ``"hinge"``.
        steps: generator steps (``0`` trains nothing).
        batch_size: examples per minibatch (:math:`m`).
        n_disc: discriminator steps per generator step (:math:`k`, ``n_critic``).
        lr_d, lr_g: learning rates (default: the objective's).
        optimizer, betas: ``"adam"``, ``"rmsprop"`` or ``"sgd"`` for both players, and Adam's
            betas, in place of the objective's (e.g. Adam on a WGAN).
        optimizers: the two optimisers ``(generator's, discriminator's)`` themselves.
        penalty: gradient-penalty weight :math:`\\lambda` (0 turns it off; refused for
            discriminators that mix a batch's examples, see ``ganbook.models.mixes_examples``).
        clip: weight-clipping bound :math:`c` (0 turns it off).
        generator_loss: ``"feature_matching"`` replaces the objective's generator loss by
            :func:`ganbook.losses.feature_matching_loss` on ``discriminator.features``;
            ``"minibatch_w1"`` by the exact :math:`W_1` between each generated batch and a real
            batch (:func:`ganbook.transport.minibatch_w1`, the critic solved exactly on every
            batch): pass ``discriminator=None``.
        info: an :class:`InfoCode` for InfoGAN (the discriminator needs a Q head; the generator
            is an ``ganbook.models.InfoGANGenerator``, or a plain one whose last
            ``n_categories`` inputs take the code).
        callbacks: ``f(step, generator, discriminator)`` after every generator step.
        evaluate, eval_every: ``evaluate(generator)`` or ``evaluate(generator, discriminator)``
            ``-> dict``, before training (step 0), every ``eval_every`` generator steps and at the
            end, recorded in ``History.evaluations``.
        seed: seeds every random draw of the run (an integer in ``[0, 2**32)``).
        device: where to train (default: where the generator's parameters are).
        progress: a progress bar (default: :func:`show_progress`).
    """
    settings = Settings(seed=seed, objective=objective, steps=steps, batch_size=batch_size, n_disc=n_disc,
                        lr_d=lr_d, lr_g=lr_g, optimizer=optimizer, betas=betas, penalty=penalty, clip=clip,
                        generator_loss=generator_loss, info=info, eval_every=eval_every)
    _discriminator_for(settings, discriminator)
    engine = Engine([(generator, discriminator)], _sampler("data", data, labelled=None),
                    [settings], stack=False, device=_device(device, generator), optimizers=optimizers)
    engine.check_shapes()
    callbacks = [lambda step, seed, G, D, f=f: f(step, G, D) for f in callbacks]
    (history,) = _histories(objective, engine.run(evaluate=evaluate, callbacks=callbacks, desc=objective,
                                                  progress=progress))
    return history


def _discriminator_for(settings: Settings, discriminator) -> None:
    exact = settings.generator_loss == "minibatch_w1"
    if exact and discriminator is not None:
        raise ValueError("generator_loss='minibatch_w1' solves the critic exactly on every batch: "
                         "pass discriminator=None")
    if not exact and not isinstance(discriminator, nn.Module):
        raise ValueError(f"discriminator must be a torch.nn.Module, got {type(discriminator).__name__}")


def train_seeds(build: Callable[[int], tuple[nn.Module, nn.Module | None]], data, *, seeds: Iterable[int],
                objective: str = "nsgan", steps: int = 1000, batch_size: int = 64,
                n_disc: int | None = None, lr_d: float | None = None, lr_g: float | None = None,
                optimizer: str | None = None, betas: tuple[float, float] | None = None,
                penalty: float | None = None, clip: float | None = None,
                generator_loss: str | None = None, info: InfoCode | None = None,
                callbacks: Iterable[Callable[[int, int, nn.Module, nn.Module], Any]] = (),
                evaluate: Evaluate | None = None, eval_every: int = 0,
                device: str | torch.device | None = None, progress: bool | None = None) -> list[Run]:
    """Train one GAN per seed, every seed in the same batched passes; one :class:`Run` per seed.

    Seed ``s`` gets the models ``build(s)`` returns after :func:`ganbook.session.seed_everything`
    ``(s)``, and a random generator seeded by ``s`` that draws its data, latent codes and
    penalty interpolates in the order :func:`train` draws them. Run ``s`` is therefore the run
    of ``setup(s); G, D = build(s); train(G, D, data, seed=s, ...)``, up to floating-point
    rounding (batched matrix products sum in another order), in a fraction of the time: the
    K models are stacked (:mod:`ganbook.stacked`) and each step is one forward and backward
    pass for all of them. Models that cannot be stacked (convolutions, batch norm) train one
    seed after another through the same steps. The returned models are the trained ones.

    Arguments are those of :func:`train`, except ``build`` and ``seeds`` (distinct integers) in
    place of the models and ``seed``, no ``optimizers`` (each seed gets its own, made from
    ``optimizer``), and ``callbacks``, called as ``f(step, seed, generator, discriminator)``.
    ``History.seconds`` is the wall time of the whole batch.

    Claims: ``wgan-loss-tracks-quality``, ``mode-collapse``, ``feature-matching``,
    ``minibatch-features``, ``infogan-disentangles``. Chapters: 06, 09, 10.
    """
    seeds = _distinct_seeds(seeds)
    settings = [Settings(seed=s, objective=objective, steps=steps, batch_size=batch_size, n_disc=n_disc,
                         lr_d=lr_d, lr_g=lr_g, optimizer=optimizer, betas=betas, penalty=penalty, clip=clip,
                         generator_loss=generator_loss, info=info, eval_every=eval_every) for s in seeds]
    pairs = [initial_models(build, s) for s in seeds]
    for pair in pairs:
        _discriminator_for(settings[0], pair[1])
    return _train_lanes(pairs, _sampler("data", data, labelled=None), settings, device=device,
                        evaluate=evaluate, callbacks=callbacks, progress=progress)


def initial_models(build: Callable[[int], tuple[nn.Module, nn.Module | None]],
                   seed: int) -> tuple[nn.Module, nn.Module | None]:
    """The models :func:`train_seeds` starts seed ``seed`` from: ``build(seed)`` after ``seed_everything(seed)``.

    For a measurement of the untrained models that needs what exists only after training (say,
    an untrained Q head scored on the trained generator's samples), where the step-0 evaluation
    of :class:`History` cannot be used: the models are rebuilt exactly as the run built them.
    """
    pair = _built(build, checked_seed("seed", seed))
    if not (isinstance(pair, tuple) and len(pair) == 2):
        raise ValueError(f"build must return (generator, discriminator), got {type(pair).__name__}")
    return pair


def _built(build: Callable[[int], Any], seed: int):
    """What ``build(seed)`` returns after ``seed_everything(seed)``: how every run initialises a seed's models."""
    seed_everything(seed)
    return build(seed)


def _distinct_seeds(seeds: Iterable[int]) -> list[int]:
    seeds = [checked_seed("seed", s) for s in seeds]
    if not seeds:
        raise ValueError("seeds is empty: give at least one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct (a repeated seed repeats its run), got {seeds}")
    return seeds


def _train_lanes(pairs: list[tuple[nn.Module | None, nn.Module | None]], data, settings: list[Settings], *,
                 device, evaluate: Evaluate | None, callbacks: Iterable[Callable], progress: bool | None,
                 fake_data=None, stackable: bool = True) -> list[Run]:
    """One :class:`Run` per lane: the lanes stacked when ``stackable`` and their models can be, else one by one."""
    modules = [module for pair in pairs for module in pair if module is not None]
    if len({id(m) for m in modules}) != len(modules):
        raise ValueError("build returned a module it had returned before: it must make new models every call")
    device = _device(device, next(m for m in pairs[0] if m is not None))
    together = stackable and all(stacked.refusal(models) is None for models in zip(*pairs) if models[0] is not None)
    groups = [(pairs, settings)] if together else [([pair], [lane]) for pair, lane in zip(pairs, settings)]
    objective = settings[0].objective
    desc = f"{objective} x{len(pairs)} seeds" if together else objective
    runs = []
    for group_pairs, group_settings in groups:
        engine = Engine(group_pairs, data, group_settings, stack=together, device=device, fake_data=fake_data,
                        generator_steps=fake_data is None)
        if fake_data is None:
            engine.check_shapes()
        result = engine.run(evaluate=evaluate, callbacks=callbacks, desc=desc, progress=progress)
        runs += [Run(lane.seed, history, generator, discriminator) for lane, history, (generator, discriminator)
                 in zip(group_settings, _histories(objective, result), group_pairs)]
    return runs


def fit_discriminator(discriminator: nn.Module, real, fake, *, objective: str = "gan",
                      steps: int = 2000, batch_size: int = 256, lr: float | None = None,
                      penalty: float | None = None, clip: float | None = None, info: InfoCode | None = None,
                      seed: int = 0, device: str | torch.device | None = None,
                      progress: bool | None = None) -> np.ndarray:
    """Train only the discriminator (or critic) to tell two fixed samplers apart.

    Each step draws fresh minibatches from ``real`` and ``fake`` (unlabelled samplers of
    :mod:`ganbook.data`) and takes one critic step of :func:`train` (the ``objective``'s
    discriminator loss, optimiser, learning rate ``lr``, penalty and clipping unless
    overridden). This is the inner maximisation of the game for a frozen generator, used to
    compare a trained discriminator with its closed-form optimum. Returns the loss of every step.

    With ``info`` (an :class:`InfoCode`), ``fake`` is a *labelled* sampler whose labels are the
    codes the samples were made from, and the discriminator an
    :class:`~ganbook.models.InfoGANDiscriminator`: its Q head also learns, by InfoGAN's term
    (Chen et al. 2016, eq. 5), to read the code back from a sample, the maximisation over
    :math:`Q` of the mutual-information bound for a fixed generator.

    Claims: ``optimal-discriminator``, ``global-optimum-jsd``, ``kantorovich-rubinstein``,
    ``lsgan-losses``, ``flipped-labels-margin``, ``clipping-pathologies``. Chapters: 03, 04, 06, 08.
    """
    settings = Settings(seed=seed, objective=objective, steps=steps, batch_size=batch_size, n_disc=1, lr_d=lr,
                        penalty=penalty, clip=clip, info=info)
    (run,) = _fit_discriminators([discriminator], real, fake, [settings], device=device, evaluate=None,
                                 progress=progress, stackable=False)
    return run.history.d_loss


def fit_discriminator_seeds(build: Callable[[int], nn.Module], real, fake, *, seeds: Iterable[int],
                            objective: str = "gan", steps: int = 2000, batch_size: int = 256,
                            lr: float | None = None, penalty: float | None = None, clip: float | None = None,
                            info: InfoCode | None = None,
                            evaluate: Callable[[nn.Module], dict] | None = None, eval_every: int = 0,
                            device: str | torch.device | None = None,
                            progress: bool | None = None) -> list[Run]:
    """:func:`fit_discriminator` for several seeds in the same batched passes; one :class:`Run` per seed.

    Seed ``s`` trains the discriminator ``build(s)`` returns after ``seed_everything(s)``, with
    the draws of ``fit_discriminator(..., seed=s)``; as in :func:`train_seeds`, MLPs are stacked
    and other models train one seed after another. ``evaluate(discriminator) -> dict`` runs
    before training (step 0, the untrained discriminator), every ``eval_every`` steps and at
    the end. Each :class:`Run` has ``generator=None``; its :class:`History` holds the
    discriminator's losses in ``d_loss`` (``g_loss`` is NaN: no generator steps).

    Claims: ``optimal-discriminator``, ``lsgan-losses``, ``flipped-labels-margin``,
    ``clipping-pathologies``, ``infogan-mi-bound``. Chapters: 03, 06, 08, 10.
    """
    settings = [Settings(seed=s, objective=objective, steps=steps, batch_size=batch_size, n_disc=1, lr_d=lr,
                         penalty=penalty, clip=clip, info=info, eval_every=eval_every) for s in _distinct_seeds(seeds)]
    discriminators = [_built(build, lane.seed) for lane in settings]
    scores = None if evaluate is None else (lambda generator, discriminator: evaluate(discriminator))
    return _fit_discriminators(discriminators, real, fake, settings, device=device, evaluate=scores,
                               progress=progress)


def _fit_discriminators(discriminators: list, real, fake, settings: list[Settings], *, device,
                        evaluate: Evaluate | None, progress: bool | None, stackable: bool = True) -> list[Run]:
    info = settings[0].info
    real, fake = _sampler("real", real), _sampler("fake", fake, labelled=None if info else False)
    if real.dim != fake.dim:
        raise ValueError(f"real and fake samplers differ in dimension: {real.dim} vs {fake.dim}")
    if info is not None and getattr(fake, "n_classes", None) != info.n_categories:
        raise ValueError(f"info=InfoCode({info.n_categories}) needs a labelled fake sampler whose labels are "
                         f"the codes, {info.n_categories} of them; got n_classes="
                         f"{getattr(fake, 'n_classes', None)}")
    for discriminator in discriminators:
        _discriminator_for(settings[0], discriminator)
    return _train_lanes([(None, d) for d in discriminators], real, settings, device=device, evaluate=evaluate,
                        callbacks=(), progress=progress, fake_data=fake, stackable=stackable)


def fit_generator(generator: nn.Module, discriminator: nn.Module, *, objective: str = "nsgan",
                  steps: int = 100, batch_size: int = 256, optimizer: str | None = None,
                  lr: float | None = None, seed: int = 0, device: str | torch.device | None = None,
                  progress: bool | None = None) -> np.ndarray:
    """Train only the generator against a frozen discriminator, with the ``objective``'s generator loss.

    The outer minimisation for a fixed discriminator: one generator step of :func:`train` per
    step, with ``optimizer`` at learning rate ``lr``. With ``optimizer="sgd"`` (plain steps of
    size ``lr``) the distance moved follows the gradient's size, which is what separates the
    saturating (``"gan"``) from the non-saturating (``"nsgan"``) loss. Returns the loss of
    every step.

    Claims: ``saturating-gradient``, ``non-saturating-numbers``. Chapter: 02.
    """
    settings = Settings(seed=seed, objective=objective, steps=steps, batch_size=batch_size,
                        optimizer=optimizer, lr_g=lr)
    _discriminator_for(settings, discriminator)
    engine = Engine([(generator, discriminator)], None, [settings], stack=False,
                    device=_device(device, generator), critic=False)
    result = engine.run(desc=f"{objective} generator", progress=progress)
    return result.columns["g_loss"][:, 0]
