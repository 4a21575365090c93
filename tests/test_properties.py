"""Property-based tests of the public functions: any input gets a right answer or a clear error.

Hypothesis draws shapes and values; the properties are the mathematical ones (bounds,
symmetries, identities) and, for bad input, a ValueError or TypeError naming the argument,
never a silent nan.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ganbook import losses, theory, transport

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
