"""analys – mål- och resultatstyrning med Kolada i Jupyter.

The stable interface (docs/architecture.md#the-stable-interface) is importable from here;
the modules hold the rest.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from analys.errors import AnalysError, KoladaError, ParamsError

__version__ = "0.1.0"

__all__ = [
    "AnalysError",
    "KoladaError",
    "ParamsError",
    "KoladaClient",
    "load_values",
    "load_units",
    "load_unit_values",
    "load_kpis",
    "load_groups",
    "snapshot",
    "load_area",
    "evaluate",
    "compare",
    "trend",
    "model",
    "plots",
    "widgets",
]

_LAZY = {
    "load_values": ("analys.data", "load_values"),
    "load_units": ("analys.data", "load_units"),
    "load_unit_values": ("analys.data", "load_unit_values"),
    "load_kpis": ("analys.data", "load_kpis"),
    "load_groups": ("analys.data", "load_groups"),
    "snapshot": ("analys.data", "snapshot"),
    "KoladaClient": ("analys.kolada", "KoladaClient"),
    "load_area": ("analys.goals", "load_area"),
    "evaluate": ("analys.fulfilment", "evaluate"),
}
_SUBMODULES = {
    "data",
    "compare",
    "trend",
    "model",
    "plots",
    "maps",
    "widgets",
    "render",
    "goals",
    "fulfilment",
    "kolada",
    "store",
    "demo",
    "registry",
    "reference",
    "peers",
    "units",
}


def __getattr__(name: str) -> Any:
    """Import modules (pandas, statsmodels, matplotlib, ipywidgets) only when used, so a
    render worker or ``analys --help`` does not pay for what it never touches."""
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    if name in _SUBMODULES:
        return import_module(f"analys.{name}")
    raise AttributeError(f"module 'analys' has no attribute {name!r}")
