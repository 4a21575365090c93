"""Clean Colab-like environments and a local copy of the release, shared by the integration tests.

Colab's runtime has torch and a Jupyter kernel before a notebook starts; everything else a
notebook needs must come from its install cell, which installs the release of ganbook by its
tag (``ganbook @ git+<repository>@v<version>``). Offline, the repository is a local git
repository holding this checkout as one commit tagged ``v<version>``: only the host of the URL
changes, the tag and the ``git+`` install are the same.

Creating a virtual environment and installing into it is the slow part, so it is done once:
``colab_base`` (torch and a kernel only) and ``colab_with_dependencies`` (also the package's
dependencies, as the release's install resolved them, without the package). A test gets its own
copy of one of them (hard links: instant, and nothing a test installs reaches another test).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COLAB_PREINSTALLED = ["torch==2.13.0", "ipykernel", "nbclient", "nbformat"]


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def claim_count() -> int:
    """How many claims the book's claims.yml holds (what an installed release must ship)."""
    return len(yaml.safe_load((ROOT / "book" / "claims.yml").read_text(encoding="utf-8")))


def repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"].rstrip("/")


@dataclass(frozen=True)
class Env:
    """A virtual environment, used through its own interpreter only (``python -m ...``)."""

    path: Path

    @property
    def python(self) -> str:
        return str(self.path / "bin" / "python")

    def run(self, *args: str, cwd: Path | None = None, check: bool = True,
            threads: int | None = None) -> subprocess.CompletedProcess:
        """Run this environment's Python; ``threads`` sets torch's (OpenMP's) thread count."""
        environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        environment["PATH"] = f"{self.path / 'bin'}:{environment.get('PATH', '')}"
        environment["GANBOOK_PROFILE"] = "cpu"
        if threads is not None:
            environment.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        result = subprocess.run([self.python, *args], cwd=cwd, env=environment, capture_output=True, text=True)
        if check and result.returncode:
            raise AssertionError(f"{' '.join(args)[:200]} failed in {self.path}:\n{result.stderr[-4000:]}")
        return result

    def pip(self, *args: str) -> None:
        self.run("-m", "pip", *args, "-q", "--disable-pip-version-check")

    def copy(self, target: Path) -> "Env":
        """A copy by hard links: pip and Python replace files, never write into them."""
        subprocess.run(["cp", "-al", str(self.path), str(target)], check=True)
        return Env(target)

    def has_ganbook(self) -> bool:
        probe = self.run("-c", "import importlib.util as u; print(u.find_spec('ganbook') is not None)")
        return probe.stdout.strip() == "True"


@dataclass(frozen=True)
class Release:
    url: str          # stands for the repository URL of _config.yml (a URL with a host, as
                      # pip requires of a git+ requirement: file://localhost/...)
    tag: str

    def requirement(self) -> str:
        return f"ganbook @ git+{self.url}@{self.tag}"


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> Release:
    """This checkout (tracked and new files, as they are now) as a git repository tagged v<version>."""
    repo = tmp_path_factory.mktemp("release") / "ganbook"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source, target = ROOT / name, repo / name
        if not source.exists() and not source.is_symlink():
            continue                                    # deleted in the work tree
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=ganbook tests", "-c", "user.email=tests@localhost", "-C", str(repo)]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"], ["tag", f"v{version()}"]):
        subprocess.run(git + command, check=True)
    return Release(f"file://localhost{repo}", f"v{version()}")


@pytest.fixture(scope="session")
def colab_base(tmp_path_factory) -> Env:
    """A fresh virtual environment with what Colab has that matters here: torch and a kernel."""
    env = Env(tmp_path_factory.mktemp("colab") / "base")
    venv.create(env.path, with_pip=True)
    env.pip("install", *COLAB_PREINSTALLED)
    assert not env.has_ganbook(), "the clean environment already has ganbook"
    return env


@pytest.fixture(scope="session")
def colab_with_dependencies(colab_base, release, tmp_path_factory) -> Env:
    """``colab_base`` plus the package's dependencies as the release's install resolves them."""
    env = colab_base.copy(tmp_path_factory.mktemp("colab-deps") / "env")
    env.pip("install", release.requirement())
    env.pip("uninstall", "-y", "ganbook")
    assert not env.has_ganbook()
    return env
