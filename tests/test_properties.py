"""Property-based tests of the public functions: any input gets a right answer or a clear error.

Hypothesis draws shapes and values; the properties are the mathematical ones (bounds,
symmetries, identities) and, for bad input, a ValueError or TypeError naming the argument,
never a silent nan.
"""

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scipy import stats
from torch import nn

from ganbook import data, losses, metrics, penalties, theory, transport

SETTINGS = settings(max_examples=60, deadline=None)
finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


@st.composite
def probability_pairs(draw):
    n = draw(st.integers(1, 12))
    weights = st.floats(0, 1, allow_nan=False)
    p = np.array(draw(st.lists(weights, min_size=n, max_size=n))) + 1e-3
    q = np.array(draw(st.lists(weights, min_size=n, max_size=n))) + 1e-3
    return p / p.sum(), q / q.sum()


@SETTINGS
@given(probability_pairs())
def test_divergence_bounds_and_symmetries(pair):
    p, q = pair
    kl, js, tv = theory.kl_divergence(p, q), theory.jensen_shannon(p, q), theory.total_variation(p, q)
    # for p = q up to rounding, KL and JS come out as -1e-16-sized numbers: 1e-12 allows that
    assert kl >= -1e-12 and -1e-12 <= js <= np.log(2) + 1e-12 and 0 <= tv <= 1 + 1e-12
    assert js == pytest.approx(theory.jensen_shannon(q, p), abs=1e-12)
    assert tv == pytest.approx(theory.total_variation(q, p), abs=1e-12)
    # Pinsker: TV <= sqrt(KL / 2)
    assert tv <= np.sqrt(max(kl, 0.0) / 2) + 1e-9


@SETTINGS
@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(0, 10)),
       arrays(np.float64, st.integers(1, 20), elements=st.floats(0, 10)))
def test_optimal_discriminator_is_a_probability_or_refuses(p_r, p_g):
    if p_r.shape != p_g.shape:
        with pytest.raises(ValueError, match="shape"):
            theory.optimal_discriminator(p_r, p_g)
        return
    d = theory.optimal_discriminator(p_r, p_g, fill=0.5)
    assert np.all((0 <= d) & (d <= 1))
    both_zero = (p_r + p_g) == 0
    np.testing.assert_array_equal(np.isnan(theory.optimal_discriminator(p_r, p_g)), both_zero)


@SETTINGS
@given(st.sampled_from([np.nan, np.inf, -np.inf, -1.0]), st.integers(1, 6), st.integers(0, 5))
def test_theory_names_the_bad_argument(bad, n, where):
    good = np.full(n, 1.0 / n)
    broken = good.copy()
    broken[where % n] = bad
    for function in (theory.kl_divergence, theory.jensen_shannon, theory.total_variation):
        with pytest.raises(ValueError, match=r"\bq\b"):
            function(good, broken)
    with pytest.raises(ValueError, match="p_g"):
        theory.optimal_discriminator(good, broken)


@SETTINGS
@given(st.integers(1, 15), st.integers(1, 15), st.integers(1, 3), st.integers(0, 10_000))
def test_wasserstein_is_a_metric_on_samples(n, m, d, seed):
    rng = np.random.default_rng(seed)
    x, y, z = rng.normal(size=(n, d)), rng.normal(size=(m, d)), rng.normal(size=(n, d))
    xy, yx = transport.wasserstein1(x, y), transport.wasserstein1(y, x)
    assert xy >= 0 and xy == pytest.approx(yx, abs=1e-9)
    assert transport.wasserstein1(x, x) == pytest.approx(0.0, abs=1e-12)
    assert transport.wasserstein1(x, z) <= transport.wasserstein1(x, y) + transport.wasserstein1(y, z) + 1e-9
    if d == 1:
        assert transport.wasserstein1_1d(x, y) == pytest.approx(xy, abs=1e-9)


@SETTINGS
@given(st.integers(0, 4), st.integers(1, 3), st.sampled_from([np.nan, np.inf]))
def test_transport_refuses_bad_clouds(n, d, bad):
    x = np.ones((n, d))
    if n == 0:
        with pytest.raises(ValueError, match="x"):
            transport.wasserstein1(x, np.ones((2, d)))
        return
    x[0, 0] = bad
    with pytest.raises(ValueError, match="x contains non-finite"):
        transport.wasserstein1(x, np.ones((2, d)))
    with pytest.raises(ValueError, match="dimensions"):
        transport.wasserstein1(np.ones((2, d)), np.ones((2, d + 1)))


