r"""Reference runs: experiments at a budget no CI build affords, stored with their provenance.

Two kinds of experiment, each trained by the package's own module for it:

* ``EXPERIMENTS`` (:class:`Experiment`): a mode benchmark, a method of :mod:`ganbook.mode_runs`
  and its configuration at the larger budget (chapter 09). The result holds per-seed metrics,
  each seed's evaluations during training, seed 0's losses (every ``CURVE_EVERY``-th step) and
  its trained generator's weights. The *prefix*: seed 0 trained alone on the CPU for
  ``PREFIX_STEPS`` steps and a tenth as many at the lower rate (both phases), its losses and
  its final scores.
* ``WGAN_EXPERIMENTS`` (:class:`WGANExperiment`): the arms of :mod:`ganbook.wgan_runs` on their
  2-D Gaussian at the larger budget (chapter 06). The result holds each arm's per-seed tracking
  records (critic estimate, exact W1, distance between the means), final W1 and critic-loss
  spread, seed 0's losses, and seed 0's trained RMSProp generator and critic. The prefix: seed 0
  of every arm trained alone on the CPU for ``PREFIX_STEPS`` steps, their losses and the
  RMSProp arm's final tracking record.

Every result also stores the full configuration, the package's source hash, the torch version,
device, wall time and date. :func:`load` checks a stored result against the package as it is
now (:func:`check_prefix`): the prefix is re-trained on the CPU (also for a run made on CUDA)
and must give the same losses and scores, and seed 0's stored models are evaluated again and
must give the stored final scores. A change to the training steps, the schedule, the data, the
models or the metrics therefore raises :class:`StaleReference`, naming the command that
refreshes the result. What it cannot see is a
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
from ganbook import mode_runs, models, wgan_runs
from ganbook.claims import package_file
from ganbook.session import seed_everything

#: Seed 0's losses stored and re-run on every build.
PREFIX_STEPS = 100
#: Stride of the stored loss curves.
CURVE_EVERY = 100
#: Relative tolerance of the prefix comparison: the same CPU code on another CPU may sum in another
#: order (vectorised kernels), a difference of order 1e-7 per step that 100 steps of Adam carry
#: along; a change to the training code moves the losses at the first or second decimal. A loss
#: that passes near 0 is compared at the same tolerance relative to its series' largest magnitude
#: (the WGAN critic's losses are of order 1e-3, the GAN's of order 1: one absolute bound would not
#: fit both).
PREFIX_RTOL = 1e-4


class StaleReference(RuntimeError):
    """A stored reference result that the current code does not reproduce (or cannot read)."""


# -- storing numbers and weights ---------------------------------------------------------------

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


def _load_weights(module: torch.nn.Module, weights: dict) -> torch.nn.Module:
    state = {name: torch.from_numpy(np.frombuffer(base64.b64decode(w["float32"]), dtype="<f4").copy())
             .reshape(w["shape"]) for name, w in weights.items()}
    module.load_state_dict(state)
    return module


# -- the mode benchmarks (chapter 09) ------------------------------------------------------------

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

    def train(self, device: torch.device, progress: bool | None) -> dict:
        """Train every seed; the experiment's part of the result record."""
        runs = mode_runs.train_method(self.benchmark, self.method, self.config, device=device, progress=progress)
        first, second = self.config.steps_for(self.method)
        return {
            "benchmark": self.benchmark, "method": self.method, "generator_steps": first + second,
            "seeds": [run.seed for run in runs],
            "final": {key: [_storable_value(v) for v in mode_runs.final(runs, key)]
                      for key in ("modes", "high_quality", "reverse_kl")},
            "evaluations": [[{"step": e["step"], **_storable({k: v for k, v in e.items() if k != "step"})}
                             for e in run.history.evaluations] for run in runs],
            "losses_seed0": {"every": CURVE_EVERY, "d_loss": runs[0].history.d_loss[::CURVE_EVERY].tolist(),
                             "g_loss": runs[0].history.g_loss[::CURVE_EVERY].tolist()},
            "generator_seed0": _weights(runs[0].generator),
        }

    def prefix(self) -> dict:
        """Seed 0 trained alone on the CPU, both phases shortened (``PREFIX_STEPS``, then a tenth
        at the lower rate): its losses and its final scores."""
        (run,) = mode_runs.train_method(self.benchmark, self.method, self.config, seeds=[0],
                                        phases=(PREFIX_STEPS, PREFIX_STEPS // self.config.anneal),
                                        evaluate=False, device="cpu", progress=False)
        return {"steps": run.history.steps, "d_loss": run.history.d_loss.tolist(),
                "g_loss": run.history.g_loss.tolist(),
                "scores": _storable(mode_runs.score(run.generator, self.benchmark, self.config.n_samples))}

    def same_scores(self, stored: dict, now: dict) -> bool:
        """Modes equal; high-quality shares within 2 samples and reverse KL within 1e-2 (a run made
        on CUDA, scored there, rounds a sample near the 3-sigma boundary differently from the CPU)."""
        n = self.config.n_samples
        if stored["modes"] != now["modes"] or abs(stored["high_quality"] - now["high_quality"]) > 2 / n:
            return False
        a, b = stored["reverse_kl"], now["reverse_kl"]
        return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-2)

    def rescored(self, result: dict) -> tuple[dict, dict]:
        """Seed 0's stored final scores, and its stored generator's scores now."""
        now = _storable(mode_runs.score(_generator(self, result["generator_seed0"]), self.benchmark,
                                        self.config.n_samples))
        return {k: v for k, v in result["evaluations"][0][-1].items() if k != "step"}, now


