r"""K copies of a model evaluated as one: the machinery behind :func:`ganbook.train.train_seeds`.

A *stacked* model holds every parameter of K models of the same architecture with a leading
seed axis, ``(K, ...)``, and takes batches of shape ``(K, m, ...)``: model k sees row k only.
Linear layers become batched matrix products (:class:`StackedLinear`, one ``baddbmm`` for
all seeds), elementwise activations pass the seed axis through, and the models of
:mod:`ganbook.models` put their batch axis at ``-2`` so the minibatch layers stay per seed.

The K original models are left as *live views*: after :func:`stack`, each one's parameters
are slices of the stacked tensors, so an optimiser step on the stack is seen by every
original at no copying cost, and a per-seed evaluation simply uses the original module.

Since every loss is a sum of per-seed losses, the gradient of the stack's slice k is seed k's
own gradient, and elementwise optimisers (SGD, RMSProp, Adam) step each slice exactly as
they would step seed k alone.
"""

from __future__ import annotations

import copy
from typing import Sequence

import torch
from torch import Tensor, nn

from ganbook.models import MinibatchDiscrimination, MinibatchStdDev

#: Modules whose forward passes a leading seed axis through unchanged (besides the models'
#: own classes, whose forwards are written for any leading axes).
ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.ELU, nn.Sigmoid, nn.Identity, nn.Sequential)
STACKABLE = ELEMENTWISE + (nn.Linear, MinibatchDiscrimination, MinibatchStdDev)


class StackedLinear(nn.Module):
    """K linear layers as one: ``x`` of shape ``(K, m, in)`` to ``(K, m, out)``, :math:`y_k = x_k W_k^\\top + b_k`."""

    def __init__(self, layers: Sequence[nn.Linear]):
        super().__init__()
        self.weight = nn.Parameter(torch.stack([layer.weight.detach() for layer in layers]))
        self.bias = (nn.Parameter(torch.stack([layer.bias.detach() for layer in layers]))
                     if layers[0].bias is not None else None)

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[0] != self.weight.shape[0]:
            raise ValueError(f"a stacked layer of {self.weight.shape[0]} seeds needs input "
                             f"(K, m, features), got {tuple(x.shape)}")
        if self.bias is None:
            return torch.bmm(x, self.weight.transpose(1, 2))
        return torch.baddbmm(self.bias.unsqueeze(1), x, self.weight.transpose(1, 2))


def refusal(models: Sequence[nn.Module]) -> str | None:
    """Why ``models`` cannot be stacked, or None when they can."""
    if len(models) < 1:
        return "stack needs at least one model"
    first = models[0]
    for index, model in enumerate(models):
        if type(model) is not type(first):
            return (f"model {index} is a {type(model).__name__}, model 0 a "
                    f"{type(first).__name__}: stacked models must share one architecture")
        shapes = [(n, p.shape) for n, p in model.named_parameters()]
        if shapes != [(n, p.shape) for n, p in first.named_parameters()]:
            return f"model {index}'s parameters differ in names or shapes from model 0's"
        if any(True for _ in model.buffers()):
            return "stacked models cannot have buffers (batch norm's running statistics)"
    for name, module in first.named_modules():
        # the MLP model classes themselves are containers; their leaves must be stackable
        if not list(module.children()) and not isinstance(module, STACKABLE):
            return (f"layer {name!r} ({type(module).__name__}) cannot be stacked; "
                    f"seeds train together for MLP models (Linear layers and "
                    f"elementwise activations) only")
    return None


def stack(models: Sequence[nn.Module]) -> nn.Module:
    """One model that evaluates ``models`` (same architecture, K of them) side by side.

    Returns a copy of ``models[0]`` whose linear layers are :class:`StackedLinear` and whose
    other parameters carry a leading seed axis; ``models`` are re-pointed to slices of it (live
    views), so training the stack trains them. Refuses models with buffers or with layers that
    do not pass a seed axis through (convolutions, batch norm).
    """
    reason = refusal(models)
    if reason is not None:
        raise ValueError(reason)
    stacked = copy.deepcopy(models[0])
    for name, module in list(stacked.named_modules()):
        if isinstance(module, nn.Linear):
            layers = [model.get_submodule(name) for model in models]
            parent, _, attribute = name.rpartition(".")
            setattr(stacked.get_submodule(parent) if parent else stacked, attribute,
                    StackedLinear(layers))
        else:
            for attribute, parameter in list(module.named_parameters(recurse=False)):
                full = f"{name}.{attribute}" if name else attribute
                values = [model.get_parameter(full).detach() for model in models]
                setattr(module, attribute, nn.Parameter(torch.stack(values)))
    stacked_parameters = dict(stacked.named_parameters())
    with torch.no_grad():
        for k, model in enumerate(models):
            for name, parameter in model.named_parameters():
                parameter.data = stacked_parameters[name].data[k]     # a view: slice k
    return stacked


def seed_gradient_norms(parameters: Sequence[nn.Parameter]) -> Tensor:
    """The global L2 norm of each seed's gradient, shape ``(K,)``, over stacked ``parameters``."""
    grads = [p.grad.flatten(start_dim=1) for p in parameters if p.grad is not None]
    if not grads:
        return torch.zeros(parameters[0].shape[0])
    return torch.linalg.vector_norm(torch.cat(grads, dim=1), dim=1)      # one pass over all of them
