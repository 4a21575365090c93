import numpy as np
import pytest
import torch

from ganbook import data, train, transport, wgan_runs

TINY = wgan_runs.Config(hidden=(8,), steps=20, seeds=(0, 1), records=4, n_reference=50, n_estimate=80)


def test_records_start_untrained_and_follow_the_schedule():
    runs = wgan_runs.train_arm("RMSProp", TINY, progress=False)
    assert [run.seed for run in runs] == [0, 1]
    rows = wgan_runs.records(runs[0])
    assert rows[:, 0].tolist() == [0, 5, 10, 15, 20] and rows.shape == (5, 4)
    # the last record is the trained models measured on the fixed sets, by hand
    generator, critic = runs[0].generator, runs[0].discriminator
    reference = wgan_runs.reference_sample(TINY)
    evaluated = train.generate(generator, TINY.n_reference, seed=wgan_runs.EVAL_SEEDS["w1_latent"])
    assert rows[-1, 2] == pytest.approx(transport.wasserstein1(evaluated.detach(), reference), rel=1e-12)
    real = wgan_runs.TARGET.sample(TINY.n_estimate, generator=torch.Generator().manual_seed(2))
    fake = train.generate(generator, TINY.n_estimate, seed=wgan_runs.EVAL_SEEDS["estimate_latent"])
    with torch.no_grad():
        assert rows[-1, 1] == pytest.approx((critic(real).mean() - critic(fake).mean()).item(), rel=1e-6)
    assert rows[-1, 3] == pytest.approx((evaluated.mean(0) - reference.mean(0)).norm().item(), rel=1e-6)


def test_arms_differ_only_in_their_options():
    rms, adam, gan = (wgan_runs.train_arm(arm, TINY, seeds=[0], evaluate=False, progress=False)[0]
                      for arm in ("RMSProp", "Adam", "GAN"))
    assert rms.history.objective == adam.history.objective == "wgan" and gan.history.objective == "nsgan"
    assert not np.allclose(rms.history.g_loss, adam.history.g_loss)
    # clipping holds in both WGAN arms
    for run in (rms, adam):
        assert max(p.abs().max().item() for p in run.discriminator.parameters()) <= 0.01
    assert rms.history.evaluations == []


def test_overrides_reach_the_trainer():
    frozen = wgan_runs.train_arm("RMSProp", TINY, seeds=[0], evaluate=False, progress=False, lr_d=1e-12)[0]
    learning = wgan_runs.train_arm("RMSProp", TINY, seeds=[0], evaluate=False, progress=False)[0]
    assert not np.allclose(frozen.history.d_loss, learning.history.d_loss)


def test_spearman_skips_the_untrained_record():
    rows = np.array([[0, 9.0, 0.0, 0], [1, 1.0, 1.0, 0], [2, 2.0, 2.0, 0], [3, 3.0, 3.0, 0]])
    assert wgan_runs.spearman(rows) == pytest.approx(1.0)          # with step 0 it would be 0.2
    rows[1:, 1] = [3.0, 2.0, 1.0]
    assert wgan_runs.spearman(rows) == pytest.approx(-1.0)


def test_loss_spread_is_over_the_second_half():
    assert wgan_runs.loss_spread(np.array([100.0, -100.0, 1.0, 3.0])) == pytest.approx(1.0)


def test_the_rules():
    assert wgan_runs.tracks_quality([0.9, 0.51]) and not wgan_runs.tracks_quality([0.9, 0.5])
    a = {"w1": np.array([2.0, 3.0]), "spread": np.array([1.0, 1.0])}
    b = {"w1": np.array([1.0, 1.0]), "spread": np.array([0.5, 0.5])}
    assert wgan_runs.less_stable(a, b) and not wgan_runs.less_stable(b, a)
    assert not wgan_runs.less_stable({**a, "spread": b["spread"]}, b)      # both medians must exceed


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="arm must be one of"):
        wgan_runs.train_arm("SGD", TINY)
    with pytest.raises(ValueError, match=r"steps \(3\) must be at least records \(4\)"):
        TINY.replace(steps=3)
    with pytest.raises(ValueError, match="seeds must be distinct"):
        TINY.replace(seeds=(1, 1))
    with pytest.raises(TypeError, match="n_estimate must be an integer"):
        TINY.replace(n_estimate=10.0)
    with pytest.raises(ValueError, match="hidden must be"):
        TINY.replace(hidden=())


def test_the_target_is_the_chapters_gaussian():
    assert isinstance(wgan_runs.TARGET, data.GaussianMixture)
    np.testing.assert_array_equal(wgan_runs.TARGET.means, [[1.0, -1.0]])
