"""Kill rate of the last `mutmut run`, per module, from mutmut's own records (mutants/*.meta).

A mutant is *detected* when a test failed on it (killed) or it made the tests run past mutmut's
time limit (timeout: e.g. an iteration that no longer terminates). Survivors are listed by name
(`mutmut show NAME` prints the change) so each can be killed by a sharper test or explained as
equivalent. Exits 1 below the target.

    python .ci/mutation_score.py [--target 0.9] [--survivors]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent
DETECTED = {"killed", "timeout", "segfault"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    args = parser.parse_args()
    metas = sorted((ROOT / "mutants" / "src" / "ganbook").glob("*.py.meta"))
    if not metas:
        print("no mutmut results: run `make mutation-score`")
        return 1
    by_module: dict[str, Counter] = {}
    survivors: dict[str, list[str]] = defaultdict(list)
    for meta in metas:
        module = meta.name.removesuffix(".py.meta")
        statuses = Counter()
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            status = status_by_exit_code[code]
            statuses[status] += 1
            if status == "survived":
                survivors[module].append(name)
        by_module[module] = statuses
    print(f"{'module':<12} {'mutants':>8} {'killed':>7} {'timeout':>8} {'survived':>9} {'unchecked':>10} {'kill rate':>10}")
    total = Counter()
    for module, s in by_module.items():
        total.update(s)
        checked = sum(s.values()) - s["not checked"]
        rate = sum(s[d] for d in DETECTED) / checked if checked else float("nan")
        print(f"{module:<12} {sum(s.values()):>8} {s['killed']:>7} {s['timeout']:>8} {s['survived']:>9} "
              f"{s['not checked']:>10} {rate:>10.1%}")
    checked = sum(total.values()) - total["not checked"]
    rate = sum(total[d] for d in DETECTED) / checked if checked else 0.0
    print(f"{'all':<12} {sum(total.values()):>8} {total['killed']:>7} {total['timeout']:>8} "
          f"{total['survived']:>9} {total['not checked']:>10} {rate:>10.1%}  (target {args.target:.0%})")
    if args.survivors:
        for module, names in survivors.items():
            print(f"\n{module}: {len(names)} survivors")
            for name in names:
                print(f"  {name}")
    return 0 if rate >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
