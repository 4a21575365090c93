r"""What a training run is asked to do: the objectives with their papers' defaults, and :class:`Settings`.

Every entry point of :mod:`ganbook.train` turns its arguments into one :class:`Settings`, which
fills each unset value from the objective's paper (``OBJECTIVES``) and validates all of them in
one place: counts are integers, rates and weights finite, names known, and an error names the
argument it refuses.
"""

from __future__ import annotations

import math
import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Seeds must suit every generator they seed: torch's, NumPy's (32 bits) and Python's.
SEED_LIMIT = 2 ** 32
OPTIMIZERS = ("adam", "rmsprop", "sgd")
#: ``None``: the objective's generator loss; ``"feature_matching"``: Salimans et al. 2016 §3.1;
#: ``"minibatch_w1"``: the exact minibatch :math:`W_1` (a critic solved exactly on every batch).
GENERATOR_LOSSES = (None, "feature_matching", "minibatch_w1")


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

    def __post_init__(self):
        integer("n_categories", self.n_categories, 1)
        number("weight", self.weight, 0.0)


class RunConfig:
    """What the run configurations of :mod:`ganbook.mode_runs` and :mod:`ganbook.wgan_runs` share:
    MLP widths ``hidden`` and distinct ``seeds`` (checked by :meth:`check_hidden_and_seeds`),
    :meth:`replace` and :meth:`as_dict` (tuples as lists, as stored with a reference run)."""

    def check_hidden_and_seeds(self) -> None:
        """Refuse empty or non-positive ``hidden`` widths and empty or repeated ``seeds``, by name."""
        if not self.hidden or any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in self.hidden):
            raise ValueError(f"hidden must be a non-empty tuple of positive layer widths, got {self.hidden!r}")
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must be distinct and not empty, got {self.seeds!r}")

    def replace(self, **changes):
        """A copy with ``changes`` (validated again)."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        """The fields as a JSON-ready dict, tuples as lists."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}


def integer(name: str, value: Any, minimum: int, limit: int | None = None) -> int:
    """``value`` as an int ``>= minimum`` (and ``< limit``), else a ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum \
            or (limit is not None and value >= limit):
        bound = f" and < {limit}" if limit is not None else ""
        raise ValueError(f"{name} must be an integer >= {minimum}{bound}, got {value!r}")
    return int(value)


def number(name: str, value: Any, minimum: float, *, strict: bool = False, below: float | None = None) -> float:
    """``value`` as a finite float ``>= minimum`` (``>`` when ``strict``, ``< below``), else ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    too_low = value <= minimum if strict else value < minimum
    if not math.isfinite(value) or too_low or (below is not None and value >= below):
        relation = ">" if strict else ">="
        upper = f" and < {below}" if below is not None else ""
        raise ValueError(f"{name} must be finite and {relation} {minimum}{upper}, got {value!r}")
    return value


def seed(name: str, value: Any) -> int:
    """A seed for torch, NumPy and Python alike: an integer in ``[0, 2**32)``."""
    return integer(name, value, 0, SEED_LIMIT)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every choice of a training run, validated, with the objective's defaults filled in.

    ``None`` means "the objective's default" (see ``OBJECTIVES``): ``n_disc``
    (:math:`k` of Goodfellow et al. 2014, ``n_critic`` of the WGAN papers), ``lr_d``, ``lr_g``,
    ``optimizer``, ``betas`` (Adam's; refused for the other optimisers), ``penalty`` (the
    gradient-penalty weight :math:`\\lambda`, 0 = off) and ``clip`` (the weight-clipping bound
    :math:`c`, 0 = off). ``seed`` is required: it seeds every random draw of the run.
    ``generator_loss`` is one of ``GENERATOR_LOSSES``.
    """

    seed: int
    objective: str = "nsgan"
    steps: int = 1000
    batch_size: int = 64
    n_disc: int | None = None
    lr_d: float | None = None
    lr_g: float | None = None
    optimizer: str | None = None
    betas: tuple[float, float] | None = None
    penalty: float | None = None
    clip: float | None = None
    generator_loss: str | None = None
    info: InfoCode | None = None
    eval_every: int = 0
    spec: Objective = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.objective not in OBJECTIVES:
            raise ValueError(f"unknown objective {self.objective!r}; choose one of {sorted(OBJECTIVES)}")
        spec = OBJECTIVES[self.objective]
        if self.generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"generator_loss must be one of {GENERATOR_LOSSES}, got {self.generator_loss!r}")
        if self.generator_loss == "minibatch_w1":
            given = [name for name in ("n_disc", "lr_d", "penalty", "clip", "info")
                     if getattr(self, name) is not None]
            if given:
                raise ValueError(f"generator_loss='minibatch_w1' solves the critic exactly: "
                                 f"{', '.join(given)} would be ignored; leave them unset")
        if self.info is not None and not isinstance(self.info, InfoCode):
            raise ValueError(f"info must be a ganbook.train.InfoCode, got {self.info!r}")
        optimizer = spec.optimizer if self.optimizer is None else self.optimizer
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
        if self.betas is not None and optimizer != "adam":
            raise ValueError(f"betas are Adam's; the optimizer is {optimizer!r}")
        betas = spec.betas if self.betas is None else self.betas
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        resolved = {
            "seed": seed("seed", self.seed),
            "steps": integer("steps", self.steps, 0),
            "batch_size": integer("batch_size", self.batch_size, 1),
            "n_disc": integer("n_disc", spec.n_disc if self.n_disc is None else self.n_disc, 1),
            "lr_d": number("lr_d", spec.lr if self.lr_d is None else self.lr_d, 0.0, strict=True),
            "lr_g": number("lr_g", spec.lr if self.lr_g is None else self.lr_g, 0.0, strict=True),
            "optimizer": optimizer,
            "betas": tuple(number(f"betas[{i}]", b, 0.0, below=1.0) for i, b in enumerate(betas)),
            "penalty": number("penalty (the gradient-penalty weight)",
                              spec.penalty if self.penalty is None else self.penalty, 0.0),
            "clip": number("clip (the weight-clipping bound)", spec.clip if self.clip is None else self.clip, 0.0),
            "eval_every": integer("eval_every", self.eval_every, 0),
            "spec": spec,
        }
        if self.generator_loss == "minibatch_w1":
            resolved.update(n_disc=0, penalty=0.0, clip=0.0)
        for name, value in resolved.items():
            object.__setattr__(self, name, value)
