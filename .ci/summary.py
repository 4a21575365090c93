"""One line after a build: pages built, claim x method pairs by status, chapter execution time."""

from pathlib import Path

from ganbook import verify

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"

records = verify.load_records(ROOT / "_build" / "ledgers")
counts = verify.summary(verify.claim_index(records))
pages = len(list((HTML / "book").glob("*.html")))
seconds = sum(r["seconds"] for r in records)
pairs = sum(counts[s] for s in verify.STATUSES)
print(f"ganbook: {pages} pages built; claim x method pairs: {counts['verified']} verified, "
      f"{counts['erratum']} erratum, {counts['not reproduced']} not reproduced, "
      f"{counts['not yet']} not yet (of {pairs}); {counts['controls missing']} checks without a "
      f"negative control; {len(records)} chapters executed in {seconds:.0f} s")
