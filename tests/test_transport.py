import numpy as np
import ot
import pytest
import torch
from scipy.optimize import linear_sum_assignment

from ganbook import transport


@pytest.fixture
def clouds():
    rng = np.random.default_rng(0)
    return rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + [1.0, 0.5]


def test_equal_uniform_clouds_match_the_assignment_problem(clouds):
    # an independent exact solver: with n = m and uniform weights the optimal plan is a permutation
    x, y = clouds
    cost = np.linalg.norm(x[:, None] - y[None], axis=-1)
    rows, cols = linear_sum_assignment(cost)
    value, plan = transport.wasserstein1(x, y, return_plan=True)
    assert value == pytest.approx(cost[rows, cols].mean(), abs=1e-12)
    np.testing.assert_allclose(plan.sum(axis=0), 1 / 60, atol=1e-15)


def test_weighted_measures_use_the_linear_program(clouds):
    x, y = clouds
    a = np.random.default_rng(1).random(60)
    a /= a.sum()
    b = np.full(40, 1 / 40)
    value, plan = transport.wasserstein1(x, y[:40], a, b, return_plan=True)
    np.testing.assert_allclose(plan.sum(axis=1), a, atol=1e-12)
    np.testing.assert_allclose(plan.sum(axis=0), b, atol=1e-12)
    assert value == pytest.approx(ot.emd2(a, b, ot.dist(x, y[:40], metric="euclidean")), abs=1e-12)


def test_translation_costs_its_length(clouds):
    # W1(mu, mu shifted by v) = ||v||: the shift is a plan of cost ||v||, and f(x) = v.x/||v|| is a
    # 1-Lipschitz potential whose dual value is ||v||
    x, _ = clouds
    assert transport.wasserstein1(x, x + [3.0, 4.0]) == pytest.approx(5.0, rel=1e-12)


def test_one_dimensional_closed_form_agrees(clouds):
    x, y = clouds
    assert transport.wasserstein1_1d(x[:, 0], y[:, 0]) == pytest.approx(
        transport.wasserstein1(x[:, 0], y[:, 0]), abs=1e-12)
    # two point masses: W1(delta_0, delta_t) = |t|
    assert transport.wasserstein1_1d([0.0], [-2.5]) == 2.5


def test_dual_equals_primal_and_scales_with_the_lipschitz_constant(clouds):
    x, y = clouds[0][:25], clouds[1][:25]
    dual = transport.kantorovich_dual(x, y)
    assert dual.value == pytest.approx(transport.wasserstein1(x, y), abs=1e-8)
    assert dual.duality_gap < 1e-8
    assert transport.kantorovich_dual(x, y, lipschitz=3.0).value == pytest.approx(3 * dual.value, abs=1e-7)
    # the potential is 1-Lipschitz on the support
    f = np.concatenate([dual.f_x, dual.f_y])
    s = np.concatenate([x, y])
    dist = np.linalg.norm(s[:, None] - s[None], axis=-1)
    assert np.all(f[:, None] - f[None] <= dist + 1e-9)


@pytest.mark.parametrize("args, word", [
    (([[0.0, 0.0]], [[0.0]]), "dimensions"),
    (([], [[0.0]]), "non-empty"),
    (([[0.0], [1.0]], [[0.0]], [0.5, 0.6]), "sum to 1"),
    (([[0.0], [1.0]], [[0.0]], [1.5, -0.5]), "non-negative"),
    (([[np.nan]], [[0.0]]), "non-finite"),
])
def test_bad_input_is_named(args, word):
    with pytest.raises(ValueError, match=word):
        transport.wasserstein1(*args)


def test_minibatch_w1_by_hand():
    fake = torch.tensor([[0.0, 0.0], [10.0, 0.0]], requires_grad=True)
    real = torch.tensor([[10.0, 2.0], [0.0, 1.0]])
    value = transport.minibatch_w1(real, fake)
    value.backward()
    assert value.item() == pytest.approx(1.5)                   # (1 + 2) / 2: matched by proximity
    # Danskin: each point moves along the unit vector towards its partner, weighted 1/n
    np.testing.assert_allclose(fake.grad.numpy(), [[0.0, -0.5], [0.0, -0.5]], atol=1e-7)


