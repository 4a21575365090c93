import re

import numpy as np
import pytest
import torch
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


# --- issue 26: quadrature that knows when it failed -------------------------------------------

def test_narrow_mass_in_a_wide_support_is_refused_for_functions_and_exact_for_distributions():
    # KL(U(0.4, 0.41) || U(0, 1)) = log 100; quadrature over (-10, 10) never samples the narrow
    # uniform and used to return 0.0 with error 0.0
    narrow, wide = stats.uniform(0.4, 0.01), stats.uniform(0, 1)
    with pytest.raises(ValueError, match=r"^p integrates to 0 .* over the support \(-10\.0, 10\.0\)"):
        theory.kl_divergence(narrow.pdf, wide.pdf, support=(-10, 10))
    value, error = theory.kl_divergence(narrow, wide, return_error=True)
    assert value == pytest.approx(np.log(100), abs=error + 1e-12)
    assert theory.kl_divergence(narrow, wide, support=(-10, 10)) == pytest.approx(np.log(100), abs=1e-10)


def test_far_apart_narrow_gaussians_are_refused_for_functions_and_exact_for_distributions():
    # two narrow Gaussians 40 apart: JSD = log 2 and TV = 1; quadrature over the line used to
    # return 0.0 for both, with error 0.0
    p, q = stats.norm(-20, 0.01), stats.norm(20, 0.01)
    for function in (theory.jensen_shannon, theory.total_variation):
        with pytest.raises(ValueError, match=r"^p integrates to 0 .*support that brackets its mass"):
            function(p.pdf, q.pdf, support=(-np.inf, np.inf))
    # the mass beyond the outermost break points (1e-12 of each law) is all they may miss
    js, js_err = theory.jensen_shannon(p, q, return_error=True)
    assert js == pytest.approx(LOG2, abs=js_err + 4e-12)
    tv, tv_err = theory.total_variation(p, q, return_error=True)
    assert tv == pytest.approx(1.0, abs=tv_err + 4e-12)


def test_distributions_give_the_closed_forms_without_a_support():
    value, error = theory.kl_divergence(stats.norm(0, 1), stats.norm(1, 2), return_error=True)
    assert value == pytest.approx(np.log(2) - 0.25, abs=error + 1e-12)
    # KL(Gamma(3) || N(1, 1)) through logpdf: no underflow to a spurious inf (compare the
    # callable .pdf path in test_log_densities_survive_underflowing_tails)
    gamma = stats.gamma(3)
    expected = -gamma.entropy() + 0.5 * np.log(2 * np.pi) + 0.5 * (12 - 2 * 3 + 1)
    assert theory.kl_divergence(gamma, stats.norm(1, 1)) == pytest.approx(expected, rel=1e-10)
    assert theory.kl_divergence(stats.norm(0, 1), stats.uniform(-1, 2)) == np.inf
    # a distribution and a plain function together: the function's support must be given
    assert theory.total_variation(stats.norm(0, 1), stats.norm(1, 1).pdf, support=(-40, 40)) == \
        pytest.approx(2 * stats.norm.cdf(0.5) - 1, abs=1e-9)
    with pytest.raises(ValueError, match=r"^support \(lo, hi\) must be given when p or q is a plain function"):
        theory.total_variation(stats.norm(0, 1), stats.norm(1, 1).pdf)


def test_a_support_that_cuts_the_mass_is_refused_with_a_suggested_support():
    with pytest.raises(ValueError, match=r"^p integrates to 0\.9973.* support=\(-5\.99781, 5\.99781\)"):
        theory.jensen_shannon(stats.norm(0, 1), stats.norm(0, 1), support=(-3, 3))
    with pytest.raises(ValueError, match=r"^q integrates to 0\.9973"):
        theory.total_variation(stats.norm(0, 1e-3), stats.norm(0, 1), support=(-3, 3))
    # KL needs only p's mass: q may live beyond p's support
    assert theory.kl_divergence(stats.uniform(0, 1), stats.norm(0, 1), support=(0, 1)) == pytest.approx(
        theory.kl_divergence(stats.uniform(0, 1), stats.norm(0, 1)), abs=1e-10)


