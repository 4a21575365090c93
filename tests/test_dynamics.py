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
