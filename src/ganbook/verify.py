"""The ledger: every check a chapter makes, tagged with its claim id, each with a negative control.

A chapter opens one :class:`Ledger` and records each piece of evidence with

- :meth:`Ledger.check`: numbers or arrays within a tolerance of what the claim predicts;
- :meth:`Ledger.check_symbolic`: a sympy difference that must simplify to exactly 0;
- :meth:`Ledger.check_true`: a stated condition (a boolean scalar) with the numbers behind it.

Every check states a **negative control**: the same rule applied to a plausible wrong answer
(the swapped formula, the untrained model, the claim with one coefficient changed). The control
must *fail* the rule; if it passes, the check cannot tell right from wrong and the ledger raises
:class:`VacuousCheck`. A check may go without a control only with a written reason
(``no_control=``), shown in its row and counted on the claims index.

Four statuses reach the claims index, each with its own rule:

- *verified*: every check of the claim and method passed, each with a control that failed;
- *erratum*: the source is wrong. :meth:`Ledger.erratum` quotes the source by file and line; a
  check made with :meth:`Ledger.refute` shows the quoted statement failing on a counter-example
  and at least one check with ``corrects=`` verifies the corrected statement. :meth:`Ledger.save`
  raises :class:`ErratumIncomplete` when either is missing;
- *not reproduced*: :meth:`Ledger.preregistered` recorded a rule about training, fixed before
  the runs, that failed at the book's :class:`Budget` (never an erratum);
- *not yet*: no check, or a part of the claim recorded as unchecked in this build
  (:meth:`Ledger.unchecked`): a claim is verified only when all of it is.

A failed check raises :class:`ClaimCheckFailed`, so the chapter, and the build executing it, fail.
"""

from __future__ import annotations

import html
import json
import math
import numbers
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from ganbook import claims as claims_module

#: Statuses of a claim x method pair on the claims index.
STATUSES = ("verified", "erratum", "not reproduced", "not yet")
#: Statuses of one ledger row ("failed" and "vacuous" rows raise before a page shows them).
ROW_STATUSES = ("verified", "erratum", "not reproduced", "failed", "vacuous")

_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class ClaimCheckFailed(AssertionError):
    """A ledger check did not hold; the message names claim, method, expected, measured, tolerance."""


class VacuousCheck(ClaimCheckFailed):
    """A check's negative control passed the check's own rule: the check proves nothing."""


class ErratumIncomplete(ClaimCheckFailed):
    """An erratum lacks a check refuting the source's statement or a check of the corrected one."""


@dataclass
class Check:
    """One row of a ledger: the rule's verdict on the measurement and on its negative control."""

    claim: str
    method: str
    expected: str
    measured: str
    tolerance: str
    passed: bool
    reason: str = ""
    control: str = ""            # what the wrong answer is, e.g. "p_r and p_g swapped"
    control_value: str = ""      # the wrong answer, formatted
    control_passed: bool | None = None   # None: no control (``no_control`` says why)
    no_control: str = ""
    kind: str = "check"          # check | refutes | corrects | preregistered | unchecked
    erratum: str = ""            # the claim id of the erratum a refutes/corrects row belongs to
    budget: str = ""             # preregistered rows: the budget the rule was decided at
    paper_budget: str = ""
    settle: str = ""
    status: str = "verified"

    def _ipython_display_(self) -> None:
        """A check ending a notebook cell displays nothing: the ledger table shows every row."""


@dataclass
class Erratum:
    """A source's statement, quoted by file and line, what holds instead, and the counter-example."""

    claim: str
    source: str
    line: int
    stated: str
    corrected: str
    counterexample: str

    def _ipython_display_(self) -> None:
        """Nothing reaches a page from an erratum ending a cell; the errata page shows it."""


