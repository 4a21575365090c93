import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ganbook import data, plots  # noqa: E402


def test_each_figure_type_draws_labelled_axes():
    x = np.linspace(0, 1, 5)
    ax = plots.theory_and_measured(x, x ** 2, x, x ** 2 + 0.01, xlabel="m", ylabel="sd")
    assert ax.get_xlabel() == "m" and len(ax.lines) >= 1
    ax = plots.seed_band(x, np.vstack([x, 2 * x]), label="GAN", ylabel="modes")
    assert ax.get_ylabel() == "modes" and len(ax.collections) == 1
    ring = data.ring()
    ax = plots.samples_over_modes(ring.means + 0.01, ring.means)
    assert ax.get_aspect() == 1.0
    ax = plots.image_grid(np.zeros((12, 1, 8, 8)), nrow=6)
    assert ax.images[0].get_array().shape == (2 * 9 + 1, 6 * 9 + 1)
    plt.close("all")


def test_image_grid_refuses_colour_images():
    with pytest.raises(ValueError, match="images"):
        plots.image_grid(np.zeros((2, 3, 8, 8)))
