"""A chapter's notebook, run as a student runs it in Colab: a clean environment plus the first cell.

The environment is a fresh virtual environment with only what Colab has before the notebook
starts that matters here (torch and a Jupyter kernel). The notebook is the generated one from
``notebooks/``, with two edits that make its first cell act as on Colab: ``google.colab`` is
present, and the package is installed from this checkout instead of the repository's URL (the
test is offline). Everything else (the package's dependencies, its shipped claims file and
sources) must come from that one install cell.
"""

from __future__ import annotations

import json
import subprocess
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "05-game-dynamics.ipynb"
RUN = """
import sys, nbformat, nbclient
notebook = nbformat.read(sys.argv[1], as_version=4)
nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3").execute()
nbformat.write(notebook, sys.argv[2])
"""


def colab_version(notebook: dict, checkout: Path) -> dict:
    install = notebook["cells"][0]
    assert "colab-install" in install["metadata"].get("tags", []), "the first cell is not the install cell"
    source = "".join(install["source"])
    url = source.split('"ganbook @ ')[1].split('"')[0]
    source = source.replace(url, checkout.as_uri())
    source = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")\n' + source
    install["source"] = source
    return notebook


def test_a_notebook_runs_in_a_clean_environment_from_its_install_cell(tmp_path):
    env_dir = tmp_path / "colab"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + ["torch==2.13.0", "ipykernel", "nbclient", "nbformat"], check=True)
    probe = subprocess.run([str(python), "-c", "import importlib.util as u; print(u.find_spec('ganbook'))"],
                           check=True, capture_output=True, text=True)
    assert probe.stdout.strip() == "None", "the clean environment already has ganbook"

    notebook = colab_version(json.loads(NOTEBOOK.read_text()), ROOT)
    source, executed = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    source.write_text(json.dumps(notebook))
    result = subprocess.run([str(python), "-c", RUN, str(source), str(executed)], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, f"the notebook failed in the clean environment:\n{result.stderr[-4000:]}"
    outputs = json.loads(executed.read_text())
    errors = [o for cell in outputs["cells"] if cell["cell_type"] == "code"
              for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    check = subprocess.run([str(python), "-c", "import ganbook, ganbook.claims as c; print(len(c.load()))"],
                           capture_output=True, text=True)
    assert check.returncode == 0 and int(check.stdout.strip()) >= 37, check.stderr
