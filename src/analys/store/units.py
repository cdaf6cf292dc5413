"""Unit-level (OU) data in the local store, beside the municipal values.

Layout, under the store's root (``$ANALYS_DATA_DIR`` or ``./data``)::

    data/units/manifest.json         what was fetched: queries, KPIs, the unit catalogue
    data/units/catalogue.parquet     the units of the fetched municipalities
                                     (id, title, municipality, activity)
    data/units/values/<KPI>.parquet  the unit values frame (``ou`` beside ``municipality``)

The same rules as for municipal values (:mod:`analys.store`): every file is replaced
atomically, the manifest is written last, writers hold the store's lock, and a repeated fetch
of the same query asks Kolada only for the changes since the previous one (``from_date``),
removing withdrawn values – except for units that are new in the catalogue, whose whole
history is fetched.

:func:`fetch_unit_values` reads the units with ``/ou?municipality=X`` and then the values by
id with ``/oudata/kpi/{≤25}/ou/{≤25}/year/{…}``, one query per activity (V-code) so that a
KPI is only asked for the units that can carry it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from analys.errors import AnalysError
from analys.frame import as_values_frame, empty_values
from analys.kolada import default_client
from analys.kolada.ou_ids import kpi_activities
from analys.store import health as store_health
from analys.store.files import (
    UNIT_VALUES_SCHEMA,
    empty_unit_manifest,
    merge_kpi_file,
    previous_query,
    query_key,
    read_manifest,
    read_meta_frame,
    read_values_table,
    store_lock,
    store_root,
    utc_now,
    write_manifest,
    write_table,
    year_span,
)

CATALOGUE_COLUMNS = ["id", "title", "municipality", "activity"]


class UnitStore:
    """The unit part of the store at ``root`` (default ``$ANALYS_DATA_DIR`` or ``./data``)."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = store_root(root)
        self.folder = self.root / "units"

    def __repr__(self) -> str:
        return f"UnitStore({str(self.root)!r})"

    # ------------------------------------------------------------------ manifest

    @property
    def manifest(self) -> dict[str, Any]:
        """``queries`` (each fetch: kpis, municipalities, years, url, fetched, from_date,
        incremental, rows, ous), ``kpis`` (per KPI: rows, first_year, latest_year, updated)
        and ``catalogue`` (url, fetched, municipalities)."""
        return read_manifest(self.folder, empty_unit_manifest)

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        write_manifest(self.folder, manifest)

    def _empty_error(self, what: str) -> AnalysError:
        return AnalysError(
            f"Det lokala lagret {self.root} saknar {what} – kör `analys fetch OMRÅDE -m KOD` "
            "(t.ex. `analys fetch grundskola -m 1880`)"
        )

    # ------------------------------------------------------------------ catalogue

    def write_units(
        self, catalogue: pd.DataFrame, municipalities: Sequence[str] | None, url: str
    ) -> None:
        """Store the units of ``municipalities`` (``None``: all), replacing what was there."""
        with store_lock(self.root):
            frame = catalogue.loc[:, CATALOGUE_COLUMNS].astype("str")
            path = self.folder / "catalogue.parquet"
            if path.is_file():
                old = read_meta_frame(path).loc[:, CATALOGUE_COLUMNS].astype("str")
                if municipalities is None:
                    old = old.iloc[0:0]
                else:
                    old = old[~old["municipality"].isin([str(m) for m in municipalities])]
                old = old[~old["id"].isin(frame["id"])]
                frame = pd.concat([old, frame], ignore_index=True)
            frame = frame.sort_values(["municipality", "activity", "id"]).reset_index(drop=True)
            write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
            manifest = self.manifest
            fetched = sorted(
                {*(manifest.get("catalogue") or {}).get("municipalities", [])}
                | set(frame["municipality"])
            )
            manifest["catalogue"] = {"url": url, "fetched": utc_now(), "municipalities": fetched}
            self._write_manifest(manifest)

    def units(self, municipalities: Sequence[str] | None = None) -> pd.DataFrame:
        """The stored unit catalogue: id, title, municipality, activity."""
        path = self.folder / "catalogue.parquet"
        if not path.is_file():
            raise self._empty_error("enheter (skolor, förskolor, boenden …)")
        frame = read_meta_frame(path).loc[:, CATALOGUE_COLUMNS]
        for column in CATALOGUE_COLUMNS:
            frame[column] = frame[column].astype("str")
        if municipalities is not None:
            frame = frame[frame["municipality"].isin([str(m) for m in municipalities])]
        return frame.reset_index(drop=True)

    # ------------------------------------------------------------------ values

    def _values_path(self, kpi: str) -> Path:
        return self.folder / "values" / f"{kpi}.parquet"

    def _read(self, kpi: str) -> pd.DataFrame:
        table = read_values_table(self._values_path(kpi), schema=UNIT_VALUES_SCHEMA)
        return as_values_frame(table.to_pandas(), ou=True)

    def read_unit_values(
        self,
        kpis: Sequence[str],
        ous: Sequence[str] | None = None,
        municipalities: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """Stored unit values (all genders); raises naming the KPIs never fetched."""
        kpi_list = list(dict.fromkeys(str(k) for k in kpis))
        known = self.manifest["kpis"]
        missing = [k for k in kpi_list if k not in known]
        if missing:
            raise self._empty_error(f"enhetsvärden för {', '.join(missing)}")
        frames = [self._read(k) for k in kpi_list]
        frame = pd.concat(frames, ignore_index=True) if frames else empty_values(ou=True)
        if ous is not None:
            frame = frame[frame["ou"].isin([str(o) for o in ous])]
        if municipalities is not None:
            frame = frame[frame["municipality"].isin([str(m) for m in municipalities])]
        if years is not None:
            frame = frame[frame["year"].isin([int(y) for y in years])]
        return frame.reset_index(drop=True)

    def previous_fetch(
        self,
        kpis: Sequence[str],
        municipalities: Sequence[str] | None,
        years: Sequence[int] | None,
        url: str,
    ) -> dict[str, Any] | None:
        """The manifest entry of an earlier fetch of exactly this query from ``url``."""
        return previous_query(self.manifest, kpis, municipalities, years, url)

    def write_unit_values(
        self,
        frame: pd.DataFrame,
        *,
        query: dict[str, Any],
        url: str,
        ous: Sequence[str],
        fetched: str | None = None,
        incremental: bool = False,
        from_date: str | None = None,
    ) -> int:
        """Merge fetched unit values; returns the rows written.

        ``incremental``: ``frame`` holds changes only (rows updated or, when ``isdeleted``,
        removed by key). Otherwise ``frame`` replaces what the store held for the query's
        municipalities and years.
        """
        with store_lock(self.root):
            fetched = fetched or utc_now()
            key, canonical = query_key(
                query["kpis"], query.get("municipalities"), query.get("years")
            )
            deleted = (
                frame["isdeleted"].to_numpy(dtype=bool)
                if "isdeleted" in frame.columns
                else np.zeros(len(frame), dtype=bool)
            )
            clean = as_values_frame(frame, ou=True)
            manifest = self.manifest
            written = 0
            touched = [] if incremental else canonical["kpis"]
            for kpi in dict.fromkeys([*touched, *pd.unique(clean["kpi"]).tolist()]):
                mine = (clean["kpi"] == kpi).to_numpy()
                rows, manifest["kpis"][kpi] = merge_kpi_file(
                    self._read(kpi),
                    clean[mine],
                    deleted[mine],
                    query=canonical,
                    incremental=incremental,
                    path=self._values_path(kpi),
                    fetched=fetched,
                    ou=True,
                )
                written += rows
            previous = manifest["queries"].get(key, {})
            manifest["queries"][key] = {
                **canonical,
                "url": url,
                "fetched": fetched,
                "from_date": from_date,
                "incremental": incremental,
                "rows": written,
                "ous": sorted(set(previous.get("ous", [])) | {str(o) for o in ous}),
            }
            self._write_manifest(manifest)
            return written


def _groups(kpis: list[str]) -> list[tuple[list[str], tuple[str, ...] | None]]:
    """KPIs grouped by the activities whose units carry them (``None``: not known)."""
    groups: dict[tuple[str, ...] | None, list[str]] = {}
    for kpi in kpis:
        groups.setdefault(kpi_activities(kpi), []).append(kpi)
    return [(members, activities) for activities, members in groups.items()]


def fetch_unit_values(
    kpis: Sequence[str],
    municipalities: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    *,
    client: Any = None,
    store: UnitStore | None = None,
    progress: Callable[[], Any] | None = None,
) -> pd.DataFrame:
    """Fetch the unit values of ``kpis`` for the units of ``municipalities`` into the store.

    The first fetch of a query brings everything; a later one only the changes since then
    (``from_date``, one day earlier for time zones) plus the whole history of units that are
    new in the catalogue. Returns the stored unit values of the query.
    """
    if client is None:
        client = default_client()
    store = store or UnitStore()
    kpi_list = list(dict.fromkeys(str(k) for k in kpis))
    codes = None if municipalities is None else [str(m) for m in municipalities]
    year_list = None if years is None else sorted({int(y) for y in years})
    query = {"kpis": kpi_list, "municipalities": codes, "years": year_list}
    started = utc_now()
    store_health.heal(store, kpi_list)  # damaged unit files are set aside and fetched in full
    catalogue = client.ous(municipality=codes)
    store.write_units(catalogue, codes, client.base_url)
    owners = dict(zip(catalogue["id"], catalogue["municipality"], strict=True))
    previous = store.previous_fetch(kpi_list, codes, year_list, client.base_url)
    since = (
        (date.fromisoformat(previous["fetched"][:10]) - timedelta(days=1)).isoformat()
        if previous
        else None
    )
    known = set(previous.get("ous", [])) if previous else set()
    # the page estimate of an all-years fetch: the years the store holds for the KPIs
    span = None if year_list is not None else year_span(store.manifest["kpis"], kpi_list)
    frames, asked = [], []
    for members, activities in _groups(kpi_list):
        units = (
            catalogue if activities is None else catalogue[catalogue["activity"].isin(activities)]
        )
        ids = units["id"].tolist()
        if not ids:
            continue
        asked += ids
        old = [i for i in ids if i in known] if since else []
        new = [i for i in ids if i not in set(old)]
        for chosen, from_date in ((old, since), (new, None)):
            if not chosen:
                continue
            frame = client.ou_values(
                members,
                chosen,
                year_list,
                from_date=from_date,
                include_deleted=True,
                owners=owners,
                progress=progress,
                check=False,
                year_span=span,
            )
            frames.append(frame)
    if frames:
        frame = pd.concat(frames, ignore_index=True)
    else:
        frame = empty_values(ou=True).assign(isdeleted=pd.Series([], dtype=bool))
    store.write_unit_values(
        frame,
        query=query,
        url=client.base_url,
        ous=asked,
        fetched=started,
        incremental=since is not None,
        from_date=since,
    )
    return store.read_unit_values(kpi_list, None, codes, year_list)
