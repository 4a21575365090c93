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
