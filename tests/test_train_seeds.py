"""K seeds trained together must be, seed by seed, the K runs of train() (up to floating-point rounding)."""

import numpy as np
import pytest
import torch

import ganbook
from ganbook import data, models, train

SEEDS = (0, 3, 7)


def mlp_pair(minibatch=None):
    def build(seed):
        return models.MLPGenerator(2, 2, (16, 16)), models.MLPDiscriminator(2, (16, 16), minibatch=minibatch)
    return build


def conditional_pair(seed):
    return models.ConditionalGenerator(2, 8, 2, (16,)), models.ConditionalDiscriminator(2, 8, (16,))


def info_pair(seed):
    return models.MLPGenerator(2 + 8, 2, (16,)), models.InfoGANDiscriminator(2, 8, (16,))


CASES = {
    "nsgan": (mlp_pair(), data.ring(), {"objective": "nsgan"}),
    "minimax": (mlp_pair(), data.ring(), {"objective": "gan"}),
    "wgan clipping": (mlp_pair(), data.ring(), {"objective": "wgan", "lr_d": 1e-3, "lr_g": 1e-3}),
    "wgan-gp": (mlp_pair(), data.ring(), {"objective": "wgan-gp"}),
    "lsgan": (mlp_pair(), data.ring(), {"objective": "lsgan"}),
    "hinge": (mlp_pair(), data.ring(), {"objective": "hinge"}),
    "feature matching": (mlp_pair(), data.ring(), {"generator_loss": "feature_matching"}),
    "minibatch discrimination": (mlp_pair("discrimination"), data.ring(), {}),
    "minibatch stddev": (mlp_pair("stddev"), data.ring(), {}),
    "conditional": (conditional_pair, data.ring(labelled=True), {}),
    "conditional wgan-gp": (conditional_pair, data.ring(labelled=True), {"objective": "wgan-gp"}),
    "infogan": (info_pair, data.ring(), {"info": train.InfoCode(8)}),
    "exact w1": (lambda seed: (models.MLPGenerator(2, 2, (16,)), None), data.ring(),
                 {"generator_loss": "minibatch_w1"}),
}


# The L1 distances of minibatch discrimination are not differentiable where two samples' kernel
# coordinates coincide (collapsed batches): a rounding difference can flip a subgradient's sign,
# which moves the generator's gradient norm by up to ~1e-3 relative (measured: 7e-4 on seed 0).
ROUGH = {("minibatch discrimination", "g_grad_norm"): 2e-3}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_seed_matches_its_sequential_run(case):
    build, target, options = CASES[case]
    steps = 15
    runs = train.train_seeds(build, target, seeds=SEEDS, steps=steps, progress=False, **options)
    assert [run.seed for run in runs] == list(SEEDS)
    for run in runs:
        ganbook.setup(run.seed)
        G, D = build(run.seed)
        alone = train.train(G, D, target, steps=steps, seed=run.seed, progress=False, **options)
        # rounding: batched products sum in another order (float32, ~1e-7 relative per step)
        for name in ("d_loss", "g_loss", "d_grad_norm", "g_grad_norm"):
            np.testing.assert_allclose(getattr(run.history, name), getattr(alone, name),
                                       rtol=ROUGH.get((case, name), 1e-4), atol=1e-5,
                                       err_msg=f"{case}, seed {run.seed}, {name}")
        for together, single in zip(run.generator.parameters(), G.parameters()):
            torch.testing.assert_close(together, single, rtol=1e-4, atol=1e-5)
        for together, single in zip(*(m.parameters() if m is not None else () for m in (run.discriminator, D))):
            torch.testing.assert_close(together, single, rtol=1e-4, atol=1e-5)


def test_seeds_differ_and_evaluations_and_callbacks_are_per_seed():
    calls = []
    runs = train.train_seeds(mlp_pair(), data.ring(), seeds=(0, 1), steps=6, progress=False,
                             evaluate=lambda G: {"mean": G(torch.zeros(1, 2)).sum().item()},
                             eval_every=3, callbacks=[lambda step, seed, G, D: calls.append((step, seed))])
    assert not np.array_equal(runs[0].history.d_loss, runs[1].history.d_loss)
    for run in runs:
        assert [e["step"] for e in run.history.evaluations] == [0, 3, 6]
        # the evaluation saw the model as trained so far (the live view of the stack)
        assert run.history.evaluations[-1]["mean"] == pytest.approx(
            run.generator(torch.zeros(1, 2)).sum().item())
    assert calls == [(step, seed) for step in range(1, 7) for seed in (0, 1)]


