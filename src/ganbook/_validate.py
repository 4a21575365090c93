"""Input validation shared by the package: every refusal names the caller's argument.

* :func:`array`: an array-like (list, NumPy array, torch tensor, with or without gradients) to a
  validated float64 ``ndarray``;
* :func:`integer`: a count, size or seed that must be a true integer (``2.5`` modes or a ``True``
  seed are refused, not rounded);
* :func:`number`: one finite real number within bounds;
* :func:`float_tensor`: a floating-point torch tensor, refused by its type (or a tensor by its dtype);
* :func:`sum_tolerance`: how far from 1 a vector of probabilities may sum, given the precision
  of the dtype it arrived in (a float32 vector is rounded to ~6e-8 per entry).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The smallest tolerance on a probability vector's sum (float64 round-off over many terms).
SUM_TOL = 1e-8
EPS64 = float(np.finfo(np.float64).eps)


def _eps(value: Any) -> float:
    """Machine epsilon of the floating dtype ``value`` arrived in (float64's for lists and integers)."""
    dtype = getattr(value, "dtype", None)
    if hasattr(dtype, "is_floating_point"):                               # a torch dtype
        import torch
        return float(torch.finfo(dtype).eps) if dtype.is_floating_point else EPS64
    if dtype is not None and np.issubdtype(np.dtype(dtype), np.floating):
        return float(np.finfo(dtype).eps)
    return EPS64


def array(name: str, value: Any, *, ndim: int | None = None, finite: bool = True,
          nonnegative: bool = False, allow_empty: bool = False) -> np.ndarray:
    """``value`` as a float64 array, or a ``TypeError``/``ValueError`` naming ``name``.

    Tensors are detached and moved to the CPU; complex, non-numeric (strings, objects) and
    ragged inputs are refused; ``ndim`` fixes the number of dimensions.
    """
    if hasattr(value, "detach"):
        value = value.detach().cpu()
        if value.is_complex():
            raise TypeError(f"{name} must be real, got a complex tensor")
        value = value.double().numpy() if value.is_floating_point() else value.numpy()
    try:
        raw = np.asarray(value)
    except ValueError as error:                      # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {error}") from None
    if np.iscomplexobj(raw):
        raise TypeError(f"{name} must be real, got complex values")
    if not (np.issubdtype(raw.dtype, np.number) or raw.dtype == bool):
        raise TypeError(f"{name} must be an array of numbers, got dtype {raw.dtype}")
    arr = raw.astype(float)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (nan or inf)")
    if nonnegative and np.any(arr < 0):
        raise ValueError(f"{name} contains negative values (min {arr.min():g})")
    return arr


def sum_tolerance(value: Any, n: int) -> float:
    r"""Tolerance on :math:`|\sum_i p_i - 1|` for ``n`` probabilities given in ``value``'s dtype.

    Rounding each entry to the dtype moves it by at most half an ulp, :math:`\epsilon/2` relative,
    and summing them in float64 adds nothing comparable: ``n`` entries can move the sum by
    :math:`n\epsilon/2`; twice that is allowed, and never less than :data:`SUM_TOL`.
    """
    return max(SUM_TOL, n * _eps(value))


def integer(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as a Python ``int``; refuses bools, floats (even ``8.0``) and values out of range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {value!r}")
    return int(value)


def number(name: str, value: Any, *, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite ``float`` in ``[low, high]`` (``low_open``/``high_open`` exclude an end)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        if hasattr(value, "detach") and value.numel() == 1 and not value.is_complex():
            value = float(value.detach().cpu())
        else:
            raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low:g}, got {value:g}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high:g}, got {value:g}")
    return value


def float_tensor(name: str, value: Any):
    """``value`` if it is a floating-point torch tensor; else ``TypeError`` naming ``name`` and what it got
    (a tensor's dtype, anything else's type: an ndarray's dtype alone would mislead)."""
    import torch

    if not isinstance(value, torch.Tensor) or not value.is_floating_point():
        got = value.dtype if isinstance(value, torch.Tensor) else type(value).__name__
        raise TypeError(f"{name} must be a floating-point torch.Tensor, got {got}")
    return value
