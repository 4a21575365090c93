"""The ledger: every check a chapter makes, tagged with its claim id, failing loudly.

A chapter opens one :class:`Ledger`, records each piece of evidence with :meth:`Ledger.check`
(numbers and arrays), :meth:`Ledger.check_symbolic` (a sympy difference that must simplify to
exactly 0) or :meth:`Ledger.check_true` (a stated inequality with the numbers behind it), and
ends by showing :meth:`Ledger.table` and writing :meth:`Ledger.save`. A failed check raises
:class:`ClaimCheckFailed`, so the chapter, and the build that executes it, fail.

When a source is wrong, :meth:`Ledger.erratum` records what it states and what is true; the
checks of that claim then verify the corrected statement and are reported as *erratum*.
"""

from __future__ import annotations

import html
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from ganbook import claims as claims_module

STATUSES = ("verified", "erratum", "not yet")


class ClaimCheckFailed(AssertionError):
    """A ledger check did not hold; the message names claim, method, expected, measured, tolerance."""


@dataclass
class Check:
    """One row of a ledger."""

    claim: str
    method: str
    expected: str
    measured: str
    tolerance: str
    passed: bool
    reason: str = ""


@dataclass
class Erratum:
    """What a source states, what is true instead, and the counter-example that shows it."""

    claim: str
    stated: str
    corrected: str
    counterexample: str


def _as_array(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor, on any device
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=float)


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, sp.Basic):
        return str(value)
    try:
        arr = _as_array(value)
    except (TypeError, ValueError):  # symbolic or mixed evidence (e.g. a list of expressions)
        return str(value)
    if arr.ndim == 0:
        return f"{float(arr):.6g}"
    return np.array2string(arr, precision=6, threshold=8, separator=", ")


def _fmt_evidence(evidence: Any) -> str:
    if isinstance(evidence, dict):
        return ", ".join(f"{k} = {_fmt(v)}" for k, v in evidence.items())
    return _fmt(evidence)


def ledger_dir() -> Path:
    """Where ledger records go: ``$GANBOOK_LEDGER_DIR``, else ``_build/ledgers`` of the book.

    The book's root is the nearest folder above the working directory holding ``_toc.yml``
    (chapters execute in ``book/``); outside the repository (Colab) it is the working directory.
    """
    if os.environ.get("GANBOOK_LEDGER_DIR"):
        return Path(os.environ["GANBOOK_LEDGER_DIR"])
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file():
            return folder / "_build" / "ledgers"
    return here / "_build" / "ledgers"


class Ledger:
    """The checks of one chapter.

    >>> ledger = Ledger("01-cross-entropy")
    >>> ledger.check("cross-entropy-table", "numeric", expected=6.966, measured=6.9658,
    ...              atol=5e-4, reason="the slide rounds to 3 decimals")
    """

    def __init__(self, chapter: str):
        if not chapter or not isinstance(chapter, str):
            raise ValueError(f"chapter must be a non-empty string, got {chapter!r}")
        self.chapter = chapter
        self.checks: list[Check] = []
        self.errata: list[Erratum] = []
        self._started = time.perf_counter()

    # -- validation ---------------------------------------------------------------------
    def _claim(self, claim_id: str, method: str) -> claims_module.Claim:
        claim = claims_module.get(claim_id)
        if method not in claim.methods:
            raise claims_module.ClaimsError(
                f"claim {claim_id!r} admits methods {list(claim.methods)}, not {method!r}")
        return claim

    def _record(self, check: Check) -> Check:
        self.checks.append(check)
        if not check.passed:
            raise ClaimCheckFailed(
                f"claim {check.claim!r} ({check.method}) failed: expected {check.expected}, "
                f"measured {check.measured}, tolerance {check.tolerance}"
                + (f" [{check.reason}]" if check.reason else ""))
        return check

    # -- the three kinds of check ---------------------------------------------------------
    def check(self, claim_id: str, method: str, expected: Any, measured: Any, *,
              atol: float = 0.0, rtol: float = 1e-9, reason: str = "") -> Check:
        """Pass when ``|measured - expected| <= atol + rtol |expected|`` everywhere.

        Arrays must have the same shape; a NaN anywhere fails; infinities must match exactly.
        """
        self._claim(claim_id, method)
        if atol < 0 or rtol < 0:
            raise ValueError(f"atol and rtol must be non-negative, got atol={atol}, rtol={rtol}")
        exp, meas = _as_array(expected), _as_array(measured)
        passed = exp.shape == meas.shape and bool(
            np.all(np.isclose(meas, exp, atol=atol, rtol=rtol, equal_nan=False)))
        return self._record(Check(claim_id, method, _fmt(expected), _fmt(measured),
                                  f"atol={atol:g}, rtol={rtol:g}", passed, reason))

    def check_symbolic(self, claim_id: str, difference: Any, *, method: str = "symbolic",
                       reason: str = "") -> Check:
        """Pass only when sympy simplifies ``difference`` (an expression or matrix) to exactly 0."""
        self._claim(claim_id, method)
        simplified = sp.simplify(sp.sympify(difference))
        if isinstance(simplified, sp.MatrixBase):
            passed = all(sp.simplify(e) == 0 for e in simplified)
        else:
            passed = simplified == 0
        return self._record(Check(claim_id, method, "0", str(simplified), "exact (sympy)",
                                  bool(passed), reason))

    def check_true(self, claim_id: str, method: str, condition: Any, *, evidence: Any = "",
                   reason: str = "") -> Check:
        """Pass when ``condition`` is true; ``evidence`` shows the numbers it was decided on."""
        self._claim(claim_id, method)
        if isinstance(condition, (np.ndarray,)) and condition.size != 1:
            raise ValueError("condition must be a single truth value; use np.all or np.any")
        return self._record(Check(claim_id, method, "true", _fmt_evidence(evidence),
                                  "condition", bool(condition), reason))

    def erratum(self, claim_id: str, *, stated: str, corrected: str, counterexample: str) -> Erratum:
        """Record that the source is wrong: its statement, the corrected one, the counter-example."""
        claims_module.get(claim_id)
        for name, text in (("stated", stated), ("corrected", corrected),
                           ("counterexample", counterexample)):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"erratum {name} must be a non-empty string")
        entry = Erratum(claim_id, stated, corrected, counterexample)
        self.errata.append(entry)
        return entry

    # -- reporting ----------------------------------------------------------------------
    def status(self, check: Check) -> str:
        if not check.passed:
            return "failed"
        return "erratum" if any(e.claim == check.claim for e in self.errata) else "verified"

    def table(self) -> "LedgerTable":
        """The ledger as a table for the page (claim, method, expected, measured, tolerance, status)."""
        return LedgerTable([(c.claim, c.method, c.expected, c.measured, c.tolerance,
                             self.status(c)) for c in self.checks])

    def record(self) -> dict:
        """The ledger as plain data (what :meth:`save` writes), with seconds since it was opened."""
        return {"chapter": self.chapter,
                "seconds": round(time.perf_counter() - self._started, 3),
                "checks": [dict(asdict(c), status=self.status(c)) for c in self.checks],
                "errata": [asdict(e) for e in self.errata]}

    def save(self, directory: str | Path | None = None) -> Path:
        """Write the record as JSON for the claims index; returns the file written."""
        folder = Path(directory) if directory is not None else ledger_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.chapter}.json"
        path.write_text(json.dumps(self.record(), indent=1), encoding="utf-8")
        return path


