import pytest
import torch
from torch import nn

from ganbook import models, stacked


def test_a_stack_computes_each_model_on_its_own_rows():
    torch.manual_seed(0)
    members = [models.MLPDiscriminator(3, (8, 8), minibatch="discrimination") for _ in range(4)]
    x = torch.randn(4, 10, 3)
    expected = torch.stack([m(x[k]) for k, m in enumerate(members)])
    stack = stacked.stack(members)
    torch.testing.assert_close(stack(x), expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(stack.features(x), torch.stack([m.features(x[k]) for k, m in enumerate(members)]))


def test_members_are_live_views_of_the_stack():
    members = [nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)) for _ in range(3)]
    stack = stacked.stack(members)
    with torch.no_grad():
        stack[0].weight[1] += 5.0               # change member 1's first layer through the stack
    assert torch.equal(members[1][0].weight, stack[0].weight[1])
    assert not torch.equal(members[0][0].weight, stack[0].weight[1])


def test_seed_gradient_norms_are_per_slice():
    w = nn.Parameter(torch.zeros(2, 3))
    b = nn.Parameter(torch.zeros(2, 1))
    w.grad = torch.tensor([[3.0, 0, 0], [0, 0, 0]])
    b.grad = torch.tensor([[4.0], [2.0]])
    torch.testing.assert_close(stacked.seed_gradient_norms([w, b]), torch.tensor([5.0, 2.0]))


def test_stacked_linear_refuses_the_wrong_shape():
    stack = stacked.StackedLinear([nn.Linear(2, 3), nn.Linear(2, 3)])
    with pytest.raises(ValueError, match="needs input"):
        stack(torch.randn(5, 2))


def test_architectures_must_match():
    with pytest.raises(ValueError, match="differ"):
        stacked.stack([models.MLPGenerator(2, 2, (8,)), models.MLPGenerator(2, 2, (16,))])
    with pytest.raises(ValueError, match="one architecture"):
        stacked.stack([models.MLPGenerator(2, 2, (8,)), models.MLPDiscriminator(2, (8,))])
    with pytest.raises(ValueError, match="at least one"):
        stacked.stack([])
