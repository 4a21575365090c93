r"""Our runs of the 2-D mode-collapse benchmarks: one configuration, five methods, scored as published.

Chapter 09 and the reference runs (:mod:`ganbook.reference`) train the same methods the same way:

* :data:`METHODS`: the baseline non-saturating GAN, feature matching and minibatch
  discrimination (Salimans et al. 2016, §3.1–3.2), PacGAN2 (Lin et al. 2018: the discriminator
  sees two samples at once), all with the configuration's Adam settings; and WGAN-GP as
  Algorithm 1 of Gulrajani et al. (2017), with its penalty, five critic steps per generator step
  and its own Adam settings (``train.OBJECTIVES["wgan-gp"]``). They differ only where their
  papers say.
* :class:`Config`: networks, optimiser, batch, steps and seeds. Training has two phases: ``steps``
  generator steps at ``lr``, then ``steps // anneal`` more at ``lr / anneal`` (the samples stop
  jittering about the modes with the optimiser's steps). The second phase is a new call of
  :func:`ganbook.train.train_seeds` on the trained models: fresh optimisers, and each seed's
  random stream restarts, so it replays the first phase's first draws of data and latent codes.
* :func:`score`: modes captured, high-quality share and reverse KL of ``n_samples`` generated
  samples (:func:`ganbook.metrics.mode_metrics`, the published definitions).

Claims: ``mode-collapse``, ``feature-matching``, ``minibatch-features``,
``critic-optimality-vs-collapse``. Chapter: 09.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ganbook import _validate, data, metrics, models, train
from ganbook.benchmarks import BENCHMARKS
from ganbook.settings import RunConfig

#: The options of each method, for the discriminator (``minibatch``, ``pack``) and for the trainer.
METHODS = {
    "GAN": {},
    "feature matching": {"generator_loss": "feature_matching"},
    "minibatch discrimination": {"minibatch": "discrimination"},
    "PacGAN2": {"pack": 2},
    # Algorithm 1 of Gulrajani et al. (2017): its penalty, five critic steps, its Adam settings
    "WGAN-GP (paper defaults)": {"objective": "wgan-gp", "paper_optimizer": True},
}


#: Each benchmark's mode standard deviation (VEEGAN, PacGAN).
STD = {"ring": 0.01, "grid": 0.05}


def target(benchmark: str) -> tuple[data.GaussianMixture, float]:
    """The benchmark's data and its mode standard deviation (the published ones)."""
    if benchmark not in BENCHMARKS:
        raise ValueError(f"benchmark must be one of {sorted(BENCHMARKS)}, got {benchmark!r}")
    std = STD[benchmark]
    return (data.ring(std=std) if benchmark == "ring" else data.grid(std=std)), std


@dataclass(frozen=True)
class Config(RunConfig):
    """How every method is trained: MLPs of ``hidden`` units, Adam at ``lr`` for both players.

    ``steps`` generator steps (``gp_steps`` for WGAN-GP, whose generator step costs five critic
    steps), then a tenth as many (``anneal``) at a tenth of the learning rate. ``eval_every``
    generator steps of the first phase, and at the end, the generator is scored on
    ``n_samples`` samples.
    """

    hidden: tuple[int, ...] = (64, 64, 64)
    batch_size: int = 128
    lr: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.999)
    steps: int = 5000
    gp_steps: int = 500
    anneal: int = 10
    seeds: tuple[int, ...] = tuple(range(8))
    n_samples: int = 2500
    evaluations: int = 4

    def __post_init__(self):
        for name in ("batch_size", "steps", "gp_steps", "anneal", "n_samples", "evaluations"):
            _validate.integer(name, getattr(self, name), minimum=1)
        _validate.number("lr", self.lr, low=0.0, low_open=True)
        self.check_hidden_and_seeds()
        if len(self.betas) != 2 or not all(0.0 <= _validate.number("betas", b) < 1.0 for b in self.betas):
            raise ValueError(f"betas must be a pair in [0, 1), got {self.betas!r}")
        for name in ("steps", "gp_steps"):
            if getattr(self, name) < max(self.anneal, self.evaluations):
                raise ValueError(f"{name} ({getattr(self, name)}) must be at least anneal "
                                 f"({self.anneal}) and evaluations ({self.evaluations})")

    def steps_for(self, method: str) -> tuple[int, int]:
        """Generator steps of the two phases for ``method``: (at lr, at lr / anneal); WGAN-GP's
        ``gp_steps``."""
        n = self.gp_steps if _options(method).get("objective") == "wgan-gp" else self.steps
        return n, n // self.anneal



def _options(method: str) -> dict:
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}, got {method!r}")
    return METHODS[method]


def score(generator: torch.nn.Module, benchmark: str, n_samples: int = 2500) -> dict:
    """Modes captured, high-quality share and reverse KL of ``n_samples`` samples (seed 1)."""
    mixture, std = target(benchmark)
    m = metrics.mode_metrics(train.generate(generator, n_samples, seed=1), mixture.means, std)
    return {"modes": m.modes_captured, "high_quality": m.high_quality, "reverse_kl": m.reverse_kl}


def train_method(benchmark: str, method: str, config: Config = Config(), *, seeds=None,
                 phases: tuple[int, int] | None = None, evaluate: bool = True,
                 device: str | torch.device | None = None, progress: bool | None = None) -> list[train.Run]:
    """Train ``method`` on ``benchmark``, all seeds stacked; one :class:`ganbook.train.Run` per seed.

    ``seeds`` and ``phases`` (generator steps at ``lr`` and at ``lr / anneal``) default to the
    configuration's; ``evaluate=False`` skips scoring (the reference runs' loss prefix).
    """
    options = _options(method)
    mixture, _ = target(benchmark)
    seeds = list(config.seeds if seeds is None else seeds)
    first_steps, second_steps = config.steps_for(method) if phases is None else phases
    objective = options.get("objective", "nsgan")
    if options.get("paper_optimizer"):
        lr, betas = train.OBJECTIVES[objective].lr, train.OBJECTIVES[objective].betas
    else:
        lr, betas = config.lr, config.betas

    def build(seed):
        return (models.MLPGenerator(2, 2, config.hidden),
                models.MLPDiscriminator(2, config.hidden, minibatch=options.get("minibatch"),
                                        pack=options.get("pack", 1)))

    scorer = (lambda generator: score(generator, benchmark, config.n_samples)) if evaluate else None
    common = dict(seeds=seeds, objective=objective, batch_size=config.batch_size, betas=betas,
                  n_disc=options.get("n_disc"), generator_loss=options.get("generator_loss"),
                  evaluate=scorer, device=device, progress=progress)
    first = train.train_seeds(build, mixture, steps=first_steps, lr_d=lr, lr_g=lr,
                              eval_every=max(first_steps // config.evaluations, 1) if evaluate else 0, **common)
    if second_steps == 0:
        return first
    trained = {run.seed: (run.generator, run.discriminator) for run in first}
    second = train.train_seeds(lambda seed: trained[seed], mixture, steps=second_steps,
                               lr_d=lr / config.anneal, lr_g=lr / config.anneal, **common)
    return [train.Run(a.seed, a.history.then(b.history), b.generator, b.discriminator)
            for a, b in zip(first, second)]


def final(runs: list[train.Run], key: str) -> np.ndarray:
    """The metric ``key`` at the end of training, one value per seed."""
    return np.array([run.history.evaluations[-1][key] for run in runs], dtype=float)