@dataclass(frozen=True)
class Budget:
    """The compute a trained check was decided at: profile, generator steps, seeds, wall time.

    ``run`` says where the evidence comes from: ``"live"`` (executed with the chapter) or the
    name of a stored reference run.
    """

    profile: str
    steps: int
    seeds: int
    seconds: float
    run: str = "live"

    def __post_init__(self):
        if not isinstance(self.profile, str) or not self.profile:
            raise ValueError(f"profile must be a non-empty string, got {self.profile!r}")
        for name in ("steps", "seeds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(self.seconds, numbers.Real) or not math.isfinite(self.seconds) \
                or self.seconds < 0:
            raise ValueError(f"seconds must be finite and non-negative, got {self.seconds!r}")

    def __str__(self) -> str:
        where = "" if self.run == "live" else f", {self.run}"
        return (f"{self.profile} profile, {self.steps:,} steps x {self.seeds} seeds, "
                f"{self.seconds:.0f} s{where}")


# -- formatting ---------------------------------------------------------------------------
def _as_array(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor, on any device
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=float)


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
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


def _boolean(value: Any, name: str) -> bool:
    """A Python or NumPy boolean scalar, else TypeError naming the argument."""
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype == np.bool_:
        return bool(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be a Python or NumPy boolean scalar (decide with np.all, np.any "
                    f"or a comparison), got {type(value).__name__}: {value!r}")


def _tolerance(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be finite and non-negative, got {value}")
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value.strip()


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _simplifies_to_zero(expression: Any) -> tuple[bool, Any]:
    simplified = sp.simplify(sp.sympify(expression))
    if isinstance(simplified, sp.MatrixBase):
        return all(sp.simplify(e) == 0 for e in simplified), simplified
    return bool(simplified == 0), simplified


def _is_literal_zero(expression: Any) -> bool:
    """A number 0 (or a matrix of them) given as the difference: nothing was derived."""
    if isinstance(expression, sp.MatrixBase):
        return all(_is_literal_zero(e) for e in expression)
    if isinstance(expression, (sp.Basic, numbers.Number)):
        value = sp.sympify(expression)
        return isinstance(value, sp.Number) and bool(value.is_zero)
    return False


def _free_symbols(expression: Any) -> set:
    return set(getattr(sp.sympify(expression), "free_symbols", set()))


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
    ...              atol=5e-4, reason="the slide rounds to 3 decimals",
    ...              control=6.966 * 2 / 3, control_label="log base 2 instead of e")
    """

    def __init__(self, chapter: str):
        if not isinstance(chapter, str) or not _STEM.fullmatch(chapter):
            raise ValueError(f"chapter must be a plain file stem (letters, digits, '-' and '_', "
                             f"no path or suffix), got {chapter!r}")
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

    def _erratum_of(self, erratum: Erratum, name: str) -> Erratum:
        if not any(erratum is e for e in self.errata):
            raise ValueError(f"{name} must be an Erratum recorded by this ledger "
                             f"(Ledger.erratum returns it), got {erratum!r}")
        return erratum

    @staticmethod
    def _control_fields(control: Any, control_label: str, no_control: str) -> tuple[bool, str]:
        """Whether a control is given; its label, or the reason there is none."""
        if control is None:
            if not isinstance(no_control, str) or not no_control.strip():
                raise ValueError("control: every check needs a negative control (a plausible wrong "
                                 "answer that must fail the same rule) or, failing that, "
                                 "no_control='<why none exists>'")
            return False, no_control.strip()
        if no_control:
            raise ValueError("give either control or no_control, not both")
        return True, _text(control_label, "control_label")

    def _record(self, check: Check) -> Check:
        if check.passed and check.control_passed:
            check.status = "vacuous"
        elif not check.passed:  # a pre-registered rule about training is not reproduced, not failed
            check.status = "not reproduced" if check.kind == "preregistered" else "failed"
        elif check.kind in ("refutes", "corrects"):
            check.status = "erratum"
        else:
            check.status = "verified"
        self.checks.append(check)
        where = f"claim {check.claim!r} ({check.method})"
        if check.status == "vacuous":
            raise VacuousCheck(
                f"{where} is vacuous: its control ({check.control}: {check.control_value}) also "
                f"passes the rule (expected {check.expected}, tolerance {check.tolerance})"
                + (f" [{check.reason}]" if check.reason else ""))
        if check.status == "failed":
            raise ClaimCheckFailed(
                f"{where} failed: expected {check.expected}, measured {check.measured}, "
                f"tolerance {check.tolerance}" + (f" [{check.reason}]" if check.reason else ""))
        return check

    @staticmethod
    def _kind(corrects: Erratum | None) -> tuple[str, str]:
        return ("corrects", corrects.claim) if corrects is not None else ("check", "")

    # -- the three kinds of check ---------------------------------------------------------
    def check(self, claim_id: str, method: str, expected: Any, measured: Any, *,
              atol: float = 0.0, rtol: float = 1e-9, control: Any = None,
              control_label: str = "", no_control: str = "", reason: str = "",
              corrects: Erratum | None = None) -> Check:
        """Pass when ``|measured - expected| <= atol + rtol |expected|`` everywhere.

        Arrays must have the same shape; a NaN anywhere fails; infinities must match exactly.
        ``control`` (same shape as ``expected``) is a plausible wrong answer put in place of
        ``measured``: it must fail the same rule. ``corrects`` links the check to an erratum whose
        corrected statement it verifies.
        """
        self._claim(claim_id, method)
        atol, rtol = _tolerance(atol, "atol"), _tolerance(rtol, "rtol")
        if expected is measured:
            raise ValueError("expected and measured are the same object: a check must compare "
                             "a measurement with an independent prediction")
        has_control, label = self._control_fields(control, control_label, no_control)
        if corrects is not None:
            self._erratum_of(corrects, "corrects")
        exp, meas = _as_array(expected), _as_array(measured)

        def rule(value: np.ndarray) -> bool:
            return value.shape == exp.shape and bool(
                np.all(np.isclose(value, exp, atol=atol, rtol=rtol, equal_nan=False)))

        control_passed = None
        if has_control:
            if control is expected or control is measured:
                raise ValueError("control must be a wrong answer of its own, not the expected or "
                                 "measured object")
            ctrl = _as_array(control)
            if ctrl.shape != exp.shape:
                raise ValueError(f"control must have the shape of expected {exp.shape}, got "
                                 f"{ctrl.shape} (a shape mismatch fails any rule)")
            if np.isnan(ctrl).any():
                raise ValueError("control contains NaN, which fails every rule and so shows nothing")
            control_passed = rule(ctrl)
        kind, erratum = self._kind(corrects)
        return self._record(Check(
            claim_id, method, _fmt(expected), _fmt(measured), f"atol={atol:g}, rtol={rtol:g}",
            rule(meas), reason, label if has_control else "",
            _fmt(control) if has_control else "", control_passed,
            "" if has_control else label, kind, erratum))

    def check_symbolic(self, claim_id: str, difference: Any, *, control: Any = None,
                       control_label: str = "", no_control: str = "", method: str = "symbolic",
                       reason: str = "", corrects: Erratum | None = None) -> Check:
        """Pass only when sympy simplifies ``difference`` (an expression or matrix) to exactly 0.

        ``control`` is the same difference for a wrong statement (one coefficient changed, a sign
        flipped): it must *not* simplify to 0. A literal 0 is refused: nothing was derived.
        """
        self._claim(claim_id, method)
        if _is_literal_zero(difference):
            raise ValueError("difference is a literal 0 before simplification: pass the "
                             "expression whose simplification is the evidence")
        has_control, label = self._control_fields(control, control_label, no_control)
        if corrects is not None:
            self._erratum_of(corrects, "corrects")
        passed, simplified = _simplifies_to_zero(difference)
        control_passed = None
        if has_control:
            if _free_symbols(difference) and not _free_symbols(control):
                raise ValueError("control must be an expression in the claim's symbols (the wrong "
                                 "statement's difference), not a constant")
            control_passed, control_simplified = _simplifies_to_zero(control)
        kind, erratum = self._kind(corrects)
        return self._record(Check(
            claim_id, method, "0", str(simplified), "exact (sympy)", passed, reason,
            label if has_control else "", str(control_simplified) if has_control else "",
            control_passed, "" if has_control else label, kind, erratum))

    def check_true(self, claim_id: str, method: str, condition: Any, *, control: Any = None,
                   control_label: str = "", no_control: str = "", evidence: Any = "",
                   reason: str = "", corrects: Erratum | None = None) -> Check:
        """Pass when ``condition`` (a Python or NumPy boolean scalar) is true.

        ``control`` is the same condition evaluated on a plausible wrong answer and must be
        false. ``evidence`` shows the numbers both were decided on.
        """
        self._claim(claim_id, method)
        condition = _boolean(condition, "condition")
        has_control, label = self._control_fields(control, control_label, no_control)
        control_passed = _boolean(control, "control") if has_control else None
        if corrects is not None:
            self._erratum_of(corrects, "corrects")
        kind, erratum = self._kind(corrects)
        return self._record(Check(
            claim_id, method, "true", _fmt_evidence(evidence), "condition", condition, reason,
            label if has_control else "", str(control_passed) if has_control else "",
            control_passed, "" if has_control else label, kind, erratum))

    # -- errata -------------------------------------------------------------------------
    def erratum(self, claim_id: str, *, source: str, line: int, stated: str, corrected: str,
                counterexample: str) -> Erratum:
        """Record that ``source`` is wrong: ``stated`` is quoted from it, starting on ``line``.

        The quote must appear in the source file (whitespace-insensitive) starting on that line,
        and the source must be one of the claim's sources. The erratum then needs a
        :meth:`refute` check and a check with ``corrects=`` before :meth:`save`.
        """
        claim = claims_module.get(claim_id)
        if source not in claim.sources:
            raise ValueError(f"source must be one of claim {claim_id!r}'s sources "
                             f"{list(claim.sources)}, got {source!r}")
        if isinstance(line, bool) or not isinstance(line, numbers.Integral) or line < 1:
            raise ValueError(f"line must be a positive integer, got {line!r}")
        stated = _text(stated, "stated")
        lines = claims_module.source_lines(source)
        if line > len(lines):
            raise ValueError(f"line {line} is past the end of {source} ({len(lines)} lines)")
        first = _normalise(lines[line - 1])
        window = _normalise(" ".join(lines[line - 1:line + 20]))
        at = window.find(_normalise(stated))
        if at < 0 or at >= max(len(first), 1):
            raise ValueError(f"stated must quote {source} from line {line}; the text there is "
                             f"{lines[line - 1][:120]!r}")
        entry = Erratum(claim_id, source, int(line), stated, _text(corrected, "corrected"),
                        _text(counterexample, "counterexample"))
        self.errata.append(entry)
        return entry

    def refute(self, erratum: Erratum, method: str, *, stated: Any, measured: Any,
               atol: float = 0.0, rtol: float = 1e-9, control: Any, control_label: str,
               reason: str = "") -> Check:
        """Show the source's statement failing on the erratum's counter-example.

        ``stated`` is what the source predicts there and ``measured`` what holds. The rule is
        the negation of :meth:`check`'s: it passes when ``stated`` is *not* within the tolerance
        of ``measured`` (for ``method="symbolic"``: when ``stated - measured`` does not simplify
        to 0). The control is the corrected statement's prediction, which the same rule must
        not refute.
        """
        self._erratum_of(erratum, "erratum")
        self._claim(erratum.claim, method)
        label = _text(control_label, "control_label")
        if method == "symbolic":  # sympy caches expressions: identity says nothing here
            refuted = not _simplifies_to_zero(sp.sympify(stated) - sp.sympify(measured))[0]
            control_refuted = not _simplifies_to_zero(sp.sympify(control) - sp.sympify(measured))[0]
            tolerance = "exact (sympy)"
        else:
            atol, rtol = _tolerance(atol, "atol"), _tolerance(rtol, "rtol")
            if stated is measured or control is measured:
                raise ValueError("stated, control and measured must be separate objects")
            meas = _as_array(measured)
            if np.isnan(meas).any():
                raise ValueError("measured contains NaN: a refutation needs a value that holds")

            def refutes(value: Any) -> bool:
                value = _as_array(value)
                if value.shape != meas.shape:
                    raise ValueError(f"stated and control must have the shape of measured "
                                     f"{meas.shape}, got {value.shape}")
                return not bool(np.all(np.isclose(value, meas, atol=atol, rtol=rtol)))

            refuted, control_refuted = refutes(stated), refutes(control)
            tolerance = f"differs by more than atol={atol:g}, rtol={rtol:g}"
        return self._record(Check(
            erratum.claim, method, f"the source: {_fmt(stated)}", _fmt(measured), tolerance,
            refuted, reason or f"counter-example: {erratum.counterexample}", label, _fmt(control),
            control_refuted, "", "refutes", erratum.claim))

    def refute_true(self, erratum: Erratum, method: str, condition: Any, *, control: Any,
                    control_label: str, evidence: Any = "", reason: str = "") -> Check:
        """Show the source's statement failing: ``condition`` says it fails on the
        counter-example; ``control``, the same test of the corrected statement, must be false."""
        self._erratum_of(erratum, "erratum")
        self._claim(erratum.claim, method)
        condition = _boolean(condition, "condition")
        control = _boolean(control, "control")
        return self._record(Check(
            erratum.claim, method, "the source's statement fails", _fmt_evidence(evidence),
            "condition", condition, reason or f"counter-example: {erratum.counterexample}",
            _text(control_label, "control_label"), str(control), control, "", "refutes",
            erratum.claim))

    # -- rules fixed before training runs -----------------------------------------------
    def preregistered(self, claim_id: str, method: str, *, rule: str, condition: Any,
                      control: Any, control_label: str, budget: Budget, paper_budget: str,
                      settle: str, evidence: Any = "", reason: str = "") -> Check:
        """A rule about training, written before the runs, decided on them at ``budget``.

        Passing, the row is *verified* (its control must fail the rule, as for any check);
        failing, it is *not reproduced* at this budget: the row states ``budget``, what the
        paper used (``paper_budget``) and what would settle it (``settle``). It is never an
        erratum and does not raise.
        """
        self._claim(claim_id, method)
        if method != "trained":
            raise ValueError(f"method must be 'trained' for a rule about training, got {method!r}")
        if not isinstance(budget, Budget):
            raise TypeError(f"budget must be a ganbook.verify.Budget, got {type(budget).__name__}")
        condition = _boolean(condition, "condition")
        control = _boolean(control, "control")
        return self._record(Check(
            claim_id, method, _text(rule, "rule"), _fmt_evidence(evidence), "rule fixed before the runs",
            condition, reason, _text(control_label, "control_label"), str(control), control, "",
            "preregistered", "", str(budget), _text(paper_budget, "paper_budget"),
            _text(settle, "settle")))

    def unchecked(self, claim_id: str, method: str, *, part: str, reason: str) -> Check:
        """A part of the claim (``part``) that this build does not check, and why (``reason``).

        The row's status is *not yet*, and so is the claim's for ``method`` on the claims index,
        whatever its other rows say. It neither passes nor raises.
        """
        self._claim(claim_id, method)
        check = Check(claim_id, method, _text(part, "part"), "not measured in this build", "—", False,
                      _text(reason, "reason"), kind="unchecked", status="not yet")
        self.checks.append(check)
        return check

    # -- reporting ----------------------------------------------------------------------
    def status(self, check: Check) -> str:
        """The row's status: verified, erratum, not reproduced (failed/vacuous rows raised)."""
        return check.status

    def table(self) -> "LedgerTable":
        """The ledger as a table for the page: claim, method, expected, measured, tolerance,
        control (and whether it failed, as it must), status."""
        return LedgerTable([(c.claim, c.method, c.expected, c.measured, c.tolerance,
                             _control_cell(c), c.status) for c in self.checks])

    def record(self) -> dict:
        """The ledger as plain data (what :meth:`save` writes), with seconds since it was opened."""
        return {"chapter": self.chapter,
                "seconds": round(time.perf_counter() - self._started, 3),
                "checks": [asdict(c) for c in self.checks],
                "errata": [asdict(e) for e in self.errata]}

    def save(self, directory: str | Path | None = None) -> Path:
        """Write the record as JSON for the claims index (atomically); returns the file written.

        Raises :class:`ErratumIncomplete` when an erratum lacks a refuting check or a check of
        its corrected statement.
        """
        for e in self.errata:
            kinds = {c.kind for c in self.checks if c.erratum == e.claim and c.passed}
            for kind, what in (("refutes", "a check refuting the source's statement (Ledger.refute)"),
                               ("corrects", "a check of the corrected statement (corrects=...)")):
                if kind not in kinds:
                    raise ErratumIncomplete(f"erratum {e.claim!r} ({e.source}:{e.line}) has no {what}")
        folder = Path(directory) if directory is not None else ledger_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.chapter}.json"
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{self.chapter}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(self.record(), stream, indent=1)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path


def _control_cell(check: Check | dict) -> str:
    row = check if isinstance(check, dict) else asdict(check)
    if row["kind"] == "unchecked":
        return "—"
    if row["control_passed"] is None:
        return f"none: {row['no_control']}"
    if not row["control_passed"]:
        verdict = "fails"
    else:  # beside a rule that failed, a passing control is a finding, not a vacuous check
        verdict = "passes" if row["status"] == "not reproduced" else "passed (vacuous)"
    return f"{row['control']}: {row['control_value']} → {verdict}"


@dataclass
class LedgerTable:
    """Rows rendered as an HTML table in a page, as text elsewhere."""

    rows: list[tuple[str, ...]]
    header: tuple[str, ...] = field(
        default=("claim", "method", "expected", "measured", "tolerance", "control", "status"))

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.header)
        body = "".join(
            "<tr>" + "".join(self._cell(str(cell)) for cell in row) + "</tr>"
            for row in self.rows)
        return (f'<table class="ledger"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")

    @staticmethod
    def _cell(text: str) -> str:
        if text in (*STATUSES, *ROW_STATUSES):  # styled by book/_static/ganbook.css
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


def _pair_status(rows: list[dict]) -> str:
    if not rows or not all(r["status"] in ("verified", "erratum", "not reproduced") for r in rows):
        return "not yet"
    statuses = {r["status"] for r in rows}
    for status in ("not reproduced", "erratum"):
        if status in statuses:
            return status
    return "verified"


def claim_index(records: list[dict], claims: list | None = None) -> list[dict]:
    """Per claim and method: one of ``STATUSES``, with the chapters that checked it.

    From the rows of every chapter: *not reproduced* if a pre-registered rule failed at the
    book's budget; else *erratum* if a row refutes the source or verifies its correction; else
    *verified* when every row passed; *not yet* without rows. ``controls`` counts the rows
    whose control failed as it must, ``missing`` those without a control.
    """
    claims = claims if claims is not None else claims_module.all_claims()
    rows = []
    for claim in claims:
        methods, chapters, n_rows, missing = {}, set(), 0, 0
        for method in claim.methods:
            found = [(r["chapter"], c) for r in records for c in r["checks"]
                     if c["claim"] == claim.id and c["method"] == method]
            chapters.update(ch for ch, _ in found)
            n_rows += len(found)
            missing += sum(c["control_passed"] is None and c["kind"] != "unchecked" for _, c in found)
            methods[method] = _pair_status([c for _, c in found])
        rows.append({"claim": claim.id, "sources": claim.sources, "methods": methods,
                     "chapters": sorted(chapters), "checks": n_rows, "controls_missing": missing})
    return rows


def summary(rows: list[dict]) -> dict[str, int]:
    """Counts of claim x method pairs by status, and of checks without a control."""
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        for status in row["methods"].values():
            counts[status] += 1
    counts["controls missing"] = sum(row["controls_missing"] for row in rows)
    return counts


def index_table(rows: list[dict]) -> LedgerTable:
    """The claims index: one row per claim, a status per method ('—' if not admitted), the
    number of checks and of those without a control, and the chapters."""
    from ganbook.claims import METHODS
    return LedgerTable(
        [(row["claim"], ", ".join(row["sources"]),
          *(row["methods"].get(m, "—") for m in METHODS), str(row["checks"]),
          str(row["controls_missing"]), ", ".join(row["chapters"]) or "—")
         for row in rows],
        header=("claim", "source", *METHODS, "checks", "without control", "checked in"))


def errata_table(records: list[dict]) -> "ErrataTable":
    """Every erratum recorded by the executed chapters: claim (linked to its statement), the
    source file and line, the quoted statement, what holds, the counter-example and the
    refuting check's numbers.

    The link is ``<chapter>.html#claim-<id>``, the anchor each chapter gives its claim block.
    """
    rows = []
    for record in records:
        for e in record["errata"]:
            refuting = [c for c in record["checks"] if c["kind"] == "refutes" and c["erratum"] == e["claim"]]
            shown = "; ".join(f"{c['expected']} vs {c['measured']}" for c in refuting)
            rows.append((e["claim"], record["chapter"], f"{e['source']}:{e['line']}", e["stated"],
                         e["corrected"], e["counterexample"], shown))
    return ErrataTable(rows)


class ClaimLinkedTable(LedgerTable):
    """Rows that start with (claim, chapter), rendered with a link from each claim id to its
    statement in its chapter; cells of ``code_columns`` verbatim (quoted source text)."""

    code_columns: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.header)
        body = "".join(
            f'<tr><td><a href="{html.escape(chapter)}.html#claim-{html.escape(claim)}">'
            f"{html.escape(claim)}</a></td><td>{html.escape(chapter)}</td>"
            + "".join(f"<td><code>{html.escape(cell)}</code></td>" if h in self.code_columns
                      else f"<td>{html.escape(cell)}</td>" for h, cell in zip(self.header[2:], rest)) + "</tr>"
            for claim, chapter, *rest in self.rows)
        return (f'<table class="ledger errata"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")


class ErrataTable(ClaimLinkedTable):
    """Errata: where a source is wrong, what holds instead, and the check that refutes it."""

    code_columns = ("the source states",)

    def __init__(self, rows):
        super().__init__(rows, header=("claim", "chapter", "source", "the source states",
                                       "what holds", "counter-example", "refuting check"))


class NotReproducedTable(ClaimLinkedTable):
    """Rules about training that failed at the book's budget, with both budgets."""

    def __init__(self, rows):
        super().__init__(rows, header=("claim", "chapter", "rule fixed before the runs", "measured",
                                       "our budget", "the paper's budget", "what would settle it"))


def not_reproduced_table(records: list[dict]) -> NotReproducedTable:
    """Every pre-registered rule about training that failed at the book's budget: claim
    (linked), chapter, the rule, the evidence, the book's budget, the paper's, what would settle it."""
    rows = [(c["claim"], record["chapter"], c["expected"], c["measured"], c["budget"],
             c["paper_budget"], c["settle"])
            for record in records for c in record["checks"] if c["status"] == "not reproduced"]
    return NotReproducedTable(rows)
