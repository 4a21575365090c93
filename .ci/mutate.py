"""`make mutate`: named mistakes a student could make, each shown to fail at least one chapter check.

For every mutation: copy the package, apply one textual edit to the copy, and execute the chapters
that use the mutated function, with the copy first on the kernel's import path, until one fails
with a ledger check (ganbook.verify.ClaimCheckFailed). The table names the check that caught it.
A mutation that no chapter catches is a gap in the chapters' checks: the script exits 1.

    python .ci/mutate.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbclient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "ganbook"
CAUGHT = re.compile(r"claim '([^']+)' \((\w+)\) (failed|is vacuous)")
LEDGER_ERRORS = ("ClaimCheckFailed", "VacuousCheck")


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str              # in src/ganbook
    old: str               # must occur exactly once
    new: str
    chapters: tuple[str, ...]   # where a check should catch it, tried in this order


MUTATIONS = [
    Mutation("non-saturating loss with the wrong sign", "losses.py",
             'return _reduce(softplus(-_checked("fake_logits", fake_logits)), reduction)',
             'return _reduce(-softplus(-_checked("fake_logits", fake_logits)), reduction)',
             ("02-minimax-game",)),
    Mutation("gradient penalty on real points only (epsilon = 1)", "penalties.py",
             "eps = eps.to(real.device)", "eps = torch.ones_like(eps).to(real.device)",
             ("07-wgan-gp", "04-wasserstein-distance")),
    Mutation("p_r and p_g swapped in the optimal discriminator", "theory.py",
             "out[positive] = a_s / (a_s + b_s)", "out[positive] = b_s / (a_s + b_s)",
             ("03-optimal-discriminator",)),
    Mutation("the 1/2 dropped in the LSGAN discriminator loss", "losses.py",
             "return _reduce(0.5 * (real_outputs - b) ** 2 + 0.5 * (fake_outputs - a) ** 2, reduction)",
             "return _reduce((real_outputs - b) ** 2 + (fake_outputs - a) ** 2, reduction)",
             ("08-other-objectives",)),
    Mutation("weight clipping skipped", "penalties.py",
             "parameter.clamp_(-c, c)", "parameter.clamp_(-float('inf'), float('inf'))",
             ("06-wgan",)),
    Mutation("probabilities passed where logits belong (sigmoid applied twice)", "losses.py",
             "return _reduce(softplus(-real_logits) + softplus(fake_logits), reduction)",
             "return _reduce(softplus(-torch.sigmoid(real_logits)) + softplus(torch.sigmoid(fake_logits)), reduction)",
             ("01-cross-entropy", "02-minimax-game", "03-optimal-discriminator")),
    Mutation("simultaneous steps instead of extragradient", "dynamics.py",
             "return x - lr_x * gx_tilde, y + lr_y * gy_tilde, None   # corrective step",
             "return x - lr_x * gx, y + lr_y * gy, None",
             ("05-game-dynamics",)),
]


def mutated_copy(mutation: Mutation, into: Path) -> Path:
    target = into / "ganbook"
    shutil.copytree(PACKAGE, target, symlinks=False)
    path = target / mutation.file
    text = path.read_text()
    if text.count(mutation.old) != 1:
        raise SystemExit(f"mutation {mutation.name!r}: the original line is not in {mutation.file} "
                         f"exactly once (the package changed: update .ci/mutate.py)")
    path.write_text(text.replace(mutation.old, mutation.new))
    return into


def execute(chapter: str, pythonpath: Path) -> str | None:
    """The check that failed ('claim (method)'), None if the chapter passed; other errors raise."""
    notebook = jupytext.read(ROOT / "book" / f"{chapter}.md")
    env = {**os.environ, "PYTHONPATH": str(pythonpath), "CI": "1",
           "GANBOOK_LEDGER_DIR": str(pythonpath / "ledgers")}
    client = nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / "book")}})
    try:
        client.execute(env=env)
    except CellExecutionError as error:
        found = CAUGHT.match(error.evalue or "")
        if error.ename in LEDGER_ERRORS and found:
            return f"{found.group(1)} ({found.group(2)}){' (control)' if found.group(3) != 'failed' else ''}"
        return f"error: {error.ename}: {(error.evalue or '')[:80]}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="names (substrings) of mutations to run")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or any(o in m.name for o in args.only)]
    rows, missed = [], 0
    for mutation in chosen:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            path = mutated_copy(mutation, Path(folder))
            caught_in, caught_by = "-", "NOT CAUGHT"
            for chapter in mutation.chapters:
                failure = execute(chapter, path)
                if failure is not None:
                    caught_in, caught_by = chapter, failure
                    break
        missed += caught_by == "NOT CAUGHT" or caught_by.startswith("error:")
        rows.append((mutation.name, caught_in, caught_by, f"{time.perf_counter() - started:.0f} s"))
        print(f"  {mutation.name}: {caught_by} in {caught_in}", file=sys.stderr, flush=True)
    widths = [max(len(r[i]) for r in rows + [("mutation", "chapter", "caught by", "time")]) for i in range(4)]
    for row in [("mutation", "chapter", "caught by", "time"), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    print(f"{len(rows) - missed} of {len(rows)} mutations caught by a ledger check")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
