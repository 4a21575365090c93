import numpy as np
import pytest
import torch

from ganbook import data, metrics


def test_samples_on_three_of_eight_modes():
    ring = data.ring()
    samples = np.repeat(ring.means[[0, 3, 5]], [100, 100, 100], axis=0)
    m = metrics.mode_metrics(samples, ring.means, 0.01)
    assert m.modes_captured == 3 and m.high_quality == 1.0
    # histogram (1/3, 1/3, 1/3, 0, ...) against uniform over 8: log(8/3)
    assert m.reverse_kl == pytest.approx(np.log(8 / 3), rel=1e-12)
    assert m.counts.tolist() == [100, 0, 0, 100, 0, 100, 0, 0]


def test_uniform_spread_is_almost_never_high_quality():
    ring = data.ring()
    samples = np.random.default_rng(0).uniform(-1.5, 1.5, size=(20000, 2))
    m = metrics.mode_metrics(samples, ring.means, 0.01)
    # expected share: 8 discs of radius 0.03 in a 3x3 square = 8 pi 0.0009 / 9 = 0.0025
    assert m.high_quality == pytest.approx(8 * np.pi * 0.03 ** 2 / 9, abs=4 * np.sqrt(0.0025 / 20000))


def test_true_samples_capture_every_mode():
    grid = data.grid()
    samples = grid.sample(2500, generator=torch.Generator().manual_seed(0))
    m = metrics.mode_metrics(samples, grid.means, 0.05)
    # within 3 sigma in 2-D: 1 - exp(-9/2) = 0.9889
    assert m.modes_captured == 25 and m.high_quality == pytest.approx(1 - np.exp(-4.5), abs=0.01)
    assert m.reverse_kl < 0.02


def test_no_high_quality_sample_gives_infinite_reverse_kl():
    m = metrics.mode_metrics(np.full((10, 2), 5.0), data.ring().means, 0.01)
    assert (m.modes_captured, m.high_quality, m.reverse_kl) == (0, 0.0, np.inf)


def test_frechet_distance_closed_forms():
    # 1-D: (mu1 - mu2)^2 + (s1 - s2)^2
    assert metrics.frechet_distance([0.0], [[4.0]], [1.0], [[1.0]]) == pytest.approx(2.0)
    # commuting covariances: ||dmu||^2 + sum (sqrt a_i - sqrt b_i)^2
    value = metrics.frechet_distance([0, 0], np.diag([1.0, 4.0]), [1, 1], np.diag([9.0, 1.0]))
    assert value == pytest.approx(2 + 4 + 1)
    # a singular covariance is fine
    assert metrics.frechet_distance([0, 0], np.diag([1.0, 0.0]), [0, 0], np.diag([1.0, 0.0])) == pytest.approx(0.0, abs=1e-12)


def test_digits_classifier_is_accurate_on_held_out_digits():
    classifier = metrics.digits_classifier()
    assert classifier.test_accuracy > 0.95
    test = data.digits(split="test")
    assert classifier.label_accuracy(test.x, test.labels) == pytest.approx(classifier.test_accuracy)
    assert classifier.class_entropy(test.x) == pytest.approx(np.log(10), abs=0.01)
    one_class = test.x[test.labels == 3]
    assert classifier.class_entropy(one_class) < 0.2
    # float32 features: round-off of order 1e-5 on a distance between identical sets
    assert classifier.fid(test.x, test.x) == pytest.approx(0.0, abs=1e-4)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="dimension"):
        metrics.mode_metrics(np.zeros((3, 3)), data.ring().means, 0.01)
    with pytest.raises(ValueError, match="non-finite"):
        metrics.mode_metrics(np.full((3, 2), np.nan), data.ring().means, 0.01)
    with pytest.raises(ValueError, match="std"):
        metrics.mode_metrics(np.zeros((3, 2)), data.ring().means, 0.0)


def test_nearest_distances_by_hand():
    d = metrics.nearest_distances([[0.0, 0.0], [3.0, 4.0]], [[0.0, 1.0], [3.0, 0.0]])
    np.testing.assert_allclose(d, [1.0, 4.0])


def test_nearest_distances_flatten_images():
    images = torch.zeros(2, 1, 2, 2)
    images[1] += 0.5                         # distance to the zero image: sqrt(4 * 0.25) = 1
    np.testing.assert_allclose(metrics.nearest_distances(images, images[:1]), [0.0, 1.0])


def test_copies_of_the_training_set_score_one():
    train = torch.randn(20, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    fresh = torch.randn(500, 1, 4, 4, generator=torch.Generator().manual_seed(1))
    assert metrics.copy_share(train.repeat(5, 1, 1, 1), train, fresh) == 1.0


def test_fresh_samples_score_about_the_quantile():
    g = torch.Generator().manual_seed(0)
    train, fresh, samples = (torch.randn(n, 8, generator=g) for n in (50, 4000, 4000))
    # binomial error of the share and of the estimated quantile: sd ~ 0.005 each, 3 sd < 0.025
    assert metrics.copy_share(samples, train, fresh, quantile=0.05) == pytest.approx(0.05, abs=0.025)
    assert metrics.copy_share(samples, train, fresh, quantile=0.5) == pytest.approx(0.5, abs=0.05)


def test_memorisation_input_is_named():
    with pytest.raises(ValueError, match="dimension"):
        metrics.nearest_distances(np.zeros((3, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="reference"):
        metrics.nearest_distances(np.zeros((3, 2)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match="quantile"):
        metrics.copy_share(np.zeros((3, 2)), np.zeros((3, 2)), np.zeros((3, 2)), quantile=1.0)
