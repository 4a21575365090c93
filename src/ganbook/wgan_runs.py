r"""Our WGAN runs on a 2-D Gaussian: the critic's estimate against the exact :math:`W_1`, RMSProp against Adam.

Chapter 06 and its reference run (:mod:`ganbook.reference`, experiment ``gaussian-wgan``) train
the same arms the same way, all seeds stacked (:func:`ganbook.train.train_seeds`):

* :data:`ARMS`: ``"RMSProp"``, Algorithm 1 of Arjovsky et al. (2017) with its defaults
  (``train.OBJECTIVES["wgan"]``: five RMSProp critic steps at :math:`5\times10^{-5}`, clipping at
  :math:`c = 0.01`, batch 64); ``"Adam"``, the same with Adam (:math:`\beta_1 = 0.5`,
  :math:`\beta_2 = 0.999`) for both players at the same rate; ``"GAN"``, the non-saturating GAN
  with its defaults, whose discriminator value is the control of the tracking rule.
* :data:`TARGET`: :math:`\mathcal N((1, -1), 0.4^2 I)`; generator and critic are MLPs of
  ``hidden`` units.
* :func:`tracker`: the evaluation recorded at step 0, every ``steps // records`` steps and at
  the end, on sets fixed once (the same latent draws and target points at every record, so a
  change is a change of the models, not sampling noise): the critic's estimate
  :math:`\frac1n\sum f(x_i) - \frac1n\sum f(G(z_i))`, the exact :math:`W_1` between generated
  and target points (:func:`ganbook.metrics.w1_to_reference`) and the distance between their means.

The rules that decide the chapter's claims were fixed before the reference run was made, and are
written here so that the live runs and the reference run apply the same ones, with the same
controls:

* :func:`tracks_quality` (``wgan-loss-tracks-quality``): Spearman's correlation between the
  critic's estimate and the exact :math:`W_1` over the records of training exceeds 0.5 in every
  seed of the RMSProp arm. Control: the same rule for the ``"GAN"`` arm's discriminator value.
* :func:`less_stable` (``wgan-adam-unstable``): the ``"Adam"`` arm's median final :math:`W_1` and
  median critic-loss spread over the second half both exceed the ``"RMSProp"`` arm's. Control:
  the same comparison between the first and the second half of the RMSProp seeds (identical
  settings, so a difference is seed noise).

Claims: ``wgan-clipping-algorithm``, ``wgan-loss-tracks-quality``, ``wgan-adam-unstable``.
Chapter: 06.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy import stats

from ganbook import _validate, data, metrics, models, train
from ganbook.settings import RunConfig

#: The options of each arm for :func:`ganbook.train.train_seeds` (their papers' defaults otherwise).
ARMS = {
    "RMSProp": {"objective": "wgan"},
    "Adam": {"objective": "wgan", "optimizer": "adam", "betas": (0.5, 0.999)},
    "GAN": {"objective": "nsgan"},
}
#: The target of every run.
TARGET = data.GaussianMixture([[1.0, -1.0]], 0.4)
#: The seeds that draw the fixed evaluation sets (target points for W1 and for the critic's
#: estimate, latent draws for W1 and for the estimate).
EVAL_SEEDS = {"reference": 1, "estimate_real": 2, "w1_latent": 2, "estimate_latent": 3}
#: The tracking rule's threshold on Spearman's rank correlation (about two standard deviations
#: of the correlation of unrelated series over 20 records, :math:`1/\sqrt{19} = 0.23`).
TRACKING_THRESHOLD = 0.5


@dataclass(frozen=True)
class Config(RunConfig):
    """``steps`` generator steps for each of ``seeds``, MLPs of ``hidden`` units, ``records``
    evaluations during training (plus step 0), on ``n_reference`` points for the exact
    :math:`W_1` and ``n_estimate`` for the critic's estimate."""

    hidden: tuple[int, ...] = (64, 64)
    steps: int = 1000
    seeds: tuple[int, ...] = tuple(range(6))
    records: int = 20
    n_reference: int = 600
    n_estimate: int = 4000

    def __post_init__(self):
        for name in ("steps", "records", "n_reference", "n_estimate"):
            _validate.integer(name, getattr(self, name), minimum=1)
        if self.steps < self.records:
            raise ValueError(f"steps ({self.steps}) must be at least records ({self.records})")
        self.check_hidden_and_seeds()



