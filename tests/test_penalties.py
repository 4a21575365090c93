import re

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


# --- issue 26: critics that mix the examples of a batch ---------------------------------------

def minibatch_std_critic(x):
    """Scores shifted by the batch's standard deviation: each score depends on every example."""
    return x.sum(1) + x.std(0).sum()


@pytest.mark.parametrize("critic", [
    minibatch_std_critic,
    lambda x: (torch.cdist(x, x) ** 2).sum(1),            # pairwise distances (minibatch discrimination)
    nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Linear(4, 1)).train(),
], ids=["minibatch std", "pairwise distances", "batch norm (training mode)"])
def test_critics_that_mix_examples_are_refused(critic):
    # the one-backward-pass norms would be wrong for them: e.g. the minibatch-std critic's
    # summed gradient adds every example's share of the std term to every row
    real, fake = torch.randn(6, 2, generator=torch.Generator().manual_seed(0)), torch.zeros(6, 2)
    with pytest.raises(ValueError, match=r"^critic mixes the examples of a batch"):
        penalties.gradient_penalty(critic, real, fake)
    with pytest.raises(ValueError, match=r"^critic mixes the examples of a batch"):
        penalties.critic_gradient_norms(critic, real)


def test_stacked_critics_that_mix_examples_are_refused():
    mixing = lambda x: x.sum(-1) + x.mean(-2).sum(-1, keepdim=True)  # noqa: E731  (K, m) scores
    with pytest.raises(ValueError, match=r"^critic mixes the examples"):
        penalties.critic_gradient_norms(mixing, torch.randn(3, 4, 2), batch_dims=2)


def test_per_example_critics_pass_the_probe_dropout_and_batch_norm_in_eval_mode_included():
    torch.manual_seed(0)
    x = torch.randn(8, 2)
    dropout = nn.Sequential(nn.Linear(2, 16), nn.Dropout(0.5), nn.Linear(16, 1)).train()
    assert penalties.critic_gradient_norms(dropout, x).shape == (8,)
    frozen_norm = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Linear(4, 1)).eval()
    assert torch.isfinite(penalties.gradient_penalty(frozen_norm, x, torch.zeros(8, 2)))
    # one example: nothing to mix
    batch_mean_critic = lambda x: x.sum(1) + x.mean(0).sum()  # noqa: E731
    assert penalties.critic_gradient_norms(batch_mean_critic, x[:1]).tolist() == pytest.approx([2 * 2 ** 0.5])


@pytest.mark.parametrize("call, error, message", [
    (lambda: penalties.gradient_penalty(linear_critic(torch.ones(1)), torch.zeros(4), torch.zeros(4)), ValueError,
     r"^real and fake must be batches \(m, d, \.\.\.\) with a feature dimension, got shape \(4,\)"),
    (lambda: penalties.critic_gradient_norms(lambda x: x, torch.zeros(4)), ValueError, r"^x must have a feature dimension"),
    (lambda: penalties.gradient_penalty(lambda x: torch.zeros(len(x)), torch.zeros(3, 2), torch.ones(3, 2)), ValueError,
     r"^critic's scores do not depend on its input"),
    (lambda: penalties.gradient_penalty(lambda x: x.sum(), torch.zeros(3, 2), torch.ones(3, 2)), ValueError,
     r"^critic must return one score per example, shape \(3,\) or \(3, 1\), got \(\)$"),
    (lambda: penalties.gradient_penalty(lambda x: [1.0], torch.zeros(3, 2), torch.ones(3, 2)), ValueError,
     r"^critic must return one score per example.*got list$"),
    (lambda: penalties.gradient_penalty("critic", torch.zeros(3, 2), torch.ones(3, 2)), TypeError, r"^critic must be callable"),
    (lambda: penalties.gradient_penalty(linear_critic(torch.ones(2)), torch.zeros(3, 2), torch.ones(3, 2), weight=float("nan")),
     ValueError, r"^weight \(the penalty's lambda\) must be finite"),
    (lambda: penalties.clip_weights(nn.Linear(2, 2), float("inf")), ValueError, r"^c \(the clipping bound\) must be finite"),
    (lambda: penalties.clip_weights([torch.zeros(2)], 0.1), TypeError, r"^module must be a torch\.nn\.Module"),
    (lambda: penalties.critic_gradient_norms(linear_critic(torch.ones(2)), torch.zeros(3, 2), batch_dims=0), ValueError,
     r"^batch_dims must be an integer >= 1"),
    (lambda: penalties.interpolates(torch.zeros(2, 0), torch.zeros(2, 0)), ValueError, r"^real is an empty batch"),
])
def test_penalty_refusals_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- sharper tests from the mutation survivors ------------------------------------------------