def _generator(exp: Experiment, weights: dict) -> torch.nn.Module:
    return _load_weights(models.MLPGenerator(2, 2, exp.config.hidden), weights)


#: The reference configuration, written out in full (a change to chapter 09's defaults must not
#: silently change it): the chapter's networks and optimiser at GDPP's number of generator steps
#: (25,000; Elfeki et al. 2019, appendix), then a tenth as many at a tenth of the learning rate.
#: WGAN-GP's five critic steps per generator step make its steps five times dearer: it gets 5,000.
REFERENCE_CONFIG = mode_runs.Config(hidden=(64, 64, 64), batch_size=128, lr=1e-3, betas=(0.5, 0.999),
                                    steps=25_000, gp_steps=5_000, anneal=10, seeds=tuple(range(8)),
                                    n_samples=2500, evaluations=10)
_PAPER = "GDPP (Elfeki et al. 2019): 25,000 iterations, batch 512; PacGAN (Lin et al. 2018): 400,000 steps, batch 100"
#: Slugs of the experiments' methods (``<benchmark>-<slug>``). Minibatch discrimination compares
#: the samples of a batch pairwise: on this 2-core machine, two benchmarks at a time with one
#: thread each and other work beside them, its runs took 36-37 minutes per benchmark.
SLUGS = {"gan": "GAN", "feature-matching": "feature matching", "minibatch-discrimination": "minibatch discrimination",
         "pacgan2": "PacGAN2", "wgan-gp": "WGAN-GP (paper defaults)"}
#: The mode-benchmark experiments (chapter 09).
EXPERIMENTS = {f"{benchmark}-{slug}": Experiment(f"{benchmark}-{slug}", benchmark, method, REFERENCE_CONFIG, _PAPER)
               for benchmark in ("ring", "grid") for slug, method in SLUGS.items()}


# -- the WGAN arms (chapter 06) ------------------------------------------------------------------

#: Relative tolerance of a stored tracking record evaluated again (float32 models; a run made on
#: CUDA evaluates its critic there, whose sums round differently at about 1e-7).
TRACKING_RTOL = 1e-4