@dataclass
class LedgerTable:
    """Rows rendered as an HTML table in a page, as text elsewhere."""

    rows: list[tuple[str, ...]]
    header: tuple[str, ...] = field(
        default=("claim", "method", "expected", "measured", "tolerance", "status"))

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.header)
        body = "".join(
            "<tr>" + "".join(self._cell(str(cell)) for cell in row) + "</tr>"
            for row in self.rows)
        return (f'<table class="ledger"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")

    @staticmethod
    def _cell(text: str) -> str:
        if text in (*STATUSES, "failed"):  # styled by book/_static/ganbook.css
            return f'<td class="status status-{text.replace(" ", "-")}">{html.escape(text)}</td>'
        return f"<td>{html.escape(text)}</td>"

    def __repr__(self) -> str:
        widths = [max(len(str(r[i])) for r in [self.header, *self.rows])
                  for i in range(len(self.header))]
        lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths))
                 for row in [self.header, *self.rows]]
        return "\n".join(lines)


def load_records(directory: str | Path | None = None) -> list[dict]:
    """Every chapter's saved ledger record in ``directory`` (default :func:`ledger_dir`)."""
    folder = Path(directory) if directory is not None else ledger_dir()
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def claim_index(records: list[dict], claims: list | None = None) -> list[dict]:
    """Per claim and method: ``verified``, ``erratum`` or ``not yet``, with the chapters that checked it.

    A method counts once every check of it passed; *erratum* when a chapter recorded an
    erratum for the claim (the corrected statement is what was verified).
    """
    claims = claims if claims is not None else claims_module.all_claims()
    errata = {e["claim"] for r in records for e in r["errata"]}
    rows = []
    for claim in claims:
        methods = {}
        chapters = set()
        for method in claim.methods:
            found = [(r["chapter"], c) for r in records for c in r["checks"]
                     if c["claim"] == claim.id and c["method"] == method]
            chapters.update(ch for ch, _ in found)
            if found and all(c["passed"] for _, c in found):
                methods[method] = "erratum" if claim.id in errata else "verified"
            else:
                methods[method] = "not yet"
        rows.append({"claim": claim.id, "sources": claim.sources, "methods": methods,
                     "chapters": sorted(chapters)})
    return rows


def summary(rows: list[dict]) -> dict[str, int]:
    """Counts of claim×method pairs by status."""
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        for status in row["methods"].values():
            counts[status] += 1
    return counts


def index_table(rows: list[dict]) -> LedgerTable:
    """The claims index as a table: one row per claim, a status per method ('—' if not admitted)."""
    from ganbook.claims import METHODS
    return LedgerTable(
        [(row["claim"], ", ".join(row["sources"]),
          *(row["methods"].get(m, "—") for m in METHODS), ", ".join(row["chapters"]) or "—")
         for row in rows],
        header=("claim", "source", *METHODS, "checked in"))


def errata_table(records: list[dict]) -> LedgerTable:
    """Every erratum recorded by the executed chapters: claim (linked to its statement), what the
    source states, what is true, the counter-example.

    The link is ``<chapter>.html#claim-<id>``, the anchor each chapter gives its claim block.
    """
    rows = []
    for record in records:
        for e in record["errata"]:
            rows.append((e["claim"], record["chapter"], e["stated"], e["corrected"], e["counterexample"]))
    return ErrataTable(rows)


class ErrataTable(LedgerTable):
    """Errata rendered with links from each claim id to its statement in its chapter."""

    def __init__(self, rows):
        super().__init__(rows, header=("claim", "chapter", "the source states", "what holds",
                                       "counter-example"))

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.header)
        body = "".join(
            f'<tr><td><a href="{html.escape(chapter)}.html#claim-{html.escape(claim)}">'
            f"{html.escape(claim)}</a></td><td>{html.escape(chapter)}</td>"
            + "".join(f"<td>{html.escape(cell)}</td>" for cell in rest) + "</tr>"
            for claim, chapter, *rest in self.rows)
        return (f'<table class="ledger errata"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")
