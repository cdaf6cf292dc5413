"""The local store of fetched Kolada data: parquet files plus a manifest, under ``./data``.

Layout (``$ANALYS_DATA_DIR`` overrides the root)::

    data/manifest.json            what was fetched, when, from which URL, API version
    data/values/<KPI>.parquet     one file per KPI: the values frame, all genders
    data/meta/kpis.parquet        the KPI catalogue (Kolada's fields)
    data/meta/municipalities.parquet, data/meta/groups.parquet

Every file is written to a temporary file in the same folder and renamed over the old one
(``os.replace``), so an interrupted fetch never leaves a half-written file: readers see the
old data or the new, never a mix within a file. The manifest is written last; a fetch that
dies before it is simply done again (incrementally from the previous date) next time.

A repeated fetch of the same query asks Kolada only for what changed since the last one
(``from_date``), including withdrawn values, which are removed from the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analys import captions
from analys.errors import AnalysError, KoladaError, ParamsError
from analys.frame import VALUES_COLUMNS, as_values_frame, empty_values

MANIFEST = "manifest.json"
METADATA_MAX_AGE = timedelta(days=7)
KPI_ID = re.compile(r"^[NU]\d{5}$")
UNIT_ID = re.compile(r"^(\d{4}|G\d+)$")
_SCHEMA = pa.schema(
    [
        ("kpi", pa.string()),
        ("municipality", pa.string()),
        ("year", pa.int64()),
        ("gender", pa.string()),
        ("value", pa.float64()),
        ("count", pa.int64()),
        ("status", pa.string()),
    ]
)
_KEY = ["municipality", "year", "gender"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def query_key(
    kpis: Sequence[str], municipalities: Sequence[str] | None, years: Sequence[int] | None
) -> tuple[str, dict[str, Any]]:
    """A stable key for a values query and its canonical form (sorted, without repeats)."""
    query = {
        "kpis": sorted({str(k) for k in kpis}),
        "municipalities": None
        if municipalities is None
        else sorted({str(m) for m in municipalities}),
        "years": None if years is None else sorted({int(y) for y in years}),
    }
    text = json.dumps(query, sort_keys=True)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16], query


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    On any error the temporary file is removed and ``path`` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_table(table: pa.Table, path: Path) -> None:
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


class Store:
    """The local snapshot store.

    Parameters
    ----------
    root
        Folder of the store; default ``$ANALYS_DATA_DIR``, else ``./data``.
    """

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self.root = Path(root or os.environ.get("ANALYS_DATA_DIR") or "data")

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # ------------------------------------------------------------------ manifest

    @property
    def manifest(self) -> dict[str, Any]:
        """What the store holds: ``api_version``, ``url``, ``updated``, ``metadata`` (when the
        catalogues were fetched, from where), ``queries`` (each values fetch: kpis,
        municipalities, years, url, fetched, from_date, rows) and ``kpis`` (per KPI: rows,
        years, updated)."""
        path = self.root / MANIFEST
        if not path.is_file():
            return {
                "api_version": None,
                "url": None,
                "updated": None,
                "metadata": None,
                "queries": {},
                "kpis": {},
            }
        return json.loads(path.read_text(encoding="utf-8"))

    def sweep(self, older_than: float = 3600) -> list[Path]:
        """Remove temporary files a killed fetch left behind (older than ``older_than`` s).

        Readers never look at them; this only reclaims the space. Younger ones may belong to
        a fetch running right now and are kept. Returns the files removed.
        """
        cutoff = time.time() - older_than
        removed = []
        for path in self.root.glob("**/.*.tmp"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue
        return removed

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        with atomic_path(self.root / MANIFEST) as tmp:
            tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")

    def _empty_error(self, what: str = "") -> AnalysError:
        return AnalysError(
            f"Det lokala lagret {self.root} saknar {what or 'data'} – kör "
            "`analys fetch` först (t.ex. `analys fetch --kpi N15507 -m 1880`)"
        )

    # ------------------------------------------------------------------ values

    def _values_path(self, kpi: str) -> Path:
        return self.root / "values" / f"{kpi}.parquet"

    def _read_table(self, kpi: str) -> pa.Table:
        path = self._values_path(kpi)
        if not path.is_file():
            return _SCHEMA.empty_table()
        table = pq.ParquetFile(path, memory_map=True).read(use_threads=False)
        return table if table.schema.equals(_SCHEMA) else table.cast(_SCHEMA)

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
            raise self._empty_error("hämtade värden")
        missing = [k for k in dict.fromkeys(kpi_list) if k not in known]
        if missing:
            raise self._empty_error(f"värden för {', '.join(missing)}")
        tables = [self._read_table(k) for k in dict.fromkeys(kpi_list)]
        table = pa.concat_tables(tables) if tables else _SCHEMA.empty_table()
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
        fetched = fetched or _now()
        self.sweep()
        key, canonical = query_key(query["kpis"], query.get("municipalities"), query.get("years"))
        deleted = (
            frame["isdeleted"].to_numpy(dtype=bool)
            if "isdeleted" in frame.columns
            else np.zeros(len(frame), dtype=bool)
        )
        clean = as_values_frame(frame)
        order = clean.sort_values(["kpi", *_KEY], kind="stable").index.to_numpy()
        clean = clean.iloc[order].reset_index(drop=True)
        deleted = deleted[order]
        ids = clean["kpi"].to_numpy()
        manifest = self.manifest
        written = 0
        touched = [] if incremental else canonical["kpis"]
        for kpi in dict.fromkeys([*touched, *pd.unique(ids).tolist()]):
            start, stop = np.searchsorted(ids, kpi, "left"), np.searchsorted(ids, kpi, "right")
            part = clean.iloc[start:stop]
            new = part[~deleted[start:stop]]
            if not self._values_path(kpi).is_file():
                merged = new
            else:
                old = as_values_frame(self._read_table(kpi).to_pandas())
                if incremental:
                    drop = pd.MultiIndex.from_frame(old[_KEY]).isin(
                        pd.MultiIndex.from_frame(part[_KEY])
                    )
                else:
                    drop = np.ones(len(old), dtype=bool)
                    if canonical["municipalities"] is not None:
                        drop &= old["municipality"].isin(canonical["municipalities"]).to_numpy()
                    if canonical["years"] is not None:
                        drop &= old["year"].isin(canonical["years"]).to_numpy()
                merged = pd.concat([old[~drop], new], ignore_index=True)
                merged = merged.sort_values(_KEY, kind="stable").reset_index(drop=True)
            table = pa.Table.from_pandas(
                merged.loc[:, VALUES_COLUMNS], schema=_SCHEMA, preserve_index=False
            )
            _write_table(table, self._values_path(kpi))
            written += len(new)
            years = merged["year"]
            manifest["kpis"][kpi] = {
                "rows": len(merged),
                "first_year": int(years.min()) if len(years) else None,
                "latest_year": int(years.max()) if len(years) else None,
                "updated": fetched,
            }
        manifest["queries"][key] = {
            **canonical,
            "url": url,
            "fetched": fetched,
            "from_date": from_date,
            "incremental": incremental,
            "rows": written,
        }
        manifest.update(api_version=_api_version(url), url=url, updated=fetched)
        self._write_manifest(manifest)
        return written

    def previous_fetch(
        self,
        kpis: Sequence[str],
        municipalities: Sequence[str] | None,
        years: Sequence[int] | None,
        url: str,
    ) -> dict[str, Any] | None:
        """The manifest entry of an earlier fetch of exactly this query from ``url``."""
        key, _ = query_key(kpis, municipalities, years)
        entry = self.manifest["queries"].get(key)
        return entry if entry and entry.get("url") == url else None

    # ------------------------------------------------------------------ metadata

    def _meta_path(self, name: str) -> Path:
        return self.root / "meta" / f"{name}.parquet"

    def _read_meta(self, name: str) -> pd.DataFrame:
        path = self._meta_path(name)
        if not path.is_file():
            raise self._empty_error("Koladas katalog (metadata)")
        return pd.read_parquet(path)

    def kpis(self) -> pd.DataFrame:
        """The stored KPI catalogue: the same columns as :func:`analys.demo.kpis`."""
        from analys import demo

        table = self._read_meta("kpis")
        columns = list(demo.kpis().columns)
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
            A :class:`~analys.kolada.KoladaClient`; default one for ``$ANALYS_KOLADA_URL``.
        force
            Fetch even when the stored catalogues are younger than ``max_age``.
        max_age
            How old the stored catalogues may be before they are fetched again.

        Returns
        -------
        bool
            ``True`` when fetched, ``False`` when the stored ones were fresh.
        """
        if client is None:
            from analys.kolada import KoladaClient

            client = KoladaClient()
        meta = self.manifest.get("metadata")
        if (
            not force
            and meta
            and meta.get("url") == client.base_url
            and all(self._meta_path(n).is_file() for n in ("kpis", "municipalities", "groups"))
        ):
            age = datetime.now(UTC) - datetime.fromisoformat(meta["fetched"])
            if age < max_age:
                return False
        fetched = _now()
        kpis = client.kpis()
        units = client.municipalities()
        groups = client.municipality_groups()
        groups = pd.DataFrame(
            {
                "group": groups["id"],
                "title": groups["title"],
                "members": [list(m) for m in groups["members"]],
            }
        )
        for name, table in (("kpis", kpis), ("municipalities", units), ("groups", groups)):
            _write_table(pa.Table.from_pandas(table, preserve_index=False), self._meta_path(name))
        manifest = self.manifest
        manifest["metadata"] = {
            "fetched": fetched,
            "url": client.base_url,
            "kpis": len(kpis),
            "municipalities": len(units),
            "groups": len(groups),
        }
        manifest.update(api_version=_api_version(client.base_url), url=client.base_url)
        self._write_manifest(manifest)
        return True

    # ------------------------------------------------------------------ snapshot

    def snapshot(self) -> dict[str, Any]:
        """What the stored data is (the keys of :func:`analys.demo.snapshot`)."""
        manifest = self.manifest
        if not manifest["kpis"]:
            raise self._empty_error("hämtade värden")
        fetched = manifest["updated"]
        day = fetched[:10]
        stats = manifest["kpis"].values()
        firsts = [s["first_year"] for s in stats if s.get("first_year") is not None]
        lasts = [s["latest_year"] for s in stats if s.get("latest_year") is not None]
        return {
            "source": "store",
            "label": f"{captions.KALLA} (hämtat {day})",
            "snapshot": f"Kolada {day}",
            "fetched": fetched,
            "url": manifest["url"],
            "api_version": manifest["api_version"],
            "demo": False,
            "first_year": min(firsts) if firsts else None,
            "latest_year": max(lasts) if lasts else None,
            "preliminary_year": self._preliminary_year(list(manifest["kpis"]), day),
        }

    def _preliminary_year(self, kpis: list[str], day: str) -> int | None:
        """The latest year still preliminary on ``day``: its final publication is later."""
        try:
            catalogue = self.kpis()
        except AnalysError:
            return None
        rows = catalogue[catalogue["id"].isin(kpis)]
        years = [
            int(p)
            for p, final in zip(rows["publ_period"], rows["publication_date"], strict=True)
            if isinstance(p, str) and p.isdigit() and isinstance(final, str) and final > day
        ]
        return max(years) if years else None


