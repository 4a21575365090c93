"""The shared validators: each refusal names the caller's argument."""

import numpy as np
import pytest
import torch

from ganbook import _validate


def test_array_converts_tensors_with_gradients_and_refuses_what_is_not_real_numbers():
    out = _validate.array("p", torch.tensor([0.25, 0.75], requires_grad=True))
    assert out.dtype == np.float64 and out.tolist() == [0.25, 0.75]
    assert _validate.array("p", [1, 2]).dtype == np.float64
    for bad, error, message in [([1 + 2j], TypeError, r"^p must be real, got complex values$"),
                                (torch.tensor([1j]), TypeError, r"^p must be real, got a complex tensor$"),
                                (["a"], TypeError, r"^p must be an array of numbers, got dtype <U1$"),
                                ([[1.0], [1.0, 2.0]], ValueError, r"^p must be a rectangular array of numbers"),
                                ([], ValueError, r"^p is empty$"),
                                ([np.nan], ValueError, r"^p contains non-finite values"),
                                ([-1.0], ValueError, r"^p contains negative values \(min -1\)$")]:
        with pytest.raises(error, match=message):
            _validate.array("p", bad, nonnegative=True)
    with pytest.raises(ValueError, match=r"^p must be 2-dimensional, got shape \(2,\)$"):
        _validate.array("p", [1.0, 2.0], ndim=2)
    assert _validate.array("p", [], allow_empty=True).shape == (0,)
    assert np.isnan(_validate.array("p", [np.nan], finite=False)[0])


def test_sum_tolerance_follows_the_dtype():
    assert _validate.sum_tolerance([0.5, 0.5], 2) == _validate.SUM_TOL
    assert _validate.sum_tolerance(np.zeros(3, dtype=np.float32), 3) == 3 * float(np.finfo(np.float32).eps)
    assert _validate.sum_tolerance(torch.zeros(3, dtype=torch.float16), 3) == 3 * float(torch.finfo(torch.float16).eps)
    assert _validate.sum_tolerance(torch.zeros(3, dtype=torch.int64), 3) == _validate.SUM_TOL
    assert _validate.sum_tolerance(np.zeros(0), 10**9) == pytest.approx(10**9 * 2.220446049250313e-16)


@pytest.mark.parametrize("value, error, message", [
    (True, TypeError, r"^n must be an integer, got True \(bool\)$"),
    (2.0, TypeError, r"^n must be an integer, got 2\.0 \(float\)$"),
    ("2", TypeError, r"^n must be an integer"),
    (0, ValueError, r"^n must be an integer >= 1, got 0$"),
    (11, ValueError, r"^n must be an integer <= 10, got 11$"),
])
def test_integer_refuses_non_integers_and_out_of_range(value, error, message):
    with pytest.raises(error, match=message):
        _validate.integer("n", value, minimum=1, maximum=10)


def test_integer_accepts_numpy_integers():
    assert _validate.integer("n", np.int64(3), minimum=1) == 3 and type(_validate.integer("n", np.int32(3))) is int


@pytest.mark.parametrize("value, kwargs, error, message", [
    (float("nan"), {}, ValueError, r"^c must be finite, got nan$"),
    ("1", {}, TypeError, r"^c must be a real number, got str$"),
    (np.array([1.0, 2.0]), {}, TypeError, r"^c must be a real number, got ndarray$"),
    (torch.tensor([1.0, 2.0]), {}, TypeError, r"^c must be a real number, got Tensor$"),
    (False, {}, TypeError, r"^c must be a real number, got bool$"),
    (0.0, {"low": 0.0, "low_open": True}, ValueError, r"^c must be > 0, got 0$"),
    (-1.0, {"low": 0.0}, ValueError, r"^c must be >= 0, got -1$"),
    (1.0, {"high": 1.0, "high_open": True}, ValueError, r"^c must be < 1, got 1$"),
    (2.0, {"high": 1.0}, ValueError, r"^c must be <= 1, got 2$"),
])
def test_number_refusals(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        _validate.number("c", value, **kwargs)


def test_number_accepts_bounds_and_one_element_tensors():
    assert _validate.number("c", 0.0, low=0.0) == 0.0 and _validate.number("c", 1, high=1.0) == 1.0
    assert _validate.number("c", torch.tensor(0.5)) == 0.5 and _validate.number("c", np.float32(0.5)) == 0.5