def test_returned_models_are_trained_and_usable_alone():
    build = mlp_pair()
    ganbook.setup(0)
    untrained = build(0)[0]
    (run,) = train.train_seeds(build, data.ring(), seeds=[0], steps=5, progress=False)
    moved = [not torch.equal(a, b) for a, b in zip(run.generator.parameters(), untrained.parameters())]
    assert all(moved)
    assert train.generate(run.generator, 4).shape == (4, 2)


@pytest.mark.parametrize("kwargs, word", [
    ({"seeds": []}, "seeds is empty"),
    ({"seeds": [0, -1]}, "seed"),
    ({"seeds": [0, 0]}, "seeds must be distinct"),
    ({"seeds": [0, 2 ** 64]}, "seed"),
    ({"lr_d": float("inf")}, "lr_d"),
    ({"clip": float("nan")}, "clip"),
    ({"betas": ()}, "betas"),
    ({"objective": "nope"}, "unknown objective"),
    ({"generator_loss": "l2"}, "generator_loss"),
    ({"penalty": -1}, "penalty"),
])
def test_bad_arguments_are_named(kwargs, word):
    options = {"seeds": [0, 1], "steps": 2, "progress": False, **kwargs}
    with pytest.raises(ValueError, match=word):
        train.train_seeds(mlp_pair(), data.ring(), **options)


def test_a_build_that_returns_the_same_modules_twice_is_refused():
    shared = mlp_pair()(0)
    with pytest.raises(ValueError, match="returned a module it had returned before"):
        train.train_seeds(lambda seed: shared, data.ring(), seeds=[0, 1], steps=1, progress=False)
    with pytest.raises(ValueError, match="build must return"):
        train.train_seeds(lambda seed: shared[0], data.ring(), seeds=[0], steps=1, progress=False)


def test_convolutional_models_train_one_seed_after_another_through_the_same_steps():
    def build(seed):
        return models.DCGANGenerator(4, width=8), models.DCGANDiscriminator(width=8)
    digits = data.digits()
    runs = train.train_seeds(build, digits, seeds=[0, 1], steps=2, batch_size=8, progress=False)
    for run in runs:
        ganbook.setup(run.seed)
        alone = train.train(*build(run.seed), digits, steps=2, batch_size=8, seed=run.seed, progress=False)
        for name in ("d_loss", "g_loss", "d_grad_norm", "g_grad_norm"):
            np.testing.assert_array_equal(getattr(run.history, name), getattr(alone, name))


def test_the_optimizer_can_be_overridden_for_both_paths():
    (run,) = train.train_seeds(mlp_pair(), data.ring(), seeds=[2], objective="wgan", steps=8,
                               optimizer="adam", betas=(0.5, 0.999), progress=False)
    ganbook.setup(2)
    G, D = mlp_pair()(2)
    alone = train.train(G, D, data.ring(), objective="wgan", steps=8, seed=2, optimizer="adam",
                        betas=(0.5, 0.999), progress=False)
    np.testing.assert_allclose(run.history.d_loss, alone.d_loss, rtol=1e-4, atol=1e-6)
    default = train.train_seeds(mlp_pair(), data.ring(), seeds=[2], objective="wgan", steps=8, progress=False)
    assert not np.allclose(default[0].history.d_loss, alone.d_loss)


@pytest.mark.parametrize("options", [{"objective": "gan"}, {"objective": "wgan-gp"},
                                     {"objective": "wgan", "lr": 1e-3}])
def test_discriminators_fitted_together_are_the_runs_of_fit_discriminator(options):
    real, fake = data.GaussianMixture([[0.0, 1.0]], 0.5), data.GaussianMixture([[1.0, 0.0]], 0.5)
    build = lambda seed: models.MLPDiscriminator(2, (16, 16))
    runs = train.fit_discriminator_seeds(build, real, fake, seeds=SEEDS, steps=12, batch_size=32,
                                         progress=False, **options)
    assert [run.seed for run in runs] == list(SEEDS)
    for run in runs:
        ganbook.setup(run.seed)
        alone = build(run.seed)
        losses = train.fit_discriminator(alone, real, fake, steps=12, batch_size=32, seed=run.seed,
                                         progress=False, **options)
        np.testing.assert_allclose(run.history.d_loss, losses, rtol=1e-4, atol=1e-6)
        assert run.generator is None and np.isnan(run.history.g_loss).all()
        for together, single in zip(run.discriminator.parameters(), alone.parameters()):
            torch.testing.assert_close(together, single, rtol=1e-4, atol=1e-5)