@pytest.mark.parametrize("function", [theory.kl_divergence, theory.jensen_shannon, theory.total_variation])
def test_densities_returning_nan_negative_or_several_values_are_refused_by_name(function):
    good = stats.norm(0, 1).pdf
    with pytest.raises(ValueError, match=r"^p returned nan at x = "):
        function(lambda x: np.nan, good, support=(-1, 1))
    with pytest.raises(ValueError, match=r"^q returned -1\.0 at x = .*finite and >= 0"):
        function(good, lambda x: -1.0, support=(-1, 1))
    with pytest.raises(TypeError, match=r"^q must return one real number per point"):
        function(good, lambda x: [0.5, 0.5], support=(-1, 1))
    with pytest.raises(TypeError, match=r"^p must return one real number per point"):
        function(lambda x: 0.5 + 0j, good, support=(-1, 1))
    with pytest.raises(TypeError, match=r"^p is a discrete scipy\.stats distribution"):
        function(stats.poisson(3), stats.poisson(2))


def test_log_densities_returning_nan_or_plus_infinity_are_refused_by_name():
    good = stats.norm(0, 1).logpdf
    with pytest.raises(ValueError, match=r"^q returned the log-density nan"):
        theory.kl_divergence(good, lambda x: np.nan, support=(-1, 1), log_densities=True)
    with pytest.raises(ValueError, match=r"^p returned the log-density inf"):
        theory.kl_divergence(lambda x: np.inf, good, support=(-1, 1), log_densities=True)


def test_a_result_below_minus_its_error_bound_is_refused(monkeypatch):
    """The range guard: a quadrature that came back negative beyond its own error estimate."""
    calls = []
    honest = theory._integrate

    def first_call_biased(integrand, segments):
        value, error = honest(integrand, segments)
        calls.append(value)
        return (value - 1e-4, error) if len(calls) == 1 else (value, error)
    monkeypatch.setattr(theory, "_integrate", first_call_biased)
    with pytest.raises(ValueError, match=r"^quadrature gave KL = -0\.0001 outside \[0, inf\] beyond its error estimate"):
        theory.kl_divergence(stats.norm(0, 1), stats.norm(0, 1))
    calls.clear()
    with pytest.raises(ValueError, match=r"^quadrature gave JSD = -0\.0001 outside \[0, 0\.693147\]"):
        theory.jensen_shannon(stats.norm(0, 1).pdf, stats.norm(0, 1).pdf, support=(-40, 40))


def test_float32_probability_vectors_are_accepted_at_their_precision():
    p32 = np.full(3, 1 / 3, dtype=np.float32)        # sums to 1.0000000298 in float64
    assert abs(p32.astype(float).sum() - 1) > 1e-8
    q = [0.3, 0.3, 0.4]
    expected = theory.kl_divergence(p32.astype(float) / p32.astype(float).sum(), q)
    assert theory.kl_divergence(p32, q) == pytest.approx(expected, abs=1e-7)
    assert theory.total_variation(torch.tensor(p32), q) == pytest.approx(0.2 / 3, abs=1e-7)
    # float64 keeps its tolerance: the same error in a float64 vector is refused
    with pytest.raises(ValueError, match=r"^p must sum to 1"):
        theory.kl_divergence(np.array([0.1, 0.2, 0.7 + 1e-7]), q)
    with pytest.raises(ValueError, match=r"^q must sum to 1"):
        theory.jensen_shannon(q, np.array([0.1, 0.2, 0.7 + 1e-5], dtype=np.float32))


def test_complex_inputs_are_refused_not_truncated():
    with pytest.raises(TypeError, match=r"^p must be real"):
        theory.kl_divergence(np.array([0.5 + 1j, 0.5]), [0.5, 0.5])
    with pytest.raises(TypeError, match=r"^p_g must be real"):
        theory.optimal_discriminator([1.0], torch.tensor([1.0 + 0j]))


