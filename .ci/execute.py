"""Execute every chapter before the site is built, several at a time, into the build's cache.

`make book` and `make test` run this, then `jupyter-book build`, which reads each chapter's outputs
from the cache (``execute_notebooks: cache`` in ``_config.yml``) and executes only the pages that
summarise the chapters' ledgers (claims, errata, not reproduced), after all chapters have run.

Why: the book's models are small, and torch trains them faster on one thread than on two (thread
start-up costs more than it saves on such small matrices), so on a machine with N cores N chapters
run side by side, one thread each. Measured on 2 cores: the eleven chapters took 1,147 s one at a
time with two threads each, and 518 s of chapter time (269 s wall) two at a time with one thread. Every chapter is executed on every build: the cache is emptied first,
so nothing from an earlier build is ever shown.

A chapter is read exactly as MyST-NB reads it (its reader, its configuration), so the cache's hash of
its code cells is the one the build looks up; should that ever stop matching, the build would run
the chapter again, one at a time, and the Makefile fails it on the log line saying so. A failed
chapter prints its traceback and this script exits 1 before the site is built.

    python .ci/execute.py [STEM ...]     # all chapters, or the named ones
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution
from myst_nb.core.read import read_myst_markdown_notebook
from myst_parser.config.main import MdParserConfig

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
CACHE = ROOT / "_build" / ".jupyter_cache"   # MyST-NB's default: <build folder>/.jupyter_cache
LEDGERS = ROOT / "_build" / "ledgers"
# Chapter times of the last build, longest first next time (on a fresh clone: file order reversed,
# which puts the late, training-heavy chapters first).
TIMES = ROOT / "_build" / "chapter_seconds.json"
# The last whole build's wall time and parallelism (benchmarks/chapter_times.py reads it).
WALL = ROOT / "_build" / "book_seconds.json"


def chapters(names: list[str]) -> list[Path]:
    """The numbered chapters of the book (``book/NN-*.md``), or those named."""
    found = sorted(BOOK.glob("[0-9][0-9]-*.md"))
    if not names:
        return found
    unknown = sorted(set(names) - {p.stem for p in found})
    if unknown:
        raise SystemExit(f"no such chapter: {', '.join(unknown)} (chapters: {', '.join(p.stem for p in found)})")
    return [p for p in found if p.stem in names]


def longest_first(paths: list[Path], last: dict[str, float]) -> list[Path]:
    """Paths ordered by their last measured time, longest first (so the slowest start at once)."""
    rank = {p.stem: i for i, p in enumerate(reversed(paths))}
    return sorted(paths, key=lambda p: (-last.get(p.stem, 0.0), rank[p.stem]))


def read(path: Path, config: MdParserConfig):
    """The notebook MyST-NB makes of a chapter (what the cache hashes: its code cells, kernelspec)."""
    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), config=config,
                                       add_source_map=True, path=str(path))


def execute(path: Path, config: MdParserConfig, timeout: int):
    """Run one chapter in its folder (as MyST-NB does); the executed notebook and the result."""
    notebook = read(path, config)
    result = single_nb_execution(notebook, cwd=str(path.parent), timeout=timeout, allow_errors=False,
                                 meta_override=True)
    return notebook, result.time, result.exc_string


def main(argv: list[str]) -> int:
    settings = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    timeout = int(settings["execute"]["timeout"])
    config = MdParserConfig(enable_extensions=set(settings["parse"]["myst_enable_extensions"]))
    last = json.loads(TIMES.read_text()) if TIMES.is_file() else {}
    paths = longest_first(chapters(argv), last)
    cores = os.cpu_count() or 1
    jobs = max(1, min(cores, len(paths), int(os.environ.get("GANBOOK_BUILD_JOBS", cores))))
    # each chapter's kernel gets an equal share of the cores (kernels inherit this environment)
    threads = str(max(1, cores // jobs))
    os.environ.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)

    if not argv:   # a whole build: nothing from an earlier build is shown
        shutil.rmtree(CACHE, ignore_errors=True)
        shutil.rmtree(LEDGERS, ignore_errors=True)
    cache = get_cache(str(CACHE))
    print(f"executing {len(paths)} chapters, {jobs} at a time, {threads} thread(s) each", flush=True)
    started, seconds, failed = time.perf_counter(), {}, []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        running = {pool.submit(execute, path, config, timeout): path for path in paths}
        for done in as_completed(running):
            path = running[done]
            notebook, seconds[path.stem], error = done.result()
            if error:
                failed.append(path.stem)
                print(f"FAILED {path.stem} after {seconds[path.stem]:.0f} s\n{error}", flush=True)
                continue
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, str(path), data={"execution_seconds": seconds[path.stem]}),
                check_validity=False, overwrite=True)
            print(f"{path.stem}: {seconds[path.stem]:.0f} s", flush=True)
    TIMES.parent.mkdir(parents=True, exist_ok=True)
    TIMES.write_text(json.dumps({**last, **seconds},
                                indent=1, sort_keys=True))
    wall = time.perf_counter() - started
    if not argv:
        WALL.write_text(json.dumps({"wall": round(wall, 1), "jobs": jobs, "threads": int(threads),
                                    "chapters": len(paths)}, indent=1))
    print(f"{len(paths)} chapters executed in {wall:.0f} s wall "
          f"({sum(seconds.values()):.0f} s of chapter time)", flush=True)
    if failed:
        print(f"chapters failed: {', '.join(failed)}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
