"""analys – mål- och resultatstyrning med Kolada i Jupyter.

The stable interface (docs/architecture.md#the-stable-interface) is importable from here;
the modules hold the rest.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
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
    "data": "analys.data",
    "compare": "analys.stats.compare",
    "trend": "analys.stats.trend",
    "model": "analys.stats.model",
    "plots": "analys.plots",
    "maps": "analys.maps",
    "widgets": "analys.widgets",
    "render": "analys.render",
    "goals": "analys.goals",
    "fulfilment": "analys.fulfilment",
    "kolada": "analys.kolada",
    "store": "analys.store",
    "demo": "analys.demo",
    "registry": "analys.registry",
    "reference": "analys.reference",
    "stats": "analys.stats",
}


#: Stable import paths of the public interface whose modules now live in a package:
#: ``import analys.compare`` gives the very module object ``analys.stats.compare``.
_MOVED = {
    "analys.compare": "analys.stats.compare",
    "analys.trend": "analys.stats.trend",
    "analys.model": "analys.stats.model",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import a stable old path as the module at its new home (no copy, no shim file)."""

    def find_spec(self, name, path=None, target=None):
        return importlib.util.spec_from_loader(name, self) if name in _MOVED else None

    def create_module(self, spec):
        module = import_module(_MOVED[spec.name])
        self.home_spec = module.__spec__  # the import system sets __spec__ to the alias's
        return module

    def exec_module(self, module) -> None:
        """Nothing to run (the module ran at its new home); give it back its own spec."""
        module.__spec__ = self.home_spec


if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
    sys.meta_path.append(_MovedModules())


def __getattr__(name: str) -> Any:
    """Import modules (pandas, statsmodels, matplotlib, ipywidgets) only when used, so a
    render worker or ``analys --help`` does not pay for what it never touches."""
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    if name in _SUBMODULES:
        return import_module(_SUBMODULES[name])
    raise AttributeError(f"module 'analys' has no attribute {name!r}")
