"""Sharper checks of the numerical core, written against the survivors of mutation testing.

Errors must name the argument at fault (matched as a whole word, in its case), and the less
travelled paths (log-densities, weighted duals, optimistic steps, reductions) must give the
hand-computed values.
"""

import math

import numpy as np
import pytest
import sympy as sp
import torch
from scipy import integrate, stats

from ganbook import dynamics, losses, penalties, theory, transport

NAN = torch.tensor([0.0, float("nan")])
GOOD = torch.tensor([0.5, -0.5])


@pytest.mark.parametrize("call, message", [
    (lambda: losses.minimax_discriminator_loss(NAN, GOOD), r"^real_logits contains non-finite"),
    (lambda: losses.minimax_discriminator_loss(GOOD, NAN), r"^fake_logits contains non-finite"),
    (lambda: losses.minimax_discriminator_loss([0.0], GOOD), r"^real_logits must be a torch\.Tensor, got list$"),
    (lambda: losses.wasserstein_critic_loss(NAN, GOOD), r"^real_scores contains"),
    (lambda: losses.wasserstein_critic_loss(GOOD, NAN), r"^fake_scores contains"),
    (lambda: losses.hinge_discriminator_loss(NAN, GOOD), r"^real_scores contains"),
    (lambda: losses.flipped_margin_discriminator_loss(GOOD, NAN), r"^fake_scores contains"),
    (lambda: losses.least_squares_discriminator_loss(NAN, GOOD), r"^real_outputs contains"),
    (lambda: losses.least_squares_generator_loss(NAN), r"^fake_outputs contains"),
    (lambda: losses.minimax_generator_loss(NAN), r"^fake_logits contains"),
    (lambda: losses.nonsaturating_generator_loss(NAN), r"^fake_logits contains"),
    (lambda: losses.wasserstein_generator_loss(NAN), r"^fake_scores contains"),
    (lambda: losses.hinge_generator_loss(NAN), r"^fake_scores contains"),
    (lambda: losses.feature_matching_loss(torch.full((2, 2), float("nan")), torch.zeros(2, 2)), r"^real_features contains"),
    (lambda: losses.feature_matching_loss(torch.zeros(2, 2), torch.full((2, 2), float("nan"))), r"^fake_features contains"),
    (lambda: losses.feature_matching_loss(torch.zeros(2), torch.zeros(2, 2)),
     r"^real_features and fake_features must be \(batch, features\) matrices"),
    (lambda: losses.feature_matching_loss(torch.zeros(2, 2), torch.zeros(2)),
     r"^real_features and fake_features must be \(batch, features\) matrices"),
    (lambda: losses.infogan_categorical_loss(torch.full((2, 3), float("nan")), torch.tensor([0, 1])), r"^code_logits contains"),
    (lambda: losses.infogan_categorical_loss(torch.zeros(5), torch.tensor([0, 1])),
     r"^code_logits must be \(batch, categories\), got \(5,\)$"),
    (lambda: losses.infogan_categorical_loss(torch.zeros(2, 3), torch.tensor([0, 1, 2])), r"got shape \(3,\) and dtype torch\.int64"),
    (lambda: losses.infogan_categorical_loss(torch.zeros(2, 3), torch.tensor([0.0, 1.0])), r"got shape \(2,\) and dtype torch\.float32"),
    (lambda: losses.infogan_continuous_loss(torch.full((2, 1), float("nan")), torch.zeros(2, 1), torch.zeros(2, 1)), r"^mean contains"),
    (lambda: losses.infogan_continuous_loss(torch.zeros(2, 1), torch.full((2, 1), float("nan")), torch.zeros(2, 1)), r"^log_std contains"),
    (lambda: losses.infogan_continuous_loss(torch.zeros(2, 1), torch.zeros(2, 1), torch.full((2, 1), float("nan"))), r"^code contains"),
    (lambda: losses.infogan_continuous_loss(torch.zeros(2, 1), torch.zeros(2, 2), torch.zeros(3, 1)), r"\(2, 1\), \(2, 2\), \(3, 1\)"),
    (lambda: losses.infogan_continuous_loss(torch.zeros(2), torch.zeros(2), torch.zeros(2)), r"\(2,\), \(2,\), \(2,\)"),
    (lambda: penalties.interpolates(torch.full((2, 2), float("nan")), torch.zeros(2, 2)), r"^real contains"),
    (lambda: penalties.interpolates(torch.zeros(2, 2), torch.full((2, 2), float("nan"))), r"^fake contains"),
    (lambda: penalties.critic_gradient_norms(lambda x: x.sum(1), torch.full((2, 2), float("nan"))), r"^x contains"),
    (lambda: transport.wasserstein1([[0.0]], [[np.nan]]), r"^y contains"),
    (lambda: transport.wasserstein1([[np.nan]], [[0.0]]), r"^x contains"),
    (lambda: transport.wasserstein1([0.0, 1.0], [0.0], a=[0.5, 0.6]), r"^a must sum to 1"),
    (lambda: transport.wasserstein1([0.0, 1.0], [0.0, 1.0], b=[1.5, -0.5]), r"^b must be non-negative"),
    (lambda: transport.wasserstein1([0.0, 1.0], [0.0], b=[0.5, 0.5]), r"^b must have one weight per point \(1\)"),
    (lambda: transport.kantorovich_dual([0.0], [1.0], lipschitz=-1.0), r"lipschitz"),
    (lambda: theory.kl_divergence([0.5, 0.5], [0.5, 0.5], log_densities=True),
     r"^log_densities=True needs p and q to be log-density functions$"),
    (lambda: theory.kl_divergence(lambda x: 0.0, [0.5, 0.5], log_densities=True), r"^log_densities=True needs"),
])
def test_errors_name_the_argument(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_wrong_type_messages_name_the_type():
    with pytest.raises(TypeError, match=r"^fake_logits must be a torch\.Tensor, got tuple$"):
        losses.nonsaturating_generator_loss((0.0,))


def test_interpolates_draw_epsilon_in_the_inputs_dtype():
    real = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    fake = torch.tensor([[0.0, 0.0], [-1.0, 1.0]], dtype=torch.float64)
    out = penalties.interpolates(real, fake, generator=torch.Generator().manual_seed(3))
    eps = torch.rand((2, 1), generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, eps * real + (1 - eps) * fake, rtol=0, atol=0)


def test_feature_matching_hand_value_and_reductions():
    real = torch.tensor([[1.0, 4.0], [3.0, 0.0]])        # column means (2, 2)
    fake = torch.tensor([[0.0, 5.0], [0.0, 5.0], [3.0, 5.0]])   # column means (1, 5)
    assert losses.feature_matching_loss(real, fake).item() == pytest.approx(1.0 + 9.0)
    assert losses.feature_matching_loss(real, fake, reduction="mean").item() == pytest.approx(5.0)
    torch.testing.assert_close(losses.feature_matching_loss(real, fake, reduction="none"), torch.tensor([1.0, 9.0]))


def test_infogan_losses_hand_values_per_example():
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    code = torch.tensor([0, 2])
    per_example = losses.infogan_categorical_loss(logits, code, reduction="none")
    expected = -torch.log_softmax(logits, dim=1)[torch.arange(2), code]
    torch.testing.assert_close(per_example, expected)
    mean, log_std = torch.tensor([[1.0, -1.0]]), torch.tensor([[0.0, math.log(2.0)]])
    code_c = torch.tensor([[2.0, 1.0]])
    nll = losses.infogan_continuous_loss(mean, log_std, code_c, reduction="none")
    hand = (-stats.norm(1.0, 1.0).logpdf(2.0)) + (-stats.norm(-1.0, 2.0).logpdf(1.0))
    assert nll.shape == (1,)
    assert nll.item() == pytest.approx(hand, rel=1e-6)


def test_kl_error_estimates_and_log_density_paths():
    p, q = np.array([0.5, 0.5]), np.array([0.25, 0.75])
    value, error = theory.kl_divergence(p, q, return_error=True)
    assert error == 0.0 and value == pytest.approx(0.5 * np.log(2) + 0.5 * np.log(2 / 3))
    assert theory.kl_divergence([1.0, 0.0], [0.0, 1.0], return_error=True) == (np.inf, 0.0)
    # log-densities: two Gaussians in closed form, then support where q has none
    value, error = theory.kl_divergence(stats.norm(0, 1).logpdf, stats.norm(1, 2).logpdf, return_error=True,
                                        log_densities=True, support=(-30, 30))
    closed = np.log(2) + (1 + 1) / (2 * 4) - 0.5
    assert value == pytest.approx(closed, abs=1e-8) and 0 < error < 1e-6
    # KL(U(-1, 1) || N(0, 1)) = log(1/2) + log(2 pi)/2 + E[x^2]/2; outside [-1, 1] log p = -inf counts 0
    uniform = stats.uniform(-1, 2).logpdf
    assert theory.kl_divergence(uniform, stats.norm(0, 1).logpdf, log_densities=True, support=(-3, 3)) == \
        pytest.approx(np.log(0.5) + 0.5 * np.log(2 * np.pi) + 1 / 6, abs=1e-6)
    assert theory.kl_divergence(stats.norm(0, 1).logpdf, uniform, log_densities=True, support=(-3, 3),
                                return_error=True) == (np.inf, 0.0)
    assert theory.kl_divergence(stats.norm(0, 1).pdf, stats.uniform(-1, 2).pdf, support=(-3, 3),
                                return_error=True) == (np.inf, 0.0)


def test_weighted_dual_matches_the_weighted_primal():
    x, y = np.array([[0.0], [1.0], [3.0]]), np.array([[0.5], [2.0]])
    a, b = np.array([0.2, 0.5, 0.3]), np.array([0.6, 0.4])
    solution = transport.kantorovich_dual(x, y, a, b)
    primal = transport.wasserstein1(x, y, a, b)
    assert solution.primal == pytest.approx(primal, abs=1e-12)
    assert solution.value == pytest.approx(primal, abs=1e-9)
    assert solution.duality_gap == pytest.approx(abs(primal - solution.value), abs=1e-15)
    assert solution.value == pytest.approx(a @ solution.f_x - b @ solution.f_y, abs=1e-9)
    # 1-Lipschitz on the support, and the potential is pinned: f at the first point of x is in [0, 1]
    points = np.concatenate([x[:, 0], y[:, 0]])
    values = np.concatenate([solution.f_x, solution.f_y])
    assert np.all(np.abs(values[:, None] - values[None]) <= np.abs(points[:, None] - points[None]) + 1e-9)
    scaled = transport.kantorovich_dual(x, y, a, b, lipschitz=2.5)
    assert scaled.value == pytest.approx(2.5 * primal, abs=1e-9) and scaled.primal == pytest.approx(2.5 * primal)


def test_wasserstein1_1d_weighted_hand_value():
    # a = (0.5, 0.5) at 0 and 2, b = 1 at 1: every unit of mass moves 1
    assert transport.wasserstein1_1d([0.0, 2.0], [1.0], a=[0.5, 0.5]) == pytest.approx(1.0)
    assert transport.wasserstein1_1d([0.0, 2.0], [0.0, 1.0], a=[0.25, 0.75], b=[0.5, 0.5]) == pytest.approx(
        transport.wasserstein1([0.0, 2.0], [0.0, 1.0], a=[0.25, 0.75], b=[0.5, 0.5]))


@pytest.mark.parametrize("rule", [dynamics.simultaneous, dynamics.alternating, dynamics.extragradient])
def test_separate_learning_rates_reach_each_player(rule):
    ex, ey = sp.symbols("e_x e_y", positive=True)
    matrix = dynamics.update_matrix(rule, lr_x=ex, lr_y=ey)
    assert matrix.free_symbols == {ex, ey}
    x, y = 1.0, 2.0
    new_x, new_y, _ = rule(dynamics.bilinear_field, x, y, 0.1, 0.3)
    assert (new_x, new_y) == pytest.approx(tuple(np.array(matrix.subs({ex: 0.1, ey: 0.3}), dtype=float) @ [x, y]))


def test_optimistic_update_matrix_by_hand():
    eta = sp.Symbol("eta", positive=True)
    # x' = x - eta (2 y - y_prev), y' = y + eta (2 x - x_prev), for the field (y, x) of f = x y
    expected = sp.Matrix([[1, -2 * eta, 0, eta], [2 * eta, 1, -eta, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    assert sp.simplify(dynamics.update_matrix(dynamics.optimistic) - expected) == sp.zeros(4, 4)
    state = dynamics.bilinear_field(0.5, -1.0)                       # gradients at the previous point
    new_x, new_y, new_state = dynamics.optimistic(dynamics.bilinear_field, 1.0, 2.0, 0.1, 0.2, state)
    assert (new_x, new_y) == pytest.approx((1.0 - 0.1 * (2 * 2.0 - (-1.0)), 2.0 + 0.2 * (2 * 1.0 - 0.5)))
    assert new_state == dynamics.bilinear_field(1.0, 2.0)


def test_trajectory_of_zero_steps_is_the_start_and_lr_y_is_used():
    assert dynamics.trajectory(dynamics.simultaneous, dynamics.bilinear_field, 1.0, 2.0, 0, 0.1) == [(1.0, 2.0)]
    path = dynamics.trajectory(dynamics.simultaneous, dynamics.bilinear_field, 1.0, 2.0, 1, 0.1, 0.5)
    assert path[1] == pytest.approx((1.0 - 0.1 * 2.0, 2.0 + 0.5 * 1.0))
    with pytest.raises(ValueError):
        dynamics.trajectory(dynamics.simultaneous, dynamics.bilinear_field, 1.0, 2.0, 1.5, 0.1)


def test_dirac_gan_value_by_hand():
    theta, psi = torch.tensor(0.7), torch.tensor(-1.3)
    expected = math.log(0.5) + math.log(1 - 1 / (1 + math.exp(-(-1.3 * 0.7))))
    assert dynamics.dirac_gan_value(theta, psi).item() == pytest.approx(expected, rel=1e-6)


def general_field(x, y):
    """The field of f(x, y) = x^2/2 + 3 x y - y^2: (df/dx, df/dy) = (x + 3y, 3x - 2y)."""
    return x + 3 * y, 3 * x - 2 * y


def test_alternating_and_extragradient_by_hand_on_a_general_field():
    x, y, lx, ly = 1.0, -2.0, 0.1, 0.2
    new_x = x - lx * (x + 3 * y)
    assert dynamics.alternating(general_field, x, y, lx, ly)[:2] == pytest.approx((new_x, y + ly * (3 * new_x - 2 * y)))
    tx, ty = x - lx * (x + 3 * y), y + ly * (3 * x - 2 * y)
    assert dynamics.extragradient(general_field, x, y, lx, ly)[:2] == pytest.approx(
        (x - lx * (tx + 3 * ty), y + ly * (3 * tx - 2 * ty)))


@pytest.mark.parametrize("call, message", [
    (lambda: losses.minimax_discriminator_loss(torch.zeros(2), torch.zeros(3)), r"^real_logits and fake_logits differ in shape"),
    (lambda: losses.minimax_discriminator_loss(torch.zeros(2), torch.zeros(2, dtype=torch.float64)),
     r"^real_logits and fake_logits differ in device or dtype"),
    (lambda: losses.minimax_discriminator_loss(GOOD, GOOD, reduction="avg"), r"^reduction must be one of"),
    (lambda: losses.flipped_margin_discriminator_loss(NAN, GOOD), r"^real_scores contains"),
    (lambda: losses.hinge_discriminator_loss(GOOD, NAN), r"^fake_scores contains"),
    (lambda: losses.least_squares_discriminator_loss(GOOD, NAN), r"^fake_outputs contains"),
    (lambda: penalties.interpolates([1.0, 2.0], torch.zeros(2)), r"^real must be a floating-point torch\.Tensor$"),
    (lambda: penalties.interpolates(torch.zeros(2, dtype=torch.int64), torch.zeros(2)), r"^real must be a floating-point"),
    (lambda: theory.total_variation([0.5, 0.5], [0.7, 0.4]), r"^q must sum to 1"),
    (lambda: theory.total_variation([0.5, 0.6], [0.5, 0.5]), r"^p must sum to 1"),
    (lambda: theory.kl_divergence([0.5, 0.5], [1.0]), r"^p and q differ in shape"),
    (lambda: theory.optimal_discriminator([0.5], [-1.0]), r"^p_g "),
    (lambda: theory.optimal_discriminator([np.nan], [1.0]), r"^p_r "),
    (lambda: theory.kl_divergence(np.sin, [0.5, 0.5]), r"^p and q must both be arrays of probabilities or both be densities \(functions or scipy\.stats distributions\)$"),
    (lambda: theory.jensen_shannon(np.sin, np.cos, support=(1.0, 0.0)), r"^support must be an interval"),
    (lambda: theory.jensen_shannon(np.sin, np.cos, support=(1.0, 1.0)), r"^support must be an interval"),
])
def test_more_errors_name_the_argument(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_one_dimensional_batches_and_zero_or_small_penalty_weights_are_accepted():
    real, fake = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.0, 0.0, 0.0])
    assert penalties.interpolates(real, fake, generator=torch.Generator().manual_seed(0)).shape == (3,)
    linear = lambda x: 3.0 * x.sum(1)
    x2, f2 = real[:, None].repeat(1, 2), fake[:, None].repeat(1, 2)
    assert penalties.gradient_penalty(linear, x2, f2, 0.0).item() == 0.0
    # ||w|| = 3 sqrt(2): lambda (||w|| - 1)^2 exactly
    assert penalties.gradient_penalty(linear, x2, f2, 0.5).item() == pytest.approx(0.5 * (3 * math.sqrt(2) - 1) ** 2, rel=1e-6)


def test_tensors_are_accepted_and_errors_are_zero_for_exact_sums():
    p, q = torch.tensor([0.25, 0.75], dtype=torch.float64), torch.tensor([0.5, 0.5], dtype=torch.float64)
    assert theory.kl_divergence(p, q) == pytest.approx(theory.kl_divergence([0.25, 0.75], [0.5, 0.5]), abs=0)
    assert theory.jensen_shannon([0.25, 0.75], [0.5, 0.5], return_error=True)[1] == 0.0
    assert theory.total_variation([0.25, 0.75], [0.5, 0.5], return_error=True) == (0.25, 0.0)
    value, error = theory.jensen_shannon(stats.norm(0, 1).pdf, stats.norm(0, 1).pdf, support=(-20, 20),
                                         return_error=True)
    assert abs(value) < 1e-12 and 0 <= error < 1e-8
    value, error = theory.total_variation(stats.norm(0, 1).pdf, stats.norm(1, 1).pdf, support=(-20, 20),
                                          return_error=True)
    assert value == pytest.approx(2 * stats.norm.cdf(0.5) - 1, abs=1e-9) and 0 <= error < 1e-8


def test_dual_potential_is_pinned_and_lipschitz_must_be_positive():
    x, y = np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[0.0, 2.0]])
    solution = transport.kantorovich_dual(x, y, [0.3, 0.7])
    assert solution.f_x[0] == 0.0                       # f(x_0) = 0 fixes the free constant
    assert solution.value == pytest.approx(0.3 * 2.0 + 0.7 * np.sqrt(5.0), abs=1e-9)
    assert solution.primal == pytest.approx(0.3 * 2.0 + 0.7 * np.sqrt(5.0), abs=1e-12)
    with pytest.raises(ValueError, match=r"^lipschitz \(the constant K\) must be > 0, got 0"):
        transport.kantorovich_dual(x, y, lipschitz=0.0)


def test_points_and_densities_may_be_tensors_that_require_grad():
    x = torch.tensor([[0.0], [1.0]], requires_grad=True)
    assert transport.wasserstein1(x, torch.tensor([[3.0]])) == pytest.approx(2.5)
    p = torch.tensor([0.25, 0.75], requires_grad=True)
    assert theory.total_variation(p, [0.5, 0.5]) == pytest.approx(0.25)


def test_one_dimensional_w1_uses_both_weights_and_refuses_the_plane():
    # a: 1 at 0; b: 0.25 at 1 and 0.75 at 3 -> W1 = 0.25 * 1 + 0.75 * 3
    assert transport.wasserstein1_1d([0.0], [1.0, 3.0], b=[0.25, 0.75]) == pytest.approx(2.5)
    with pytest.raises(ValueError, match=r"^wasserstein1_1d needs points on the line, got dimension 2$"):
        transport.wasserstein1_1d([[0.0, 1.0]], [[1.0, 0.0]])


def test_optimistic_matrix_uses_separate_learning_rates():
    ex, ey = sp.symbols("e_x e_y", positive=True)
    matrix = dynamics.update_matrix(dynamics.optimistic, lr_x=ex, lr_y=ey)
    assert matrix[1, 0] == 2 * ey and matrix[0, 1] == -2 * ex


def test_zero_weights_are_allowed_and_js_quadrature_matches_an_independent_integral():
    assert transport.wasserstein1([0.0, 5.0], [1.0], a=[1.0, 0.0]) == pytest.approx(1.0)
    p, q = stats.norm(0, 1).pdf, stats.norm(1.5, 0.7).pdf

    def half_kl_to_mixture(f):
        return integrate.quad(lambda x: 0.0 if f(x) == 0 else
                              0.5 * f(x) * np.log(f(x) / (0.5 * (p(x) + q(x)))), -30, 30, limit=500)[0]
    independent = half_kl_to_mixture(p) + half_kl_to_mixture(q)
    assert theory.jensen_shannon(p, q, support=(-30, 30)) == pytest.approx(independent, abs=1e-8)