def _api_version(url: str) -> str:
    match = re.search(r"/(v\d+)/?$", url)
    return match.group(1) if match else "v3"


# ---------------------------------------------------------------------------------- fetching


def fetch_values(
    kpis: str | Sequence[str],
    municipalities: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    *,
    client: Any = None,
    store: Store | None = None,
    progress: Callable[[], Any] | None = None,
) -> pd.DataFrame:
    """Fetch values from Kolada into the store and return what was asked for.

    The first fetch of a query brings everything; a later fetch of the same query (same
    KPIs, units, years and URL) asks only for changes since the previous one (``from_date``,
    one day earlier to be safe about time zones) and removes withdrawn values.

    Parameters
    ----------
    kpis, municipalities, years
        As in :meth:`analys.kolada.KoladaClient.values`.
    client
        A :class:`~analys.kolada.KoladaClient`; default one for ``$ANALYS_KOLADA_URL``.
    store
        The store; default :class:`Store` at ``$ANALYS_DATA_DIR``.
    progress
        Called once per request done (a tqdm bar's ``update``).
    """
    if client is None:
        from analys.kolada import KoladaClient

        client = KoladaClient()
    store = store or Store()
    kpi_list = [kpis] if isinstance(kpis, str) else [str(k) for k in kpis]
    units = None if municipalities is None else [str(m) for m in municipalities]
    year_list = None if years is None else sorted({int(y) for y in years})
    query = {"kpis": kpi_list, "municipalities": units, "years": year_list}
    started = _now()
    previous = store.previous_fetch(kpi_list, units, year_list, client.base_url)
    if previous:
        since = (date.fromisoformat(previous["fetched"][:10]) - timedelta(days=1)).isoformat()
        frame = client.values(
            kpi_list, units, year_list, from_date=since, include_deleted=True, progress=progress
        )
        store.write_values(
            frame,
            query=query,
            url=client.base_url,
            fetched=started,
            incremental=True,
            from_date=since,
        )
    else:
        frame = client.values(kpi_list, units, year_list, progress=progress)
        store.write_values(frame, query=query, url=client.base_url, fetched=started)
    return store.read_values(kpi_list, units, year_list)


