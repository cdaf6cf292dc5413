"""``analys check [PARAMS ...]`` and ``analys areas``: the params files, validated and listed.

``check`` prints one OK line (and any warnings), or every problem, one Swedish line each, and
exits 2; ``areas`` lists every policy area with its title, type and size.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from analys.errors import ParamsError
from analys.goals import check_files, check_warnings, list_areas, load_area, params_dir


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """The ``check`` and ``areas`` sub-commands."""
    check = commands.add_parser("check", help="validera params-filer")
    check.add_argument("files", nargs="*", metavar="PARAMS")
    commands.add_parser("areas", help="lista policyområden i params/")


def handle_check(args: argparse.Namespace) -> int:
    """The handler of ``analys check``."""
    return check(args.files)


def handle_areas(args: argparse.Namespace) -> int:
    """The handler of ``analys areas``."""
    return areas()


def check(files: Sequence[str] | None = None) -> int:
    """``analys check``: one OK line (and any warnings), or every problem and exit code 2.

    A file named that does not exist raises ``ParamsError`` (exit 2, :mod:`analys.cli.errors`).
    """
    warnings: list[str] = []
    checked, problems = check_files(files, warnings)
    if checked and not problems:
        warnings += check_warnings(files)
    if not checked:
        raise ParamsError(f"Inga params-filer hittades i {params_dir()}.")
    if warnings:
        print("\n".join(warnings), file=sys.stderr)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"{len(problems)} problem i {len(checked)} fil(er).", file=sys.stderr)
        return 2
    print(f"OK: {len(checked)} params-fil(er) är giltiga.")
    return 0


def areas() -> int:
    """``analys areas``: every policy area with its title, type and size; 2 when one is bad."""
    names = list_areas()
    if not names:
        raise ParamsError(f"Inga områden hittades i {params_dir()}.")
    status = 0
    for name in names:
        try:
            area = load_area(name)
        except ParamsError as error:
            print(f"{name:<22} FEL: {error.problems[0]}")
            status = 2
            continue
        kind = "region" if area.municipality_type == "L" else "kommun"
        n_ind = len(area.indicators)
        print(f"{name:<22} {area.title:<32} {kind:<7} {len(area.goals)} mål, {n_ind} indikatorer")
    return status