def _arm(arm: str) -> dict:
    if arm not in ARMS:
        raise ValueError(f"arm must be one of {list(ARMS)}, got {arm!r}")
    return ARMS[arm]


def reference_sample(config: Config) -> torch.Tensor:
    """The fixed target points every generator is measured against (``n_reference`` of them)."""
    return TARGET.sample(config.n_reference, generator=torch.Generator().manual_seed(EVAL_SEEDS["reference"]))


def tracker(config: Config):
    """``evaluate(generator, critic)`` for :func:`ganbook.train.train_seeds`: the critic's estimate
    of :math:`W_1` (``estimate``), the exact :math:`W_1` (``w1``) and the distance between the
    means (``mean_gap``), each on its fixed evaluation set."""
    reference = reference_sample(config)
    real = TARGET.sample(config.n_estimate, generator=torch.Generator().manual_seed(EVAL_SEEDS["estimate_real"]))

    def evaluate(generator: torch.nn.Module, critic: torch.nn.Module) -> dict:
        evaluated = train.generate(generator, config.n_reference, seed=EVAL_SEEDS["w1_latent"]).cpu()
        fake = train.generate(generator, config.n_estimate, seed=EVAL_SEEDS["estimate_latent"])
        device = fake.device
        estimate = (critic(real.to(device)).mean() - critic(fake).mean()).item()
        return {"estimate": estimate, "w1": metrics.w1_to_reference(evaluated, reference),
                "mean_gap": (evaluated.mean(0) - reference.mean(0)).norm().item()}
    return evaluate


def build(config: Config):
    """``build(seed)`` for :func:`ganbook.train.train_seeds`: a generator and a critic of ``hidden`` units."""
    return lambda seed: (models.MLPGenerator(2, 2, config.hidden), models.MLPDiscriminator(2, config.hidden))


def train_arm(arm: str, config: Config = Config(), *, seeds=None, steps: int | None = None,
              evaluate: bool = True, device: str | torch.device | None = None,
              progress: bool | None = None, **overrides) -> list[train.Run]:
    """Train ``arm`` on :data:`TARGET`, all seeds stacked; one :class:`ganbook.train.Run` per seed.

    ``seeds`` and ``steps`` default to the configuration's; ``evaluate=False`` skips the
    tracking evaluations (the reference run's loss prefix); ``overrides`` go to
    :func:`ganbook.train.train_seeds` (e.g. ``lr_d=1e-12``, a critic that does not learn).
    """
    options = {**_arm(arm), **overrides}
    steps = config.steps if steps is None else _validate.integer("steps", steps, minimum=1)
    return train.train_seeds(build(config), TARGET, seeds=list(config.seeds if seeds is None else seeds),
                             steps=steps, evaluate=tracker(config) if evaluate else None,
                             eval_every=max(steps // config.records, 1) if evaluate else 0,
                             device=device, progress=progress, **options)


def records(run: train.Run) -> np.ndarray:
    """The run's evaluations as rows ``(step, estimate, w1, mean_gap)``, step 0 first."""
    return np.array([[e["step"], e["estimate"], e["w1"], e["mean_gap"]] for e in run.history.evaluations])


def spearman(rows: np.ndarray) -> float:
    """Spearman's rank correlation between the critic's estimate and the exact :math:`W_1` over the
    records made during training (step 0, the untrained models, excluded)."""
    return float(stats.spearmanr(rows[1:, 1], rows[1:, 2])[0])


def loss_spread(d_loss: np.ndarray) -> float:
    """Standard deviation of the critic's loss over the second half of training."""
    return float(np.std(d_loss[len(d_loss) // 2:]))


def tracks_quality(correlations) -> bool:
    """The rule of ``wgan-loss-tracks-quality``: the estimate's rank correlation with the exact
    :math:`W_1` exceeds :data:`TRACKING_THRESHOLD` in every seed."""
    return bool(np.all(np.asarray(correlations, dtype=float) > TRACKING_THRESHOLD))


def less_stable(a: dict, b: dict) -> bool:
    """The rule of ``wgan-adam-unstable``: ``a``'s median final :math:`W_1` (``a["w1"]``) and median
    critic-loss spread over the second half (``a["spread"]``) both exceed ``b``'s."""
    return bool(np.median(a["w1"]) > np.median(b["w1"]) and np.median(a["spread"]) > np.median(b["spread"]))
