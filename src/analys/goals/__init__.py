"""The goal tree of one policy area, read from ``params/<area>.yaml`` and validated.

A params file (docs/data-contract.md#params-files) is also a Papermill parameters file, so the
same dict can come from YAML on disk (``load_area``) or from a notebook's parameters
(``area_from_params``). Validation collects every problem in the file, one Swedish line each
(file, field path, value, what is allowed), and raises them together as a ``ParamsError``. YAML
is read with the safe loader; nothing in a params file is ever executed.

The package: :mod:`~analys.goals.model` (the ``Area`` and its parts), :mod:`~analys.goals.read`
(the YAML), :mod:`~analys.goals.check` (the pure validation), :mod:`~analys.goals.warnings`
(warnings on a valid file), :mod:`~analys.goals.draft` (a params file built in the goal
builder). This module finds params files and loads them: it reads the KPI catalogue and the
municipality groups of the params' source (:mod:`analys.catalogue`, :mod:`analys.store`) and
hands them to the check.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analys import catalogue as catalogues
from analys import demo, registry, safe
from analys.errors import AnalysError, ParamsError
from analys.goals.check import TARGET_KINDS, Checker
from analys.goals.model import Area, Cutoffs, Drivers, Goal, Indicator, Target
from analys.goals.quote import cap
from analys.goals.read import (
    MAX_PARAMS_BYTES,
    MAX_PARAMS_DEPTH,
    MAX_PARAMS_NODES,
    display,
    read_params,
)
from analys.goals.warnings import kpi_warnings, long_texts
from analys.store import Store
from analys.vocabulary import DEMO_MUNICIPALITY

__all__ = [
    "MAX_PARAMS_BYTES",
    "MAX_PARAMS_DEPTH",
    "MAX_PARAMS_NODES",
    "TARGET_KINDS",
    "Area",
    "Cutoffs",
    "Drivers",
    "Goal",
    "Indicator",
    "Target",
    "area_from_params",
    "area_path",
    "check_files",
    "check_warnings",
    "kpi_types",
    "list_areas",
    "load_area",
    "params_dir",
    "read_params",
    "warning_catalogue",
]


# ---------------------------------------------------------------------------------- locations


def params_dir() -> Path:
    """The folder of params files: ``$ANALYS_PARAMS_DIR``, ``./params`` or the repository's."""
    if os.environ.get("ANALYS_PARAMS_DIR"):
        return Path(os.environ["ANALYS_PARAMS_DIR"])
    here = Path.cwd() / "params"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "params"


def list_areas() -> list[str]:
    """Names of the params files in ``params_dir()``, sorted."""
    folder = params_dir()
    return sorted(path.stem for path in folder.glob("*.yaml")) if folder.is_dir() else []


def area_path(name_or_path: str | os.PathLike) -> Path:
    """The file behind an area name (``grundskola``) or a path; ``ParamsError`` when absent."""
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or os.sep in text or "/" in text:
        path = Path(text)
    else:
        path = params_dir() / f"{text}.yaml"
    if path.is_dir():
        raise ParamsError(f"{text}: är en mapp, inte en params-fil")
    if not path.is_file():
        known = ", ".join(list_areas()) or "(inga)"
        raise ParamsError(f"{cap(text)}: området eller filen finns inte – välj bland {known}")
    return path


# ---------------------------------------------------------------------------------- loading


def load_area(name_or_path: str | os.PathLike) -> Area:
    """Read and validate a policy area.

    Parameters
    ----------
    name_or_path
        An area name in ``params/`` (``"grundskola"``) or a path to a params file.

    Raises
    ------
    ParamsError
        Listing every problem in the file, one Swedish line each.
    """
    path = area_path(name_or_path)
    raw = read_params(path)
    return area_from_params(raw, file=display(path), expected_area=path.stem, path=str(path))


def names_group(params: Mapping[str, Any]) -> bool:
    """Whether ``params`` name a Kolada municipality group as peers (``peers: G…``): only
    then does the check need the groups."""
    peers = params.get("peers")
    return isinstance(peers, str) and re.fullmatch(r"G\w+", peers) is not None


def check_groups(source: Any) -> pd.DataFrame:
    """The municipality groups a ``peers: G…`` of a params file of ``source`` is checked
    against: the store's for ``store`` (the demo's when the store has none), else the demo's
    (Kolada's real groups)."""
    if source == "store":
        try:
            return Store().groups()
        except AnalysError:
            pass
    return demo.groups()