def test_fitted_discriminators_are_evaluated_untrained_first():
    real, fake = data.GaussianMixture([0.0], 1.0), data.GaussianMixture([2.0], 1.0)
    build = lambda seed: models.MLPDiscriminator(1, (8,))
    at = torch.tensor([[0.5]])
    score = lambda D: {"out": D(at).item()}
    runs = train.fit_discriminator_seeds(build, real, fake, seeds=(0, 1), steps=4, eval_every=2,
                                         evaluate=score, progress=False)
    for run in runs:
        assert [e["step"] for e in run.history.evaluations] == [0, 2, 4]
        assert run.history.evaluations[0]["out"] == score(train.initial_models(lambda s: (None, build(s)),
                                                                               run.seed)[1])["out"]
        assert run.history.evaluations[-1]["out"] == score(run.discriminator)["out"]
        assert run.history.evaluations[0]["out"] != run.history.evaluations[-1]["out"]


def test_fit_discriminator_seeds_names_bad_arguments():
    real, fake = data.GaussianMixture([0.0], 1.0), data.GaussianMixture([[2.0, 0.0]], 1.0)
    build = lambda seed: models.MLPDiscriminator(1, (8,))
    with pytest.raises(ValueError, match="differ in dimension"):
        train.fit_discriminator_seeds(build, real, fake, seeds=[0], steps=1, progress=False)
    with pytest.raises(ValueError, match="seeds must be distinct"):
        train.fit_discriminator_seeds(build, real, real, seeds=[1, 1], steps=1, progress=False)
    with pytest.raises(ValueError, match="discriminator must be a torch.nn.Module"):
        train.fit_discriminator_seeds(lambda seed: None, real, real, seeds=[0], steps=1, progress=False)


def test_initial_models_are_the_models_a_run_starts_from():
    build = mlp_pair()
    G, D = train.initial_models(build, 3)
    (run,) = train.train_seeds(build, data.ring(), seeds=[3], steps=0, progress=False)
    for rebuilt, started in zip([*G.parameters(), *D.parameters()],
                                [*run.generator.parameters(), *run.discriminator.parameters()]):
        torch.testing.assert_close(rebuilt, started, rtol=0, atol=0)
    other = train.initial_models(build, 4)[0]
    assert not torch.equal(next(other.parameters()), next(G.parameters()))
    with pytest.raises(ValueError, match="build must return"):
        train.initial_models(lambda seed: G, 0)
    with pytest.raises(ValueError, match="seed"):
        train.initial_models(build, -1)


def test_a_q_head_fitted_to_coded_samples_learns_their_codes():
    coded, plain = data.ring(4, std=0.05, labelled=True), data.ring(4, std=0.05)
    build = lambda seed: models.InfoGANDiscriminator(2, 4, (16,))
    x, code = coded.sample(400, generator=torch.Generator().manual_seed(5))
    accuracy = lambda D: {"accuracy": (D.forward_with_code(x)[1].argmax(1) == code).float().mean().item()}
    runs = train.fit_discriminator_seeds(build, plain, coded, seeds=(0, 1), info=train.InfoCode(4), steps=150,
                                         lr=1e-2, evaluate=accuracy, progress=False)
    for run in runs:
        assert run.history.evaluations[0]["accuracy"] < 0.6 < 0.95 < run.history.evaluations[-1]["accuracy"]
        ganbook.setup(run.seed)
        alone = build(run.seed)
        losses = train.fit_discriminator(alone, plain, coded, info=train.InfoCode(4), steps=150, lr=1e-2,
                                         seed=run.seed, progress=False)
        np.testing.assert_allclose(run.history.d_loss, losses, rtol=1e-4, atol=1e-6)


def test_fitting_a_q_head_names_what_is_missing():
    coded, plain = data.ring(4, labelled=True), data.ring(4)
    info_d = models.InfoGANDiscriminator(2, 4, (8,))
    with pytest.raises(ValueError, match="labelled fake sampler"):
        train.fit_discriminator(info_d, plain, plain, info=train.InfoCode(4), steps=1, progress=False)
    with pytest.raises(ValueError, match="labelled fake sampler"):
        train.fit_discriminator(info_d, plain, data.ring(3, labelled=True), info=train.InfoCode(4), steps=1,
                                progress=False)
    with pytest.raises(ValueError, match="Q head"):
        train.fit_discriminator(models.MLPDiscriminator(2, (8,)), plain, coded, info=train.InfoCode(4), steps=1,
                                progress=False)
    with pytest.raises(ValueError, match="fake is labelled"):
        train.fit_discriminator(models.MLPDiscriminator(2, (8,)), plain, coded, steps=1, progress=False)
