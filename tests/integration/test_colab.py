"""Every chapter's notebook, run as a student runs it in Colab: a clean environment plus its first cell.

The notebooks are the generated ones of ``notebooks/``, each with two edits that make its first
cell act as on Colab: ``google.colab`` is present, and the repository URL in its pinned install
(``ganbook @ git+<repository>@v<version>``) points at a local git repository holding this checkout
tagged ``v<version>`` (the test is offline; see ``conftest.py``). The tag and the ``git+``
install are the notebook's own. Each notebook gets its own copy of an environment and runs in the
CPU profile. The first installs the package *and its dependencies* from its install cell into an
environment with only torch and a kernel; the others start where the dependencies are already
there (installing them ten more times would test nothing new), so their install cells install the
package itself. A last cell added to each run reports where ganbook was imported from.

The notebooks run side by side, as many as there are cores, one thread each (the chapters' small
models train as fast on one thread as on two; see ``.ci/execute.py``), the longest first by the
last build's chapter times; each notebook's test then reads its own outcome.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, Env, claim_count, repository_url, version

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RUN = """
import sys, nbformat, nbclient
notebook = nbformat.read(sys.argv[1], as_version=4)
nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3").execute()
nbformat.write(notebook, sys.argv[2])
"""
PROBE = """\
import json, sys, importlib.metadata as metadata, ganbook, ganbook.claims
origin = json.loads(metadata.distribution("ganbook").read_text("direct_url.json"))
print(json.dumps({"prefix": sys.prefix, "ganbook": ganbook.__file__, "origin": origin,
                  "claims": len(ganbook.claims.load())}))
"""


def colab_version(notebook: dict, url: str) -> dict:
    """The notebook as Colab runs it, its pinned install pointed at ``url`` instead of the repository."""
    install = notebook["cells"][0]
    assert "colab-install" in install["metadata"].get("tags", []), "the first cell is not the install cell"
    source = "".join(install["source"])
    pinned = f'"ganbook @ git+{repository_url()}@v{version()}"'
    assert source.count(pinned) == 1, f"the install cell does not pin {pinned}"
    source = source.replace(f"git+{repository_url()}@", f"git+{url}@")
    install["source"] = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")\n' + source
    notebook["cells"].append({"cell_type": "code", "execution_count": None, "id": "probe", "metadata": {},
                              "outputs": [], "source": PROBE})
    return notebook


def test_every_chapter_has_a_notebook():
    assert {p.stem for p in NOTEBOOKS} == {p.stem for p in (ROOT / "book").glob("[0-9][0-9]-*.md")}


@dataclass(frozen=True)
class Outcome:
    env: Env
    returncode: int
    stderr: str
    cells: list


def run_notebook(notebook: Path, env: Env, url: str, folder: Path, threads: int) -> Outcome:
    folder.mkdir(parents=True)
    source, executed = folder / "in.ipynb", folder / "out.ipynb"
    source.write_text(json.dumps(colab_version(json.loads(notebook.read_text()), url)))
    result = env.run("-c", RUN, str(source), str(executed), cwd=folder, check=False, threads=threads)
    cells = json.loads(executed.read_text())["cells"] if executed.is_file() else []
    return Outcome(env, result.returncode, result.stderr, cells)


@pytest.fixture(scope="module")
def outcomes(release, colab_base, colab_with_dependencies, tmp_path_factory) -> dict[str, Outcome]:
    """Every notebook run in its own copy of a clean environment, several at a time."""
    root = tmp_path_factory.mktemp("notebooks")
    last = ROOT / "_build" / "chapter_seconds.json"
    seconds = json.loads(last.read_text()) if last.is_file() else {}
    cores = os.cpu_count() or 1
    jobs = min(cores, len(NOTEBOOKS))
    envs = {}
    for notebook in NOTEBOOKS:   # the first from torch and a kernel only; see the module's docstring
        start = colab_base if notebook == NOTEBOOKS[0] else colab_with_dependencies
        envs[notebook] = start.copy(root / f"{notebook.stem}-env")
        assert not envs[notebook].has_ganbook()
    order = sorted(NOTEBOOKS, key=lambda p: -seconds.get(p.stem, 0.0))
    with ThreadPoolExecutor(jobs) as pool:
        running = {p.stem: pool.submit(run_notebook, p, envs[p], release.url, root / p.stem,
                                       max(1, cores // jobs)) for p in order}
        return {stem: future.result() for stem, future in running.items()}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_runs_in_a_clean_environment_from_its_install_cell(notebook, outcomes, release):
    outcome = outcomes[notebook.stem]
    assert outcome.returncode == 0, f"{notebook.name} failed in the clean environment:\n{outcome.stderr[-4000:]}"
    errors = [o for cell in outcome.cells if cell["cell_type"] == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    (report,) = [json.loads("".join(o["text"])) for o in outcome.cells[-1]["outputs"] if o.get("name") == "stdout"]
    env = outcome.env
    assert report["prefix"] == str(env.path), "the kernel did not run in the clean environment"
    assert re.match(rf"^{re.escape(str(env.path))}/lib/python[\d.]+/site-packages/ganbook/__init__\.py$",
                    report["ganbook"]), report["ganbook"]
    assert report["origin"]["url"] == release.url
    assert report["origin"]["vcs_info"]["requested_revision"] == f"v{version()}"
    assert report["claims"] == claim_count()
