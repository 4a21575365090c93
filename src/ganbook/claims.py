"""The claims the book verifies: loaded from the copy shipped with the package, validated, served by id.

The file is ``book/claims.yml`` in the repository; the package ships the same file, so a
chapter running in Colab (without the repository) reads the same claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

METHODS = ("symbolic", "numeric", "trained")


class ClaimsError(ValueError):
    """The claims file is malformed, or a claim id is unknown."""


@dataclass(frozen=True)
class Claim:
    """One statement of the sources, with the kinds of evidence it admits."""

    id: str
    text: str
    sources: tuple[str, ...]
    methods: tuple[str, ...]


def package_file(name: str) -> Path:
    """Path of a data file shipped inside the package (``claims.yml``, ``sources/...``)."""
    return Path(str(resources.files("ganbook").joinpath(name)))


def parse(entries: object, sources_dir: Path | None = None) -> dict[str, Claim]:
    """Validate the parsed YAML list of claims and index it by id.

    Each entry needs ``id``, ``claim``, ``source`` (comma-separated file names) and
    ``methods`` (a non-empty subset of :data:`METHODS`). Ids must be unique. When
    ``sources_dir`` is given, every named source file must exist in it.
    """
    if not isinstance(entries, list) or not entries:
        raise ClaimsError("the claims file must be a non-empty YAML list of claims")
    claims: dict[str, Claim] = {}
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ClaimsError(f"claim #{n} is not a mapping: {entry!r}")
        missing = {"id", "claim", "source", "methods"} - entry.keys()
        if missing:
            raise ClaimsError(f"claim #{n} ({entry.get('id', '?')}) lacks {sorted(missing)}")
        cid = entry["id"]
        if cid in claims:
            raise ClaimsError(f"claim id {cid!r} appears twice")
        methods = tuple(entry["methods"] or ())
        unknown = [m for m in methods if m not in METHODS]
        if not methods or unknown:
            raise ClaimsError(f"claim {cid!r}: methods must be a non-empty subset of "
                              f"{METHODS}, got {list(methods)}")
        sources = tuple(s.strip() for s in str(entry["source"]).split(",") if s.strip())
        if not sources:
            raise ClaimsError(f"claim {cid!r} names no source file")
        if sources_dir is not None:
            absent = [s for s in sources if not (sources_dir / s).is_file()]
            if absent:
                raise ClaimsError(f"claim {cid!r}: source file(s) {absent} not in {sources_dir}")
        claims[cid] = Claim(id=cid, text=str(entry["claim"]), sources=sources, methods=methods)
    return claims


def load(path: str | Path | None = None, sources_dir: str | Path | None = None) -> dict[str, Claim]:
    """Read and validate a claims file (default: the package's copy, checked against its sources)."""
    if path is None:
        return _shipped()
    path = Path(path)
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")),
                 Path(sources_dir) if sources_dir is not None else None)


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Claim]:
    return load(package_file("claims.yml"), package_file("sources"))


def get(claim_id: str) -> Claim:
    """The claim with this id; :class:`ClaimsError` naming the id when there is none."""
    claims = _shipped()
    if claim_id not in claims:
        raise ClaimsError(f"unknown claim id {claim_id!r} (not in claims.yml)")
    return claims[claim_id]


def all_claims() -> list[Claim]:
    """Every claim, in the file's order."""
    return list(_shipped().values())


def source_lines(name: str) -> list[str]:
    """The lines of a source (``sources/<name>``, shipped with the package), for quoting it by line."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a source file name (str), got {type(name).__name__}")
    path = package_file("sources") / name
    if "/" in name or "\\" in name or not path.is_file():
        known = sorted(p.name for p in package_file("sources").iterdir() if p.is_file())
        raise ValueError(f"name must be one of the sources {known}, got {name!r}")
    return path.read_text(encoding="utf-8").splitlines()


def source_line(name: str, text: str) -> int:
    """The number (from 1) of the first line of source ``name`` that contains ``text``."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"text must be a non-empty string to look for, got {text!r}")
    for number, line in enumerate(source_lines(name), 1):
        if text in line:
            return number
    raise ValueError(f"text {text!r} is on no line of {name}")
