import math

import numpy as np
import pytest
import torch
from scipy import optimize, stats

from ganbook import losses


def softplus(t: float) -> float:
    """Reference softplus in plain Python, stable for large |t|."""
    return max(t, 0.0) + math.log1p(math.exp(-abs(t)))


def t(*values):
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


# --- values by hand, including saturated logits ---------------------------------------------

@pytest.mark.parametrize("r, f", [(0.0, 0.0), (2.0, -1.0), (40.0, -40.0), (-40.0, 40.0),
                                  (100.0, -100.0), (-100.0, 100.0)])
def test_minimax_family_by_hand(r, f):
    real, fake = t(r), t(f)
    d_loss = losses.minimax_discriminator_loss(real, fake)
    assert d_loss.item() == pytest.approx(softplus(-r) + softplus(f), rel=1e-12, abs=1e-300)
    assert losses.minimax_generator_loss(fake).item() == pytest.approx(-softplus(f), rel=1e-12)
    assert losses.nonsaturating_generator_loss(fake).item() == pytest.approx(softplus(-f), rel=1e-12)
    d_loss.backward()
    # d/da softplus(-a) = -sigmoid(-a), d/da softplus(a) = sigmoid(a): finite everywhere
    assert real.grad.item() == pytest.approx(-1 / (1 + math.exp(r)), rel=1e-12, abs=1e-300)
    assert fake.grad.item() == pytest.approx(1 / (1 + math.exp(-f)), rel=1e-12, abs=1e-300)


def test_minimax_at_the_lectures_numbers():
    # D(G(z)) = 0.01: -log D = 4.605..., log(1 - D) = -0.01005...
    logit = torch.logit(torch.tensor([0.01], dtype=torch.float64))
    assert losses.nonsaturating_generator_loss(logit).item() == pytest.approx(-math.log(0.01))
    assert losses.minimax_generator_loss(logit).item() == pytest.approx(math.log(0.99))


@pytest.mark.parametrize("r, f", [(0.5, -0.25), (3.0, 2.0), (-100.0, 100.0)])
def test_wasserstein_and_hinge_by_hand(r, f):
    real, fake = t(r), t(f)
    assert losses.wasserstein_critic_loss(real, fake).item() == f - r
    assert losses.wasserstein_generator_loss(fake).item() == -f
    assert losses.hinge_discriminator_loss(real, fake).item() == max(0, 1 - r) + max(0, 1 + f)
    assert losses.hinge_generator_loss(fake).item() == -f
    assert losses.flipped_margin_discriminator_loss(real, fake).item() == max(0, 1 + r) + max(0, 1 - f)


def test_least_squares_by_hand_with_the_abc_coding():
    real, fake = t(0.5, 2.0), t(-1.0, 0.0)
    # 1/2 mean (D(x) - b)^2 + 1/2 mean (D(G(z)) - a)^2, a = 0, b = 1
    expected = 0.5 * (0.25 + 1.0) / 2 + 0.5 * (1.0 + 0.0) / 2
    assert losses.least_squares_discriminator_loss(real, fake).item() == pytest.approx(expected)
    coded = losses.least_squares_discriminator_loss(real, fake, a=-1.0, b=1.0)
    assert coded.item() == pytest.approx(0.5 * (0.25 + 1.0) / 2 + 0.5 * (0.0 + 1.0) / 2)
    assert losses.least_squares_generator_loss(fake).item() == pytest.approx(0.5 * (4 + 1) / 2)
    assert losses.least_squares_generator_loss(fake, c=0.0).item() == pytest.approx(0.5 * 1 / 2)


def test_reductions():
    real, fake = t(1.0, -2.0, 0.5), t(0.0, 3.0, -1.0)
    per_example = losses.minimax_discriminator_loss(real, fake, reduction="none")
    assert per_example.shape == (3,)
    torch.testing.assert_close(losses.minimax_discriminator_loss(real, fake, reduction="sum"),
                               per_example.sum())
    torch.testing.assert_close(losses.minimax_discriminator_loss(real, fake), per_example.mean())
    with pytest.raises(ValueError, match="reduction"):
        losses.hinge_generator_loss(fake, reduction="average")