def _parse_years(years: str | Sequence[int] | None) -> list[int] | None:
    if years is None:
        return None
    if not isinstance(years, str):
        return [int(y) for y in years]
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", years)
    if not match:
        raise ParamsError(f"--years: '{years}' är inget årsintervall – skriv t.ex. 2015-2024")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if first > last:
        raise ParamsError(f"--years: '{years}' – första året är större än det sista")
    return list(range(first, last + 1))


def _cli_kpis(areas: Sequence[str], kpis: Sequence[str]) -> list[str]:
    ids = [k.strip().upper() for k in kpis]
    if areas:
        from analys.goals import load_area

        for area in areas:
            ids += load_area(area).kpis
    bad = [k for k in ids if not KPI_ID.match(k)]
    if bad:
        raise ParamsError(
            f"--kpi: {', '.join(bad)} är inga nyckeltals-id – de ser ut som "
            "N15507 eller U23401 (sök med `analys kpi search TEXT`)"
        )
    if not ids:
        raise ParamsError(
            "Ange vad som ska hämtas: ett område (t.ex. `analys fetch "
            "grundskola`) eller nyckeltal med --kpi ID"
        )
    return list(dict.fromkeys(ids))


def _check_ids(store: Store, kpis: list[str], units: list[str] | None) -> None:
    """Check ids against the fetched catalogue, suggesting close ids for typos."""
    from difflib import get_close_matches

    problems = []
    known = set(store.kpis()["id"])
    for kpi in (k for k in kpis if k not in known):
        close = get_close_matches(kpi, sorted(known), n=3, cutoff=0.6)
        hint = f" – menade du {' eller '.join(close)}?" if close else ""
        problems.append(f"--kpi: {kpi} finns inte i Koladas katalog{hint}")
    if units:
        codes = set(store.municipalities()["id"]) | set(store.groups()["group"])
        for unit in (u for u in units if u not in codes):
            problems.append(
                f"-m: {unit} är ingen kommun, region eller grupp i Kolada "
                "(kommunkoder har fyra siffror, t.ex. 0180)"
            )
    if problems:
        raise ParamsError(problems)