DISCRIMINATOR_LOSSES = [losses.minimax_discriminator_loss, losses.wasserstein_critic_loss,
                        losses.hinge_discriminator_loss, losses.least_squares_discriminator_loss,
                        losses.flipped_margin_discriminator_loss]


@SETTINGS
@given(st.lists(finite, min_size=1, max_size=16), st.integers(0, 4))
def test_losses_are_finite_and_reduce_consistently(values, which):
    loss = DISCRIMINATOR_LOSSES[which]
    real = torch.tensor(values, dtype=torch.float64)
    fake = real.flip(0)
    per_example = loss(real, fake, reduction="none")
    assert per_example.shape == real.shape and torch.isfinite(per_example).all()
    torch.testing.assert_close(loss(real, fake), per_example.mean())
    torch.testing.assert_close(loss(real, fake, reduction="sum"), per_example.sum())


@SETTINGS
@given(st.integers(0, 4), st.integers(1, 8), st.sampled_from([float("nan"), float("inf"), float("-inf")]))
def test_losses_refuse_non_finite_logits_naming_them(which, n, bad):
    loss = DISCRIMINATOR_LOSSES[which]
    real = torch.zeros(n)
    real[n // 2] = bad
    with pytest.raises(ValueError, match="non-finite"):
        loss(real, torch.zeros(n))
    with pytest.raises(ValueError, match="dtype"):
        loss(torch.zeros(n), torch.zeros(n, dtype=torch.float64))


# --- issue 26: every public function, valid and invalid input ---------------------------------

FEW = settings(max_examples=15, deadline=None)
BAD_VALUES = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}


@FEW
@given(st.floats(-5, 5), st.floats(0.2, 3), st.floats(-5, 5), st.floats(0.2, 3))
def test_divergences_of_gaussian_distributions_are_in_range(m1, s1, m2, s2):
    p, q = stats.norm(m1, s1), stats.norm(m2, s2)
    kl, kl_err = theory.kl_divergence(p, q, return_error=True)
    closed = np.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5
    assert kl == pytest.approx(closed, abs=kl_err + 1e-9)
    js, js_err = theory.jensen_shannon(p, q, return_error=True)
    tv, tv_err = theory.total_variation(p, q, return_error=True)
    assert -js_err <= js <= np.log(2) + js_err and -tv_err <= tv <= 1 + tv_err
    assert js == pytest.approx(theory.jensen_shannon(q, p), abs=2 * js_err + 1e-12)
    assert tv <= np.sqrt(max(closed, 0.0) / 2) + tv_err + 1e-9          # Pinsker


@SETTINGS
@given(probability_pairs(), st.floats(-3, 3), st.floats(-3, 3))
def test_least_squares_optimum_and_cross_entropy_identities(pair, a, b):
    p, q = pair
    d = theory.least_squares_optimal_discriminator(p, q, a=a, b=b)
    assert np.all((min(a, b) - 1e-12 <= d) & (d <= max(a, b) + 1e-12))
    # H(p, q) = H(p) + KL(p || q) >= H(p) >= 0
    h = theory.cross_entropy(p, q)
    entropy = -np.sum(p * np.log(p))
    assert h == pytest.approx(entropy + theory.kl_divergence(p, q), rel=1e-9, abs=1e-12) and h >= entropy - 1e-12