def test_feature_matching_by_hand():
    real = torch.tensor([[1.0, 0.0], [3.0, 2.0]])   # mean (2, 1)
    fake = torch.tensor([[0.0, 1.0], [0.0, 1.0], [3.0, 1.0]])  # mean (1, 1)
    assert losses.feature_matching_loss(real, fake).item() == pytest.approx(1.0)
    torch.testing.assert_close(losses.feature_matching_loss(real, fake, reduction="none"),
                               torch.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="feature count"):
        losses.feature_matching_loss(real, torch.zeros(2, 3))


def test_infogan_terms_by_hand():
    # uniform Q over 4 categories: -log Q = log 4 whatever the code
    logits, code = torch.zeros(3, 4), torch.tensor([0, 3, 1])
    assert losses.infogan_categorical_loss(logits, code).item() == pytest.approx(math.log(4))
    # standard normal Q at c = 1 in k = 2 dimensions: 2 * (1/2 log 2 pi + 1/2)
    mean, log_std, c = torch.zeros(1, 2), torch.zeros(1, 2), torch.ones(1, 2)
    assert losses.infogan_continuous_loss(mean, log_std, c).item() == pytest.approx(
        math.log(2 * math.pi) + 1.0)
    # against scipy's normal density with sigma = 2
    log_std = torch.full((1, 2), math.log(2.0))
    expected = -2 * stats.norm(0, 2).logpdf(1.0)
    assert losses.infogan_continuous_loss(mean, log_std, c).item() == pytest.approx(expected)
    with pytest.raises(ValueError, match="code"):
        losses.infogan_categorical_loss(logits, torch.tensor([0, 4, 1]))


# --- the population optimum of each discriminator objective, pointwise -----------------------

P_R = stats.norm(0, 1).pdf(np.linspace(-2, 2, 7))
P_G = stats.norm(0.7, 1.3).pdf(np.linspace(-2, 2, 7))


def population_minimiser(loss, p_r, p_g, bounds):
    """argmin_v of p_r * (real term at v) + p_g * (fake term at v), one free v per point.

    The real term is isolated by holding the fake input at a constant (and vice versa): the
    constant shifts the objective, not its minimiser.
    """
    def objective(v, pr, pg):
        value = torch.tensor([v], dtype=torch.float64)
        anchor = torch.zeros(1, dtype=torch.float64)
        return (pr * loss(value, anchor) + pg * loss(anchor, value)).item()
    return np.array([optimize.minimize_scalar(objective, bounds=bounds, args=(pr, pg),
                                              method="bounded", options={"xatol": 1e-10}).x
                     for pr, pg in zip(p_r, p_g)])


def test_minimax_optimum_is_the_log_density_ratio():
    v = population_minimiser(losses.minimax_discriminator_loss, P_R, P_G, (-20, 20))
    np.testing.assert_allclose(v, np.log(P_R / P_G), atol=1e-6)


@pytest.mark.parametrize("a, b", [(0.0, 1.0), (-1.0, 1.0)])
def test_least_squares_optimum(a, b):
    def loss(real, fake):
        return losses.least_squares_discriminator_loss(real, fake, a=a, b=b)
    v = population_minimiser(loss, P_R, P_G, (-5, 5))
    np.testing.assert_allclose(v, (b * P_R + a * P_G) / (P_R + P_G), atol=1e-6)


def test_hinge_optimum_is_the_sign_of_the_density_difference():
    v = population_minimiser(losses.hinge_discriminator_loss, P_R, P_G, (-3, 3))
    np.testing.assert_allclose(v, np.sign(P_R - P_G), atol=1e-6)


# --- bad input ---------------------------------------------------------------------------