def fetch_cli(
    *,
    areas: Sequence[str],
    kpis: Sequence[str],
    municipalities: Sequence[str],
    years: str | Sequence[int] | None,
) -> int:
    """``analys fetch [AREA ...] [--kpi ID ...] [-m CODE ...] [--years A-B]``.

    Without ``-m`` every municipality and region (and Riket) is fetched; without ``--years``
    every year. Returns the exit code: 0 ok, 2 bad input, 1 when Kolada kept failing.
    """
    from tqdm import tqdm

    from analys.kolada import KoladaClient

    try:
        year_list = _parse_years(years)
        kpi_list = _cli_kpis(areas, kpis)
        units = [str(m).strip() for m in municipalities] or None
        bad = [u for u in units or () if not UNIT_ID.match(u)]
        if bad:
            raise ParamsError(
                f"-m: {', '.join(bad)} är inga kommunkoder – skriv fyra siffror "
                "(t.ex. 0180), 0000 för riket eller ett grupp-id (G…)"
            )
    except ParamsError as error:
        print(error, file=sys.stderr)
        return 2
    store = Store()
    client = KoladaClient()
    try:
        if store.refresh_metadata(client):
            print(f"Hämtade Koladas katalog från {client.base_url}.", file=sys.stderr)
        _check_ids(store, kpi_list, units)
        if units is None:
            units = store.municipalities()["id"].tolist()
        span = f"{year_list[0]}–{year_list[-1]}" if year_list else "alla år"
        print(
            f"Hämtar {len(kpi_list)} nyckeltal för {len(units)} enheter, {span}, från "
            f"{client.base_url} …",
            file=sys.stderr,
        )
        total = len(client.plan(kpi_list, units, year_list))
        with tqdm(total=total, desc="Kolada", unit="anrop", file=sys.stderr, disable=None) as bar:
            frame = fetch_values(
                kpi_list, units, year_list, client=client, store=store, progress=bar.update
            )
    except ParamsError as error:
        print(error, file=sys.stderr)
        return 2
    except KoladaError as error:
        print(f"Hämtningen misslyckades: {error}", file=sys.stderr)
        return 1
    entry = store.previous_fetch(kpi_list, units, year_list, client.base_url) or {}
    how = (
        f"ändringar sedan {entry['from_date']}: {entry['rows']} rader"
        if entry.get("incremental")
        else f"{entry.get('rows', len(frame))} rader"
    )
    print(
        f"Klart: {len(frame)} värden för {frame['kpi'].nunique()} nyckeltal i {store.root} "
        f"({how}, {client.requests_made} anrop)."
    )
    return 0