# Each row: a call with one argument replaced by a bad value, and the argument's name.
THEORY_CALLS = [
    (lambda bad: theory.kl_divergence([0.5, bad], [0.5, 0.5]), "p"),
    (lambda bad: theory.jensen_shannon([0.5, 0.5], [bad, 0.5]), "q"),
    (lambda bad: theory.total_variation([bad, 0.5], [0.5, 0.5]), "p"),
    (lambda bad: theory.optimal_discriminator([1.0], [bad]), "p_g"),
    (lambda bad: theory.least_squares_optimal_discriminator([bad], [1.0]), "p_r"),
    (lambda bad: theory.least_squares_optimal_discriminator([1.0], [1.0], a=bad), "a"),
    (lambda bad: theory.cross_entropy([1.0, 0.0], [bad, 0.5]), "predicted"),
    (lambda bad: theory.cross_entropy([1.0, 0.0], [0.5, 0.5], base=bad), "base"),
    (lambda bad: theory.kl_divergence(lambda x: bad, stats.norm.pdf, support=(-1, 1)), "p"),
    (lambda bad: theory.jensen_shannon(stats.norm.pdf, lambda x: bad, support=(-1, 1)), "q"),
    (lambda bad: theory.total_variation(stats.norm.pdf, stats.norm.pdf, support=(bad, 1)), "support"),
]
TRANSPORT_CALLS = [
    (lambda bad: transport.wasserstein1([[0.0], [bad]], [[1.0]]), "x"),
    (lambda bad: transport.wasserstein1([[0.0]], [[bad]]), "y"),
    (lambda bad: transport.wasserstein1([0.0, 1.0], [1.0], a=[0.5, bad]), "a"),
    (lambda bad: transport.wasserstein1_1d([0.0], [0.0, 1.0], b=[bad, 0.5]), "b"),
    (lambda bad: transport.kantorovich_dual([0.0], [1.0], lipschitz=bad), "lipschitz"),
    (lambda bad: transport.minibatch_w1(torch.zeros(1, 1), torch.tensor([[bad]])), "fake"),
]
LOSS_CALLS = [
    (lambda bad: losses.minimax_discriminator_loss(torch.tensor([bad]), torch.zeros(1)), "real_logits"),
    (lambda bad: losses.nonsaturating_generator_loss(torch.tensor([bad])), "fake_logits"),
    (lambda bad: losses.wasserstein_generator_loss(torch.tensor([bad])), "fake_scores"),
    (lambda bad: losses.hinge_generator_loss(torch.tensor([bad])), "fake_scores"),
    (lambda bad: losses.least_squares_discriminator_loss(torch.zeros(1), torch.zeros(1), b=bad), "b"),
    (lambda bad: losses.least_squares_generator_loss(torch.zeros(1), c=bad), "c"),
    (lambda bad: losses.feature_matching_loss(torch.zeros(2, 2), torch.tensor([[0.0, bad]])), "fake_features"),
    (lambda bad: losses.infogan_categorical_loss(torch.tensor([[0.0, bad]]), torch.tensor([0])), "code_logits"),
    (lambda bad: losses.infogan_continuous_loss(torch.zeros(1, 1), torch.tensor([[bad]]), torch.zeros(1, 1)), "log_std"),
]
PENALTY_CALLS = [
    (lambda bad: penalties.interpolates(torch.tensor([[bad]]), torch.zeros(1, 1)), "real"),
    (lambda bad: penalties.critic_gradient_norms(lambda x: x.sum(1), torch.tensor([[bad]])), "x"),
    (lambda bad: penalties.gradient_penalty(lambda x: x.sum(1), torch.zeros(1, 1), torch.tensor([[bad]])), "fake"),
    (lambda bad: penalties.gradient_penalty(lambda x: x.sum(1), torch.zeros(1, 1), torch.zeros(1, 1), weight=bad), "weight"),
    (lambda bad: penalties.clip_weights(nn.Linear(1, 1), bad), "c"),
]
METRIC_CALLS = [
    (lambda bad: metrics.mode_metrics([[0.0, bad]], [[0.0, 0.0]], 0.1), "samples"),
    (lambda bad: metrics.mode_metrics([[0.0, 0.0]], [[bad, 0.0]], 0.1), "centers"),
    (lambda bad: metrics.mode_metrics([[0.0, 0.0]], [[0.0, 0.0]], bad), "std"),
    (lambda bad: metrics.mode_metrics([[0.0, 0.0]], [[0.0, 0.0]], 0.1, threshold=bad), "threshold"),
    (lambda bad: metrics.frechet_distance([bad], [[1.0]], [0.0], [[1.0]]), "mu1"),
    (lambda bad: metrics.frechet_distance([0.0], [[1.0]], [0.0], [[bad]]), "sigma2"),
    (lambda bad: metrics.nearest_distances([[bad]], [[0.0]]), "samples"),
    (lambda bad: metrics.copy_share([[0.0]], [[0.0]], [[0.0]], quantile=bad), "quantile"),
    (lambda bad: metrics.w1_to_reference([[0.0]], [[bad]]), "reference"),
]
DATA_CALLS = [
    (lambda bad: data.GaussianMixture([[bad]], 1.0), "means"),
    (lambda bad: data.GaussianMixture([[0.0]], bad), "std"),
    (lambda bad: data.GaussianMixture([[0.0], [1.0]], 1.0, weights=[0.5, bad]), "weights"),
    (lambda bad: data.gaussian(bad, 1.0), "means"),
    (lambda bad: data.ring(radius=bad), "radius"),
    (lambda bad: data.grid(spacing=bad), "spacing"),
    (lambda bad: data.DisjointLines(theta=bad), "theta"),
    (lambda bad: data.TensorData(torch.tensor([[bad]])), "x"),
    (lambda bad: data.GaussianMixture([[0.0]], 1.0).log_prob([[bad]]), "x"),
]
ALL_CALLS = THEORY_CALLS + TRANSPORT_CALLS + LOSS_CALLS + PENALTY_CALLS + METRIC_CALLS + DATA_CALLS


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(ALL_CALLS) - 1), st.sampled_from(sorted(BAD_VALUES)))
def test_non_finite_values_are_refused_naming_the_argument(which, kind):
    call, name = ALL_CALLS[which]
    with pytest.raises((ValueError, TypeError)) as caught:
        call(BAD_VALUES[kind])
    assert re.search(rf"(^|\W){re.escape(name)}\b", str(caught.value)), str(caught.value)


