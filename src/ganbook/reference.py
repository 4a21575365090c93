r"""Reference runs: the mode benchmarks at a budget no CI build affords, stored with their provenance.

A reference run trains one experiment of ``EXPERIMENTS`` (a benchmark, a method of
:mod:`ganbook.mode_runs` and its configuration at the larger budget) and writes
``<name>.json``: per-seed metrics, each seed's evaluations during training, seed 0's losses
(every ``CURVE_EVERY``-th step) and its trained generator's weights, the full configuration,
the package's source hash, the torch version, device, wall time and date, and the *prefix*: seed
0 trained alone on the CPU (also for a run made on CUDA) for ``PREFIX_STEPS`` steps and a
tenth as many at the lower rate (both phases), its losses and its final scores.

:func:`load` checks a stored result against the package as it is now (:func:`check_prefix`):
the prefix is re-trained and must give the same losses and scores, and seed 0's stored generator
is scored again and must give the stored final scores. A change to the training steps, the
two-phase schedule, the data, the models or the metrics therefore raises
:class:`StaleReference`, naming the command that refreshes the result. What it cannot see is a
change that first matters after the prefix's steps for the other seeds only; the source hash
stored with each result says whether any code changed since (:func:`code_changed`).

Run from the repository: ``make reference`` (all) or ``make reference NAME=ring-gan``, i.e.
``python -m ganbook.reference ring-gan --out book/results``.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

import ganbook
from ganbook import mode_runs, models
from ganbook.claims import package_file
from ganbook.session import seed_everything

#: Seed 0's losses stored and re-run on every build.
PREFIX_STEPS = 100
#: Stride of the stored loss curves.
CURVE_EVERY = 100
#: Relative and absolute tolerance of the prefix comparison: the same CPU code on another CPU may
#: sum in another order (vectorised kernels), a difference of order 1e-7 per step that 100 steps of
#: Adam carry along; a change to the training code moves the losses at the first or second decimal.
PREFIX_RTOL, PREFIX_ATOL = 1e-4, 1e-6


@dataclass(frozen=True)
class Experiment:
    """A named reference experiment: ``method`` on ``benchmark`` with ``config``; ``paper`` says
    which published budget it stands for."""

    name: str
    benchmark: str
    method: str
    config: mode_runs.Config
    paper: str

    def command(self) -> str:
        return f"make reference NAME={self.name}"


#: The reference configuration, written out in full (a change to chapter 09's defaults must not
#: silently change it): the chapter's networks and optimiser at GDPP's number of generator steps
#: (25,000; Elfeki et al. 2019, appendix), then a tenth as many at a tenth of the learning rate.
#: WGAN-GP's five critic steps per generator step make its steps five times dearer: it gets 5,000.
REFERENCE_CONFIG = mode_runs.Config(hidden=(64, 64, 64), batch_size=128, lr=1e-3, betas=(0.5, 0.999),
                                    steps=25_000, gp_steps=5_000, anneal=10, seeds=tuple(range(8)),
                                    n_samples=2500, evaluations=10)
_PAPER = "GDPP (Elfeki et al. 2019): 25,000 iterations, batch 512; PacGAN (Lin et al. 2018): 400,000 steps, batch 100"
#: Slugs of the experiments' methods (``<benchmark>-<slug>``). Minibatch discrimination is not
#: among them: its pairwise distances cost about 100 ms per step for 8 stacked seeds at batch 128
#: on 2 cores (45 minutes per benchmark at this budget), more than a CPU reference run affords.
SLUGS = {"gan": "GAN", "feature-matching": "feature matching", "pacgan2": "PacGAN2",
         "wgan-gp": "WGAN-GP (paper defaults)"}
EXPERIMENTS = {f"{benchmark}-{slug}": Experiment(f"{benchmark}-{slug}", benchmark, method, REFERENCE_CONFIG, _PAPER)
               for benchmark in ("ring", "grid") for slug, method in SLUGS.items()}


class StaleReference(RuntimeError):
    """A stored reference result that the current code does not reproduce (or cannot read)."""


def experiment(name: str) -> Experiment:
    if name not in EXPERIMENTS:
        raise ValueError(f"name must be one of {sorted(EXPERIMENTS)}, got {name!r}")
    return EXPERIMENTS[name]


def source_hash() -> str:
    """SHA-256 of the package's code and tables (``*.py``, ``mode_benchmarks.yml``, sorted by path)."""
    root = Path(ganbook.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.glob("*") if p.suffix == ".py" or p.name == "mode_benchmarks.yml"):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def prefix(exp: Experiment) -> dict:
    """Seed 0 trained alone on the CPU, both phases shortened (``PREFIX_STEPS``, then a tenth
    at the lower rate): its losses and its final scores."""
    (run,) = mode_runs.train_method(exp.benchmark, exp.method, exp.config, seeds=[0],
                                    phases=(PREFIX_STEPS, PREFIX_STEPS // exp.config.anneal),
                                    evaluate=False, device="cpu", progress=False)
    return {"steps": run.history.steps, "d_loss": run.history.d_loss.tolist(),
            "g_loss": run.history.g_loss.tolist(),
            "scores": _storable(mode_runs.score(run.generator, exp.benchmark, exp.config.n_samples))}


def _storable_value(value: float) -> float | None:
    """JSON has no infinity: a reverse KL without any high-quality sample is stored as null."""
    return float(value) if math.isfinite(value) else None


def _storable(scores: dict) -> dict:
    return {k: _storable_value(v) for k, v in scores.items()}


def _loaded_value(value: float | None) -> float:
    return math.inf if value is None else value


def _weights(module: torch.nn.Module) -> dict:
    """A module's parameters as base64 float32 (little-endian) with their shapes."""
    return {name: {"shape": list(t.shape),
                   "float32": base64.b64encode(t.detach().cpu().float().numpy().astype("<f4").tobytes()).decode()}
            for name, t in module.state_dict().items()}


def _generator(exp: Experiment, weights: dict) -> torch.nn.Module:
    generator = models.MLPGenerator(2, 2, exp.config.hidden)
    state = {name: torch.from_numpy(np.frombuffer(base64.b64decode(w["float32"]), dtype="<f4").copy())
             .reshape(w["shape"]) for name, w in weights.items()}
    generator.load_state_dict(state)
    return generator


def run(exp: Experiment | str, *, device: str | torch.device | None = None,
        progress: bool | None = None) -> dict:
    """Train ``exp`` (an :class:`Experiment` or its name) and return its result record."""
    exp = experiment(exp) if isinstance(exp, str) else exp
    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    code = source_hash()                    # of the code that trains, read before training
    seed_everything(0)
    started = time.perf_counter()
    runs = mode_runs.train_method(exp.benchmark, exp.method, exp.config, device=device, progress=progress)
    seconds = time.perf_counter() - started
    first, second = exp.config.steps_for(exp.method)
    return {
        "name": exp.name, "benchmark": exp.benchmark, "method": exp.method, "paper": exp.paper,
        "config": exp.config.as_dict(), "generator_steps": first + second,
        "seeds": [run.seed for run in runs],
        "final": {key: [_storable_value(v) for v in mode_runs.final(runs, key)]
                  for key in ("modes", "high_quality", "reverse_kl")},
        "evaluations": [[{"step": e["step"], **_storable({k: v for k, v in e.items() if k != "step"})}
                         for e in run.history.evaluations] for run in runs],
        "losses_seed0": {"every": CURVE_EVERY, "d_loss": runs[0].history.d_loss[::CURVE_EVERY].tolist(),
                         "g_loss": runs[0].history.g_loss[::CURVE_EVERY].tolist()},
        "generator_seed0": _weights(runs[0].generator),
        "prefix": prefix(exp),
        "provenance": {"source_hash": code, "ganbook": ganbook.__version__,
                       "torch": torch.__version__, "device": str(device),
                       "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU",
                       "threads": torch.get_num_threads(), "seconds": round(seconds, 1),
                       "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")},
    }


