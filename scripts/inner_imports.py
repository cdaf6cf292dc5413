"""List the imports inside functions in analys, grouped by the reason each one has.

    python scripts/inner_imports.py                      # every one, grouped by reason
    python scripts/inner_imports.py --strict analys.goals analys.store …
                                                         # exit 1 if one of those has none

An import belongs at the top of its module. One inside a function is kept only to spare the
cost of importing a heavy library until it is needed (matplotlib, papermill, ipywidgets,
statsmodels, distributed, playwright …), or because a module exists on one platform only
(``fcntl``/``msvcrt``) – never to get around an import cycle or a layer (``.importlinter``
and ``scripts/import_cycles.py`` see imports inside functions too). The reason is the
comment on the import line when it has one, else the library's entry in :data:`REASONS`;
an import with neither is listed under "no reason" and should move to the top.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

IMPORT_COST = "import cost"
#: top-level package imported → why it is imported inside a function
REASONS = {
    **dict.fromkeys(
        (
            "matplotlib",
            "seaborn",
            "statsmodels",
            "scipy",
            "papermill",
            "nbclient",
            "nbconvert",
            "nbformat",
            "jupyter_client",
            "ipykernel",
            "ipywidgets",
            "IPython",
            "distributed",
            "dask",
            "playwright",
            "voila",
            "tornado",
            "openpyxl",
            "PIL",
            "geopandas",
            "shapely",
        ),
        IMPORT_COST,
    ),
    **dict.fromkeys(("fcntl", "msvcrt"), "platform: the module exists on one platform only"),
}
#: analys packages the command line imports only when their command runs
COMMAND_PACKAGES = ("analys.render", "analys.app")


def _target(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module an import statement reads (``from analys import render`` → analys.render)."""
    if isinstance(node, ast.Import):
        return node.names[0].name
    base = node.module or ""
    if node.level:
        package = module if is_package else module.rpartition(".")[0]
        parts = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parts, base] if base else parts)
    if base == "analys" and len(node.names) == 1:
        return f"analys.{node.names[0].name}"
    return base


def inner_imports(src: Path = SRC) -> list[tuple[str, int, str, str]]:
    """(module, line, imported module, reason) for every import inside a function."""
    found = []
    for path in sorted((src / "analys").rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tree = ast.parse(text, str(path))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if not isinstance(node, (ast.Import, ast.ImportFrom)):
                    continue
                target = _target(node, module, path.name == "__init__.py")
                found.append((module, node.lineno, target, _reason(module, target, lines, node)))
    return sorted(set(found))


def _reason(module: str, target: str, lines: list[str], node: ast.stmt) -> str:
    end = getattr(node, "end_lineno", node.lineno) or node.lineno
    for line in lines[node.lineno - 1 : end]:
        if "#" in line:
            comment = line.split("#", 1)[1].strip()
            if comment and not comment.startswith(("noqa", "type:", "pragma")):
                return comment
    top = target.split(".")[0]
    if top in REASONS:
        return REASONS[top]
    if module.startswith("analys.cli") and target.startswith(COMMAND_PACKAGES):
        return f"{IMPORT_COST}: a product package, loaded only when its command runs"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--strict",
        nargs="*",
        metavar="PACKAGE",
        help="exit 1 when an import inside a function of these packages has no reason",
    )
    args = parser.parse_args(argv)
    found = inner_imports()
    by_reason: dict[str, list[str]] = defaultdict(list)
    for module, line, target, reason in found:
        by_reason[reason or "no reason (move it to the top of the module)"].append(
            f"  {module}:{line} imports {target}"
        )
    for reason in sorted(by_reason, key=lambda r: (r.startswith("no reason"), r)):
        print(f"{reason} ({len(by_reason[reason])}):")
        print("\n".join(by_reason[reason]))
    print(f"{len(found)} imports inside functions")
    if args.strict is None:
        return 0
    bad = [
        (module, line, target)
        for module, line, target, reason in found
        if not reason and any(module == p or module.startswith(p + ".") for p in args.strict)
    ]
    for module, line, target in bad:
        print(f"{module}:{line}: {target} is imported inside a function without a reason")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