COUNT_CALLS = [
    (lambda n: data.ring(n), "n_modes"),
    (lambda n: data.grid(n), "side"),
    (lambda n: data.ring().sample(n), "n"),
    (lambda n: data.TensorData(torch.zeros(2, 1)).sample(n), "n"),
    (lambda n: data.digits(seed=n), "seed"),
    (lambda n: penalties.critic_gradient_norms(lambda x: x.sum(-1), torch.zeros(2, 2), batch_dims=n), "batch_dims"),
]


@SETTINGS
@given(st.integers(0, len(COUNT_CALLS) - 1),
       st.one_of(st.floats(allow_nan=True), st.booleans(), st.integers(-10, 0), st.just("3")))
def test_counts_must_be_integers_named(which, bad):
    call, name = COUNT_CALLS[which]
    if isinstance(bad, int) and not isinstance(bad, bool) and (bad >= 0 and name == "seed" or bad >= 1):
        return
    with pytest.raises((ValueError, TypeError)) as caught:
        call(bad)
    assert re.search(rf"(^|\W){re.escape(name)}\b", str(caught.value)), str(caught.value)


@st.composite
def point_clouds(draw, max_n=10):
    d = draw(st.integers(1, 3))
    n, m = draw(st.integers(1, max_n)), draw(st.integers(1, max_n))
    values = st.floats(-1e3, 1e3, allow_nan=False)
    x = draw(arrays(np.float64, (n, d), elements=values))
    y = draw(arrays(np.float64, (m, d), elements=values))
    return x, y