TWO_INPUT = [losses.minimax_discriminator_loss, losses.wasserstein_critic_loss,
             losses.hinge_discriminator_loss, losses.flipped_margin_discriminator_loss,
             losses.least_squares_discriminator_loss]
ONE_INPUT = [losses.minimax_generator_loss, losses.nonsaturating_generator_loss,
             losses.wasserstein_generator_loss, losses.hinge_generator_loss,
             losses.least_squares_generator_loss]


@pytest.mark.parametrize("loss", TWO_INPUT)
def test_discriminator_losses_refuse_bad_input(loss):
    with pytest.raises(ValueError, match="differ in shape"):
        loss(torch.zeros(4), torch.zeros(5))
    with pytest.raises(ValueError, match="non-finite"):
        loss(torch.tensor([0.0, float("nan")]), torch.zeros(2))
    with pytest.raises(ValueError, match="fake.*non-finite"):
        loss(torch.zeros(2), torch.tensor([float("inf"), 0.0]))
    with pytest.raises(ValueError, match="empty"):
        loss(torch.zeros(0), torch.zeros(0))
    with pytest.raises(ValueError, match="dtype"):
        loss(torch.zeros(2), torch.zeros(2, dtype=torch.float64))


@pytest.mark.parametrize("loss", ONE_INPUT)
def test_generator_losses_refuse_bad_input(loss):
    with pytest.raises(ValueError, match="empty"):
        loss(torch.zeros(0))
    with pytest.raises(ValueError, match="non-finite"):
        loss(torch.tensor([float("-inf")]))
    with pytest.raises(TypeError, match="floating"):
        loss(torch.tensor([1, 2]))


def test_softplus_is_exact_beyond_torchs_linear_threshold():
    # torch's F.softplus returns x (gradient 1) above x = 20; the value and slope at 20.5 are not
    a = torch.tensor([20.5, 30.0, -30.0, 800.0], dtype=torch.float64, requires_grad=True)
    value = losses.softplus(a)
    (grad,) = torch.autograd.grad(value.sum(), a)
    expected = [20.5 + math.log1p(math.exp(-20.5)), 30.0 + math.log1p(math.exp(-30.0)),
                math.log1p(math.exp(-30.0)), 800.0]
    torch.testing.assert_close(value.detach(), torch.tensor(expected, dtype=torch.float64), rtol=1e-15, atol=0)
    torch.testing.assert_close(grad, torch.sigmoid(a.detach()), rtol=1e-15, atol=0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: losses.least_squares_discriminator_loss(torch.zeros(2), torch.zeros(2), a=float("nan")), ValueError, r"^a must be finite"),
    (lambda: losses.least_squares_discriminator_loss(torch.zeros(2), torch.zeros(2), b=float("inf")), ValueError, r"^b must be finite"),
    (lambda: losses.least_squares_generator_loss(torch.zeros(2), c=float("nan")), ValueError, r"^c must be finite"),
    (lambda: losses.least_squares_generator_loss(torch.zeros(2), c="1"), TypeError, r"^c must be a real number"),
    (lambda: losses.infogan_categorical_loss(torch.zeros(2, 3), [0, 1]), TypeError, r"^code must be a torch\.Tensor"),
    (lambda: losses.softplus([0.0]), TypeError, r"^x must be a floating-point torch\.Tensor, got list$"),
    (lambda: losses.softplus(np.zeros(2)), TypeError, r"^x must be a floating-point torch\.Tensor, got ndarray$"),
    (lambda: losses.softplus(torch.zeros(2, dtype=torch.int64)), TypeError,
     r"^x must be a floating-point torch\.Tensor, got torch\.int64$"),
    (lambda: losses.softplus(torch.zeros(2, dtype=torch.complex64)), TypeError, r"^x must be a floating-point"),
    (lambda: losses.minimax_discriminator_loss(torch.zeros(2, dtype=torch.complex64), torch.zeros(2)), TypeError,
     r"^real_logits must be a floating-point tensor"),
])
def test_loss_refusals_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
