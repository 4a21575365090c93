r"""A measurement over seeds, summarised for the page, and Markdown tables of such summaries.

:func:`summarise` turns one number per seed into a :class:`SeedSummary`: the mean
:math:`\bar v = \frac1n \sum_i v_i`, its standard error :math:`s / \sqrt n` (with the sample
standard deviation :math:`s`, ``ddof = 1``), the range and the values themselves. Its
:meth:`~SeedSummary.text` is the book's cell format, ``"mean (min–max)"``, with ``± SE`` or the
per-seed values on request. A summary refuses non-finite values: a comparison over seeds never
averages an inf. :func:`markdown_table` renders rows of cells as a Markdown table
(display it with ``IPython.display.Markdown``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence, Union

import numpy as np

Format = Union[str, Callable[[float], str]]


def _formatter(fmt: Format) -> Callable[[float], str]:
    if callable(fmt):
        return fmt
    if isinstance(fmt, str) and "{" in fmt:
        return fmt.format
    raise ValueError(f"fmt must be a format string such as '{{:.2f}}' or a function, got {fmt!r}")


@dataclass(frozen=True)
class SeedSummary:
    """One measurement over seeds: ``values`` (one per seed, finite) and their summary statistics."""

    values: np.ndarray

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def se(self) -> float:
        """Standard error of the mean, :math:`s / \\sqrt n` (NaN for a single seed: no spread measured)."""
        return float(np.std(self.values, ddof=1) / math.sqrt(self.n)) if self.n > 1 else float("nan")

    @property
    def min(self) -> float:
        return float(np.min(self.values))

    @property
    def max(self) -> float:
        return float(np.max(self.values))

    def text(self, fmt: Format = "{:.2f}", *, se: bool = False, per_seed: bool = False) -> str:
        """``"mean (min–max)"``; ``se=True``: ``"mean ± SE (min–max)"``; ``per_seed=True`` adds the values.

        ``fmt`` formats every number: a format string (``"{:.2f}"``) or a function
        (``lambda v: f"{100 * v:.1f}%"``). With one seed the cell is that value alone.
        """
        f = _formatter(fmt)
        if self.n == 1:
            return f(self.values[0])
        middle = f"{f(self.mean)} ± {f(self.se)}" if se else f(self.mean)
        spread = f"{f(self.min)}–{f(self.max)}"
        if per_seed:
            spread += "; " + ", ".join(f(v) for v in self.values)
        return f"{middle} ({spread})"


def summarise(values, *, name: str = "values") -> SeedSummary:
    """A :class:`SeedSummary` of one finite real number per seed (a non-empty 1-D array-like)."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf" or array.dtype == bool:
        raise ValueError(f"{name} must be real numbers, got dtype {array.dtype}")
    array = array.astype(float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array (one value per seed), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains non-finite values {array[~np.isfinite(array)]}: a summary "
                         f"over seeds never averages an inf or a NaN")
    return SeedSummary(array)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table: ``header`` then one line per row; cells are ``str(cell)``, ``|`` escaped.

    Chapters: 06, 07, 09, 11 (seed-summary tables).
    """
    header = [str(h).replace("|", "\\|") for h in header]
    if not header:
        raise ValueError("header is empty: a table needs at least one column")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for index, row in enumerate(rows):
        cells = [str(cell).replace("|", "\\|") for cell in row]
        if len(cells) != len(header):
            raise ValueError(f"rows[{index}] has {len(cells)} cells, the header {len(header)}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