@SETTINGS
@given(point_clouds())
def test_transport_and_metric_distances_are_finite_non_negative_and_symmetric(clouds):
    x, y = clouds
    w = transport.wasserstein1(x, y)
    assert np.isfinite(w) and w >= 0 and w == pytest.approx(transport.wasserstein1(y, x), rel=1e-9, abs=1e-9)
    assert metrics.w1_to_reference(x, y) == pytest.approx(w, rel=1e-9, abs=1e-9)
    torch_w = transport.minibatch_w1(torch.tensor(x), torch.tensor(y)).item()
    assert torch_w == pytest.approx(w, rel=1e-9, abs=1e-9)
    dual = transport.kantorovich_dual(x, y)
    assert dual.value == pytest.approx(w, rel=1e-6, abs=1e-6)
    near = metrics.nearest_distances(x, y)
    assert near.shape == (len(x),) and np.all(near >= 0)
    assert 0 <= metrics.copy_share(x, y, y) <= 1


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 20), st.integers(0, 1000), st.floats(0.01, 1.0))
def test_mode_metrics_and_frechet_are_in_range(k, n, seed, std):
    rng = np.random.default_rng(seed)
    centers, samples = rng.normal(size=(k, 2)), rng.normal(size=(n, 2))
    m = metrics.mode_metrics(samples, centers, std)
    assert 0 <= m.modes_captured <= k and 0 <= m.high_quality <= 1 and m.counts.sum() <= n
    assert m.reverse_kl == np.inf or -1e-12 <= m.reverse_kl <= np.log(k) + 1e-12
    features = rng.normal(size=(n + 1, 3))
    sigma = np.cov(features, rowvar=False)
    # a singular covariance (n + 1 <= 3 samples): its round-off eigenvalues (~1e-16 x scale) enter
    # through square roots, ~1e-8 x scale
    assert metrics.frechet_distance(features.mean(0), sigma, features.mean(0), sigma) == pytest.approx(0.0, abs=1e-6)
    assert metrics.frechet_distance(np.zeros(3), sigma, np.ones(3), np.eye(3)) >= -1e-9


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 3), st.integers(0, 1000), st.integers(1, 30))
def test_samplers_give_finite_samples_and_normalised_posteriors(k, d, seed, n):
    rng = np.random.default_rng(seed)
    weights = rng.random(k) + 0.1
    mix = data.GaussianMixture(rng.normal(size=(k, d)), rng.random(k) + 0.1, weights / weights.sum(), labelled=True)
    x, y = mix.sample(n, generator=torch.Generator().manual_seed(seed))
    assert x.shape == (n, d) and torch.isfinite(x).all() and y.min() >= 0 and y.max() < k
    assert np.all(np.isfinite(mix.log_prob(x.numpy())))
    np.testing.assert_allclose(mix.posterior(x.numpy()).sum(axis=1), 1.0, rtol=1e-12)
    assert data.ring(k).means.shape == (k, 2) and data.grid(k).means.shape == (k * k, 2)
    table = data.TensorData(x, y, n_classes=k)
    assert table.sample(3, generator=torch.Generator().manual_seed(0))[0].shape == (3, d)


@SETTINGS
@given(arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 3)), elements=st.floats(-3, 3)),
       st.floats(0.0, 20.0), st.integers(0, 1000))
def test_penalties_of_linear_critics_are_exact(w_rows, weight, seed):
    w = torch.tensor(w_rows[0])
    g = torch.Generator().manual_seed(seed)
    real, fake = torch.randn(5, len(w), generator=g, dtype=torch.float64), torch.randn(5, len(w), generator=g, dtype=torch.float64)
    x_hat = penalties.interpolates(real, fake, generator=g)
    # on the segments: x̂ - fake is parallel to real - fake with a factor in [0, 1]
    factor = ((x_hat - fake) * (real - fake)).sum(1) / ((real - fake) ** 2).sum(1).clamp_min(1e-300)
    assert torch.all((factor >= -1e-12) & (factor <= 1 + 1e-12))
    critic = lambda x: x @ w  # noqa: E731
    norms = penalties.critic_gradient_norms(critic, real)
    torch.testing.assert_close(norms, torch.full((5,), float(w.norm()), dtype=torch.float64))
    gp = penalties.gradient_penalty(critic, real, fake, weight)
    assert gp.item() == pytest.approx(weight * (float(w.norm()) - 1) ** 2, rel=1e-12, abs=1e-12)
    layer = nn.Linear(len(w), 2)
    penalties.clip_weights(layer, 0.05)
    assert all(bool(p.abs().max() <= 0.05) for p in layer.parameters())     # 0.05 rounded to float32


GENERATOR_LOSSES = [losses.minimax_generator_loss, losses.nonsaturating_generator_loss,
                    losses.wasserstein_generator_loss, losses.hinge_generator_loss,
                    losses.least_squares_generator_loss]


@SETTINGS
@given(st.lists(finite, min_size=1, max_size=16), st.integers(0, 4))
def test_generator_and_auxiliary_losses_are_finite(values, which):
    t = torch.tensor(values, dtype=torch.float64)
    loss = GENERATOR_LOSSES[which]
    per_example = loss(t, reduction="none")
    assert per_example.shape == t.shape and torch.isfinite(per_example).all()
    assert torch.isfinite(losses.softplus(t)).all() and (losses.softplus(t) >= 0).all()
    features = t[:, None].repeat(1, 2)
    assert losses.feature_matching_loss(features, features.flip(0)).item() == pytest.approx(0.0, abs=1e-9)
    logits = torch.stack([t, -t], dim=1)
    code = torch.zeros(len(t), dtype=torch.long)
    assert (losses.infogan_categorical_loss(logits, code, reduction="none") >= 0).all()
    assert torch.isfinite(losses.infogan_continuous_loss(features, torch.zeros_like(features), features.flip(0)))