def test_optimal_discriminator_near_the_float_maximum():
    assert theory.optimal_discriminator([1e308], [1e308])[0] == 0.5
    np.testing.assert_allclose(theory.optimal_discriminator([1.5e308, 5e-324], [0.5e308, 5e-324]), [0.75, 0.5])
    with pytest.raises(ValueError, match=r"^fill must be <= 1"):
        theory.optimal_discriminator([0.0], [0.0], fill=2.0)


def test_least_squares_optimal_discriminator_minimises_the_lsgan_loss_pointwise():
    p_r, p_g = np.array([0.2, 1.0, 3.0, 0.0]), np.array([0.6, 1.0, 0.0, 2.0])
    a, b = -1.0, 1.0
    d = theory.least_squares_optimal_discriminator(p_r, p_g, a=a, b=b)
    np.testing.assert_allclose(d, (b * p_r + a * p_g) / (p_r + p_g), rtol=1e-15)
    # pointwise objective p_r (D - b)^2 + p_g (D - a)^2 (Mao et al. 2017, eq. 2) at D* and beside it
    objective = lambda v: p_r * (v - b) ** 2 + p_g * (v - a) ** 2  # noqa: E731
    for step in (1e-3, -1e-3):
        assert np.all(objective(d) < objective(d + step))
    # the 0-1 coding is the GAN's D*; both densities zero: nan unless filled
    np.testing.assert_array_equal(theory.least_squares_optimal_discriminator(p_r, p_g),
                                  theory.optimal_discriminator(p_r, p_g))
    out = theory.least_squares_optimal_discriminator([0.0, 1.0], [0.0, 1.0], a=-1.0, b=1.0)
    assert np.isnan(out[0]) and out[1] == 0.0
    assert theory.least_squares_optimal_discriminator([0.0], [0.0], a=-1.0, b=1.0, fill=0.25)[0] == 0.25
    with pytest.raises(ValueError, match=r"^b must be finite"):
        theory.least_squares_optimal_discriminator([1.0], [1.0], b=np.inf)


def test_cross_entropy_reproduces_the_chapter_table():
    labels = np.array([0, 1, 0, 2])
    one_hot = np.eye(3)[labels]
    model_1 = np.array([[0.4, 0.3, 0.3], [0.3, 0.4, 0.3], [0.5, 0.2, 0.3], [0.8, 0.1, 0.1]])
    model_2 = np.array([[0.7, 0.1, 0.2], [0.1, 0.8, 0.1], [0.9, 0.1, 0.0], [0.4, 0.3, 0.3]])
    bits_1 = theory.cross_entropy(one_hot, model_1, base=2)
    np.testing.assert_allclose(bits_1, -np.log2([0.4, 0.4, 0.5, 0.1]), rtol=1e-15)
    assert bits_1.sum() == pytest.approx(6.966, abs=5e-4)
    # model 2's zero sits on a class the label gives no mass: 0 log 0 = 0
    assert theory.cross_entropy(one_hot, model_2, base=2).sum() == pytest.approx(2.725, abs=5e-4)
    np.testing.assert_allclose(theory.cross_entropy(one_hot, model_1), bits_1 * np.log(2), rtol=1e-15)
    # H(y, p) = H(y) + KL(y || p) for a soft target
    y, p = np.array([0.25, 0.75]), np.array([0.5, 0.5])
    entropy = -np.sum(y * np.log(y))
    assert theory.cross_entropy(y, p) == pytest.approx(entropy + theory.kl_divergence(y, p), rel=1e-14)
    assert theory.cross_entropy([0.0, 1.0], [1.0, 0.0]) == np.inf