def test_minibatch_w1_equals_the_exact_distance():
    g = torch.Generator().manual_seed(0)
    fake, real = torch.randn(40, 3, generator=g, dtype=torch.float64), torch.randn(50, 3, generator=g, dtype=torch.float64)
    assert transport.minibatch_w1(real, fake).item() == pytest.approx(transport.wasserstein1(fake, real), rel=1e-12)


def test_minibatch_w1_gradient_is_a_mean_of_unit_vectors():
    g = torch.Generator().manual_seed(1)
    fake = torch.randn(30, 2, generator=g, dtype=torch.float64, requires_grad=True)
    real = torch.randn(30, 2, generator=g, dtype=torch.float64) + 3.0
    transport.minibatch_w1(real, fake).backward()
    # equal sizes: a permutation plan, so every point's gradient is a unit vector / n
    np.testing.assert_allclose(30 * fake.grad.norm(dim=1).numpy(), np.ones(30), rtol=1e-12)


def test_minibatch_w1_input_is_named():
    with pytest.raises(ValueError, match="fake"):
        transport.minibatch_w1(torch.zeros(3, 2), torch.zeros(3))
    with pytest.raises(TypeError, match=r"^real must be a torch\.Tensor, got ndarray$"):
        transport.minibatch_w1(np.zeros((3, 2)), torch.zeros(3, 2))
    with pytest.raises(ValueError, match="dimensions"):
        transport.minibatch_w1(torch.zeros(3, 2), torch.zeros(3, 3))


# --- issue 26 ------------------------------------------------------------------------------

def test_coordinates_near_the_float_limits_neither_overflow_nor_underflow():
    # squared differences of 2e154 overflow float64: the distance used to come back inf
    assert transport.wasserstein1([[1e154, 0.0]], [[-1e154, 0.0]]) == pytest.approx(2e154, rel=1e-15)
    assert transport.wasserstein1([[1e-170]], [[3e-170]]) == pytest.approx(2e-170, rel=1e-15)
    big = transport.kantorovich_dual([[1e154]], [[-1e154], [3e154]])      # half the mass each way, 2e154
    assert big.value == pytest.approx(2e154, rel=1e-9) and big.primal == pytest.approx(2e154, rel=1e-15)
    assert transport.kantorovich_dual([[0.0], [1e-9]], [[3e-9]]).value == pytest.approx(2.5e-9, rel=1e-9)
    assert transport.kantorovich_dual([[0.0], [1.0]], [[3.0]], lipschitz=1e30).value == pytest.approx(2.5e30, rel=1e-9)


@pytest.mark.parametrize("dtype, size", [(torch.float64, 1e154), (torch.float64, 1e-170),
                                         (torch.float32, 1e19), (torch.float32, 1e-25)])
def test_minibatch_w1_near_the_float_limits_is_finite_and_exact(dtype, size):
    # the squared differences of such coordinates overflow (underflow) the dtype without rescaling
    fake = torch.tensor([[size, 0.0], [-size, 0.0]], dtype=dtype, requires_grad=True)
    real = torch.tensor([[size, 3 * size], [-size, 3 * size]], dtype=dtype)
    value = transport.minibatch_w1(real, fake)
    value.backward()
    assert value.item() == pytest.approx(3 * size, rel=1e-6)
    np.testing.assert_allclose(fake.grad.numpy(), [[0.0, -0.5], [0.0, -0.5]], rtol=1e-6)


def test_minibatch_w1_is_symmetric_in_value():
    g = torch.Generator().manual_seed(2)
    x, y = torch.randn(7, 2, generator=g, dtype=torch.float64), torch.randn(5, 2, generator=g, dtype=torch.float64)
    assert transport.minibatch_w1(x, y).item() == pytest.approx(transport.minibatch_w1(y, x).item(), rel=1e-12)


def test_weights_may_require_grad_or_be_float32():
    a = torch.tensor([0.25, 0.75], requires_grad=True)
    assert transport.wasserstein1([0.0, 2.0], [1.0], a=a) == pytest.approx(1.0)
    third = np.full(3, 1 / 3, dtype=np.float32)          # sums to 1 + 3e-8 in float64
    assert transport.wasserstein1([0.0, 1.0, 2.0], [1.0], a=third) == pytest.approx(2 / 3, rel=1e-7)
    with pytest.raises(ValueError, match=r"^a must sum to 1"):
        transport.wasserstein1([0.0, 1.0, 2.0], [1.0], a=third.astype(float) + 1e-8)


