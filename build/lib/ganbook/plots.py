"""The figure types the book repeats, in one style; captions are left to the chapters.

Each function draws on ``ax`` (a new figure when omitted) and returns the axes, labelled.
Plotting never trains or measures anything: it only shows what was measured.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

THEORY = dict(color="black", lw=1.5, zorder=2)
MEASURED = dict(marker="o", ms=5, ls="none", zorder=3)


def _axes(ax: Axes | None, size=(5.5, 3.5)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _numpy(values) -> np.ndarray:
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=float)


def theory_and_measured(x, theory, x_measured, measured, *, yerr=None, ax: Axes | None = None,
                        theory_label: str = "theory", measured_label: str = "measured",
                        xlabel: str = "", ylabel: str = "", logx: bool = False,
                        logy: bool = False) -> Axes:
    """A theory curve and measured points (with optional error bars) on the same axes."""
    ax = _axes(ax)
    ax.plot(_numpy(x), _numpy(theory), label=theory_label, **THEORY)
    ax.errorbar(_numpy(x_measured), _numpy(measured),
                yerr=None if yerr is None else _numpy(yerr), label=measured_label, capsize=3,
                **MEASURED)
    ax.set(xlabel=xlabel, ylabel=ylabel, xscale="log" if logx else "linear",
           yscale="log" if logy else "linear")
    ax.legend(frameon=False)
    return ax


def seed_band(steps, values, *, label: str = "", ax: Axes | None = None, color=None,
              xlabel: str = "generator step", ylabel: str = "") -> Axes:
    """Training curves over seeds: the median as a line, the range over seeds as a band.

    ``values`` is ``(n_seeds, n_points)``.
    """
    ax = _axes(ax)
    values = np.atleast_2d(_numpy(values))
    steps = _numpy(steps)
    line, = ax.plot(steps, np.median(values, axis=0), label=label, color=color)
    ax.fill_between(steps, values.min(axis=0), values.max(axis=0), color=line.get_color(),
                    alpha=0.2, lw=0)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if label:
        ax.legend(frameon=False)
    return ax


def samples_over_modes(samples, centers, *, ax: Axes | None = None, title: str = "",
                       max_points: int = 2500) -> Axes:
    """A 2-D scatter of samples with the mode centres marked."""
    ax = _axes(ax, size=(3.5, 3.5))
    samples, centers = _numpy(samples)[:max_points], _numpy(centers)
    ax.scatter(samples[:, 0], samples[:, 1], s=3, alpha=0.4, lw=0, label="samples")
    ax.scatter(centers[:, 0], centers[:, 1], s=40, marker="x", color="black", label="modes")
    span = np.abs(centers).max() * 1.4 + 0.1
    ax.set(xlim=(-span, span), ylim=(-span, span), aspect="equal", title=title)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def image_grid(images, *, nrow: int = 10, ax: Axes | None = None, title: str = "") -> Axes:
    """Greyscale images ``(n, 1, h, w)`` in [-1, 1] tiled in rows of ``nrow``."""
    images = _numpy(images)
    if images.ndim != 4 or images.shape[1] != 1:
        raise ValueError(f"images must be (n, 1, h, w), got {images.shape}")
    n, _, h, w = images.shape
    rows = int(np.ceil(n / nrow))
    canvas = np.full((rows * (h + 1) + 1, nrow * (w + 1) + 1), -1.0)
    for k in range(n):
        r, c = divmod(k, nrow)
        canvas[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + c * (w + 1):1 + c * (w + 1) + w] = images[k, 0]
    ax = _axes(ax, size=(nrow * 0.5, rows * 0.5 + 0.3))
    ax.imshow(canvas, cmap="gray", vmin=-1, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    ax.set_title(title)
    return ax
