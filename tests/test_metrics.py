import numpy as np
import pytest
import torch
from torch.nn import functional as F

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


# --- sharper tests, from surviving mutants of mutmut (metrics 75.8%) ---------------------------

def test_mode_metrics_counts_a_mode_with_one_sample_and_a_sample_on_the_threshold():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    # one sample on each mode: every mode is captured, the histogram is uniform (reverse KL 0)
    m = metrics.mode_metrics(centers + 0.5, centers, 1.0)
    assert (m.modes_captured, m.high_quality, m.reverse_kl) == (3, 1.0, 0.0)
    # a sample at distance exactly threshold * std (|(3, 4)| = 5 = 5 x 1.0) is not *below* it
    m = metrics.mode_metrics([[3.0, 4.0], [10.0, 0.0]], centers, 1.0, threshold=5.0)
    assert m.counts.tolist() == [0, 1, 0] and m.high_quality == 0.5


@pytest.mark.parametrize("call, error, message", [
    # shape is checked before finiteness: a NaN vector is refused for its shape
    (lambda: metrics.mode_metrics([np.nan, np.nan], [[0.0, 0.0]], 0.1), ValueError,
     r"^samples must be a non-empty 2-D array, got shape \(2,\)$"),
    (lambda: metrics.mode_metrics([[1j, 0.0]], [[0.0, 0.0]], 0.1), TypeError, r"^samples must be real, got complex values$"),
    (lambda: metrics.nearest_distances(np.nan, [[0.0]]), ValueError, r"^samples must be a non-empty 2-D array, got shape \(\)$"),
    (lambda: metrics.nearest_distances([[0.0]], [["a"]]), TypeError, r"^reference must be an array of numbers, got dtype <U1$"),
    # an empty batch of images: flattened to (0, 4), then refused by name (not inside NumPy's reshape)
    (lambda: metrics.w1_to_reference(np.zeros((0, 1, 2, 2)), np.zeros((3, 1, 2, 2))), ValueError,
     r"^samples must be a non-empty 2-D array, got shape \(0, 4\)$"),
    (lambda: metrics.copy_share([[0.0]], [[0.0]], [[0.0]], quantile=0.0), ValueError, r"^quantile must be > 0, got 0$"),
    (lambda: metrics.copy_share([[0.0]], [[0.0]], [[0.0]], quantile=-0.5), ValueError, r"^quantile must be > 0, got -0.5$"),
    (lambda: metrics.frechet_distance([0.0], [[1.0]], [np.nan], [[1.0]]), ValueError, r"^mu2 contains non-finite values"),
    (lambda: metrics.frechet_distance([0.0], [1.0], [0.0], [[1.0]]), ValueError, r"^sigma1 must be a non-empty 2-D array"),
    (lambda: metrics.frechet_distance([0.0, 0.0], np.eye(2), [0.0], np.eye(2)), ValueError,
     r"^mu2 must have shape \(2,\) to match mu1 of shape \(2,\), got \(1,\)$"),
    (lambda: metrics.frechet_distance([0.0, 0.0], np.eye(3), [0.0, 0.0], np.eye(2)), ValueError,
     r"^sigma1 must have shape \(2, 2\) to match mu1 of shape \(2,\), got \(3, 3\)$"),
    (lambda: metrics.frechet_distance([0.0, 0.0], np.eye(2), [0.0, 0.0], np.eye(3)), ValueError,
     r"^sigma2 must have shape \(2, 2\) to match mu1 of shape \(2,\), got \(3, 3\)$"),
    (lambda: metrics.frechet_distance([0.0, 0.0], [[1.0, 0.5], [0.0, 1.0]], [0.0, 0.0], np.eye(2)), ValueError,
     r"^sigma1 must be symmetric \(a covariance matrix\), asymmetry 0.5$"),
    (lambda: metrics.frechet_distance([0.0, 0.0], np.eye(2), [0.0, 0.0], np.diag([1.0, -3e-8])), ValueError,
     r"^sigma2 must be positive semi-definite \(a covariance matrix\), has eigenvalue -3e-08$"),
])
def test_metric_refusals_exactly(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_nearest_distances_of_images_with_two_trailing_axes():
    # (n, h, w) images are flattened too: the second image differs by 1 in all 4 pixels, distance 2
    images = np.zeros((2, 2, 2))
    images[1] += 1.0
    np.testing.assert_array_equal(metrics.nearest_distances(images, images[:1]), [0.0, 2.0])


def test_nearest_distances_keep_full_precision_far_from_the_origin():
    # ||x - y|| directly, not sqrt(|x|^2 + |y|^2 - 2 x.y): at coordinates 1e6 the expansion
    # cancels 1e12-sized terms (error ~2e-4 in float64 for these 30 points); the offset (0.3, 0.4)
    # is stored to ~1e-10 at 1e6 (non-dyadic, so the expansion's squares are not exact either)
    reference = 1e6 + 3.0 * np.arange(30.0)[:, None].repeat(2, axis=1)
    samples = reference + [0.3, 0.4]
    np.testing.assert_allclose(metrics.nearest_distances(samples, reference), 0.5, rtol=0, atol=1e-9)


def test_copy_share_counts_only_distances_strictly_below_the_quantile():
    # fresh images at distances 1, 2, 3 from the one training point: the median tau is 2;
    # a sample at distance exactly 2 is not a near-copy, one at 0.5 is
    share = metrics.copy_share([[2.0], [0.5]], [[0.0]], [[1.0], [2.0], [3.0]], quantile=0.5)
    assert share == 0.5


@pytest.mark.parametrize("sigma, value", [
    # asymmetry exactly COVARIANCE_TOL x scale (1e-8 - 0 with scale 1) is round-off, accepted;
    # symmetrised to off-diagonals 5e-9: FD to itself is 0 (up to the eigen-solver, 1e-15)
    (np.array([[1.0, 1e-8], [0.0, 1.0]]), None),
    # asymmetry 1e-6 on a covariance of scale 1e4: 1e-10 relative, accepted
    (np.array([[1e4, 1e-6], [0.0, 1e4]]), None),
    # a lowest eigenvalue exactly -COVARIANCE_TOL x scale x k = -2e-8 is accepted; FD to the
    # identity: tr S + tr I - 2 tr (S_+^{1/2}) = (1 - 2e-8) + 2 - 2 x 1
    (np.diag([1.0, -2e-8]), 1.0 - 2e-8),
    # lowest eigenvalue -1e-4 of a scale-1e4 covariance: -0.5e-8 x scale x k, accepted;
    # FD to I: (1e4 - 1e-4) + 2 - 2 (100 + 0)
    (np.diag([1e4, -1e-4]), 1e4 - 1e-4 + 2 - 200),
])
def test_frechet_distance_accepts_round_off_up_to_the_tolerance(sigma, value):
    if value is None:
        assert metrics.frechet_distance([0.0, 0.0], sigma, [0.0, 0.0], sigma) == pytest.approx(0.0, abs=1e-9)
    else:
        assert metrics.frechet_distance([0.0, 0.0], sigma, [0.0, 0.0], np.eye(2)) == pytest.approx(value, rel=1e-12)


# An untrained _DigitsNet (seeded, no training) for the classifier's plumbing: its predictions
# are arbitrary but fixed, so every method can be checked against a computation by hand.

@pytest.fixture(scope="module")
def untrained():
    torch.manual_seed(0)
    return metrics.DigitsClassifier(metrics._DigitsNet().train(), test_accuracy=0.5)


def _digits_net_by_hand(net, x):
    """The architecture written out with torch.nn.functional, on the net's own weights."""
    conv1, conv2, hidden, out = net.conv[0], net.conv[3], net.hidden[0], net.out
    h = F.max_pool2d(torch.relu(F.conv2d(x, conv1.weight, conv1.bias, padding=1)), 2)
    h = torch.relu(F.conv2d(h, conv2.weight, conv2.bias, padding=1)).flatten(1)
    features = torch.relu(h @ hidden.weight.T + hidden.bias)
    return features, features @ out.weight.T + out.bias


def test_digits_net_is_the_documented_architecture(untrained):
    net = untrained.net
    assert not net.training and untrained.test_accuracy == 0.5       # the classifier puts it in eval mode
    # conv 1->16 (3x3, pad 1), relu, maxpool 2, conv 16->32 (3x3, pad 1), relu, 32*4*4 -> 64, relu, 64 -> 10
    shapes = [tuple(p.shape) for p in net.parameters()]
    assert shapes == [(16, 1, 3, 3), (16,), (32, 16, 3, 3), (32,), (64, 512), (64,), (10, 64), (10,)]
    x = torch.randn(5, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    features, logits = _digits_net_by_hand(net, x)
    with torch.no_grad():
        torch.testing.assert_close(net.features(x), features)
        torch.testing.assert_close(net(x), logits)
    np.testing.assert_allclose(untrained.features(x), features.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_classifier_methods_by_hand(untrained):
    x = torch.randn(6, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        probabilities = torch.softmax(untrained.net(x), dim=1)
    torch.testing.assert_close(untrained.probabilities(x), probabilities)
    assert untrained.confidence(x) == pytest.approx(float(probabilities.max(dim=1).values.mean()), rel=1e-6)
    predicted = probabilities.argmax(dim=1)
    assert untrained.label_accuracy(x, predicted) == 1.0
    wrong = (predicted + 1) % 10
    wrong[:2] = predicted[:2]
    assert untrained.label_accuracy(x, wrong) == pytest.approx(2 / 6)
    # entropy of the histogram of predictions, by hand
    q = np.bincount(predicted.numpy()) / 6
    q = q[q > 0]
    assert untrained.class_entropy(x) == pytest.approx(-np.sum(q * np.log(q)), rel=1e-12)
    # one image repeated: one class, entropy +0.0 (not -0.0)
    entropy = untrained.class_entropy(x[:1].repeat(4, 1, 1, 1))
    assert entropy == 0.0 and np.copysign(1.0, entropy) == 1.0


def test_classifier_reads_16x16_digits_as_their_8x8_originals(untrained):
    # data.digits(size=16) repeats each pixel 2x2; the classifier averages 2x2 blocks back
    x8 = torch.randn(3, 1, 8, 8, generator=torch.Generator().manual_seed(3))
    x16 = x8.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    torch.testing.assert_close(untrained.probabilities(x16), untrained.probabilities(x8))
    np.testing.assert_allclose(untrained.features(x16), untrained.features(x8), rtol=1e-6, atol=1e-6)


def test_fid_needs_two_images_per_side_and_two_suffice(untrained):
    x = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(4))
    # two images give a (rank-1) covariance; the same two on both sides are at distance 0
    assert untrained.fid(x, x) == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match=r"^real needs at least 2 images for a covariance, got 1$"):
        untrained.fid(x[:1], x)


@pytest.mark.parametrize("images, labels, error, message", [
    (torch.zeros(2, 1, 8, 8, dtype=torch.int64), None, TypeError,
     r"^images must be a floating-point torch\.Tensor, got torch\.int64$"),
    (torch.zeros(2, 1, 8, 8), [0, 1], ValueError, r"^labels must be an integer tensor of shape \(2,\), got list \(\)$"),
    (torch.zeros(2, 1, 8, 8), torch.zeros(2), ValueError,
     r"^labels must be an integer tensor of shape \(2,\), got torch\.float32 \(2,\)$"),
    (torch.zeros(2, 1, 8, 8), torch.zeros(3, dtype=torch.int64), ValueError,
     r"^labels must be an integer tensor of shape \(2,\), got torch\.int64 \(3,\)$"),
])
def test_classifier_refusals_exactly(untrained, images, labels, error, message):
    with pytest.raises(error, match=message):
        untrained.label_accuracy(images, labels if labels is not None else torch.zeros(2, dtype=torch.int64))
