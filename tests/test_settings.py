"""Settings: the objectives' defaults filled in, and every value validated in one place, by name."""

import math

import pytest

from ganbook import losses
from ganbook.settings import OBJECTIVES, SEED_LIMIT, InfoCode, Settings


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_unset_values_are_the_objectives_paper_defaults(name):
    spec = OBJECTIVES[name]
    s = Settings(seed=0, objective=name)
    assert spec.family in losses.FAMILIES
    assert (s.n_disc, s.lr_d, s.lr_g, s.optimizer, s.penalty, s.clip) == (
        spec.n_disc, spec.lr, spec.lr, spec.optimizer, spec.penalty, spec.clip)
    assert s.betas == spec.betas and s.spec is spec


def test_the_papers_numbers():
    gp, wgan = Settings(seed=0, objective="wgan-gp"), Settings(seed=0, objective="wgan")
    assert (gp.penalty, gp.n_disc, gp.lr_d, gp.betas, gp.optimizer) == (10.0, 5, 1e-4, (0.0, 0.9), "adam")
    assert (wgan.clip, wgan.n_disc, wgan.lr_d, wgan.optimizer) == (0.01, 5, 5e-5, "rmsprop")


def test_given_values_override_and_settings_are_frozen():
    s = Settings(seed=4, objective="wgan", optimizer="adam", betas=(0.5, 0.99), clip=0, n_disc=2, lr_g=1e-3)
    assert (s.seed, s.optimizer, s.betas, s.clip, s.n_disc, s.lr_g, s.lr_d) == (4, "adam", (0.5, 0.99), 0.0, 2,
                                                                                1e-3, 5e-5)
    with pytest.raises(AttributeError):
        s.steps = 3


def test_the_seed_is_required():
    with pytest.raises(TypeError, match="seed"):
        Settings(objective="nsgan")


@pytest.mark.parametrize("kwargs, word", [
    ({"seed": SEED_LIMIT}, "seed"), ({"seed": True}, "seed"), ({"steps": 1.0}, "steps"),
    ({"batch_size": 0}, "batch_size"), ({"n_disc": 0}, "n_disc"), ({"lr_d": math.inf}, "lr_d"),
    ({"lr_g": -1e-3}, "lr_g"), ({"lr_d": "1e-3"}, "lr_d"), ({"penalty": math.nan}, "penalty"),
    ({"penalty": math.inf}, "penalty"), ({"clip": math.nan}, "clip"), ({"betas": ()}, "betas"),
    ({"betas": (0.9,)}, "betas"), ({"betas": (-0.1, 0.9)}, "betas"), ({"optimizer": "sgd", "betas": (0.5, 0.9)}, "betas"),
    ({"optimizer": "adamw"}, "optimizer"), ({"generator_loss": "w1"}, "generator_loss"),
    ({"objective": "WGAN"}, "objective"), ({"eval_every": 1.5}, "eval_every"),
    ({"generator_loss": "minibatch_w1", "clip": 0.1}, "clip"),
])
def test_bad_values_are_refused_by_name(kwargs, word):
    with pytest.raises(ValueError, match=word):
        Settings(**{"seed": 0, **kwargs})


def test_info_code_is_validated():
    with pytest.raises(ValueError, match="n_categories"):
        InfoCode(0)
    with pytest.raises(ValueError, match="weight"):
        InfoCode(8, weight=math.nan)
    assert InfoCode(8).weight == 1.0
