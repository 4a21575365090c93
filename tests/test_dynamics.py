import re
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import torch

from ganbook import dynamics


def test_simultaneous_step_by_hand():
    x, y, _ = dynamics.simultaneous(dynamics.bilinear_field, 1.0, 2.0, 0.1)
    assert (x, y) == (1.0 - 0.1 * 2.0, 2.0 + 0.1 * 1.0)


def test_alternating_uses_the_new_x():
    x, y, _ = dynamics.alternating(dynamics.bilinear_field, 1.0, 0.0, 0.5)
    assert (x, y) == (1.0, 0.5)          # x' = 1 - 0.5 * 0, y' = 0 + 0.5 * x'
    x, y, _ = dynamics.alternating(dynamics.bilinear_field, 1.0, 1.0, 0.5)
    assert (x, y) == (0.5, 1.25)


def test_extragradient_by_hand():
    # predict (1, 0) -> (1, 0.5); correct with the field there (0.5, 1)
    x, y, _ = dynamics.extragradient(dynamics.bilinear_field, 1.0, 0.0, 0.5)
    assert (x, y) == (1.0 - 0.25, 0.0 + 0.5)


def test_optimistic_remembers_the_last_gradient():
    points = dynamics.trajectory("optimistic", dynamics.bilinear_field, 1.0, 0.0, 2, 0.5)
    # step 1 = simultaneous: (1, 0.5); step 2: g1 = (0.5, 1), g0 = (0, 1)
    assert points[1] == (1.0, 0.5)
    assert points[2] == (1.0 - 0.5 * (2 * 0.5 - 0.0), 0.5 + 0.5 * (2 * 1.0 - 1.0))


def test_update_matrices_match_the_rules_on_numbers():
    rng = np.random.default_rng(0)
    for rule in ("simultaneous", "alternating", "extragradient"):
        M = np.array(dynamics.update_matrix(rule, lr_x=0.3, lr_y=0.2).tolist(), dtype=float)
        z = rng.normal(size=2)
        x, y, _ = dynamics.RULES[rule](dynamics.bilinear_field, z[0], z[1], 0.3, 0.2)
        np.testing.assert_allclose(M @ z, [x, y], rtol=1e-14)


def test_exact_iterates_in_fractions():
    points = dynamics.trajectory("simultaneous", dynamics.bilinear_field, Fraction(1), Fraction(0), 3,
                                 Fraction(1, 2))
    # (1, 0) -> (1, 1/2) -> (3/4, 1) -> (1/4, 11/8): radius^2 = (5/4)^t
    assert points[3] == (Fraction(1, 4), Fraction(11, 8))
    assert all(x * x + y * y == Fraction(5, 4) ** t for t, (x, y) in enumerate(points))


def test_spectral_radius_of_the_simultaneous_matrix():
    A = dynamics.update_matrix("simultaneous").subs(sp.Symbol("eta", positive=True), 0.5)
    assert dynamics.spectral_radius(A) == pytest.approx(np.sqrt(1.25), rel=1e-14)


def test_autograd_field_of_the_dirac_gan():
    field = dynamics.autograd_field(dynamics.dirac_gan_value)
    theta, psi = torch.tensor([0.5], dtype=torch.float64), torch.tensor([2.0], dtype=torch.float64)
    gx, gy = field(theta, psi)
    s = torch.sigmoid(torch.tensor(1.0, dtype=torch.float64))   # dV/dtheta = -sigmoid(psi theta) psi
    torch.testing.assert_close(gx, -s * psi)
    torch.testing.assert_close(gy, -s * theta)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="rule"):
        dynamics.trajectory("gradient", dynamics.bilinear_field, 1.0, 0.0, 3, 0.1)
    with pytest.raises(ValueError, match="steps"):
        dynamics.trajectory("simultaneous", dynamics.bilinear_field, 1.0, 0.0, -1, 0.1)


