r"""The published numbers of the 2-D mode-collapse benchmarks, and ours in the same form.

The ring (8 Gaussians, :func:`ganbook.data.ring`) and the grid (25 Gaussians,
:func:`ganbook.data.grid`) are scored by :func:`ganbook.metrics.mode_metrics` (modes captured,
high-quality share, reverse KL). The papers' tables (VEEGAN, Srivastava et al. 2017, Table 1;
PacGAN, Lin et al. 2018, Table 1; GDPP, Elfeki et al. 2019, Table 1) are copied once, with their
citations, into ``mode_benchmarks.yml`` shipped inside the package; :func:`published` reads them,
so no chapter retypes a published number. :func:`mean_and_error` summarises our seeds the way
PacGAN does (mean :math:`\pm` standard error :math:`s/\sqrt n`), refusing to average an infinite
reverse KL.

Claims: ``mode-collapse``, ``feature-matching``, ``minibatch-features``,
``critic-optimality-vs-collapse``. Chapter: 09.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from ganbook.claims import package_file

#: The benchmarks and how many modes each has.
BENCHMARKS = {"ring": 8, "grid": 25}
#: The metrics a table may report (high_quality in percent, as the papers print it).
METRICS = ("modes", "high_quality", "reverse_kl")


@dataclass(frozen=True)
class Value:
    """A published number and its standard error (``None`` when the table gives none)."""

    mean: float
    error: float | None = None

    def __str__(self) -> str:
        return f"{self.mean:g}" if self.error is None else f"{self.mean:g} ± {self.error:g}"

    def text(self, digits: int, scale: float = 1.0) -> str:
        """``mean ± error`` with ``digits`` decimals, both multiplied by ``scale`` (100: percent)."""
        mean = f"{scale * self.mean:.{digits}f}"
        return mean if self.error is None else f"{mean} ± {scale * self.error:.{digits}f}"


@dataclass(frozen=True)
class PublishedTable:
    """One paper's table: its citation, how it aggregates runs, its setup, and its rows.

    ``rows[method][benchmark][metric]`` is a :class:`Value`; a metric the paper does not report
    is absent. ``steps`` and ``batch`` are the training budget when the paper states them.
    """

    name: str
    citation: str
    source: str
    aggregate: str
    setup: str
    rows: dict[str, dict[str, dict[str, Value]]]
    steps: int | None = None
    batch: int | None = None

    def metric(self, method: str, benchmark: str, metric: str) -> Value | None:
        """The table's value of ``metric`` for ``method`` on ``benchmark`` (None if not reported)."""
        if method not in self.rows:
            raise KeyError(f"table {self.name!r} has no row {method!r} (rows: {list(self.rows)})")
        _known("benchmark", benchmark, BENCHMARKS)
        _known("metric", metric, METRICS)
        return self.rows[method].get(benchmark, {}).get(metric)


def _known(name: str, value: str, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
    return value


def _value(where: str, metric: str, raw, n_modes: int) -> Value:
    if isinstance(raw, list) and len(raw) == 2:
        mean, error = raw
    elif isinstance(raw, numbers.Real) and not isinstance(raw, bool):
        mean, error = raw, None
    else:
        raise ValueError(f"{where}: {metric} must be a number or [mean, standard error], got {raw!r}")
    for x in (mean,) if error is None else (mean, error):
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x) or x < 0:
            raise ValueError(f"{where}: {metric} values must be finite non-negative numbers, got {raw!r}")
    upper = {"modes": n_modes, "high_quality": 100.0}.get(metric, math.inf)
    if mean > upper:
        raise ValueError(f"{where}: {metric} {mean} exceeds its range (at most {upper})")
    return Value(float(mean), None if error is None else float(error))


def parse(entries: object) -> dict[str, PublishedTable]:
    """Validate the parsed YAML list of tables and index it by table name."""
    if not isinstance(entries, list) or not entries:
        raise ValueError("the published tables must be a non-empty YAML list")
    tables: dict[str, PublishedTable] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError(f"each table must be a mapping, got {entry!r}")
        missing = {"table", "citation", "source", "aggregate", "setup", "rows"} - set(entry)
        if missing:
            raise ValueError(f"table {entry.get('table')!r} lacks {sorted(missing)}")
        name = entry["table"]
        if name in tables:
            raise ValueError(f"table {name!r} appears twice")
        rows: dict[str, dict[str, dict[str, Value]]] = {}
        for row in entry["rows"]:
            method = row.get("method")
            if not method or method in rows:
                raise ValueError(f"table {name!r}: each row needs a method of its own, got {method!r}")
            rows[method] = {}
            for benchmark, metrics in row.items():
                if benchmark == "method":
                    continue
                _known(f"table {name!r} row {method!r}: benchmark", benchmark, BENCHMARKS)
                rows[method][benchmark] = {
                    _known(f"table {name!r}: metric", metric, METRICS):
                        _value(f"table {name!r}, {method}, {benchmark}", metric, raw, BENCHMARKS[benchmark])
                    for metric, raw in metrics.items()}
        tables[name] = PublishedTable(name, entry["citation"], entry["source"], entry["aggregate"],
                                      " ".join(str(entry["setup"]).split()), rows,
                                      entry.get("steps"), entry.get("batch"))
    return tables


@lru_cache(maxsize=None)
def _shipped() -> dict[str, PublishedTable]:
    return parse(yaml.safe_load(package_file("mode_benchmarks.yml").read_text(encoding="utf-8")))


def published(path: str | Path | None = None) -> dict[str, PublishedTable]:
    """The published tables by name (``"veegan"``, ``"pacgan"``, ``"gdpp"``).

    Read from the copy shipped with the package, or from ``path`` (a YAML file of the same form).
    """
    if path is None:
        return _shipped()
    return parse(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def mean_and_error(values) -> Value:
    """Mean and standard error :math:`s / \\sqrt n` (``ddof = 1``) over seeds, as PacGAN reports.

    Refuses a non-finite value (a seed without any high-quality sample has an infinite reverse
    KL): such seeds are reported on their own, never averaged. One seed has no error (``None``).
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"values must be a non-empty 1-D sequence, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("values contain inf or nan (e.g. the reverse KL of a seed without a "
                         "high-quality sample): report those seeds separately, never in a mean")
    error = float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else None
    return Value(float(x.mean()), error)


def seed_summary(values, digits: int, scale: float = 1.0) -> str:
    """``mean ± standard error`` over the seeds' finite values, for a table cell.

    Seeds with an infinite value (a reverse KL without any high-quality sample) are never
    averaged: they are counted after the mean, e.g. ``"0.42 ± 0.05 (1 of 8 seeds without a
    high-quality sample)"``; with no finite seed the cell is ``"—"``. NaN is refused.
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"values must be a non-empty 1-D sequence, got shape {x.shape}")
    if np.isnan(x).any():
        raise ValueError("values contain nan, which is no measurement of a seed")
    finite = x[np.isfinite(x)]
    text = "—" if finite.size == 0 else mean_and_error(finite).text(digits, scale)
    missing = x.size - finite.size
    return text + (f" ({missing} of {x.size} seeds without a high-quality sample)" if missing else "")
