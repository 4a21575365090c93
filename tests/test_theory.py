import numpy as np
import pytest
from scipy import stats

from ganbook import theory

LOG2 = np.log(2.0)


def test_optimal_discriminator_by_hand():
    np.testing.assert_allclose(theory.optimal_discriminator([1.0, 3.0, 0.0], [1.0, 1.0, 2.0]),
                               [0.5, 0.75, 0.0], rtol=0, atol=1e-15)


def test_optimal_discriminator_both_zero_is_nan_unless_filled():
    out = theory.optimal_discriminator([0.0, 2.0], [0.0, 2.0])
    assert np.isnan(out[0]) and out[1] == 0.5
    np.testing.assert_array_equal(theory.optimal_discriminator([0.0], [0.0], fill=0.5), [0.5])


@pytest.mark.parametrize("p_r, p_g, word", [
    ([1.0, -0.1], [1.0, 1.0], "p_r"),
    ([1.0, 1.0], [1.0, 1.0, 1.0], "shape"),
    ([1.0, np.nan], [1.0, 1.0], "p_r"),
    ([1.0], [np.inf], "p_g"),
    ([], [], "empty"),
])
def test_optimal_discriminator_refuses_bad_densities(p_r, p_g, word):
    with pytest.raises(ValueError, match=word):
        theory.optimal_discriminator(p_r, p_g)


def test_discrete_divergences_by_hand():
    p, q = [0.5, 0.5], [0.25, 0.75]
    assert theory.kl_divergence(p, q) == pytest.approx(0.5 * np.log(4 / 3), rel=1e-14)
    assert theory.total_variation(p, q) == pytest.approx(0.25, rel=1e-14)
    # m = (3/8, 5/8): JSD = 1/2 KL(p||m) + 1/2 KL(q||m)
    m = np.array([3 / 8, 5 / 8])
    expected = 0.5 * np.sum(0.5 * np.log(0.5 / m)) + 0.5 * (0.25 * np.log(0.25 / m[0])
                                                            + 0.75 * np.log(0.75 / m[1]))
    assert theory.jensen_shannon(p, q) == pytest.approx(expected, rel=1e-14)


def test_disjoint_and_identical_extremes():
    assert theory.kl_divergence([1.0, 0.0], [0.0, 1.0]) == np.inf
    assert theory.kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(LOG2, rel=1e-14)
    assert theory.jensen_shannon([1.0, 0.0], [0.0, 1.0]) == pytest.approx(LOG2, rel=1e-14)
    assert theory.total_variation([1.0, 0.0], [0.0, 1.0]) == 1.0
    p = [0.2, 0.3, 0.5]
    assert theory.kl_divergence(p, p) == 0.0 and theory.jensen_shannon(p, p) == 0.0


def test_gaussian_densities_against_closed_forms():
    p, q = stats.norm(0, 1).pdf, stats.norm(1, 2).pdf
    line = (-np.inf, np.inf)
    # KL(N(0,1) || N(1,4)) = log(2/1) + (1 + 1)/(2*4) - 1/2
    value, error = theory.kl_divergence(p, q, support=line, return_error=True)
    assert value == pytest.approx(np.log(2) - 0.25, abs=max(error, 1e-12))
    tv = theory.total_variation(stats.norm(0, 1).pdf, stats.norm(1, 1).pdf, support=line)
    assert tv == pytest.approx(2 * stats.norm.cdf(0.5) - 1, abs=1e-8)


def test_uniform_densities_overlap_and_gap():
    a, b = stats.uniform(0, 1).pdf, stats.uniform(0.5, 1).pdf
    assert theory.jensen_shannon(a, b, support=(-1, 3)) == pytest.approx(0.5 * LOG2, abs=1e-10)
    assert theory.kl_divergence(a, b, support=(-1, 3)) == np.inf
    far = stats.uniform(5, 1).pdf
    assert theory.jensen_shannon(a, far, support=(-1, 7)) == pytest.approx(LOG2, abs=1e-10)


@pytest.mark.parametrize("function", [theory.kl_divergence, theory.jensen_shannon,
                                      theory.total_variation])
def test_divergences_refuse_bad_input(function):
    with pytest.raises(ValueError, match="sum to 1"):
        function([0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="negative"):
        function([1.5, -0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="shape"):
        function([1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="both"):
        function(stats.norm.pdf, [0.5, 0.5])
    with pytest.raises(ValueError, match="support"):
        function(stats.norm.pdf, stats.norm.pdf)


def test_far_tails_do_not_produce_nan():
    """Denormal densities in the tails (|x| ~ 38) must not turn p / m into inf * 0."""
    p, q = stats.norm(-1, 1).pdf, stats.norm(1, 1).pdf
    value = theory.jensen_shannon(p, q, support=(-41, 41))
    expected = theory.jensen_shannon(p, q, support=(-np.inf, np.inf))
    assert np.isfinite(value) and value == pytest.approx(expected, abs=1e-9)


def test_log_densities_survive_underflowing_tails():
    # KL(Gamma(3) || N(1, 1)): the Gaussian's density is 0 in float64 beyond x ~ 39, the Gamma's is not
    gamma, normal = stats.gamma(3), stats.norm(1, 1)
    assert theory.kl_divergence(gamma.pdf, normal.pdf, support=(0, np.inf)) == np.inf  # the artefact
    value = theory.kl_divergence(gamma.logpdf, normal.logpdf, support=(0, np.inf), log_densities=True)
    # closed form: -H(Gamma) - E log N(x; 1, 1) with E x = 3, E x^2 = 12
    expected = -gamma.entropy() + 0.5 * np.log(2 * np.pi) + 0.5 * (12 - 2 * 3 + 1)
    assert value == pytest.approx(expected, rel=1e-10)
    far = stats.uniform(5, 1)
    assert theory.kl_divergence(stats.uniform(0, 1).logpdf, far.logpdf, support=(-1, 7),
                                log_densities=True) == np.inf
