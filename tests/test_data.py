import numpy as np
import pytest
import torch
from scipy import integrate

from ganbook import data


def rng(seed=0):
    return torch.Generator().manual_seed(seed)


def test_ring_has_eight_distinct_modes_on_the_unit_circle():
    ring = data.ring()
    assert ring.means.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(ring.means, axis=1), 1.0)
    angles = np.sort(np.mod(np.arctan2(ring.means[:, 1], ring.means[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 8)
    assert ring.std.tolist() == [0.01] * 8


def test_grid_means_and_std():
    grid = data.grid()
    assert {tuple(m) for m in grid.means} == {(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}
    assert grid.std[0] == 0.05


def test_samples_have_the_stated_moments():
    g = data.gaussian(1.5, 0.5)
    x = g.sample(20000, generator=rng())
    assert x.shape == (20000, 1) and x.dtype == torch.float32
    # standard errors: 0.5/sqrt(n) = 0.0035 for the mean; std's is about 0.0025
    assert x.mean().item() == pytest.approx(1.5, abs=4 * 0.5 / 20000 ** 0.5)
    assert x.std().item() == pytest.approx(0.5, abs=4 * 0.5 / (2 * 20000) ** 0.5)


def test_same_generator_seed_same_samples():
    ring = data.ring()
    torch.testing.assert_close(ring.sample(5, generator=rng(3)), ring.sample(5, generator=rng(3)))


def test_mixture_density_integrates_to_one_and_posterior_is_normalised():
    mix = data.GaussianMixture([-1.0, 2.0], [0.5, 1.0], weights=[0.3, 0.7])
    total, _ = integrate.quad(mix.pdf, -np.inf, np.inf)
    assert total == pytest.approx(1.0, abs=1e-9)
    # at x = -1 by hand: 0.3 N(-1; -1, .25) + 0.7 N(-1; 2, 1)
    by_hand = 0.3 / (0.5 * np.sqrt(2 * np.pi)) + 0.7 * np.exp(-4.5) / np.sqrt(2 * np.pi)
    assert mix.pdf(-1.0) == pytest.approx(by_hand, rel=1e-12)
    post = mix.posterior(np.linspace(-3, 3, 7))
    np.testing.assert_allclose(post.sum(axis=1), 1.0)


def test_labelled_mixture_returns_component_labels():
    ring = data.ring(labelled=True)
    x, y = ring.sample(1000, generator=rng())
    assert ring.n_classes == 8
    np.testing.assert_allclose(x.numpy(), ring.means[y.numpy()], atol=5 * 0.01)


def test_disjoint_lines():
    x = data.DisjointLines(theta=0.25).sample(1000, generator=rng())
    assert torch.all(x[:, 0] == 0.25)
    assert 0 <= x[:, 1].min() and x[:, 1].max() <= 1


def test_digits_are_scaled_and_labelled():
    d = data.digits()
    assert d.x.shape == (1797, 1, 8, 8) and d.x.min() == -1 and d.x.max() == 1
    assert d.n_classes == 10 and set(d.labels.tolist()) == set(range(10))
    assert data.digits(size=16).x.shape == (1797, 1, 16, 16)
    train, test = data.digits(split="train"), data.digits(split="test")
    assert len(train) + len(test) == 1797
    x, y = d.sample(4, generator=rng())
    assert x.shape == (4, 1, 8, 8) and y.shape == (4,)


@pytest.mark.parametrize("call, word", [
    (lambda: data.ring().sample(0), "n"),
    (lambda: data.GaussianMixture([[0.0]], -1.0), "std"),
    (lambda: data.GaussianMixture([[0.0], [1.0]], 1.0, weights=[0.5, 0.6]), "weights"),
    (lambda: data.digits(size=12), "size"),
    (lambda: data.digits(split="valid"), "split"),
])
def test_bad_input_is_named(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_univariate_scipy_law_is_sampled_by_its_inverse_cdf():
    from scipy import stats
    law = data.Univariate(stats.laplace(0, 1))
    x = law.sample(20000, generator=rng())
    assert x.shape == (20000, 1)
    # Laplace(0, 1): variance 2, so the mean's standard error is sqrt(2 / n) = 0.01
    assert x.mean().item() == pytest.approx(0.0, abs=4 * 0.01)
    assert law.pdf(0.0) == 0.5
    torch.testing.assert_close(law.sample(3, generator=rng(5)), law.sample(3, generator=rng(5)))
    with pytest.raises(ValueError, match="scipy"):
        data.Univariate(lambda x: x)


# --- issue 26 ------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, message", [
    (lambda: data.ring(2.5), TypeError, r"^n_modes must be an integer, got 2\.5 \(float\)$"),
    (lambda: data.ring(8.0), TypeError, r"^n_modes must be an integer"),
    (lambda: data.ring(0), ValueError, r"^n_modes must be an integer >= 1"),
    (lambda: data.ring(radius=float("nan")), ValueError, r"^radius must be finite"),
    (lambda: data.grid(side=2.0), TypeError, r"^side must be an integer"),
    (lambda: data.grid(side=True), TypeError, r"^side must be an integer"),
    (lambda: data.grid(spacing=-1.0), ValueError, r"^spacing must be > 0"),
    (lambda: data.GaussianMixture([[np.nan, 0.0]], 1.0), ValueError, r"^means contains non-finite"),
    (lambda: data.GaussianMixture([[1j]], 1.0), TypeError, r"^means must be real"),
    (lambda: data.GaussianMixture([[0.0], [1.0]], 1.0, weights=[np.nan, 0.5]), ValueError, r"^weights must be 2 positive numbers"),
    (lambda: data.GaussianMixture([[0.0], [1.0]], [1.0, 2.0, 3.0]), ValueError, r"^std must be one number or one per component \(2\)"),
    (lambda: data.GaussianMixture([[0.0], [1.0]], [np.nan, 1.0]), ValueError, r"^std must be positive and finite"),
    (lambda: data.ring().sample(3, labels=torch.tensor([0, -1, 2])), ValueError, r"^labels must lie in \[0, 8\)"),
    (lambda: data.ring().sample(3, labels=torch.tensor([0, 1, 8])), ValueError, r"^labels must lie in \[0, 8\)"),
    (lambda: data.ring().sample(3, labels=torch.tensor([0.0, 1.0, 2.0])), TypeError, r"^labels must be integers"),
    (lambda: data.ring().sample(3, labels=torch.tensor([0, 1])), ValueError, r"^labels must have shape \(3,\)"),
    (lambda: data.ring().sample(2.0), TypeError, r"^n \(the number of samples\) must be an integer"),
    (lambda: data.DisjointLines(dim=3), ValueError, r"^dim must be 2"),
    (lambda: data.DisjointLines(theta=float("inf")), ValueError, r"^theta must be finite"),
    (lambda: data.TensorData(torch.tensor([[0.0], [float("nan")]])), ValueError, r"^x contains non-finite"),
    (lambda: data.TensorData(np.zeros((2, 1))), TypeError, r"^x must be a floating-point torch\.Tensor"),
    (lambda: data.TensorData(torch.zeros(0, 2)), ValueError, r"^x must be a non-empty batch"),
    (lambda: data.TensorData(torch.zeros(2, 1), torch.tensor([0, 3]), n_classes=3), ValueError, r"^labels must lie in \[0, 3\)"),
    (lambda: data.TensorData(torch.zeros(2, 1), torch.tensor([0, 1])), ValueError, r"^n_classes must be given with labels"),
    (lambda: data.digits(seed=-1), ValueError, r"^seed must be an integer >= 0"),
    (lambda: data.digits(test_fraction=1.0), ValueError, r"^test_fraction must be < 1"),
    (lambda: data.GaussianMixture([[0.0, 0.0]], 1.0).log_prob([[0.0, 0.0, 0.0]]), ValueError, r"^x must hold points of dimension 2"),
    (lambda: data.Generated(torch.zeros(3)), ValueError, r"^generator must have a latent_dim"),
])
def test_data_refusals_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_float32_weights_and_array_labels_are_accepted():
    third = np.full(3, 1 / 3, dtype=np.float32)                # sums to 1 + 3e-8 in float64
    mix = data.GaussianMixture([[0.0], [1.0], [2.0]], 0.1, weights=third, labelled=True)
    x, y = mix.sample(4, generator=rng(), labels=np.array([2, 0, 1, 2]))
    assert y.tolist() == [2, 0, 1, 2] and x.shape == (4, 1)
    torch.testing.assert_close(x[:, 0], torch.tensor([2.0, 0.0, 1.0, 2.0]), atol=0.5, rtol=0)


def test_disjoint_lines_live_in_the_plane():
    assert data.DisjointLines(0.5).sample(3, generator=rng()).shape == (3, 2)


# --- sharper tests, from surviving mutants of `make mutation-score` ----------------------------

@pytest.mark.parametrize("means, std, message", [
    (np.zeros((0, 2)), 0.1, r"^means must be a non-empty \(K, d\) array, got shape \(0, 2\)$"),
    (np.zeros((2, 2, 2)), 0.1, r"^means must be a non-empty \(K, d\) array, got shape \(2, 2, 2\)$"),
    (np.zeros((3, 2)), [0.1, 0.2], r"^std must be one number or one per component \(3\), got shape \(2,\)$"),
    (np.zeros((1, 2)), [0.1, 0.2], r"^std must be one number or one per component \(1\), got shape \(2,\)$"),
    (np.zeros((2, 2)), np.inf, r"^std must be positive and finite, got \[inf inf\]$"),
    (np.zeros((2, 2)), [0.1, 0.0], r"^std must be positive and finite, got \[0.1 0. \]$"),
])
def test_gaussian_mixture_refuses_bad_means_and_std_exactly(means, std, message):
    with pytest.raises(ValueError, match=message):
        data.GaussianMixture(means, std)


def test_gaussian_mixture_takes_one_std_per_component_or_one_for_all():
    np.testing.assert_array_equal(data.GaussianMixture(np.zeros((3, 2)), [0.1, 0.2, 0.3]).std, [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(data.GaussianMixture(np.zeros((3, 2)), [0.5]).std, [0.5, 0.5, 0.5])


def test_posterior_is_bayes_rule_with_unequal_stds_and_weights():
    from scipy import stats
    means, std, weights = np.array([[0.0, 0.0], [1.5, -0.5], [-1.0, 2.0]]), np.array([0.3, 0.8, 1.5]), [0.2, 0.5, 0.3]
    mixture = data.GaussianMixture(means, std, weights)
    x = np.array([[0.1, 0.2], [1.0, 0.0], [-2.0, 3.0], [4.0, -4.0]])
    joint = np.stack([w * stats.multivariate_normal(m, s ** 2 * np.eye(2)).pdf(x)
                      for m, s, w in zip(means, std, weights)], axis=1)
    np.testing.assert_allclose(mixture.posterior(x), joint / joint.sum(axis=1, keepdims=True), rtol=1e-10)


def test_posterior_is_finite_far_from_every_mean():
    mixture = data.GaussianMixture([[0.0, 0.0], [1.0, 0.0]], 0.01)
    post = mixture.posterior(np.array([[1e3, 0.0], [-1e3, 0.0]]))     # exp underflows without the shift
    np.testing.assert_allclose(post, [[0.0, 1.0], [1.0, 0.0]], atol=1e-12)


def test_generated_needs_a_model_with_a_latent_dim():
    message = r"^generator must have a latent_dim \(a model of ganbook.models\)$"
    for bad in (object(), torch.nn.Linear(2, 2), type("Fake", (), {"latent_dim": 2})()):
        with pytest.raises(ValueError, match=message):
            data.Generated(bad)


class _TinyGenerator(torch.nn.Module):
    """What Generated needs of a generator (ganbook.models is outside the mutation-tested modules)."""

    latent_dim, data_dim = 3, 2

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 2)

    def forward(self, z):
        return self.linear(z)


def test_generated_samples_the_generator_on_seeded_latents():
    torch.manual_seed(0)
    G = _TinyGenerator()
    sampler = data.Generated(G)
    assert sampler.dim == 2 and sampler.generator is G
    x = sampler.sample(5, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        expected = G(torch.randn(5, 3, generator=torch.Generator().manual_seed(4)))
    torch.testing.assert_close(x, expected)


@pytest.mark.parametrize("x, error, message", [
    (np.zeros((3, 2)), TypeError, r"^x must be a floating-point torch.Tensor, got ndarray$"),
    (torch.zeros(3, 2, dtype=torch.int64), TypeError, r"^x must be a floating-point torch.Tensor, got torch.int64$"),
    (torch.zeros(3), ValueError, r"^x must be a non-empty batch \(n, d, \.\.\.\) of examples, got shape \(3,\)$"),
    (torch.zeros(0, 2), ValueError, r"^x must be a non-empty batch \(n, d, \.\.\.\) of examples, got shape \(0, 2\)$"),
    (torch.zeros(3, 0), ValueError, r"^x must be a non-empty batch \(n, d, \.\.\.\) of examples, got shape \(3, 0\)$"),
])
def test_tensor_data_refuses_bad_examples_exactly(x, error, message):
    with pytest.raises(error, match=message):
        data.TensorData(x)


def test_tensor_data_labels_need_a_class_count():
    x, labels = torch.zeros(4, 2), torch.tensor([0, 1, 1, 0])
    with pytest.raises(ValueError, match=r"^n_classes must be given with labels$"):
        data.TensorData(x, labels)
    with pytest.raises(ValueError, match=r"^n_classes must be an integer >= 1, got 0$"):
        data.TensorData(x, labels, n_classes=0)
    with pytest.raises(TypeError, match=r"^n_classes must be an integer, got 2.0 \(float\)$"):
        data.TensorData(x, labels, n_classes=2.0)
    assert data.TensorData(x, labels, n_classes=2).n_classes == 2
    assert data.TensorData(x, n_classes=2).n_classes is None        # unlabelled: no classes


# --- sharper tests, from surviving mutants of mutmut (data 82.3%) ------------------------------

def _meta(sample):
    """A sample asked for on the meta device (available without a GPU): the device is honoured."""
    out = sample(device="meta")
    return all(t.device.type == "meta" for t in (out if isinstance(out, tuple) else (out,)))


def test_every_sampler_moves_its_samples_to_the_device():
    from scipy import stats
    G = _TinyGenerator()
    assert _meta(lambda **kw: data.ring().sample(3, **kw))
    assert _meta(lambda **kw: data.ring(labelled=True).sample(3, **kw))
    assert _meta(lambda **kw: data.Univariate(stats.norm()).sample(3, **kw))
    assert _meta(lambda **kw: data.DisjointLines().sample(3, **kw))
    assert _meta(lambda **kw: data.TensorData(torch.zeros(4, 2)).sample(3, **kw))
    assert _meta(lambda **kw: data.TensorData(torch.zeros(4, 2), torch.tensor([0, 1, 0, 1]), 2).sample(3, **kw))
    assert _meta(lambda **kw: data.Generated(G).sample(3, **kw))
    # a generator on another device gets its latents there: meta weights, meta output
    out = data.Generated(_TinyGenerator().to("meta")).sample(3)
    assert out.device.type == "meta" and out.shape == (3, 2)


def test_defaults_are_the_documented_ones():
    g = data.gaussian()
    assert g.means.tolist() == [[0.0]] and g.std.tolist() == [1.0]
    ring = data.ring()
    assert ring.n_classes is None and isinstance(ring.sample(2), torch.Tensor)   # unlabelled
    np.testing.assert_array_equal(ring.weights, np.full(8, 1 / 8))              # uniform weights
    assert data.grid(labelled=True).n_classes == 25


def test_grid_means_are_in_row_major_order():
    # side 2, spacing 2: ticks -1, 1; component k = (i, j) -> (tick_i, tick_j), the labels' order
    np.testing.assert_array_equal(data.grid(side=2, spacing=2.0).means, [[-1, -1], [-1, 1], [1, -1], [1, 1]])


def test_mixture_samples_are_means_plus_std_times_seeded_normals():
    mix = data.GaussianMixture([[0.0, 0.0], [10.0, 20.0]], [1.0, 0.5])
    labels = torch.tensor([1, 0, 1])
    x = mix.sample(3, generator=rng(7), labels=labels)
    z = torch.randn(3, 2, generator=rng(7))
    torch.testing.assert_close(x, torch.tensor([[10.0, 20.0], [0.0, 0.0], [10.0, 20.0]])
                               + torch.tensor([[0.5], [1.0], [0.5]]) * z)


def test_log_prob_by_hand_in_two_dimensions_near_and_far():
    mix = data.GaussianMixture([[0.0, 0.0]], 1.0)
    # N(0, I) in 2-D: log p(x) = -|x|^2 / 2 - log(2 pi); at |x| = 1e3 still exact (no underflow)
    x = np.array([[0.0, 0.0], [3.0, 4.0], [1e3, 0.0]])
    np.testing.assert_allclose(mix.log_prob(x), [-np.log(2 * np.pi), -12.5 - np.log(2 * np.pi),
                                                 -5e5 - np.log(2 * np.pi)], rtol=1e-14)
    two = data.GaussianMixture([[0.0], [2.0]], 1.0, weights=[0.25, 0.75])
    # at x = 0: log(0.25 N(0; 0, 1) + 0.75 N(0; 2, 1)); at x = 1e3: the second component alone
    at0 = np.log(0.25 + 0.75 * np.exp(-2.0)) - 0.5 * np.log(2 * np.pi)
    far = np.log(0.75) - 0.5 * (1e3 - 2) ** 2 - 0.5 * np.log(2 * np.pi)
    np.testing.assert_allclose(two.log_prob(np.array([0.0, 1e3])), [at0, far], rtol=1e-14)
    values = two.pdf(np.array([0.0, 2.0]))                 # an array in, an array out
    assert values.shape == (2,)
    np.testing.assert_allclose(values, np.exp(two.log_prob([0.0, 2.0])), rtol=1e-15)


@pytest.mark.parametrize("x, shape", [([1.0, 2.0, 3.0], r"\(3,\)"), (np.zeros((2, 4)), r"\(2, 4\)"),
                                      (np.zeros((1, 2, 3)), r"\(1, 2, 3\)")])
def test_rows_of_the_wrong_dimension_are_refused(x, shape):
    with pytest.raises(ValueError, match=rf"^x must hold points of dimension 2, got shape {shape}$"):
        data.GaussianMixture([[0.0, 0.0]], 1.0).log_prob(x)


@pytest.mark.parametrize("call, error, message", [
    (lambda: data.GaussianMixture([[0.0]], [1j]), TypeError, r"^std must be real, got complex values$"),
    (lambda: data.GaussianMixture([[0.0], [1.0]], 1.0, weights=[0.5, 0.5j]), TypeError, r"^weights must be real"),
    (lambda: data.GaussianMixture([[0.0], [1.0]], 1.0, weights=[0.0, 1.0]), ValueError,
     r"^weights must be 2 positive numbers summing to 1, got \[0. 1.\]$"),
    # float32 weights off by 2^-21 (four float32 epsilons of 2^-23, more than k = 2 of them)
    (lambda: data.GaussianMixture([[0.0], [1.0]], 1.0, weights=np.array([0.5 + 2 ** -21, 0.5], dtype=np.float32)),
     ValueError, r"^weights must be 2 positive numbers summing to 1"),
    (lambda: data.ring().sample(2, labels=torch.tensor([True, False])), TypeError,
     r"^labels must be integers \(component indices\), got torch.bool$"),
    (lambda: data.ring(radius=0.0), ValueError, r"^radius must be > 0, got 0$"),
    (lambda: data.ring(radius=-1.0), ValueError, r"^radius must be > 0, got -1$"),
    (lambda: data.Univariate(lambda x: x), ValueError,
     r"^distribution must be a frozen continuous scipy.stats distribution \(e.g. stats.norm\(0, 1\)\), got function$"),
    (lambda: data.DisjointLines(dim=2.0), TypeError, r"^dim must be an integer, got 2.0 \(float\)$"),
    (lambda: data.digits(test_fraction=0.0), ValueError, r"^test_fraction must be > 0, got 0$"),
])
def test_data_refusals_exactly(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_float32_weights_within_their_round_off_are_accepted():
    # k = 2 float32 weights may miss 1 by k eps32 = 2^-22 (exactly, here): accepted as round-off
    weights = np.array([0.5 + 2 ** -22, 0.5], dtype=np.float32)
    assert data.GaussianMixture([[0.0], [1.0]], 1.0, weights=weights).weights.sum() == 1 + 2 ** -22


def test_univariate_samples_are_the_quantiles_of_seeded_float64_uniforms():
    from scipy import stats
    law = data.Univariate(stats.norm(1.0, 2.0))
    x = law.sample(4, generator=rng(9))
    u = torch.rand(4, 1, generator=rng(9), dtype=torch.float64).numpy()
    assert x.dtype == torch.float32 and x.shape == (4, 1)
    torch.testing.assert_close(x, torch.as_tensor(stats.norm(1.0, 2.0).ppf(u), dtype=torch.float32))


def test_univariate_keeps_extreme_uniforms_inside_the_open_interval(monkeypatch):
    from scipy import stats
    # uniforms of exactly 0 and 1 - 2^-53 (torch.rand's range is [0, 1)): clamped to 1e-12 and
    # 1 - 1e-12, whose normal quantiles are finite (-7.03, 7.03) instead of -inf and 8.2
    monkeypatch.setattr(torch, "rand", lambda *a, **k: torch.tensor([[0.0], [1 - 2 ** -53]], dtype=torch.float64))
    x = data.Univariate(stats.norm()).sample(2)
    expected = stats.norm().ppf([1e-12, 1 - 1e-12])
    torch.testing.assert_close(x[:, 0], torch.as_tensor(expected, dtype=torch.float32))


def test_generated_dim_is_none_without_a_data_dim():
    class NoDataDim(torch.nn.Module):
        latent_dim = 2
    assert data.Generated(NoDataDim()).dim is None


def test_seeded_samplers_draw_from_their_generator():
    x = data.DisjointLines(theta=0.5).sample(3, generator=rng(11))
    torch.testing.assert_close(x, torch.cat([torch.full((3, 1), 0.5), torch.rand(3, 1, generator=rng(11))], dim=1))
    points, labels = torch.arange(10.0).reshape(5, 2), torch.tensor([0, 1, 2, 0, 1])
    x, y = data.TensorData(points, labels, n_classes=3).sample(4, generator=rng(12))
    index = torch.randint(5, (4,), generator=rng(12))
    torch.testing.assert_close(x, points[index])
    assert y.tolist() == labels[index].tolist()
    unlabelled = data.TensorData(points).sample(4, generator=rng(12))
    assert isinstance(unlabelled, torch.Tensor)
    torch.testing.assert_close(unlabelled, points[index])


def test_subset_keeps_the_examples_labels_and_classes():
    points, labels = torch.arange(10.0).reshape(5, 2), torch.tensor([0, 1, 2, 0, 1])
    part = data.TensorData(points, labels, n_classes=3).subset([4, 0])
    torch.testing.assert_close(part.x, points[[4, 0]])
    assert part.labels.tolist() == [1, 0] and part.n_classes == 3 and len(part) == 2
    plain = data.TensorData(points).subset(np.array([1, 2, 3], dtype=np.uint8))
    torch.testing.assert_close(plain.x, points[1:4])
    assert plain.labels is None and plain.n_classes is None


@pytest.mark.parametrize("index, error, message", [
    # a mask would become the positions [1, 0, 0, 0, 1]; 1.7 would become 1: both refused
    (torch.tensor([True, False, False, False, True]), TypeError, r"^index must be integer positions, got torch.bool$"),
    ([1.7], TypeError, r"^index must be integer positions, got float64$"),
    (torch.tensor([1.0]), TypeError, r"^index must be integer positions, got torch.float32$"),
    (torch.tensor([1j]), TypeError, r"^index must be integer positions, got torch.complex64$"),
    (["a"], TypeError, r"^index must be integer positions, got <U1$"),
    ([], ValueError, r"^index must be a non-empty 1-D sequence of positions, got shape \(0,\)$"),
    ([[0]], ValueError, r"^index must be a non-empty 1-D sequence of positions, got shape \(1, 1\)$"),
    ([0, 5], ValueError, r"^index must lie in \[0, 5\), got values from 0 to 5$"),
    (torch.tensor([-1, 2]), ValueError, r"^index must lie in \[0, 5\), got values from -1 to 2$"),
])
def test_subset_refuses_what_is_not_a_position_by_name(index, error, message):
    with pytest.raises(error, match=message):
        data.TensorData(torch.zeros(5, 2)).subset(index)


def test_digits_dtypes_and_test_fraction():
    d = data.digits()
    assert d.x.dtype == torch.float32 and d.labels.dtype == torch.int64
    # sklearn puts ceil(0.5 x 1797) = 899 images in the test split
    assert (len(data.digits(split="train", test_fraction=0.5)), len(data.digits(split="test", test_fraction=0.5))) == (898, 899)


class _FakeMNIST:
    """Stands in for torchvision.datasets.MNIST: two 2x2 images with pixels 0, 255 and 51."""

    calls = []

    def __init__(self, root, train, download):
        self.calls.append((root, train, download))
        self.data = torch.tensor([[[0, 255], [51, 0]], [[255, 255], [0, 0]]], dtype=torch.uint8)
        self.targets = torch.tensor([7, 1])


def _fake_torchvision(monkeypatch, mnist):
    import sys
    import types
    datasets = types.ModuleType("torchvision.datasets")
    datasets.MNIST = mnist
    monkeypatch.setitem(sys.modules, "torchvision", types.ModuleType("torchvision"))
    monkeypatch.setitem(sys.modules, "torchvision.datasets", datasets)


def test_mnist_scales_pixels_to_plus_minus_one(monkeypatch):
    _fake_torchvision(monkeypatch, _FakeMNIST)
    _FakeMNIST.calls.clear()
    d = data.mnist("somewhere", train=False)
    assert _FakeMNIST.calls == [("somewhere", False, True)]
    # 0 -> -1, 255 -> 1, 51 -> 51 / 127.5 - 1 = -0.6
    torch.testing.assert_close(d.x[0, 0], torch.tensor([[-1.0, 1.0], [-0.6, -1.0]]))
    assert d.x.shape == (2, 1, 2, 2) and d.labels.tolist() == [7, 1] and d.labels.dtype == torch.int64
    assert d.n_classes == 10
    data.mnist()
    assert _FakeMNIST.calls[-1] == ("~/.cache/ganbook/mnist", True, True)     # the defaults


def test_mnist_without_torchvision_or_network_says_what_to_do(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "torchvision", None)           # import torchvision fails
    with pytest.raises(RuntimeError, match=r"^MNIST needs torchvision \(`pip install torchvision`\); "
                                           r"ganbook.data.digits\(\) needs nothing more$"):
        data.mnist()

    def offline(root, train, download):
        raise OSError("no network")
    _fake_torchvision(monkeypatch, offline)
    with pytest.raises(RuntimeError, match=r"^MNIST could not be downloaded into /x \(offline\?\): connect once, "
                                           r"or use ganbook.data.digits\(\), which needs no network$"):
        data.mnist("/x")