@pytest.mark.parametrize("call, error, message", [
    (lambda: transport.kantorovich_dual([0.0], [1.0], lipschitz=np.inf), ValueError,
     r"^lipschitz \(the constant K\) must be finite, got inf$"),
    (lambda: transport.kantorovich_dual([0.0], [1.0], lipschitz="2"), TypeError, r"^lipschitz \(the constant K\) must be a real number"),
    (lambda: transport.wasserstein1([[1.0 + 1j]], [[0.0]]), TypeError, r"^x must be real"),
    (lambda: transport.wasserstein1([[0.0]], [["a"]]), TypeError, r"^y must be an array of numbers"),
    (lambda: transport.wasserstein1(np.zeros((2, 0)), np.zeros((2, 0))), ValueError, r"^x must be a non-empty \(n, d\) array"),
    (lambda: transport.minibatch_w1(torch.zeros(2, 1), torch.tensor([[0.0], [float("nan")]])), ValueError,
     r"^fake contains non-finite values"),
    (lambda: transport.minibatch_w1(torch.tensor([[float("inf")]]), torch.zeros(2, 1)), ValueError, r"^real contains non-finite"),
    (lambda: transport.minibatch_w1(torch.zeros(2, 1), torch.zeros(2, 1, dtype=torch.float16)), TypeError,
     r"^fake must be float32 or float64 .*got torch\.float16$"),
    (lambda: transport.minibatch_w1(torch.zeros(2, 1, dtype=torch.int64), torch.zeros(2, 1)), TypeError,
     r"^real must be float32 or float64"),
    (lambda: transport.minibatch_w1(torch.zeros(2, 1), torch.zeros(2, 1, dtype=torch.complex64)), TypeError,
     r"^fake must be float32 or float64"),
])
def test_transport_refusals_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- sharper tests from the mutation survivors ------------------------------------------------

def test_extreme_coordinates_are_exact_not_merely_small():
    # pytest.approx keeps an absolute tolerance of 1e-12 unless abs=0: 0.0 would "equal" 2e-170
    assert transport.wasserstein1([[1e-170]], [[3e-170]]) == pytest.approx(2e-170, rel=1e-15, abs=0)
    # coordinates near 1e300: a scale that is not a power of 2 (or overflows) gives inf or nan here
    assert transport.wasserstein1([[1e300, 0.0]], [[-1e300, 0.0]]) == pytest.approx(2e300, rel=1e-15, abs=0)


def test_tiny_distances_between_ordinary_points_do_not_underflow():
    # points near 1 that differ by (3, 4) 1e-170 and by 6e-170 along one axis: the squared differences
    # (1e-339) underflow to 0, so cdist alone gives W1 = 0; the scaled differences give 5e-170 and
    # 6e-170, half the mass each: W1 = 5.5e-170
    x, y = [[1.0, 0.0, 0.0]], [[1.0, 3e-170, 4e-170], [1.0, -6e-170, 0.0]]
    assert transport.wasserstein1(x, y) == pytest.approx(5.5e-170, rel=1e-15, abs=0)
    assert transport.kantorovich_dual(x, y).value == pytest.approx(5.5e-170, rel=1e-9, abs=0)
    assert transport.wasserstein1([[1.0, 2.0]], [[1.0, 2.0]]) == 0.0      # equal points stay exactly 0


def test_kantorovich_potential_attains_the_value_and_has_the_right_sign():
    # x = {0, 1} (1/2 each), y = {3}: every unit of mass moves right, W1 = (3 + 2) / 2 = 2.5; with f(x_0)
    # pinned to 0 the optimal potential decreases with slope -1 towards y: f = (0, -1) on x, -3 on y
    for scale in (1.0, 2.0 ** 40):            # 2**40: the linear program runs on rescaled distances
        dual = transport.kantorovich_dual(np.array([[0.0], [1.0]]) * scale, np.array([[3.0]]) * scale)
        np.testing.assert_allclose(dual.f_x, [0.0, -scale], rtol=1e-9, atol=1e-9 * scale)
        np.testing.assert_allclose(dual.f_y, [-3 * scale], rtol=1e-9)
        assert dual.value == pytest.approx(0.5 * (dual.f_x.sum()) - dual.f_y[0], rel=1e-9)
        assert dual.value == pytest.approx(2.5 * scale, rel=1e-9)


