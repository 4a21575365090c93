"""Cut a release of ganbook: wheel and sdist built, checked, and the tag command to publish them.

    python .ci/release.py                # build into dist/ (what `make release` runs)
    python .ci/release.py --outdir DIR   # build elsewhere (the wheel test)

The notebooks install a release by its tag, ``v<version>`` with the version of pyproject.toml,
so a release needs notebooks that pin that version (``make notebooks``), a committed work tree
(the tag names what was built) and a tag not yet taken.
The wheel and sdist are built by ``python -m build`` (isolated, from pyproject.toml) and checked
by ``twine check --strict``; the command that tags the commit is printed, not run.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def build(outdir: Path) -> list[Path]:
    """Build the sdist and the wheel of this checkout into an emptied ``outdir``; check them."""
    if outdir.exists():
        shutil.rmtree(outdir)
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(outdir), str(ROOT)], check=True,
                   stdout=subprocess.DEVNULL)
    expected = [outdir / f"ganbook-{version()}-py3-none-any.whl", outdir / f"ganbook-{version()}.tar.gz"]
    built = sorted(outdir.iterdir())
    if sorted(expected) != built:
        raise SystemExit(f"expected {[p.name for p in expected]}, built {[p.name for p in built]}")
    subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, built)], check=True)
    return expected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=ROOT / "dist", help="where to build (emptied first)")
    args = parser.parse_args()
    tag = f"v{version()}"
    stale = subprocess.run([sys.executable, str(ROOT / ".ci" / "notebooks.py"), "--check"], text=True,
                           capture_output=True)
    if stale.returncode:
        print(f"{stale.stdout}the notebooks must pin {tag}: run `make notebooks` and commit", file=sys.stderr)
        return 1
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True)
    if dirty.stdout.strip():
        print(f"{dirty.stdout}uncommitted changes: the tag would not name what was built; commit first",
              file=sys.stderr)
        return 1
    built = build(args.outdir)
    print("built and checked:", *(str(p) for p in built), sep="\n  ")
    taken = subprocess.run(["git", "-C", str(ROOT), "tag", "--list", tag], capture_output=True, text=True)
    if taken.stdout.strip():
        print(f"tag {tag} exists already: raise the version in pyproject.toml (and ganbook.__version__), "
              "run `make notebooks`, commit, then `make release` again", file=sys.stderr)
        return 1
    print(f"to publish, tag the commit these were built from and push the tag:\n"
          f"  git tag -a {tag} -m 'ganbook {version()}' && git push origin {tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
