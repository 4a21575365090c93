import numpy as np
import pytest
import torch

from ganbook import models


def test_mlp_shapes():
    G, D = models.MLPGenerator(3, 2, (16,)), models.MLPDiscriminator(2, (16, 8))
    x = G(torch.randn(5, 3))
    assert x.shape == (5, 2) and D(x).shape == (5,) and D.features(x).shape == (5, 8)


@pytest.mark.parametrize("kind", ["discrimination", "stddev"])
def test_minibatch_features_tell_copies_from_diverse_batches(kind):
    torch.manual_seed(0)
    D = models.MLPDiscriminator(2, (16,), minibatch=kind)
    layer = D.minibatch
    diverse = torch.randn(8, 16)
    copies = diverse[:1].expand(8, 16)
    extra_diverse = layer(diverse)[:, 16:]
    extra_copies = layer(copies)[:, 16:]
    if kind == "discrimination":
        # identical rows: every exp(-||M_i - M_j||) = 1, so each kernel's sum is the batch size
        torch.testing.assert_close(extra_copies, torch.full_like(extra_copies, 8.0))
        assert (extra_diverse < 8.0).all()
    else:
        torch.testing.assert_close(extra_copies, torch.zeros_like(extra_copies))
        assert (extra_diverse > 0).all()
    assert D(torch.randn(8, 2)).shape == (8,)


def test_conditional_and_infogan_models():
    G = models.ConditionalGenerator(4, n_classes=3, data_dim=2, hidden=(8,))
    D = models.ConditionalDiscriminator(2, n_classes=3, hidden=(8,))
    y = torch.tensor([0, 2])
    assert G(torch.randn(2, 4), y).shape == (2, 2) and D(torch.randn(2, 2), y).shape == (2,)
    Q = models.InfoGANDiscriminator(2, n_categories=5, hidden=(8,))
    logits, code_logits = Q.forward_with_code(torch.randn(6, 2))
    assert logits.shape == (6,) and code_logits.shape == (6, 5)


@pytest.mark.parametrize("size", [8, 16])
@pytest.mark.parametrize("switches", [
    {}, {"upsample": "nearest"}, {"batch_norm": False}, {"fully_connected": True}, {"output": "linear"}])
def test_dcgan_generator_variants(size, switches):
    G = models.DCGANGenerator(latent_dim=8, size=size, width=16, **switches)
    x = G(torch.randn(4, 8))
    assert x.shape == (4, 1, size, size)
    if switches.get("output", "tanh") == "tanh":
        assert x.abs().max() <= 1


@pytest.mark.parametrize("size", [8, 16])
@pytest.mark.parametrize("switches", [
    {}, {"downsample": "pool"}, {"batch_norm": False}, {"activation": "relu"}, {"fully_connected": True}])
def test_dcgan_discriminator_variants(size, switches):
    D = models.DCGANDiscriminator(size=size, width=16, **switches)
    assert D(torch.randn(4, 1, size, size)).shape == (4,)


def test_guideline_switches_change_the_architecture():
    default = models.DCGANDiscriminator(width=16)
    assert any(isinstance(m, torch.nn.LeakyReLU) for m in default.modules())
    relu = models.DCGANDiscriminator(width=16, activation="relu")
    assert not any(isinstance(m, torch.nn.LeakyReLU) for m in relu.modules())
    pooled = models.DCGANDiscriminator(width=16, downsample="pool")
    assert any(isinstance(m, torch.nn.AvgPool2d) for m in pooled.modules())
    assert not any(isinstance(m, torch.nn.BatchNorm2d)
                   for m in models.DCGANGenerator(width=16, batch_norm=False).modules())