def save(result: dict, directory: str | Path) -> Path:
    """Write ``result`` as ``<directory>/<name>.json`` (atomically); returns the path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{result['name']}.json"
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(result, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


def _same_scores(stored: dict, now: dict, n_samples: int) -> bool:
    """Modes equal; high-quality shares within 2 samples and reverse KL within 1e-2 (a run made on
    CUDA, scored there, rounds a sample near the 3-sigma boundary differently from the CPU)."""
    if stored["modes"] != now["modes"] or abs(stored["high_quality"] - now["high_quality"]) > 2 / n_samples:
        return False
    a, b = stored["reverse_kl"], now["reverse_kl"]
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-2)


def check_prefix(result: dict, exp: Experiment | None = None) -> None:
    """Check a stored result against the current code; :class:`StaleReference` if it differs.

    The configuration must be the experiment's; the prefix re-trained now must give the stored
    losses (to ``PREFIX_RTOL``) and scores; seed 0's stored generator scored now must give
    its stored final scores.
    """
    exp = exp or experiment(result["name"])
    refresh = f"refresh it with `{exp.command()}`"
    if exp.config.as_dict() != result["config"] or exp.method != result["method"]:
        raise StaleReference(f"reference run {exp.name!r} was made with another configuration or method "
                             f"than the package's; {refresh}")
    stored, now = result["prefix"], prefix(exp)
    for key in ("d_loss", "g_loss"):
        a, b = np.asarray(stored[key], dtype=float), np.asarray(now[key], dtype=float)
        if a.shape != b.shape:
            raise StaleReference(f"reference run {exp.name!r} is stale: its prefix has {a.size} steps, the "
                                 f"current code's {b.size}; {refresh}")
        if not np.allclose(a, b, rtol=PREFIX_RTOL, atol=PREFIX_ATOL):
            worst = int(np.argmax(np.abs(a - b)))
            raise StaleReference(f"reference run {exp.name!r} is stale: the current code trains seed 0 "
                                 f"differently ({key} at step {worst}: stored {a[worst]:.6g}, now "
                                 f"{b[worst]:.6g}); {refresh}")
    n = exp.config.n_samples
    if not _same_scores(stored["scores"], now["scores"], n):
        raise StaleReference(f"reference run {exp.name!r} is stale: the prefix's scores changed (stored "
                             f"{stored['scores']}, now {now['scores']}); {refresh}")
    rescored = _storable(mode_runs.score(_generator(exp, result["generator_seed0"]), exp.benchmark, n))
    final = {k: v for k, v in result["evaluations"][0][-1].items() if k != "step"}
    if not _same_scores(final, rescored, n):
        raise StaleReference(f"reference run {exp.name!r} is stale: seed 0's trained generator now scores "
                             f"{rescored}, stored {final} (the metrics or the data changed); {refresh}")


def code_changed(result: dict) -> bool:
    """Whether the package's code differs from the code the result was made with (any change,
    even one that does not alter the result: :func:`check_prefix` decides staleness)."""
    return result["provenance"]["source_hash"] != source_hash()


def load(name: str, directory: str | Path | None = None, *, check: bool = True) -> dict:
    """Read the stored result of experiment ``name``, its prefix re-run first.

    From ``directory``, by default the results shipped inside the package (``ganbook/results``,
    the repository's ``book/results``), so a notebook in Colab reads the results of its release.
    """
    exp = experiment(name)
    path = (package_file("results") if directory is None else Path(directory)) / f"{name}.json"
    if not path.is_file():
        raise StaleReference(f"no stored reference run {name!r} at {path}; make it with `{exp.command()}`")
    result = json.loads(path.read_text(encoding="utf-8"))
    if check:
        check_prefix(result, exp)
    return result


def final(result: dict, key: str) -> np.ndarray:
    """A stored per-seed metric at the end of training (a stored null reverse KL is ``inf`` again)."""
    return np.array([_loaded_value(v) for v in result["final"][key]], dtype=float)


def at_evaluation(result: dict, key: str, index: int) -> np.ndarray:
    """A stored metric per seed at evaluation ``index`` (0: the untrained models, -1: the end)."""
    return np.array([_loaded_value(seed[index][key]) for seed in result["evaluations"]], dtype=float)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ganbook.reference", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"experiments (default: all of {sorted(EXPERIMENTS)})")
    parser.add_argument("--out", required=True, help="directory of the results (the book's: book/results)")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when present)")
    args = parser.parse_args(argv)
    for name in args.names or list(EXPERIMENTS):
        result = run(name, device=args.device)
        path = save(result, args.out)
        print(f"{name}: {result['provenance']['seconds']:.0f} s on {result['provenance']['device']} -> {path}",
              flush=True)


if __name__ == "__main__":
    main()
