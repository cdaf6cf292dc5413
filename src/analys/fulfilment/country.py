"""Compute once, render many: the country-wide tables of an area.

Every report of an area compares its municipality with all units of its type, so every
report used to rebuild the same things from the same data: one municipality × year table per
KPI (:class:`~analys.fulfilment.ValuesIndex`),
the quartile colours and ranks of every unit for each indicator and year, the default years,
the comparison groups, the data snapshot, the expected values (OLS with leave-one-out
residuals) of the area's driver model, every municipality's gaps between women and men
(:class:`GenderGaps`), and – in areas with unit data – the judgement of every school,
preschool or care home of the country against the others of its kind (:func:`unit_tables`).
An overview rebuilt them once more for each area.

:func:`area_tables` computes them once per batch and area; the batch renderer writes them,
for all areas of a source, into one pickle (:func:`write_tables`) beside the data cache and
hands its path to every notebook as the ``precomputed`` parameter. A report then takes its
area's tables (:func:`tables_for`) and only selects its rows and draws. (The values stay in
the data cache: a report reads its area's slice of the parquet file, which is smaller and
faster than pickling them.) The result is the
same as computing it in the report (a test compares the two).

What is judged for one municipality – its goal evaluation, its trend markers, its peer set,
its own units' trends and ranks among themselves – stays with the report: it is needed once,
by that municipality's report (and its overview), so computing it in the workers keeps it
parallel.

Within a worker's warm kernel the loaded tables are kept per file (``_LOADED``), so the
reports and overviews that one worker renders read the pickle once.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analys import reference, registry
from analys.errors import AnalysError
from analys.frame import wide
from analys.fulfilment import ValuesIndex
from analys.goals import Area

#: bump when the pickled layout changes (old files are then not read)
TABLES_VERSION = 3


@dataclass
class AreaTables:
    """What every report of one area shares (see the module docstring)."""

    area: str
    kpis: tuple[str, ...]
    index: ValuesIndex
    groups: pd.DataFrame | None
    snapshot: dict[str, Any]
    #: expected values by (outcome, explanatory, year): an ExpectedValues or the error text
    expected: dict[tuple, Any] = field(default_factory=dict)
    #: every unit's (school, care home …) judgement by (kpi, year, polarity):
    #: :func:`analys.stats.units.national_table`, which each report's unit section narrows
    #: to its municipality
    units: dict[tuple, pd.DataFrame] = field(default_factory=dict)
    #: the gaps between women and men of the area's KPIs divided by gender
    gaps: GenderGaps | None = None


@dataclass
class GenderGaps:
    """The gaps between women and men (:func:`analys.stats.gender.gender_gaps`) of every
    municipality, as a report's section *Kön* computes them: of ``kpis`` together (every
    year, for its sentences), and of each KPI up to ``year`` (for its chart)."""

    kpis: tuple[str, ...]
    year: int | None
    all: pd.DataFrame
    by_kpi: dict[str, pd.DataFrame]


@dataclass
class CountryTables:
    """The tables of every area of one source, as pickled for a batch."""

    source: str
    areas: dict[str, AreaTables]
    version: int = TABLES_VERSION


def expected_key(outcome: str, explanatory: tuple[str, ...], year: int | None) -> tuple:
    return (outcome, tuple(explanatory), None if year is None else int(year))


def expected_frame(values: pd.DataFrame, kind: str, columns: list[str], year: int) -> pd.DataFrame:
    """One row per unit of ``kind``, one column per KPI: the input of the driver model."""
    table = wide(values, year=year).dropna(axis=1, how="all")
    return table.loc[reference.of_type(table.index, kind)]


def compute_expected(values: pd.DataFrame, kind: str, outcome: str, explanatory, year: int):
    """The area's expected values for ``year``; the error text when they cannot be had.

    ``None`` when a KPI has no values that year (the report says which).
    """
    from analys.stats import model

    columns = [outcome, *explanatory]
    wide = expected_frame(values, kind, columns, year)
    if any(k not in wide.columns for k in columns):
        return None
    try:
        return model.expected_values(wide[columns], outcome, list(explanatory))
    except AnalysError as error:
        return str(error)


def area_tables(
    area: Area,
    values: pd.DataFrame,
    *,
    groups: pd.DataFrame | None,
    snapshot: dict[str, Any],
    year: int | None = None,
    source: str | None = None,
) -> AreaTables:
    """The shared tables of ``area`` from the batch's ``values`` (all units and years);
    ``year`` is the batch's report year (``None``: the area's own, else the latest).
    ``source`` defines the own KPIs (their polarity and gender split); with it the judgements
    of the units (:func:`unit_tables`) are made too."""
    batch_year = year
    mine = values[values["kpi"].isin(area.kpis)].reset_index(drop=True)
    index = ValuesIndex(mine)
    kind = area.municipality_type
    for _, ind in area.indicators:  # every unit's quartile colour and rank in the report year
        judged = registry.polarity(ind.kpi)  # as evaluate() judges colours
        for gender in {ind.gender, "T"}:
            when = year or area.year or index.latest(ind.kpi, gender, kind)
            if when is not None and int(when) in index.wide(ind.kpi, gender).columns:
                index.colours(ind.kpi, gender, int(when), judged, kind)
    for kpi in area.kpis:
        index.latest(kpi, "T", kind)
    tables = AreaTables(
        area=area.area,
        kpis=tuple(area.kpis),
        index=index,
        groups=groups,
        snapshot=dict(snapshot),
    )
    drivers = area.drivers
    if drivers is not None:
        year = year or area.year
        year = int(year) if year else index.latest(drivers.outcome, "T", kind)
        if year is not None:
            key = expected_key(drivers.outcome, tuple(drivers.explanatory), year)
            tables.expected[key] = compute_expected(
                mine, kind, drivers.outcome, tuple(drivers.explanatory), year
            )
    tables.gaps = gender_tables(area, mine, batch_year or area.year, source)
    if source is not None:
        report_year = batch_year or area.year
        if not report_year:  # the report's year: its indicators' latest (as evaluate finds it)
            latest = [index.latest(kpi, "T", kind) for kpi in area.kpis]
            report_year = max((y for y in latest if y is not None), default=None)
        tables.units = unit_tables(area, source, report_year)
    return tables


def gender_kpis(area: Area) -> list[str]:
    """The area's indicator KPIs divided by gender, in the area's order (section *Kön*)."""
    return [
        k
        for k in dict.fromkeys(i.kpi for _, i in area.indicators)
        if (registry.entry(k) or {}).get("divided_by_gender")
    ]


def gender_tables(
    area: Area, values: pd.DataFrame, year: int | None, source: str | None
) -> GenderGaps | None:
    """The :class:`GenderGaps` of ``area`` from its ``values`` (``None``: no KPI divided by
    gender); ``year`` is the reports' year (their charts end there)."""
    from analys.own.store import definitions
    from analys.stats.gender import gender_gaps

    with definitions(source):  # own KPIs: this source's definitions, as in the report
        kpis = gender_kpis(area)
    if not kpis:
        return None
    by_kpi = {}
    for kpi in kpis:
        part = values[values["kpi"] == kpi]
        if year is not None:
            part = part[part["year"] <= int(year)]
        by_kpi[kpi] = gender_gaps(part) if len(part) else pd.DataFrame()
    together = values[values["kpi"].isin(kpis)]
    return GenderGaps(
        tuple(kpis), None if year is None else int(year), gender_gaps(together), by_kpi
    )


