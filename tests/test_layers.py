"""The pure core: no import cycles among the sources and goals, no import inside a function
there without a reason (``scripts/import_cycles.py``, ``scripts/inner_imports.py``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
#: the packages below the statistics: sources, goals, the command line and the foundation
CORE = (
    "analys.cli",
    "analys.app",
    "analys.goals",
    "analys.data",
    "analys.catalogue",
    "analys.own",
    "analys.store",
    "analys.kolada",
    "analys.demo",
    "analys.registry",
    "analys.reference",
    "analys.chartstyle",
    "analys.safe",
    "analys.captions",
    "analys.summary",
    "analys.format",
    "analys.frame",
    "analys.errors",
)


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _in_core(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in CORE)


def test_no_import_cycle_touches_the_core():
    cycles = _script("import_cycles")
    edges, _ = cycles.graph()
    touching = [c for c in cycles.cycles(edges) if any(_in_core(m) for m in c)]
    assert touching == []


def test_every_import_inside_a_core_function_has_a_reason(capsys):
    inner = _script("inner_imports")
    unexplained = [
        (module, line, target)
        for module, line, target, reason in inner.inner_imports()
        if _in_core(module) and not reason
    ]
    assert unexplained == []
    assert inner.main(["--strict", *CORE]) == 0
    assert "without a reason" not in capsys.readouterr().out


def test_the_inner_import_script_finds_the_reasons(tmp_path):
    name = "a"
    inner = _script("inner_imports")
    package = tmp_path / "analys"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / f"{name}.py").write_text(
        "def f():\n"
        "    import matplotlib  # import cost\n"
        "    from analys import other\n"
        "    import fcntl\n"
        "    return matplotlib, other, fcntl\n"
    )
    found = {(m, t): r for m, _, t, r in inner.inner_imports(tmp_path)}
    assert found[(f"analys.{name}", "matplotlib")] == "import cost"
    assert found[(f"analys.{name}", "analys.other")] == ""
    assert found[(f"analys.{name}", "fcntl")].startswith("platform")
