import numpy as np
import pytest
import torch

import ganbook
from ganbook import session


def test_same_seed_same_draws():
    ganbook.setup(seed=3)
    first = (np.random.rand(3), torch.rand(3))
    ganbook.setup(seed=3)
    second = (np.random.rand(3), torch.rand(3))
    np.testing.assert_array_equal(first[0], second[0])
    torch.testing.assert_close(first[1], second[1], rtol=0, atol=0)


def test_profile_defaults_to_device_and_env_overrides(monkeypatch):
    monkeypatch.delenv("GANBOOK_PROFILE", raising=False)
    session = ganbook.setup()
    assert session.profile == ("gpu" if torch.cuda.is_available() else "cpu")
    monkeypatch.setenv("GANBOOK_PROFILE", "gpu")
    session = ganbook.setup(seed=1)
    assert (session.profile, session.seed) == ("gpu", 1)
    assert session.size(cpu=10, gpu=1000) == 1000
    assert ganbook.setup(profile="cpu").size(cpu=10, gpu=1000) == 10


def test_cpu_ops_are_deterministic():
    ganbook.setup()
    assert torch.are_deterministic_algorithms_enabled()


@pytest.mark.parametrize("kwargs, word", [({"seed": -1}, "seed"), ({"profile": "tpu"}, "profile")])
def test_bad_arguments_are_named(kwargs, word):
    with pytest.raises(ValueError, match=word):
        ganbook.setup(**kwargs)


@pytest.mark.parametrize("call", [ganbook.setup, session.seed_everything])
@pytest.mark.parametrize("seed, error, message", [
    (2 ** 32, ValueError, r"^seed must be an integer <= 4294967295, got 4294967296$"),
    (2 ** 64, ValueError, r"^seed must be an integer <= 4294967295"),
    (-1, ValueError, r"^seed must be an integer >= 0, got -1$"),
    (1.0, TypeError, r"^seed must be an integer, got 1.0 \(float\)$"),
    (True, TypeError, r"^seed must be an integer, got True \(bool\)$"),
])
def test_seeds_numpy_cannot_take_are_refused_by_name(call, seed, error, message):
    with pytest.raises(error, match=message):
        call(seed)


def test_progress_is_quiet_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert session.show_progress() is False
    assert session.progress_bar(range(3), desc="x") == range(3)


def test_progress_bar_wraps_when_asked(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    bar = session.progress_bar(range(3), desc="steps", show=True)
    assert list(bar) == [0, 1, 2] and bar.desc == "steps"          # a tqdm bar
