import numpy as np
import pytest

from ganbook import mode_runs

TINY = mode_runs.Config(hidden=(8,), batch_size=16, steps=20, gp_steps=10, anneal=10, seeds=(0, 1),
                        n_samples=200, evaluations=2)


def test_methods_train_two_phases_and_score_each_seed():
    runs = mode_runs.train_method("ring", "PacGAN2", TINY)
    assert [run.seed for run in runs] == [0, 1]
    steps = [e["step"] for e in runs[0].history.evaluations]
    assert steps == [0, 10, 20, 22]                       # step 0, every 10, then the annealed phase
    assert runs[0].history.steps == 22
    final = mode_runs.final(runs, "modes")
    assert final.shape == (2,) and np.all((final >= 0) & (final <= 8))


def test_wgan_gp_gets_its_own_steps():
    assert TINY.steps_for("WGAN-GP (paper defaults)") == (10, 1)
    assert TINY.steps_for("GAN") == (20, 2)


def test_seeds_are_reproducible():
    a = mode_runs.train_method("grid", "GAN", TINY, seeds=[3], phases=(5, 0), evaluate=False)
    b = mode_runs.train_method("grid", "GAN", TINY, seeds=[3], phases=(5, 0), evaluate=False)
    np.testing.assert_array_equal(a[0].history.g_loss, b[0].history.g_loss)
    assert a[0].history.evaluations == []


@pytest.mark.parametrize("changes, match", [
    ({"steps": 0}, "steps"), ({"lr": float("nan")}, "lr"), ({"seeds": (1, 1)}, "seeds"),
    ({"seeds": ()}, "seeds"), ({"batch_size": 2.5}, "batch_size"), ({"steps": 5}, "anneal"),
    ({"hidden": ()}, "hidden"), ({"betas": (0.5, 1.0)}, "betas")])
def test_config_refuses_bad_values_by_name(changes, match):
    with pytest.raises((ValueError, TypeError), match=match):
        TINY.replace(**changes)


def test_unknown_method_and_benchmark_are_named():
    with pytest.raises(ValueError, match="method must be one of"):
        mode_runs.train_method("ring", "VEEGAN", TINY)
    with pytest.raises(ValueError, match="benchmark must be one of"):
        mode_runs.target("spiral")
