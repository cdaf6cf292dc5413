"""Warnings on a valid params file: the file still renders, but an analyst should know.

- :func:`long_texts`: titles and descriptions longer than a report shows (it cuts them);
- :func:`kpi_warnings`: KPIs the catalogue says are unit-level only, ended or not published.

Both are pure: the catalogue is an argument (:func:`analys.goals.warning_catalogue` loads
the one the other commands read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analys import registry
from analys.registry import facts
from analys.safe import DESCRIPTION_LIMIT, TITLE_LIMIT


def long_texts(raw: Mapping[str, Any], file: str) -> list[str]:
    """Warnings for texts longer than a report shows (it cuts them), one Swedish line each."""
    texts: list[tuple[str, Any, int]] = [
        ("title", raw.get("title"), TITLE_LIMIT),
        ("description", raw.get("description"), DESCRIPTION_LIMIT),
    ]
    for i, goal in enumerate(raw.get("goals") or []):
        if not isinstance(goal, Mapping):
            continue
        texts.append((f"goals[{i}].title", goal.get("title"), TITLE_LIMIT))
        for j, item in enumerate(goal.get("indicators") or []):
            if isinstance(item, Mapping):
                texts.append((f"goals[{i}].indicators[{j}].label", item.get("label"), TITLE_LIMIT))
    return [
        f"{file}: {path}: varning – texten är {len(text):,} tecken lång; rapporten visar "
        f"bara de första {limit:,}".replace(",", " ")
        for path, text, limit in texts
        if isinstance(text, str) and len(text) > limit
    ]


def _kpi_paths(raw: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """(field path, KPI id, is a municipal indicator) for every KPI a params tree names."""
    found: list[tuple[str, str, bool]] = []
    goals = raw.get("goals")
    for i, goal in enumerate(goals if isinstance(goals, list) else []):
        indicators = goal.get("indicators") if isinstance(goal, Mapping) else None
        for j, item in enumerate(indicators if isinstance(indicators, list) else []):
            if isinstance(item, Mapping) and isinstance(item.get("kpi"), str):
                found.append((f"goals[{i}].indicators[{j}].kpi", item["kpi"], True))
    drivers = raw.get("drivers")
    if isinstance(drivers, Mapping):
        if isinstance(drivers.get("outcome"), str):
            found.append(("drivers.outcome", drivers["outcome"], True))
        explanatory = drivers.get("explanatory")
        for i, kpi in enumerate(explanatory if isinstance(explanatory, list) else []):
            if isinstance(kpi, str):
                found.append((f"drivers.explanatory[{i}]", kpi, False))
    if isinstance(raw.get("cost"), str):
        found.append(("cost", raw["cost"], True))
    return found


def kpi_warnings(raw: Mapping[str, Any], file: str, catalogue: pd.DataFrame) -> list[str]:
    """Warnings on a valid params tree from the catalogue's facts (docs/judgements.md).

    Not errors – the file still renders – but an analyst should know:

    - a KPI Kolada publishes per school or unit only ("redovisas värden endast på
      skolnivå", U15416) used as a municipal indicator, outcome or cost;
    - a KPI with no current publication in the catalogue (no publication period, N17461)
      or a series Kolada has ended ("(-2024)" in the title).

    ``catalogue`` is the one the other commands read (:func:`analys.catalogue.catalogue`:
    the store's when fetched, else the demo's), indexed by id
    (:func:`analys.goals.warning_catalogue`).
    """
    lines: list[str] = []
    for path, kpi, municipal in _kpi_paths(raw):
        if kpi not in catalogue.index:
            continue
        row = catalogue.loc[kpi]
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        meta = row.to_dict()
        where = f"{file}: {path}: varning – '{kpi}'"
        only_units = facts.unit_level_only(str(meta.get("description") or ""))
        if municipal and (only_units or registry.unit_level_only(kpi)):
            lines.append(
                f"{where} redovisas av Kolada bara per skola eller enhet (\u201dredovisas "
                "värden endast på skolnivå\u201d) och är inget kommunnyckeltal – välj ett "
                "nyckeltal med värden för kommunen"
            )
        ended = facts.ended_year(str(meta.get("title") or ""))
        if ended is not None:
            lines.append(
                f"{where} är en serie som Kolada har avslutat (sista år {ended}) – välj ett "
                "nyckeltal som fortfarande publiceras"
            )
        elif facts.is_stale(meta):
            lines.append(
                f"{where} har ingen aktuell publicering i Koladas katalog (ingen "
                "publiceringsperiod) – serien kan ha upphört; kontrollera att det finns "
                "aktuella värden eller välj ett nyckeltal som publiceras"
            )
    return lines