def test_spectral_radius_refuses_symbolic_and_non_square_matrices_by_name():
    with pytest.raises(ValueError, match=r"^matrix has free symbols \(eta\): substitute numbers"):
        dynamics.spectral_radius(dynamics.update_matrix("simultaneous"))
    with pytest.raises(ValueError, match=r"^matrix must be square and non-empty, got shape \(1, 2\)"):
        dynamics.spectral_radius([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"^matrix contains non-finite"):
        dynamics.spectral_radius([[float("nan")]])
    with pytest.raises(TypeError, match=r"^matrix must have real entries"):
        dynamics.spectral_radius([[sp.I]])
    assert dynamics.spectral_radius(np.array([[0.0, -2.0], [2.0, 0.0]])) == pytest.approx(2.0)


def test_autograd_field_refuses_numpy_points_by_name():
    field = dynamics.autograd_field(dynamics.dirac_gan_value)
    with pytest.raises(TypeError, match=r"^x must be a floating-point torch\.Tensor .*got ndarray$"):
        field(np.array([0.5]), torch.tensor([1.0]))
    with pytest.raises(TypeError, match=r"^y must be a floating-point torch\.Tensor .*got torch\.int64$"):
        field(torch.tensor([0.5]), torch.tensor([1]))
    with pytest.raises(TypeError, match=r"^value must be a function"):
        dynamics.autograd_field(3.0)
    with pytest.raises(ValueError, match=r"^value must return a scalar tensor, got \(2,\)"):
        dynamics.autograd_field(lambda x, y: x * y)(torch.ones(2), torch.ones(2))
    # a value that ignores a player exerts no force on it
    gx, gy = dynamics.autograd_field(lambda x, y: (x ** 2).sum())(torch.tensor([3.0]), torch.tensor([1.0]))
    assert gx.tolist() == [6.0] and gy.tolist() == [0.0]
    gx, gy = dynamics.autograd_field(lambda x, y: torch.tensor(1.0))(torch.tensor([3.0]), torch.tensor([1.0]))
    assert gx.tolist() == [0.0] and gy.tolist() == [0.0]


# --- sharper tests from the mutation survivors ------------------------------------------------

@pytest.mark.parametrize("rule", sorted(dynamics.RULES))
def test_each_rule_uses_its_own_lr_y(rule):
    # bilinear field from (1, 1) with lr_x = 1/2, lr_y = 1/4, in exact fractions:
    # simultaneous/optimistic (first step): x' = 1 - 1/2 * 1, y' = 1 + 1/4 * 1
    # alternating: y' = 1 + 1/4 * x' = 1 + 1/8;  extragradient: predict (1/2, 5/4), field (5/4, 1/2),
    # so x' = 1 - 1/2 * 5/4, y' = 1 + 1/4 * 1/2
    expected = {"simultaneous": (Fraction(1, 2), Fraction(5, 4)), "optimistic": (Fraction(1, 2), Fraction(5, 4)),
                "alternating": (Fraction(1, 2), Fraction(9, 8)), "extragradient": (Fraction(3, 8), Fraction(9, 8))}
    x, y, _ = dynamics.RULES[rule](dynamics.bilinear_field, Fraction(1), Fraction(1), Fraction(1, 2), Fraction(1, 4))
    assert (x, y) == expected[rule]
    # lr_y left out: it is lr_x
    same = dynamics.RULES[rule](dynamics.bilinear_field, Fraction(1), Fraction(1), Fraction(1, 2))
    both = dynamics.RULES[rule](dynamics.bilinear_field, Fraction(1), Fraction(1), Fraction(1, 2), Fraction(1, 2))
    assert same[:2] == both[:2]


def test_optimistic_state_is_the_current_gradient_and_is_used():
    # from (1, 0): g_0 = (y, x) = (0, 1) is returned as the state; with a previous gradient (2, 3),
    # x' = 1 - 1/2 (2 * 0 - 2) = 2, y' = 0 + 1/2 (2 * 1 - 3) = -1/2
    h = Fraction(1, 2)
    _, _, state = dynamics.optimistic(dynamics.bilinear_field, Fraction(1), Fraction(0), h)
    assert state == (0, 1)
    x, y, _ = dynamics.optimistic(dynamics.bilinear_field, Fraction(1), Fraction(0), h, state=(2, 3))
    assert (x, y) == (2, Fraction(-1, 2))


def test_optimistic_update_matrix_matches_two_numeric_steps():
    # z_t = (x_t, y_t, x_{t-1}, y_{t-1}): the matrix applied to (z_1, z_0) gives z_2 of the trajectory
    M = np.array(dynamics.update_matrix("optimistic", lr_x=0.3, lr_y=0.2).tolist(), dtype=float)
    points = dynamics.trajectory("optimistic", dynamics.bilinear_field, 1.0, -0.5, 2, 0.3, 0.2)
    np.testing.assert_allclose(M @ [*points[1], *points[0]], [*points[2], *points[1]], rtol=1e-14)
    # symbolically, with one eta: x' = x - eta (2 y - y_prev), y' = y + eta (2 x - x_prev)
    eta = sp.Symbol("eta", positive=True)
    assert dynamics.update_matrix("optimistic") == sp.Matrix([[1, -2 * eta, 0, eta], [2 * eta, 1, -eta, 0],
                                                              [1, 0, 0, 0], [0, 1, 0, 0]])


def test_update_matrix_accepts_a_rule_function_and_a_field():
    # f(x, y) = 2 x y: field (2 y, 2 x); simultaneous with eta: [[1, -2 eta], [2 eta, 1]]
    eta = sp.Symbol("eta", positive=True)
    field = lambda x, y: (2 * y, 2 * x)  # noqa: E731
    assert dynamics.update_matrix(dynamics.simultaneous, field) == sp.Matrix([[1, -2 * eta], [2 * eta, 1]])


def test_trajectory_lengths_and_refusals():
    assert dynamics.trajectory("simultaneous", dynamics.bilinear_field, 1.0, 2.0, 0, 0.1) == [(1.0, 2.0)]
    assert len(dynamics.trajectory("alternating", dynamics.bilinear_field, 1.0, 2.0, np.int64(3), 0.1)) == 4
    for steps in (-1, 2.0, True):
        with pytest.raises(ValueError, match=r"^steps must be a non-negative integer, got " + re.escape(repr(steps)) + "$"):
            dynamics.trajectory("simultaneous", dynamics.bilinear_field, 1.0, 0.0, steps, 0.1)
    with pytest.raises(ValueError, match=r"^rule must be one of \['alternating', 'extragradient', 'optimistic', "
                       r"'simultaneous'\] or a function, got 'gradient'$"):
        dynamics.trajectory("gradient", dynamics.bilinear_field, 1.0, 0.0, 3, 0.1)


def test_dirac_gan_value_in_closed_form():
    # V = -log 2 - softplus(psi theta); at psi theta = 0 it is -2 log 2, and it sums over coordinates
    theta, psi = torch.tensor([0.5, 0.0]), torch.tensor([2.0, 3.0])
    expected = -np.log(2.0) - (np.log1p(np.exp(1.0)) + np.log(2.0))
    assert dynamics.dirac_gan_value(theta, psi).item() == pytest.approx(expected, rel=1e-6)


def test_spectral_radius_messages_name_the_matrix():
    with pytest.raises(TypeError, match=r"^matrix must be a square matrix of numbers, got str"):
        dynamics.spectral_radius("not a matrix")
    with pytest.raises(ValueError, match=r"^matrix must be square and non-empty, got shape \(0, 0\)$"):
        dynamics.spectral_radius(sp.Matrix([]))
    # a rotation by 90 degrees scaled by 3: eigenvalues +-3i
    assert dynamics.spectral_radius(sp.Matrix([[0, -3], [3, 0]])) == pytest.approx(3.0, rel=1e-15)


def test_update_matrix_lr_y_defaults_to_lr_x():
    # alternating with h = 1/2 for both: x' = x - h y, y' = y + h x' = h x + (1 - h^2) y
    h = sp.Rational(1, 2)
    assert dynamics.update_matrix("alternating", lr_x=h) == sp.Matrix([[1, -h], [h, 1 - h ** 2]])


def test_refusals_of_symbols_and_non_functions_are_exact():
    a, eta = sp.Symbol("a"), sp.Symbol("eta", positive=True)
    with pytest.raises(ValueError, match=r"^matrix has free symbols \(a, eta\): substitute numbers for them first, "
                       r"e\.g\. matrix\.subs\(eta, 0\.1\)$"):
        dynamics.spectral_radius(sp.Matrix([[a, eta], [0, 1]]))
    with pytest.raises(TypeError, match=r"^value must be a function value\(x, y\) -> scalar tensor, got float$"):
        dynamics.autograd_field(3.0)
    with pytest.raises(ValueError, match=r"^value must return a scalar tensor, got list$"):
        dynamics.autograd_field(lambda x, y: [1.0])(torch.ones(1), torch.ones(1))


def test_autograd_field_of_a_value_that_ignores_x():
    # f = y^2: no force on x, 2 y on y
    gx, gy = dynamics.autograd_field(lambda x, y: (y ** 2).sum())(torch.tensor([3.0]), torch.tensor([1.5]))
    assert gx.tolist() == [0.0] and gy.tolist() == [3.0]
