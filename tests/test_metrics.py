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


# --- issue 26 ------------------------------------------------------------------------------

def test_frechet_distance_refuses_matrices_that_are_not_covariances():
    eye = np.eye(2)
    with pytest.raises(ValueError, match=r"^sigma1 must be symmetric"):
        metrics.frechet_distance([0, 0], [[1.0, 0.5], [0.0, 1.0]], [0, 0], eye)
    with pytest.raises(ValueError, match=r"^sigma2 must be positive semi-definite .* eigenvalue -1"):
        metrics.frechet_distance([0, 0], eye, [0, 0], -eye)
    # round-off of np.cov on fewer samples than dimensions (singular) is still a covariance
    few = np.random.default_rng(0).normal(size=(3, 6))
    sigma = np.cov(few, rowvar=False)
    # its round-off eigenvalues (~1e-16 x scale) enter through square roots: ~1e-8 x scale
    assert metrics.frechet_distance(np.zeros(6), sigma, np.zeros(6), sigma) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"threshold": -1.0}, ValueError, r"^threshold must be > 0, got -1$"),
    ({"threshold": float("nan")}, ValueError, r"^threshold must be finite"),
    ({"std": float("inf")}, ValueError, r"^std must be finite"),
    ({"std": np.array([0.01, 0.02])}, TypeError, r"^std must be a real number, got ndarray$"),
])
def test_mode_metrics_refuses_bad_scales_by_name(kwargs, error, message):
    arguments = {"std": 0.01, **kwargs}
    with pytest.raises(error, match=message):
        metrics.mode_metrics(np.zeros((3, 2)), data.ring().means, **arguments)


def test_w1_to_reference_is_the_exact_distance_to_the_reference_set():
    g = torch.Generator().manual_seed(0)
    samples, reference = torch.randn(50, 2, generator=g), torch.randn(70, 2, generator=g) + 1.0
    from ganbook import transport
    assert metrics.w1_to_reference(samples, reference) == pytest.approx(transport.wasserstein1(samples, reference), abs=0)
    # translation by v costs |v|; on the line (n,) and (n, 1) give the closed form
    assert metrics.w1_to_reference(samples.double() + torch.tensor([3.0, 4.0], dtype=torch.float64), samples.double()) == \
        pytest.approx(5.0, rel=1e-12)
    line = np.array([0.0, 1.0, 5.0])
    assert metrics.w1_to_reference(line, line[:, None] + 2.0) == pytest.approx(2.0, rel=1e-15)
    assert metrics.w1_to_reference(line, [0.0]) == pytest.approx(2.0, rel=1e-15)
    # images are flattened; samples that require grad are fine
    images = torch.zeros(2, 1, 2, 2, requires_grad=True)
    assert metrics.w1_to_reference(images, torch.ones(2, 1, 2, 2)) == pytest.approx(2.0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: metrics.w1_to_reference(np.zeros((3, 2)), np.zeros((3, 3))), ValueError, r"^samples and reference differ in dimension: 2 vs 3$"),
    (lambda: metrics.w1_to_reference(np.zeros((0, 2)), np.zeros((3, 2))), ValueError, r"^samples must be a non-empty 2-D array"),
    (lambda: metrics.w1_to_reference(np.zeros((3, 2)), np.full((3, 2), np.nan)), ValueError, r"^reference contains non-finite"),
    (lambda: metrics.w1_to_reference(np.zeros((3, 2), dtype=complex), np.zeros((3, 2))), TypeError, r"^samples must be real"),
    (lambda: metrics.nearest_distances(["a"], [[0.0]]), TypeError, r"^samples must be an array of numbers"),
    (lambda: metrics.copy_share(np.zeros((3, 2)), np.zeros((3, 2)), np.zeros((3, 2)), quantile=float("nan")), ValueError,
     r"^quantile must be finite"),
    (lambda: metrics.digits_classifier(seed=1.5), TypeError, r"^seed must be an integer"),
    (lambda: metrics.digits_classifier(epochs=0), ValueError, r"^epochs must be an integer >= 1"),
])
def test_metric_refusals_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_digits_classifier_refuses_bad_images_and_labels_by_name():
    classifier = metrics.digits_classifier()
    with pytest.raises(TypeError, match=r"^images must be a floating-point torch\.Tensor, got ndarray$"):
        classifier.predict(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"^images contains non-finite"):
        classifier.confidence(torch.full((2, 1, 8, 8), float("nan")))
    with pytest.raises(ValueError, match=r"^images must be \(n, 1, 8, 8\)"):
        classifier.class_entropy(torch.zeros(0, 1, 8, 8))
    with pytest.raises(ValueError, match=r"^labels must be an integer tensor of shape \(2,\)"):
        classifier.label_accuracy(torch.zeros(2, 1, 8, 8), torch.zeros(2))
    with pytest.raises(ValueError, match=r"^fake needs at least 2 images"):
        classifier.fid(torch.zeros(4, 1, 8, 8), torch.zeros(1, 1, 8, 8))