MIXING = ("critic mixes the examples of a batch (its score for one example depends on another: minibatch "
          "discrimination, minibatch standard deviation, batch norm in training mode), so the per-example "
          "gradients of the penalty are not defined by one backward pass; use a critic that scores each "
          "example on its own (e.g. layer norm instead of batch norm, no minibatch features)")


@pytest.mark.parametrize("m", [2, 3])
def test_a_critic_that_reads_the_mirrored_example_is_refused_with_the_full_message(m):
    # f(x)_i = sum x_i + sum x_{m-1-i}: the first score depends on the last example only, so the probe
    # must look at every other example (m = 2 is the smallest batch that can mix, m = 3 has a middle)
    mirrored = lambda x: x.sum(1) + x.flip(0).sum(1)  # noqa: E731
    with pytest.raises(ValueError, match=r"^" + re.escape(MIXING) + r"$"):
        penalties.critic_gradient_norms(mirrored, torch.randn(m, 2))


def test_a_critic_of_its_parameters_only_is_refused_by_name():
    # scores that require grad through a parameter but never read x: no gradient reaches x at all
    w = torch.ones(1, requires_grad=True)
    constant = lambda x: w.expand(len(x))  # noqa: E731
    with pytest.raises(ValueError, match=r"^critic's scores do not depend on its input x$"):
        penalties.critic_gradient_norms(constant, torch.zeros(3, 2))
    detached = lambda x: torch.zeros(len(x))  # noqa: E731
    with pytest.raises(ValueError, match=r"^critic's scores do not depend on its input \(no gradient flows from them "
                       r"to x\): the gradient penalty needs a critic of x$"):
        penalties.critic_gradient_norms(detached, torch.zeros(3, 2))


@pytest.mark.parametrize("scores, shape", [(lambda x: x, r"\(3, 2\)"), (lambda x: x.sum(1)[None], r"\(1, 3\)")])
def test_scores_of_the_wrong_shape_are_refused(scores, shape):
    # (3, 2): right leading dimension, two scores per example; (1, 3): three scores, wrong leading shape
    with pytest.raises(ValueError, match=r"^critic must return one score per example, shape \(3,\) or \(3, 1\), "
                       r"got " + shape + r"$"):
        penalties.critic_gradient_norms(scores, torch.randn(3, 2))


def test_a_non_callable_critic_is_named_with_its_type():
    with pytest.raises(TypeError, match=r"^critic must be callable \(a module or function\), got str$"):
        penalties.critic_gradient_norms("critic", torch.zeros(3, 2))


def test_gradient_norms_stay_out_of_the_graph_unless_asked():
    # f(x) = w . x with w a parameter: ||grad|| = ||w|| = 5, differentiable in w only with create_graph=True
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    norms = penalties.critic_gradient_norms(linear_critic(w), torch.randn(4, 2))
    assert not norms.requires_grad and norms.tolist() == [5.0] * 4
    graph = penalties.critic_gradient_norms(linear_critic(w), torch.randn(4, 2), create_graph=True)
    graph.sum().backward()                       # d/dw sum_i ||w|| = 4 w / ||w||
    torch.testing.assert_close(w.grad, torch.tensor([2.4, 3.2]))


def test_the_default_weight_is_ten():
    # Gulrajani et al. 2017, lambda = 10: f(x) = (3, 4) . x gives 10 (5 - 1)^2 = 160
    w = torch.tensor([3.0, 4.0], dtype=torch.float64)
    assert penalties.gradient_penalty(linear_critic(w), torch.zeros(4, 2, dtype=torch.float64),
                                      torch.ones(4, 2, dtype=torch.float64)).item() == pytest.approx(160.0, rel=1e-14)
