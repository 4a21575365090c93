"""One row per measured ratio, and the table that `make bench` prints."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    benchmark: str
    measured: str          # the raw measurements behind the ratio
    ratio: float
    target: str            # e.g. ">= 0.95"
    met: bool


def print_table(rows: list[Row]) -> None:
    width = max(len(r.benchmark) for r in rows)
    measured = max(len(r.measured) for r in rows)
    print(f"{'benchmark':<{width}}  {'measured':<{measured}}  {'ratio':>8}  {'target':<8}  met")
    for r in rows:
        print(f"{r.benchmark:<{width}}  {r.measured:<{measured}}  {r.ratio:>8.3f}  {r.target:<8}  "
              f"{'yes' if r.met else 'NO'}")
