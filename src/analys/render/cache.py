"""The data a batch hands its workers: every KPI of the areas, loaded once.

The values go into one parquet file in the batch's scratch folder; each notebook gets its path
as the ``data_cache`` parameter. The tables every report of an area shares (colours, ranks,
expected values …) are computed from it once and pickled beside it (:func:`write_shared_tables`);
each notebook gets that path as the ``precomputed`` parameter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from analys.errors import AnalysError
from analys.render.fingerprint import frame_digest, kpi_digests
from analys.render.plan import AreaSpec

logger = logging.getLogger(__name__)


@dataclass
class LoadedData:
    """What :func:`load_cache` loaded for one source.

    ``years`` has data; ``problems`` says, by area name, why an area's data could not be
    loaded (a store that lacks its KPIs, say): those areas fail alone, the others render.
    ``kpi_digests``, ``groups`` and ``snapshot`` are what the reports' fingerprints are made
    of (:mod:`analys.render.fingerprint`).
    """

    path: Path
    years: set[int]
    problems: dict[str, str]
    kpi_digests: dict[str, str] = field(default_factory=dict)
    groups: str = ""
    snapshot: str = ""


#: rows per parquet row group of the batch's values (a report's filtered read: 3 times faster)
ROW_GROUP = 32_768


def load_cache(specs: list[AreaSpec], source: str, path: Path) -> LoadedData:
    """Load every KPI of ``specs`` for all units and years once; write it to ``path``."""
    from analys.data import load_values

    kpis = sorted({k for spec in specs for k in spec.kpis()})
    problems: dict[str, str] = {}
    try:
        frame = load_values(kpis, None, None, source=source, genders=None)
    except AnalysError as error:
        if len(specs) < 2:
            problems = {spec.name: str(error) for spec in specs}
            frame = None
        else:  # find the areas that lack data; load what the others need
            frames = []
            for spec in specs:
                try:
                    frames.append(load_values(spec.kpis(), None, None, source=source, genders=None))
                except AnalysError as own:
                    problems[spec.name] = str(own)
            frame = None
            if frames:
                import pandas as pd

                frame = pd.concat(frames, ignore_index=True).drop_duplicates(
                    ["kpi", "municipality", "year", "gender"]
                )
    if frame is None:
        from analys.frame import empty_values

        frame = empty_values()
    # sorted by KPI in row groups, so that a report reading its own KPIs (a filter on
    # ``kpi``) skips the others' row groups instead of reading the whole file
    frame = frame.sort_values("kpi", kind="stable", ignore_index=True)
    frame.to_parquet(path, index=False, row_group_size=ROW_GROUP)
    return LoadedData(
        path=Path(path),
        years={int(y) for y in frame["year"].unique()},
        problems=problems,
        kpi_digests=kpi_digests(frame),
        groups=_groups_digest(source),
        snapshot=_snapshot(source),
    )


def _groups_digest(source: str) -> str:
    """The comparison groups' digest (peer sets depend on them)."""
    from analys import data

    try:
        return frame_digest(data.load_groups(source))
    except Exception as error:  # noqa: BLE001 – the reports say what is wrong with the groups
        return f"unreadable: {type(error).__name__}"


def _snapshot(source: str) -> str:
    """The source's snapshot id (unit reports' fingerprint; see the fingerprint module)."""
    from analys import data

    try:
        return str(data.snapshot(source).get("snapshot") or "")
    except Exception as error:  # noqa: BLE001
        return f"unreadable: {type(error).__name__}"


def write_shared_tables(
    specs: list[AreaSpec], source: str, loaded: LoadedData, path: Path, *, year: int | None
) -> Path | None:
    """Compute once, render many: the shared tables of every area of ``specs``
    (:mod:`analys.fulfilment.country`) from the data cache, pickled to ``path``.

    Each area's values are read from the cache exactly as a report reads them. ``None`` when
    the tables could not be made: the reports then compute for themselves (and say what is
    wrong, e.g. with the groups).
    """
    import pandas as pd

    from analys import data
    from analys.fulfilment.country import CountryTables, area_tables, write_tables

    try:
        groups = data.load_groups(source)
        snapshot = data.snapshot(source)
        areas = {}
        for spec in specs:
            if spec.name in loaded.problems:
                continue
            values = pd.read_parquet(loaded.path, filters=[("kpi", "in", spec.area.kpis)])
            areas[spec.name] = area_tables(
                spec.area,
                values.reset_index(drop=True),
                groups=groups,
                snapshot=snapshot,
                year=year,
                source=source,
            )
        return write_tables(CountryTables(source=source, areas=areas), path)
    except Exception:  # noqa: BLE001 – an optimisation: without it every report computes
        logger.warning("shared tables for %s could not be made", source, exc_info=True)
        return None
