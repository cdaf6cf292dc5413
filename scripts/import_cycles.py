"""List the import cycles between analys's modules, counting imports inside functions too.

    python scripts/import_cycles.py            # prints each cycle; exit 1 if there is one
    python scripts/import_cycles.py --inner    # also lists every import inside a function

An import inside a function hides a cycle from Python but not from this script: the graph has
an edge for every ``import``/``from … import`` anywhere in a module. ``from analys.pkg import
name`` is an edge to ``analys.pkg.name`` when that is a module, else to ``analys.pkg``. Cycles
are the strongly connected components of the graph with more than one module (Tarjan).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def modules(src: Path = SRC) -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    found = {}
    for path in sorted((src / "analys").rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _targets(node: ast.AST, module: str, is_package: bool, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name in known]
    assert isinstance(node, ast.ImportFrom)
    base = node.module or ""
    if node.level:
        package = module if is_package else module.rpartition(".")[0]
        parents = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parents, base] if base else parents)
    out = []
    for alias in node.names:
        child = f"{base}.{alias.name}"
        out.append(child if child in known else base)
    return [t for t in out if t in known]


def graph(src: Path = SRC) -> tuple[dict[str, set[str]], list[tuple[str, int, str]]]:
    """The import graph and the list of imports inside functions (module, line, target)."""
    known = modules(src)
    edges: dict[str, set[str]] = defaultdict(set)
    inner: list[tuple[str, int, str]] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        in_function = {
            id(sub)
            for fn in ast.walk(tree)
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            for sub in ast.walk(fn)
        }
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if id(node) in in_function:
                    target = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                    inner.append((name, node.lineno, target or "."))
                for target in _targets(node, name, path.name == "__init__.py", known):
                    if target != name:
                        edges[name].add(target)
    return edges, inner


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    nodes = sorted(set(edges) | {t for ts in edges.values() for t in ts})
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inner", action="store_true", help="list imports inside functions")
    args = parser.parse_args(argv)
    edges, inner = graph()
    if args.inner:
        for module, line, target in sorted(inner):
            print(f"{module}:{line} imports {target}")
        print(f"{len(inner)} imports inside functions")
    found = cycles(edges)
    for component in found:
        members = set(component)
        print(f"cycle of {len(component)} modules:")
        for module in component:
            inside = sorted(edges[module] & members)
            print(f"  {module} -> {', '.join(inside)}")
    print(f"{len(found)} import cycles" if found else "no import cycles")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