@pytest.mark.parametrize("call, word", [
    (lambda: models.MLPGenerator(0, 2), "latent_dim"),
    (lambda: models.MLPDiscriminator(2, minibatch="pairs"), "minibatch"),
    (lambda: models.mlp(2, (4,), activation="swish"), "activation"),
    (lambda: models.DCGANGenerator(size=32), "size"),
    (lambda: models.DCGANDiscriminator(downsample="max"), "downsample"),
])
def test_bad_arguments_are_named(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_an_infogan_generator_owns_its_code_concatenation():
    torch.manual_seed(0)
    inner = models.MLPGenerator(2 + 8, 2, (16,))
    G = models.InfoGANGenerator(inner, 8)
    z, code = torch.randn(5, 2), torch.tensor([0, 1, 2, 7, 7])
    expected = inner(torch.cat([z, torch.nn.functional.one_hot(code, 8).float()], dim=1))
    assert G.latent_dim == 2
    torch.testing.assert_close(G(z, code), expected, rtol=0, atol=0)
    with pytest.raises(ValueError, match="latent_dim"):
        models.InfoGANGenerator(models.MLPGenerator(8, 2, (4,)), 8)


def test_generate_samples_plain_conditional_and_infogan_generators():
    torch.manual_seed(0)
    G = models.MLPGenerator(2, 2, (8,))
    first, again = models.generate(G, 4, seed=3), models.generate(G, 4, seed=3)
    assert first.shape == (4, 2) and torch.equal(first, again)
    assert not torch.equal(first, models.generate(G, 4, seed=4))
    C = models.ConditionalGenerator(2, 3, 2, (8,))
    assert models.generate(C, 3, labels=torch.tensor([0, 1, 2])).shape == (3, 2)
    inner = models.MLPGenerator(2 + 8, 2, (8,))
    code = torch.tensor([0, 5, 7])
    assert torch.equal(models.generate(inner, 3, seed=1, code=code, n_categories=8),
                       models.generate(models.InfoGANGenerator(inner, 8), 3, seed=1, code=code))
    with pytest.raises(ValueError, match="n_categories"):
        models.generate(inner, 3, code=code)
    with pytest.raises(ValueError, match="n must be"):
        models.generate(G, 0)
    with pytest.raises(ValueError, match="seed"):
        models.generate(G, 2, seed=-1)


def test_mixes_examples_finds_the_layers_that_use_the_batch():
    assert not models.mixes_examples(models.MLPDiscriminator(2, (8,)))
    assert models.mixes_examples(models.MLPDiscriminator(2, (8,), minibatch="stddev"))
    assert models.mixes_examples(models.MLPDiscriminator(2, (8,), minibatch="discrimination"))
    assert models.mixes_examples(models.DCGANGenerator())                 # batch norm
    assert models.mixes_examples(models.MLPDiscriminator(2, (8,), pack=2))
    assert not models.mixes_examples(models.DCGANGenerator(batch_norm=False))


def test_packed_discriminator_scores_concatenated_pairs():
    """PacGAN (Lin et al. 2018): pack 2 scores samples (x1, x2), (x3, x4), ... as one input each."""
    torch.manual_seed(0)
    D = models.MLPDiscriminator(2, (16,), pack=2)
    x = torch.randn(6, 2)
    assert D(x).shape == (3,) and D.features(x).shape == (3, 16)
    pairs = torch.cat([x[0::2], x[1::2]], dim=1)           # row i: (x_{2i}, x_{2i+1})
    torch.testing.assert_close(D(x), D.head(D.body(pairs)).squeeze(-1))
    swapped = x[[1, 0, 2, 3, 4, 5]]                         # the order inside a pack matters
    assert not torch.allclose(D(swapped)[0], D(x)[0])
    torch.testing.assert_close(D(swapped)[1:], D(x)[1:])


def test_packed_discriminator_refuses_a_batch_that_does_not_divide():
    D = models.MLPDiscriminator(2, (8,), pack=3)
    with pytest.raises(ValueError, match="packs of 3"):
        D(torch.randn(4, 2))
    with pytest.raises(ValueError, match="pack"):
        models.MLPDiscriminator(2, (8,), pack=0)


def test_packed_discriminator_trains_stacked_seeds_as_alone():
    """Packing keeps the seed axis: two seeds trained together match each seed trained alone."""
    import ganbook
    from ganbook import data, train

    def build(seed):
        return models.MLPGenerator(2, 2, (8,)), models.MLPDiscriminator(2, (8,), pack=2)

    together = train.train_seeds(build, data.ring(), seeds=[0, 1], steps=5, batch_size=8, progress=False)
    for run in together:
        ganbook.setup(run.seed)
        G, D = build(run.seed)
        alone = train.train(G, D, data.ring(), steps=5, batch_size=8, seed=run.seed, progress=False)
        np.testing.assert_allclose(run.history.d_loss, alone.d_loss, rtol=1e-4, atol=1e-6)