def area_from_params(
    params: Mapping[str, Any],
    *,
    file: str = "parametrar",
    expected_area: str | None = None,
    path: str | None = None,
    catalogue: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
) -> Area:
    """Validate a params dict (from YAML or a notebook's parameters) into an ``Area``.

    ``catalogue`` is the KPI catalogue to check ids against, indexed by id; ``None`` reads
    the one of the params' source (:func:`analys.catalogue.for_source`). ``groups`` are the
    municipality groups, read (:func:`check_groups`) only when the params name a group and
    none are given.
    """
    source = params.get("source", "demo")
    if catalogue is None:
        catalogue = catalogues.for_source(source)
    if groups is None and names_group(params):
        groups = check_groups(source)
    checker = Checker(file, catalogue=catalogue, groups=groups)
    area = checker.area(dict(params), expected_area)
    if checker.problems:
        raise ParamsError(checker.problems)
    return _build(area, params, path)


def _target(spec: Mapping[str, Any]) -> Target:
    kind = next(k for k in TARGET_KINDS if k in spec)
    if kind == "value":
        return Target("value", value=float(spec["value"]), by=spec.get("by"))
    if kind == "national":
        return Target("national")
    if kind == "peers_median":
        return Target("peers_median")
    if kind == "peers_quantile":
        return Target("peers_quantile", quantile=float(spec["peers_quantile"]))
    if kind == "change":
        improve = spec["change"] == "improve"
        return Target(
            "change",
            value=None if improve else float(spec["change"]),
            since=int(spec["since"]),
            improve=improve,
        )
    low, high = spec["range"]
    return Target("range", low=float(low), high=float(high))


def _build(raw: dict[str, Any], params: Mapping[str, Any], path: str | None) -> Area:
    tolerance = float(raw.get("tolerance", 0.05))
    goals = []
    for goal in raw["goals"]:
        indicators = tuple(
            Indicator(
                kpi=item["kpi"],
                target=_target(item["target"]),
                polarity=item.get("polarity") or registry.polarity(item["kpi"]),
                tolerance=float(item.get("tolerance", tolerance)),
                gender=item.get("gender", "T"),
                weight=float(item.get("weight", 1)),
                label=safe.one_line(item["label"]) if item.get("label") else None,
            )
            for item in goal["indicators"]
        )
        goals.append(
            Goal(
                id=str(goal["id"]),
                title=safe.one_line(goal["title"]),
                indicators=indicators,
                weight=float(goal.get("weight", 1)),
            )
        )
    drivers = raw.get("drivers")
    peers = raw.get("peers", "skr")
    return Area(
        area=raw["area"],
        title=safe.one_line(raw["title"]),
        goals=tuple(goals),
        municipality=str(raw.get("municipality") or DEMO_MUNICIPALITY),
        year=raw.get("year"),
        source=raw.get("source", "demo"),
        peers=peers if isinstance(peers, str) else tuple(str(p) for p in peers),
        description=safe.clean(raw.get("description") or "", safe.DESCRIPTION_LIMIT),
        drivers=Drivers(drivers["outcome"], tuple(drivers["explanatory"])) if drivers else None,
        cost=raw.get("cost"),
        cutoffs=Cutoffs(**{k: float(v) for k, v in (raw.get("cutoffs") or {}).items()}),
        tolerance=tolerance,
        path=path,
        params=dict(params),
    )


def kpi_types(areas: Iterable[Area]) -> dict[str, set[str]]:
    """KPI id → the municipality types (``K``, ``L``) the areas use it for, in file order.

    What to fetch for an area: a municipal area needs its KPIs for municipalities, a region
    area for regions, whatever else the KPI is published for (``analys fetch AREA``).
    """
    found: dict[str, set[str]] = {}
    for area in areas:
        for kpi in area.kpis:
            found.setdefault(kpi, set()).add(area.municipality_type)
    return found


# ---------------------------------------------------------------------------------- checking


def warning_catalogue() -> pd.DataFrame:
    """The catalogue the other commands read (store when fetched, else demo), by id."""
    table, _ = catalogues.catalogue()
    return table.set_index("id", drop=False)


def check_files(
    files: Sequence[str] | None = None, warnings: list[str] | None = None
) -> tuple[list[str], list[str]]:
    """Validate params files; return (checked labels, problems).

    Texts a report will cut (too long) are added to ``warnings`` when it is given.
    """
    paths = [area_path(f) for f in files] if files else sorted(params_dir().glob("*.yaml"))
    problems: list[str] = []
    for path in paths:
        try:
            area = load_area(path)
        except ParamsError as error:
            problems += error.problems
            continue
        if warnings is not None:
            warnings += long_texts(area.params, display(path))
    return [display(p) for p in paths], problems


def check_warnings(files: Sequence[str] | None = None) -> list[str]:
    """Warnings from the catalogue's facts on valid params files (see ``kpi_warnings``)."""
    paths = [area_path(f) for f in files] if files else sorted(params_dir().glob("*.yaml"))
    table = warning_catalogue()
    lines: list[str] = []
    for path in paths:
        try:
            raw = read_params(path)
        except ParamsError:
            continue
        lines += kpi_warnings(raw, display(path), table)
    return lines