@dataclass(frozen=True)
class WGANExperiment:
    """The arms of :mod:`ganbook.wgan_runs` trained with ``config``; ``paper`` says which
    published budget it stands for."""

    name: str
    config: wgan_runs.Config
    paper: str
    method: str = "wgan arms"

    def command(self) -> str:
        return f"make reference NAME={self.name}"

    def train(self, device: torch.device, progress: bool | None) -> dict:
        """Every arm, every seed; the experiment's part of the result record."""
        arms, models_seed0 = {}, None
        for arm in wgan_runs.ARMS:
            started = time.perf_counter()
            runs = wgan_runs.train_arm(arm, self.config, device=device, progress=progress)
            arms[arm] = {"records": [wgan_runs.records(run).tolist() for run in runs],
                         "spread": [wgan_runs.loss_spread(run.history.d_loss) for run in runs],
                         "seconds": round(time.perf_counter() - started, 1),
                         "losses_seed0": {"every": CURVE_EVERY,
                                          "d_loss": runs[0].history.d_loss[::CURVE_EVERY].tolist(),
                                          "g_loss": runs[0].history.g_loss[::CURVE_EVERY].tolist()}}
            if arm == "RMSProp":
                models_seed0 = {"generator": _weights(runs[0].generator), "critic": _weights(runs[0].discriminator)}
        return {"method": self.method, "generator_steps": self.config.steps, "seeds": list(self.config.seeds),
                "arms": arms,
                "models_seed0": models_seed0}

    def prefix(self) -> dict:
        """Seed 0 of every arm trained alone on the CPU for ``PREFIX_STEPS`` steps: the losses,
        and the RMSProp arm's tracking record at its end."""
        out: dict = {"steps": PREFIX_STEPS}
        for arm in wgan_runs.ARMS:
            (run,) = wgan_runs.train_arm(arm, self.config, seeds=[0], steps=PREFIX_STEPS, evaluate=False,
                                         device="cpu", progress=False)
            out[f"{arm} d_loss"], out[f"{arm} g_loss"] = run.history.d_loss.tolist(), run.history.g_loss.tolist()
            if arm == "RMSProp":
                out["scores"] = wgan_runs.tracker(self.config)(run.generator, run.discriminator)
        return out

    def same_scores(self, stored: dict, now: dict) -> bool:
        """The same tracking record to ``TRACKING_RTOL``."""
        return set(stored) == set(now) and all(math.isclose(stored[k], now[k], rel_tol=TRACKING_RTOL, abs_tol=1e-9)
                                               for k in stored)

    def rescored(self, result: dict) -> tuple[dict, dict]:
        """Seed 0's stored final RMSProp record, and its stored models evaluated now."""
        generator, critic = wgan_runs.build(self.config)(0)
        _load_weights(generator, result["models_seed0"]["generator"])
        _load_weights(critic, result["models_seed0"]["critic"])
        with torch.no_grad():
            now = wgan_runs.tracker(self.config)(generator, critic)
        _, estimate, w1, mean_gap = result["arms"]["RMSProp"]["records"][0][-1]
        return {"estimate": estimate, "w1": w1, "mean_gap": mean_gap}, now


#: Chapter 06's networks, target and Algorithm 1's defaults at 50,000 generator steps, a quarter
#: of the roughly 2e5 of Arjovsky et al.'s released code (25 epochs of LSUN at batch 64), with 8
#: seeds. The records stay 20, so the tracking rule's threshold keeps its meaning (about two
#: standard deviations of unrelated series' rank correlation).
WGAN_REFERENCE_CONFIG = wgan_runs.Config(hidden=(64, 64), steps=50_000, seeds=tuple(range(8)), records=20,
                                         n_reference=600, n_estimate=4000)
_WGAN_PAPER = ("Arjovsky et al. (2017) and their released code: DCGAN-sized critic and generator on LSUN "
               "bedrooms at 64x64, batch 64, about 2e5 generator steps")
#: The WGAN experiments (chapter 06).
WGAN_EXPERIMENTS = {"gaussian-wgan": WGANExperiment("gaussian-wgan", WGAN_REFERENCE_CONFIG, _WGAN_PAPER)}


def _all() -> dict:
    return {**EXPERIMENTS, **WGAN_EXPERIMENTS}


def experiment(name: str) -> Experiment | WGANExperiment:
    """The experiment called ``name``, of either kind."""
    experiments = _all()
    if name not in experiments:
        raise ValueError(f"name must be one of {sorted(experiments)}, got {name!r}")
    return experiments[name]