def test_kantorovich_dual_reports_a_failed_linear_program(monkeypatch):
    class Failed:
        status, message = 2, "The problem is infeasible."
    monkeypatch.setattr(transport, "linprog", lambda *args, **kwargs: Failed())
    with pytest.raises(RuntimeError, match=r"^the dual linear program failed: The problem is infeasible\.$"):
        transport.kantorovich_dual([0.0], [1.0])


@pytest.mark.parametrize("call, error, message", [
    (lambda: transport.wasserstein1([0.0, 1.0], [1.0], a=["x", "y"]), TypeError, r"^a must be an array of numbers"),
    (lambda: transport.wasserstein1([0.0, 1.0], [1.0], a=[np.nan, 1.0]), ValueError, r"^a must be non-negative and finite$"),
    (lambda: transport.wasserstein1([0.0, 1.0], [1.0], b=[]), ValueError,
     r"^b must have one weight per point \(1\), got shape \(0,\)$"),
    (lambda: transport.wasserstein1([[0.0, 0.0]], [[0.0]]), ValueError, r"^x and y live in different dimensions: 2 vs 1$"),
    (lambda: transport.kantorovich_dual([0.0], [1.0], lipschitz=0.0), ValueError,
     r"^lipschitz \(the constant K\) must be > 0, got 0$"),
    (lambda: transport.wasserstein1_1d([[0.0, 0.0]], [[1.0, 0.0]]), ValueError,
     r"^wasserstein1_1d needs points on the line, got dimension 2$"),
    (lambda: transport.minibatch_w1(torch.zeros(0, 2), torch.zeros(2, 2)), ValueError,
     r"^real must be a non-empty \(n, d\) tensor, got shape \(0, 2\)$"),
    # no coordinates at all: used to fail inside torch's max() of an empty tensor
    (lambda: transport.minibatch_w1(torch.zeros(2, 0), torch.zeros(2, 0)), ValueError,
     r"^real must be a non-empty \(n, d\) tensor, got shape \(2, 0\)$"),
    (lambda: transport.minibatch_w1(torch.zeros(2, 2), torch.zeros(2, 3)), ValueError,
     r"^real and fake live in different dimensions: 2 vs 3$"),
])
def test_transport_messages_are_exact(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_zero_weights_are_allowed():
    # a = (0, 1): the point at 0 carries no mass, so W1 = |2 - 1| = 1
    assert transport.wasserstein1([0.0, 2.0], [1.0], a=[0.0, 1.0]) == pytest.approx(1.0, rel=1e-15)


def test_minibatch_w1_mixed_precision_follows_fake():
    # real in float32, fake in float64: real is cast to fake's dtype; W1 = (1 + 2) / 2 as in the hand case
    fake = torch.tensor([[0.0, 0.0], [10.0, 0.0]], dtype=torch.float64)
    real = torch.tensor([[10.0, 2.0], [0.0, 1.0]], dtype=torch.float32)
    value = transport.minibatch_w1(real, fake)
    assert value.dtype == torch.float64 and value.item() == 1.5
    value32 = transport.minibatch_w1(real.double(), fake.float())
    assert value32.dtype == torch.float32 and value32.item() == 1.5


def test_minibatch_w1_far_from_the_origin_is_exact():
    # 30 points at 1e6 + O(1): distances through ||x||^2 + ||y||^2 - 2 x.y (matrix products) lose
    # ~1e12 * 1e-16 of each square; the direct differences keep the float64 W1 to 1e-12
    g = torch.Generator().manual_seed(3)
    fake = 1e6 + torch.randn(30, 2, generator=g, dtype=torch.float64)
    real = 1e6 + torch.randn(30, 2, generator=g, dtype=torch.float64)
    assert transport.minibatch_w1(real, fake).item() == pytest.approx(
        transport.wasserstein1(fake.numpy() - 1e6, real.numpy() - 1e6), rel=1e-9)
