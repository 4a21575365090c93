import json

import numpy as np
import pytest

from ganbook import mode_runs, reference, wgan_runs

TINY = reference.Experiment("ring-gan", "ring", "GAN",
                            mode_runs.Config(hidden=(8,), batch_size=16, steps=20, gp_steps=10, anneal=10,
                                             seeds=(0, 1), n_samples=200, evaluations=2), "a test")


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(reference.EXPERIMENTS, "ring-gan", TINY)
    return TINY


@pytest.fixture
def stored(tiny, tmp_path):
    return reference.save(reference.run("ring-gan", device="cpu", progress=False), tmp_path)


def test_a_result_holds_metrics_curves_and_provenance(stored):
    result = json.loads(stored.read_text())
    assert result["seeds"] == [0, 1] and result["generator_steps"] == 22
    assert len(result["final"]["modes"]) == 2 and len(result["evaluations"][1]) == 4
    assert len(result["prefix"]["d_loss"]) == reference.PREFIX_STEPS + reference.PREFIX_STEPS // 10
    assert set(result["prefix"]["scores"]) == {"modes", "high_quality", "reverse_kl"}
    provenance = result["provenance"]
    assert provenance["device"] == "cpu" and provenance["source_hash"] == reference.source_hash()
    assert {"torch", "seconds", "date", "threads"} <= set(provenance)
    assert result["config"] == TINY.config.as_dict()


def test_load_reruns_the_prefix(stored):
    result = reference.load("ring-gan", stored.parent)
    assert reference.final(result, "high_quality").shape == (2,)


def test_a_stale_result_fails_with_the_refresh_command(stored):
    result = json.loads(stored.read_text())
    result["prefix"]["g_loss"][50] += 1e-3                 # what a change to the trainer does
    stored.write_text(json.dumps(result))
    with pytest.raises(reference.StaleReference, match="make reference NAME=ring-gan"):
        reference.load("ring-gan", stored.parent)


def test_a_change_to_the_training_code_makes_it_stale(stored, monkeypatch):
    monkeypatch.setitem(mode_runs.METHODS, "GAN", {"generator_loss": "feature_matching"})
    with pytest.raises(reference.StaleReference, match="trains seed 0 differently"):
        reference.load("ring-gan", stored.parent)


def test_a_change_to_the_metrics_makes_it_stale(stored, monkeypatch):
    """Scores are re-computed from the stored generator: a looser high-quality radius is caught."""
    looser = mode_runs.metrics.mode_metrics
    monkeypatch.setattr(mode_runs.metrics, "mode_metrics", lambda *a, **k: looser(*a, **k, threshold=30.0))
    with pytest.raises(reference.StaleReference, match="scores"):
        reference.load("ring-gan", stored.parent)


def test_the_stored_generator_is_seed_0s(stored):
    result = json.loads(stored.read_text())
    generator = reference._generator(TINY, result["generator_seed0"])
    scores = mode_runs.score(generator, "ring", TINY.config.n_samples)
    assert scores["high_quality"] == result["evaluations"][0][-1]["high_quality"]


def test_a_result_of_another_configuration_is_stale(stored, monkeypatch):
    monkeypatch.setitem(reference.EXPERIMENTS, "ring-gan",
                        reference.Experiment("ring-gan", "ring", "GAN", TINY.config.replace(lr=2e-3), "a test"))
    with pytest.raises(reference.StaleReference, match="another configuration"):
        reference.load("ring-gan", stored.parent)


def test_a_missing_result_names_the_command(tiny, tmp_path):
    with pytest.raises(reference.StaleReference, match="make reference NAME=ring-gan"):
        reference.load("ring-gan", tmp_path)


def test_an_infinite_reverse_kl_survives_the_round_trip(stored):
    result = json.loads(stored.read_text())
    result["final"]["reverse_kl"][0] = None
    assert np.isinf(reference.final(result, "reverse_kl")[0])


def test_unknown_experiment_is_named():
    with pytest.raises(ValueError, match="name must be one of"):
        reference.experiment("ring-veegan")


def test_the_shipped_results_are_found_and_not_stale():
    """The package ships book/results (a link in the repository): the chapter's default path."""
    result = reference.load("ring-gan")
    assert result["name"] == "ring-gan" and len(result["seeds"]) == len(reference.REFERENCE_CONFIG.seeds)
    assert result["config"] == reference.REFERENCE_CONFIG.as_dict()


def test_evaluations_read_back_per_seed(stored):
    result = json.loads(stored.read_text())
    np.testing.assert_array_equal(reference.at_evaluation(result, "modes", -1), reference.final(result, "modes"))
    result["evaluations"][1][0]["reverse_kl"] = None
    assert np.isinf(reference.at_evaluation(result, "reverse_kl", 0)[1])


WGAN_TINY = reference.WGANExperiment("gaussian-wgan", wgan_runs.Config(hidden=(8,), steps=20, seeds=(0, 1), records=4,
                                                                       n_reference=50, n_estimate=80), "a test")


@pytest.fixture
def wgan_stored(monkeypatch, tmp_path):
    monkeypatch.setitem(reference.WGAN_EXPERIMENTS, "gaussian-wgan", WGAN_TINY)
    return reference.save(reference.run("gaussian-wgan", device="cpu", progress=False), tmp_path)


def test_a_wgan_result_holds_every_arm_and_reloads(wgan_stored):
    result = reference.load("gaussian-wgan", wgan_stored.parent)
    assert set(result["arms"]) == set(wgan_runs.ARMS) and result["seeds"] == [0, 1]
    records = reference.arm_records(result, "Adam")
    assert len(records) == 2 and records[1].shape == (5, 4) and records[1][-1, 0] == 20
    assert len(result["prefix"]["GAN d_loss"]) == reference.PREFIX_STEPS
    with pytest.raises(ValueError, match="arm must be one of"):
        reference.arm_records(result, "SGD")


def test_a_changed_wgan_arm_makes_it_stale(wgan_stored, monkeypatch):
    monkeypatch.setitem(wgan_runs.ARMS, "Adam", {"objective": "wgan", "optimizer": "adam", "betas": (0.9, 0.999)})
    with pytest.raises(reference.StaleReference, match="Adam d_loss"):
        reference.load("gaussian-wgan", wgan_stored.parent)


def test_a_changed_wgan_metric_makes_it_stale(wgan_stored, monkeypatch):
    """The stored seed-0 models are evaluated again: another evaluation set is caught."""
    monkeypatch.setitem(wgan_runs.EVAL_SEEDS, "w1_latent", 5)
    with pytest.raises(reference.StaleReference, match="scores"):
        reference.load("gaussian-wgan", wgan_stored.parent)


def test_the_experiments_of_both_kinds_are_named():
    assert reference.experiment("gaussian-wgan").command() == "make reference NAME=gaussian-wgan"
    assert "gaussian-wgan" not in reference.EXPERIMENTS          # chapter 09 reads the mode benchmarks only