def source_hash() -> str:
    """SHA-256 of the package's code and tables (``*.py``, ``mode_benchmarks.yml``, sorted by path)."""
    root = Path(ganbook.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.glob("*") if p.suffix == ".py" or p.name == "mode_benchmarks.yml"):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def run(exp: Experiment | WGANExperiment | str, *, device: str | torch.device | None = None,
        progress: bool | None = None) -> dict:
    """Train ``exp`` (an experiment or its name) and return its result record."""
    exp = experiment(exp) if isinstance(exp, str) else exp
    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    code = source_hash()                    # of the code that trains, read before training
    seed_everything(0)
    started = time.perf_counter()
    trained = exp.train(device, progress)
    seconds = time.perf_counter() - started
    return {
        "name": exp.name, "paper": exp.paper, "config": exp.config.as_dict(), **trained,
        "prefix": exp.prefix(),
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


def check_prefix(result: dict, exp: Experiment | WGANExperiment | None = None) -> None:
    """Check a stored result against the current code; :class:`StaleReference` if it differs.

    The configuration must be the experiment's; the prefix re-trained now must give the stored
    losses (to ``PREFIX_RTOL``) and scores; seed 0's stored models evaluated now must give
    their stored final scores.
    """
    exp = exp or experiment(result["name"])
    refresh = f"refresh it with `{exp.command()}`"
    if exp.config.as_dict() != result["config"] or exp.method != result["method"]:
        raise StaleReference(f"reference run {exp.name!r} was made with another configuration or method "
                             f"than the package's; {refresh}")
    stored, now = result["prefix"], exp.prefix()
    if set(stored) != set(now):
        raise StaleReference(f"reference run {exp.name!r} is stale: its prefix records {sorted(stored)}, the "
                             f"current code's {sorted(now)}; {refresh}")
    for key in (k for k in now if k not in ("steps", "scores")):
        a, b = np.asarray(stored[key], dtype=float), np.asarray(now[key], dtype=float)
        if a.shape != b.shape:
            raise StaleReference(f"reference run {exp.name!r} is stale: its prefix has {a.size} steps, the "
                                 f"current code's {b.size}; {refresh}")
        if not np.allclose(a, b, rtol=PREFIX_RTOL, atol=PREFIX_RTOL * float(np.abs(a).max(initial=0.0))):
            worst = int(np.argmax(np.abs(a - b)))
            raise StaleReference(f"reference run {exp.name!r} is stale: the current code trains seed 0 "
                                 f"differently ({key} at step {worst}: stored {a[worst]:.6g}, now "
                                 f"{b[worst]:.6g}); {refresh}")
    if not exp.same_scores(stored["scores"], now["scores"]):
        raise StaleReference(f"reference run {exp.name!r} is stale: the prefix's scores changed (stored "
                             f"{stored['scores']}, now {now['scores']}); {refresh}")
    final, rescored = exp.rescored(result)
    if not exp.same_scores(final, rescored):
        raise StaleReference(f"reference run {exp.name!r} is stale: seed 0's trained models now score "
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
    """A stored per-seed metric of a mode benchmark at the end of training (a stored null reverse
    KL is ``inf`` again)."""
    return np.array([_loaded_value(v) for v in result["final"][key]], dtype=float)


def at_evaluation(result: dict, key: str, index: int) -> np.ndarray:
    """A stored mode-benchmark metric per seed at evaluation ``index`` (0: the untrained models,
    -1: the end)."""
    return np.array([_loaded_value(seed[index][key]) for seed in result["evaluations"]], dtype=float)


def arm_records(result: dict, arm: str) -> list[np.ndarray]:
    """A stored WGAN arm's tracking records per seed, rows ``(step, estimate, w1, mean_gap)``."""
    if arm not in result.get("arms", {}):
        raise ValueError(f"arm must be one of {sorted(result.get('arms', {}))}, got {arm!r}")
    return [np.array(rows, dtype=float) for rows in result["arms"][arm]["records"]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ganbook.reference", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"experiments (default: all of {sorted(_all())})")
    parser.add_argument("--out", required=True, help="directory of the results (the book's: book/results)")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when present)")
    args = parser.parse_args(argv)
    for name in args.names or list(_all()):
        result = run(name, device=args.device)
        path = save(result, args.out)
        print(f"{name}: {result['provenance']['seconds']:.0f} s on {result['provenance']['device']} -> {path}",
              flush=True)


if __name__ == "__main__":
    main()