def unit_key(kpi: str, year: int, polarity: str) -> tuple:
    return (kpi, int(year), polarity)


def unit_tables(area: Area, source: str, year: int | None) -> dict[tuple, pd.DataFrame]:
    """Every unit's judgement for each of the area's KPIs with unit data
    (:func:`analys.stats.units.national_table`): in the report year when the unit data has it,
    and in the unit data's latest year (where a report falls back to). Empty when the area
    has no unit data or it cannot be read (each report then says why)."""
    from analys import data
    from analys.own.store import definitions
    from analys.stats import units as U

    with definitions(source):  # own KPIs: this source's polarity, as in the report
        try:
            kpis = U.unit_kpis(area.kpis, data.load_kpis(source))
            shown = [k for k in kpis if k not in U.SALSA_KPIS]
            if not shown:
                return {}
            catalogue, unit_values = data.unit_data(kpis, source)
        except AnalysError:
            return {}
        out = {}
        for kpi in shown:
            part = unit_values[(unit_values["kpi"] == kpi) & (unit_values["gender"] == "T")]
            if part.empty:
                continue
            polarity = registry.polarity(kpi)
            years = {int(part["year"].max())}
            if year is not None and (part["year"] == int(year)).any():
                years.add(int(year))
            for when in sorted(years):
                out[unit_key(kpi, when, polarity)] = U.national_table(
                    part, catalogue, kpi, when, polarity=polarity
                )
        return out


def write_tables(tables: CountryTables, path: str | Path) -> Path:
    """Pickle ``tables`` to ``path`` (written whole or not at all)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as handle:
            pickle.dump(tables, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


#: tables already read in this process, by (path, size, mtime)
_LOADED: dict[tuple, CountryTables] = {}


def load_tables(path: str | Path) -> CountryTables | None:
    """The pickled tables at ``path`` (kept in this process); ``None`` when unusable."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _LOADED:
        try:
            with path.open("rb") as handle:
                loaded = pickle.load(handle)
        except Exception:  # noqa: BLE001 – a damaged file: the report computes for itself
            return None
        if not isinstance(loaded, CountryTables) or loaded.version != TABLES_VERSION:
            return None
        _LOADED.clear()  # one batch at a time
        _LOADED[key] = loaded
    return _LOADED[key]


def tables_for(path: str | Path | None, area: Area, source: str) -> AreaTables | None:
    """The shared tables of ``area`` when ``path`` holds them for the same KPIs and source."""
    if not path:
        return None
    loaded = load_tables(path)
    if loaded is None or loaded.source != source:
        return None
    tables = loaded.areas.get(area.area)
    if tables is None or tuple(tables.kpis) != tuple(area.kpis):
        return None
    return tables
