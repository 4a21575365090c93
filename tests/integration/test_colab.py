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
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, repository_url, version

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


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_runs_in_a_clean_environment_from_its_install_cell(notebook, release, colab_base, request,
                                                                       tmp_path):
    first = notebook == NOTEBOOKS[0]
    start = colab_base if first else request.getfixturevalue("colab_with_dependencies")
    env = start.copy(tmp_path / "env")
    assert not env.has_ganbook()
    source, executed = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    source.write_text(json.dumps(colab_version(json.loads(notebook.read_text()), release.url)))

    result = env.run("-c", RUN, str(source), str(executed), cwd=tmp_path, check=False)
    assert result.returncode == 0, f"{notebook.name} failed in the clean environment:\n{result.stderr[-4000:]}"
    cells = json.loads(executed.read_text())["cells"]
    errors = [o for cell in cells if cell["cell_type"] == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    (report,) = [json.loads("".join(o["text"])) for o in cells[-1]["outputs"] if o.get("name") == "stdout"]
    assert report["prefix"] == str(env.path), "the kernel did not run in the clean environment"
    assert re.match(rf"^{re.escape(str(env.path))}/lib/python[\d.]+/site-packages/ganbook/__init__\.py$",
                    report["ganbook"]), report["ganbook"]
    assert report["origin"]["url"] == release.url
    assert report["origin"]["vcs_info"]["requested_revision"] == f"v{version()}"
    assert report["claims"] >= 37