@pytest.mark.parametrize("call, message", [
    (lambda: theory.cross_entropy([[1.0, 0.0]], [[0.5, 0.6]]), r"^each row of predicted must sum to 1"),
    (lambda: theory.cross_entropy([[1.0, 0.1]], [[0.5, 0.5]]), r"^each row of targets must sum to 1"),
    (lambda: theory.cross_entropy([1.0, 0.0], [0.5, 0.5, 0.0]), r"^targets and predicted differ in shape"),
    (lambda: theory.cross_entropy([1.0, 0.0], [-0.5, 1.5]), r"^predicted contains negative"),
    (lambda: theory.cross_entropy([1.0, 0.0], [np.nan, 1.0]), r"^predicted contains non-finite"),
    (lambda: theory.cross_entropy(np.ones((1, 1, 1)), np.ones((1, 1, 1))), r"^targets must be \(n, C\) rows"),
    (lambda: theory.cross_entropy([1.0, 0.0], [0.5, 0.5], base=1), r"^base must not be 1"),
    (lambda: theory.cross_entropy([1.0, 0.0], [0.5, 0.5], base=-2), r"^base must be > 0"),
])
def test_cross_entropy_refuses_bad_input_by_name(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


# --- sharper tests from the mutation survivors ------------------------------------------------

def test_fill_is_checked_by_name():
    with pytest.raises(ValueError, match=r"^fill must be >= 0, got -0\.5$"):
        theory.optimal_discriminator([0.0], [0.0], fill=-0.5)
    with pytest.raises(ValueError, match=r"^fill must be finite, got inf$"):
        theory.least_squares_optimal_discriminator([0.0], [0.0], fill=np.inf)


def test_cross_entropy_accepts_float32_rows_at_their_precision():
    # (1/3, 1/3, 1/3) in float32 sums to 1 + 3e-8 in float64: within float32's tolerance;
    # H = -log(1/3) for a one-hot target
    p32 = np.full((1, 3), 1 / 3, dtype=np.float32)
    assert theory.cross_entropy([[1.0, 0.0, 0.0]], p32)[0] == pytest.approx(-np.log(p32[0, 0].astype(float)), rel=1e-12)


@pytest.mark.parametrize("density, shown", [(lambda x: "0.5", "'0.5'"), (lambda x: [0.5, 0.5], r"\[0\.5, 0\.5\]")])
def test_density_values_that_are_not_one_number_are_refused_with_the_point(density, shown):
    # a string is refused even though float("0.5") would read it; the point is 0 (the support (-1, 1)'s middle
    # is quad's first node)
    with pytest.raises(TypeError, match=r"^p must return one real number per point, got " + shown + r" at x = 0$"):
        theory.total_variation(density, stats.norm(0, 1).pdf, support=(-1, 1))
    with pytest.raises(TypeError, match=r"^q must return one real number per point, got " + shown + r" at x = 0$"):
        theory.kl_divergence(stats.norm(0, 1).logpdf, density, support=(-1, 1), log_densities=True)


def test_integer_density_values_are_numbers():
    # the uniform density on (0, 1) written as the integer 1: TV to U(0, 1) is 0, JSD is 0
    assert theory.total_variation(lambda x: 1, stats.uniform(0, 1).pdf, support=(0, 1)) == pytest.approx(0.0, abs=1e-14)


def test_a_density_with_too_much_mass_is_refused():
    # p = 1.5 on (0, 1) integrates to 1.5: not a density
    with pytest.raises(ValueError, match=r"^p integrates to 1\.5 \(error [^)]*\) over the support \(0\.0, 1\.0\), not 1"):
        theory.total_variation(lambda x: 1.5, stats.uniform(0, 1).pdf, support=(0, 1))


def test_full_messages_of_the_quadrature_refusals():
    hint = ("pass a support that brackets its mass tightly, or the scipy.stats distribution itself, whose quantiles "
            "become break points")
    narrow, wide = stats.uniform(0.4, 0.01), stats.uniform(0, 1)
    with pytest.raises(ValueError, match=re.escape(hint) + "$"):
        theory.kl_divergence(narrow.pdf, wide.pdf, support=(-10, 10))
    with pytest.raises(TypeError, match=r"^p is a discrete scipy\.stats distribution: pass its probabilities on the "
                       r"points as an array instead$"):
        theory.total_variation(stats.poisson(3), stats.poisson(2))
    with pytest.raises(ValueError, match=r"^support \(lo, hi\) must be given when p or q is a plain function; "
                       r"scipy\.stats distributions bring their own$"):
        theory.jensen_shannon(stats.norm(0, 1), stats.norm(1, 1).pdf)
    with pytest.raises(ValueError, match=r"^support must be an interval \(lo, hi\) with lo < hi, got 5$"):
        theory.total_variation(stats.norm(0, 1), stats.norm(1, 1), support=5)


def test_the_range_guard_names_tv_and_its_bound(monkeypatch):
    # the integrand's quadrature biased to 1.5 (the mass checks stay honest): TV > 1 is refused, by name
    honest, calls = theory._integrate, []

    def first_call_biased(integrand, segments):
        value, error = honest(integrand, segments)
        calls.append(value)
        return (1.5, 0.0) if len(calls) == 1 else (value, error)
    monkeypatch.setattr(theory, "_integrate", first_call_biased)
    with pytest.raises(ValueError, match=r"^quadrature gave TV = 1\.5 outside \[0, 1\] beyond its error estimate 0 over "
                       r"support \(-40\.0, 40\.0\): it missed a feature of p or q; pass scipy\.stats distributions "
                       r"\(their quantiles become break points\) or a tighter support$"):
        theory.total_variation(stats.norm(0, 1).pdf, stats.norm(1, 1).pdf, support=(-40, 40))


def test_kl_of_densities_whose_tails_both_underflow_is_finite():
    # N(0, 1) || N(0, 0.9): q's density is 0 in float64 beyond |x| ~ 34.7, where p ~ 1e-262 is as
    # negligible (p itself is 0 beyond 38.6: the support spends 2 x 3.3 on the window where only q
    # underflowed); KL = log(0.9) + 1 / (2 * 0.81) - 1/2
    value = theory.kl_divergence(stats.norm(0, 1).pdf, stats.norm(0, 0.9).pdf, support=(-38, 38))
    assert value == pytest.approx(np.log(0.9) + 1 / 1.62 - 0.5, rel=1e-9)


def test_pointwise_argmin_finds_each_minimiser_within_its_stopping_bound():
    p_r, p_g = np.array([0.1, 0.5, 2.0]), np.array([0.3, 0.5, 0.1])
    found, stop = theory.pointwise_argmin(lambda v, a, b: -(a * np.log(v) + b * np.log1p(-v)), p_r, p_g,
                                          bounds=(1e-12, 1 - 1e-12))
    exact = theory.optimal_discriminator(p_r, p_g)
    assert np.all(np.abs(found - exact) <= stop)
    assert stop == pytest.approx(2 * (np.sqrt(np.finfo(float).eps) * found.max() + 1e-10 / 3))
    assert np.abs(found - exact).max() > 1e-10          # the stopping bound, not xatol, is what it reaches
    # a linear objective is minimised at an end of the interval
    q = np.array([0.3, 0.6, 0.1])
    ends, _ = theory.pointwise_argmin(lambda v, a, b: (a - b) * v, p_r, q, bounds=(0, 1))
    np.testing.assert_allclose(ends, (p_r < q).astype(float), atol=stop)


@pytest.mark.parametrize("kwargs, word", [({"bounds": (1, 0)}, "low < high"), ({"bounds": (0, np.inf)}, "bounds"),
                                          ({"bounds": (0, 1), "xatol": 0}, "xatol")])
def test_pointwise_argmin_names_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        theory.pointwise_argmin(lambda v, a, b: v * v, [0.5], [0.5], **kwargs)


def test_bounded_minimiser_error_grows_with_the_answer():
    assert theory.bounded_minimiser_error([0.0], xatol=3e-10) == pytest.approx(2e-10)
    assert theory.bounded_minimiser_error([-2.0, 1.0], xatol=0.0 + 1e-300) == pytest.approx(
        4 * np.sqrt(np.finfo(float).eps))
