"""Putting executed results into the book's pages.

In the book, :func:`glue` stores a value or figure under a name so the prose can show it
(myst-nb's ``{glue:text}`` role). In a plain notebook (Colab) myst-nb is usually absent; the
value is then simply displayed, so the same chapter code runs everywhere.
"""

from __future__ import annotations

from typing import Any

try:
    from myst_nb import glue as _myst_glue
except ImportError:  # outside the book's build: Colab, a bare Jupyter
    _myst_glue = None


def glue(name: str, value: Any, display: bool = False) -> None:
    """Glue ``value`` under ``name`` for the page; outside the book, show it with its name."""
    if _myst_glue is not None:
        _myst_glue(name, value, display=display)
        return
    from IPython.display import display as show
    show(f"{name} = {value}" if not hasattr(value, "savefig") else value)
