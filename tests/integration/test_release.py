"""The release `make release` cuts: wheel and sdist built and checked, then the wheel installed and read.

The repository keeps ``src/ganbook/claims.yml`` and ``src/ganbook/sources`` as links into
``book/`` (one copy); a wheel or sdist holding the links instead of the files would install a
package that cannot read its own claims. The wheel is built as ``make release`` builds it
(``.ci/release.py``: ``python -m build``, ``twine check --strict``), installed into a clean
environment (a copy of the Colab-like one, see ``conftest.py``), and read from there.
"""

from __future__ import annotations

import json
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, claim_count, version

sys.path.insert(0, str(ROOT / ".ci"))
import release as release_script  # noqa: E402

PACKAGE = ROOT / "src" / "ganbook"
READ = """
import json, sys, importlib.metadata as metadata, ganbook.claims
from pathlib import Path
dist = metadata.distribution("ganbook")
files = {str(f): Path(dist.locate_file(f)) for f in dist.files if str(f).startswith("ganbook/")}
print(json.dumps({
    "version": dist.version,
    "data": {name: {"symlink": path.is_symlink(), "text": path.read_text(encoding="utf-8")}
             for name, path in files.items() if not name.endswith((".py", ".pyc"))},
    "claims": sorted(ganbook.claims.load()),
    "claims_file": str(ganbook.claims.package_file("claims.yml")),
    "prefix": sys.prefix,
}))
"""


def data_files() -> dict[str, Path]:
    """What the package must ship besides modules: pyproject's package-data, through the links."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["ganbook"]
    found = {f"ganbook/{p.relative_to(PACKAGE).as_posix()}": p for pattern in patterns for p in PACKAGE.glob(pattern)}
    assert "ganbook/claims.yml" in found and any(name.startswith("ganbook/sources/") for name in found)
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> list[Path]:
    return release_script.build(tmp_path_factory.mktemp("dist"))


def test_wheel_and_sdist_are_built_and_pass_twine_check(built):
    # build() ran `twine check --strict` on both and raised otherwise
    assert [p.name for p in built] == [f"ganbook-{version()}-py3-none-any.whl", f"ganbook-{version()}.tar.gz"]


def test_the_wheel_holds_the_data_files_themselves(built):
    with zipfile.ZipFile(built[0]) as wheel:
        for name, source in data_files().items():
            info = wheel.getinfo(name)
            assert (info.external_attr >> 28) != 0o12, f"{name} is a link in the wheel"
            assert wheel.read(name) == source.read_bytes(), f"{name} differs from {source}"


def test_the_sdist_holds_the_data_files_themselves(built):
    with tarfile.open(built[1]) as sdist:
        for name, source in data_files().items():
            member = sdist.getmember(f"ganbook-{version()}/src/{name}")
            assert member.isfile(), f"{name} is not a plain file in the sdist"
            assert sdist.extractfile(member).read() == source.read_bytes()


def test_the_installed_wheel_reads_its_claims_and_sources(built, colab_with_dependencies, tmp_path):
    env = colab_with_dependencies.copy(tmp_path / "env")
    env.pip("install", str(built[0]))
    report = json.loads(env.run("-c", READ, cwd=tmp_path).stdout)
    assert report["version"] == version()
    assert report["claims_file"].startswith(report["prefix"] + "/lib/")
    for name, source in data_files().items():
        assert name in report["data"], f"{name} was not installed"
        assert not report["data"][name]["symlink"]
        assert report["data"][name]["text"] == source.read_text(encoding="utf-8")
    assert len(report["claims"]) == claim_count()
    sources = {name for name in report["data"] if name.startswith("ganbook/sources/")}
    assert sources == {f"ganbook/sources/{p.name}" for p in (ROOT / "book" / "sources").glob("*.txt")}
