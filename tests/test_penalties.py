import pytest
import torch
from torch import nn

from ganbook import penalties


def linear_critic(w: torch.Tensor):
    return lambda x: x @ w


def test_gradient_penalty_of_a_linear_critic_is_exact():
    # f(x) = w . x has gradient w everywhere: GP = lambda (||w|| - 1)^2
    w = torch.tensor([3.0, 4.0], dtype=torch.float64)
    real = torch.randn(16, 2, dtype=torch.float64)
    fake = torch.randn(16, 2, dtype=torch.float64)
    gp = penalties.gradient_penalty(linear_critic(w), real, fake, weight=10.0)
    assert gp.item() == pytest.approx(10.0 * (5.0 - 1.0) ** 2, rel=1e-14)
    assert penalties.gradient_penalty(linear_critic(w / 5), real, fake).item() == pytest.approx(0.0, abs=1e-28)


def test_gradient_penalty_trains_the_critic():
    # d/dw lambda (||w|| - 1)^2 = 2 lambda (||w|| - 1) w / ||w||
    w = torch.tensor([3.0, 4.0], dtype=torch.float64, requires_grad=True)
    x = torch.randn(8, 2, dtype=torch.float64)
    penalties.gradient_penalty(linear_critic(w), x, x.flip(0), weight=10.0).backward()
    torch.testing.assert_close(w.grad, 2 * 10.0 * 4.0 * torch.tensor([0.6, 0.8], dtype=torch.float64))


def test_gradient_penalty_gradcheck_on_a_nonlinear_critic():
    torch.manual_seed(0)
    real, fake = torch.randn(5, 3, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)

    def gp(W, v):
        critic = lambda x: torch.tanh(x @ W) @ v  # noqa: E731
        eps_source = torch.Generator().manual_seed(1)  # same interpolates at every call
        return penalties.gradient_penalty(critic, real, fake, generator=eps_source)

    W = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    v = torch.randn(4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(gp, (W, v))


def test_interpolates_lie_on_the_segments():
    real, fake = torch.zeros(1000, 2), torch.ones(1000, 2)
    x_hat = penalties.interpolates(real, fake, generator=torch.Generator().manual_seed(0))
    # x̂ = ε·0 + (1 - ε)·1: both coordinates equal 1 - ε, one ε per example, uniform on [0, 1]
    torch.testing.assert_close(x_hat[:, 0], x_hat[:, 1])
    assert 0 <= x_hat.min() and x_hat.max() <= 1
    assert x_hat[:, 0].mean().item() == pytest.approx(0.5, abs=4 * (1 / 12 / 1000) ** 0.5)


def test_clip_weights_clamps_every_parameter():
    layer = nn.Linear(3, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[0.5, -0.5, 0.001], [0.02, -0.02, 0.0]]))
        layer.bias.fill_(-1.0)
    penalties.clip_weights(layer, 0.01)
    torch.testing.assert_close(layer.weight, torch.tensor([[0.01, -0.01, 0.001], [0.01, -0.01, 0.0]]))
    torch.testing.assert_close(layer.bias, torch.full((2,), -0.01))


def test_bad_input_is_named():
    w = torch.tensor([1.0, 0.0])
    with pytest.raises(ValueError, match="weight"):
        penalties.gradient_penalty(linear_critic(w), torch.zeros(2, 2), torch.zeros(2, 2), weight=-1)
    with pytest.raises(ValueError, match="shape"):
        penalties.gradient_penalty(linear_critic(w), torch.zeros(2, 2), torch.zeros(3, 2))
    with pytest.raises(ValueError, match="empty"):
        penalties.gradient_penalty(linear_critic(w), torch.zeros(0, 2), torch.zeros(0, 2))
    with pytest.raises(ValueError, match="non-finite"):
        penalties.gradient_penalty(linear_critic(w), torch.full((2, 2), float("nan")), torch.zeros(2, 2))
    with pytest.raises(ValueError, match="c "):
        penalties.clip_weights(nn.Linear(2, 2), -0.01)


def test_gradient_norms_of_stacked_batches():
    # K = 2 linear critics f_k(x) = w_k . x on batches (K, m, d): norms ||w_k|| for every example
    w = torch.tensor([[3.0, 4.0], [0.0, 2.0]])
    critic = lambda x: (x * w[:, None, :]).sum(-1)
    norms = penalties.critic_gradient_norms(critic, torch.randn(2, 5, 2), batch_dims=2)
    torch.testing.assert_close(norms, torch.tensor([[5.0] * 5, [2.0] * 5]))
