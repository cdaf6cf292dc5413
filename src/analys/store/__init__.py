"""The local store of fetched Kolada data: parquet files plus a manifest, under ``./data``.

Layout (``$ANALYS_DATA_DIR`` overrides the root)::

    data/manifest.json            what was fetched, when, from which URL, API version
    data/values/<KPI>.parquet     one file per KPI: the values frame, all genders
    data/meta/kpis.parquet        the KPI catalogue (Kolada's fields)
    data/meta/municipalities.parquet, data/meta/groups.parquet

Every file is written to a temporary file in the same folder and renamed over the old one
(``os.replace``, :mod:`analys.store.files`), so an interrupted fetch never leaves a
half-written file: readers see the old data or the new, never a mix within a file. The
manifest is written last; a fetch that dies before it is simply done again (incrementally
from the previous date) next time.

A repeated fetch of the same query asks Kolada only for what changed since the last one
(``from_date``), including withdrawn values, which are removed from the store.

Fetching (:func:`fetch_values`) lives in :mod:`analys.store.fetch`, the health of the files
in :mod:`analys.store.health`, the writing of files in :mod:`analys.store.files`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analys.errors import AnalysError, StoreError
from analys.frame import as_values_frame, empty_values
from analys.kolada import KoladaClient, default_client
from analys.kolada.parse import KPI_FIELDS
from analys.store import health as store_health
from analys.store.fetch import KPI_ID, UNIT_ID, fetch_into, unit_batches
from analys.store.files import (
    MANIFEST,
    VALUES_KEY,
    VALUES_SCHEMA,
    api_version,
    atomic_path,
    check_root,
    check_writable,
    merge_kpi_file,
    previous_query,
    query_key,
    read_manifest,
    read_meta_frame,
    read_values_table,
    set_aside,
    store_lock,
    store_root,
    sweep_temporary,
    utc_now,
    write_manifest,
)
from analys.store.health import Damage
from analys.store.meta import META_NAMES, meta_path, snapshot, write_catalogues

__all__ = [
    "KPI_ID",
    "MANIFEST",
    "METADATA_MAX_AGE",
    "UNIT_ID",
    "Store",
    "atomic_path",
    "fetch_values",
    "query_key",
    "unit_batches",
]

METADATA_MAX_AGE = timedelta(days=7)


class Store:
    """The local snapshot store.

    Parameters
    ----------
    root
        Folder of the store; default ``$ANALYS_DATA_DIR``, else ``./data``.
    """

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self._from_env = not root and bool(os.environ.get("ANALYS_DATA_DIR"))
        self.root = store_root(root)

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # ------------------------------------------------------------------ manifest

    @property
    def manifest(self) -> dict[str, Any]:
        """What the store holds: ``api_version``, ``url``, ``updated``, ``metadata`` (when the
        catalogues were fetched, from where), ``queries`` (each values fetch: kpis,
        municipalities, years, url, fetched, from_date, rows) and ``kpis`` (per KPI: rows,
        years, updated). ``StoreError`` when the manifest is damaged."""
        self.check_root()
        return read_manifest(self.root)

    def check_root(self) -> None:
        """``ParamsError`` when the store's folder is a file (e.g. ``$ANALYS_DATA_DIR``)."""
        check_root(self.root, from_env=self._from_env)

    def check_writable(self) -> None:
        """``ParamsError`` unless a fetch can write here: checked before any request."""
        check_writable(self.root, from_env=self._from_env)

    def heal(self, kpis: Sequence[str] | None = None) -> list[Damage]:
        """Set damaged files aside and repair the manifest (:func:`analys.store.health.heal`):
        the manifest, the catalogues and the values of ``kpis`` (``None``: every file)."""
        self.check_root()
        return store_health.heal(self, kpis)

    def check(self) -> list[Damage]:
        """Every damaged file of the store, without changing anything (``analys store check``)."""
        self.check_root()
        return store_health.inspect(self)

    def sweep(self, older_than: float = 3600) -> list[Path]:
        """Remove temporary files a killed fetch left behind (older than ``older_than`` s).

        Readers never look at them; this only reclaims the space. Younger ones may belong to
        a fetch running right now and are kept. Returns the files removed.
        """
        return sweep_temporary(self.root, older_than)

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        write_manifest(self.root, manifest)

    def empty_error(self, what: str = "") -> AnalysError:
        return AnalysError(
            f"Det lokala lagret {self.root} saknar {what or 'data'} – kör "
            "`analys fetch` först (t.ex. `analys fetch --kpi N15507 -m 1880`)"
        )

    # ------------------------------------------------------------------ values

    def _values_path(self, kpi: str) -> Path:
        return self.root / "values" / f"{kpi}.parquet"

    def _read_table(self, kpi: str) -> pa.Table:
        """The stored table of ``kpi``, which the manifest lists: ``StoreError`` if damaged."""
        return read_values_table(self._values_path(kpi), required=True)

    def read_values(
        self,
        kpis: str | Sequence[str],
        municipalities: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """Stored values as the values frame (all genders); works offline.

        Parameters
        ----------
        kpis
            KPI ids; each must have been fetched before.
        municipalities
            Unit codes; ``None`` for every unit stored.
        years
            Years; ``None`` for every year stored.

        Raises
        ------
        AnalysError
            When the store is empty or lacks some of ``kpis`` (naming them).
        """
        kpi_list = [kpis] if isinstance(kpis, str) else [str(k) for k in kpis]
        known = self.manifest["kpis"]
        if not known:
            raise self.empty_error("hämtade värden")
        missing = [k for k in dict.fromkeys(kpi_list) if k not in known]
        if missing:
            raise self.empty_error(f"värden för {', '.join(missing)}")
        tables = [self._read_table(k) for k in dict.fromkeys(kpi_list)]
        table = pa.concat_tables(tables) if tables else VALUES_SCHEMA.empty_table()
        mask = None
        if years is not None:
            wanted = pa.array(sorted({int(y) for y in years}), pa.int64())
            mask = pc.is_in(table["year"], value_set=wanted)
        if municipalities is not None:
            wanted = pa.array(sorted({str(m) for m in municipalities}), pa.string())
            units = pc.is_in(table["municipality"], value_set=wanted)
            mask = units if mask is None else pc.and_(mask, units)
        if mask is not None:
            table = table.filter(mask)
        if table.num_rows == 0:
            return empty_values()
        return table.to_pandas()  # the schema gives the contract's dtypes

    def write_values(
        self,
        frame: pd.DataFrame,
        *,
        query: dict[str, Any],
        url: str,
        fetched: str | None = None,
        incremental: bool = False,
        from_date: str | None = None,
    ) -> int:
        """Merge fetched values into the store; returns the number of rows written.

        Parameters
        ----------
        frame
            A values frame, optionally with a bool ``isdeleted`` column (withdrawn values
            are removed from the store).
        query
            What was asked for: ``{"kpis", "municipalities", "years"}`` (``None`` = all).
        url
            The API's base URL the values came from.
        fetched
            When the fetch started (ISO time, UTC); default now.
        incremental
            ``True`` when ``frame`` holds only changes (a ``from_date`` fetch): rows are
            updated or removed by key. ``False``: ``frame`` replaces everything the store
            held within the query (so values Kolada no longer has disappear).
        from_date
            The ``from_date`` of an incremental fetch, recorded in the manifest.
        """
        self.check_root()
        with store_lock(self.root):
            return self._merge_values(frame, query, url, fetched, incremental, from_date)

    def _merge_values(
        self,
        frame: pd.DataFrame,
        query: dict[str, Any],
        url: str,
        fetched: str | None,
        incremental: bool,
        from_date: str | None,
    ) -> int:
        """:meth:`write_values` while holding the store's write lock."""
        fetched = fetched or utc_now()
        self.sweep()
        key, canonical = query_key(query["kpis"], query.get("municipalities"), query.get("years"))
        deleted = (
            frame["isdeleted"].to_numpy(dtype=bool)
            if "isdeleted" in frame.columns
            else np.zeros(len(frame), dtype=bool)
        )
        clean = as_values_frame(frame)
        order = clean.sort_values(["kpi", *VALUES_KEY], kind="stable").index.to_numpy()
        clean = clean.iloc[order].reset_index(drop=True)
        deleted = deleted[order]
        ids = clean["kpi"].to_numpy()
        manifest = self.manifest
        written = 0
        touched = [] if incremental else canonical["kpis"]
        for kpi in dict.fromkeys([*touched, *pd.unique(ids).tolist()]):
            start, stop = np.searchsorted(ids, kpi, "left"), np.searchsorted(ids, kpi, "right")
            written_rows, manifest["kpis"][kpi] = merge_kpi_file(
                self._old_values(kpi, manifest),
                clean.iloc[start:stop],
                deleted[start:stop],
                query=canonical,
                incremental=incremental,
                path=self._values_path(kpi),
                fetched=fetched,
            )
            written += written_rows
        manifest["queries"][key] = {
            **canonical,
            "url": url,
            "fetched": fetched,
            "from_date": from_date,
            "incremental": incremental,
            "rows": written,
            # what the parser repaired in Kolada's answer (analys.kolada.parse.PROBLEMS)
            "problems": {k: v for k, v in (frame.attrs.get("problems") or {}).items() if v},
        }
        manifest.update(api_version=api_version(url), url=url, updated=fetched)
        self._write_manifest(manifest)
        return written

    def _old_values(self, kpi: str, manifest: dict[str, Any]) -> pd.DataFrame | None:
        """The stored values of ``kpi`` before a merge; ``None`` when there are none, or when
        the file is damaged (then it is set aside and forgotten in ``manifest``)."""
        path = self._values_path(kpi)
        if not path.is_file():
            return None
        try:
            return as_values_frame(read_values_table(path).to_pandas())
        except StoreError:
            set_aside(path)
            store_health.forget(manifest, kpi)
            return None

    def previous_fetch(
        self,
        kpis: Sequence[str],
        municipalities: Sequence[str] | None,
        years: Sequence[int] | None,
        url: str,
    ) -> dict[str, Any] | None:
        """The manifest entry of an earlier fetch of exactly this query from ``url``."""
        return previous_query(self.manifest, kpis, municipalities, years, url)

    # ------------------------------------------------------------------ metadata

    def _meta_path(self, name: str) -> Path:
        return meta_path(self.root, name)

    def _read_meta(self, name: str) -> pd.DataFrame:
        path = self._meta_path(name)
        if not path.is_file():
            raise self.empty_error("Koladas katalog (metadata)")
        return read_meta_frame(path)

    def kpis(self) -> pd.DataFrame:
        """The stored KPI catalogue: Kolada's fields (:data:`analys.kolada.parse.KPI_FIELDS`,
        the columns of :func:`analys.demo.kpis` too)."""
        table = self._read_meta("kpis")
        columns = list(KPI_FIELDS)
        for column in columns:
            if column not in table.columns:
                table[column] = None
        return table.loc[:, columns].reset_index(drop=True)

    def municipalities(self) -> pd.DataFrame:
        """Stored municipalities, regions and Riket: columns id, title, type."""
        return self._read_meta("municipalities")

    def groups(self) -> pd.DataFrame:
        """Stored municipality groups: columns group, title, members (tuple of codes)."""
        table = self._read_meta("groups")
        table["members"] = [tuple(m) for m in table["members"]]
        return table.loc[:, ["group", "title", "members"]]

    def refresh_metadata(
        self, client: Any = None, *, force: bool = False, max_age: timedelta = METADATA_MAX_AGE
    ) -> bool:
        """Fetch the KPI catalogue, municipalities and groups unless they are fresh.

        Parameters
        ----------
        client
            A :class:`~analys.kolada.KoladaClient`; default
            :func:`~analys.kolada.default_client` (``$ANALYS_KOLADA_URL`` and ``_RATE``).
        force
            Fetch even when the stored catalogues are younger than ``max_age``.
        max_age
            How old the stored catalogues may be before they are fetched again.

        Returns
        -------
        bool
            ``True`` when fetched, ``False`` when the stored ones were fresh.
        """
        client = client or default_client()
        self.heal(kpis=())
        meta = self.manifest.get("metadata")
        if (
            not force
            and meta
            and meta.get("url") == client.base_url
            and all(self._meta_path(n).is_file() for n in META_NAMES)
        ):
            age = datetime.now(UTC) - datetime.fromisoformat(meta["fetched"])
            if age < max_age:
                return False
        write_catalogues(self, client)
        return True

    # ------------------------------------------------------------------ snapshot

    def snapshot(self) -> dict[str, Any]:
        """What the stored data is (the keys of :func:`analys.demo.snapshot`)."""
        return snapshot(self)


def fetch_values(
    kpis: str | Sequence[str],
    municipalities: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    *,
    client: KoladaClient | None = None,
    store: Store | None = None,
    progress: Callable[[], Any] | None = None,
) -> pd.DataFrame:
    """Fetch values from Kolada into the store and return what was asked for
    (:func:`analys.store.fetch.fetch_into`).

    ``client`` defaults to a :class:`~analys.kolada.KoladaClient` for ``$ANALYS_KOLADA_URL``,
    ``store`` to the :class:`Store` at ``$ANALYS_DATA_DIR``; ``progress`` is called once per
    request done (a tqdm bar's ``update``).
    """
    return fetch_into(
        store or Store(),
        kpis,
        municipalities,
        years,
        client=client or default_client(),
        progress=progress,
    )
