"""The files of the local store: layout, atomic writes, the manifest and the values schema.

Every file is written to a temporary file in the same folder and renamed over the old one
(:func:`atomic_path`, ``os.replace``), so an interrupted fetch never leaves a half-written
file; :func:`sweep_temporary` reclaims the temporary files a killed fetch left behind. The
manifest (:data:`MANIFEST`) records what the store holds; :func:`query_key` names a values
query in it. :class:`analys.store.Store` is built on these.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analys.errors import AnalysError, ParamsError, StoreError
from analys.frame import OU_COLUMNS, VALUES_COLUMNS

MANIFEST = "manifest.json"
# The values frame as stored: one parquet file per KPI.
VALUES_SCHEMA = pa.schema(
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
VALUES_KEY = ["municipality", "year", "gender"]  # a row within one KPI file
# The unit-level values frame (docs/data-contract.md#unit-values) as stored: the same fields
# plus ``ou``.
UNIT_VALUES_SCHEMA = pa.schema(
    [VALUES_SCHEMA.field("kpi"), ("ou", pa.string()), *list(VALUES_SCHEMA)[1:]]
)
UNIT_KEY = ["ou", "year", "gender"]  # a row within one unit KPI file
#: the key of an own KPI's manifest entry in its parquet file's metadata (``own/``)
OWN_ENTRY_KEY = b"analys.own"


def utc_now() -> str:
    """The time now in UTC, ISO format to the second: what the manifest records."""
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


def previous_query(
    manifest: dict[str, Any],
    kpis: Sequence[str],
    municipalities: Sequence[str] | None,
    years: Sequence[int] | None,
    url: str,
) -> dict[str, Any] | None:
    """The ``manifest`` entry of an earlier fetch of exactly this query from ``url``."""
    key, _ = query_key(kpis, municipalities, years)
    entry = manifest["queries"].get(key)
    return entry if entry and entry.get("url") == url else None


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


def write_table(table: pa.Table, path: Path) -> None:
    """Write ``table`` as zstd-compressed parquet at ``path``, atomically."""
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def merge_kpi_file(
    old: pd.DataFrame | None,
    part: pd.DataFrame,
    deleted: np.ndarray,
    *,
    query: dict[str, Any],
    incremental: bool,
    path: Path,
    fetched: str,
    ou: bool = False,
) -> tuple[int, dict[str, Any]]:
    """Merge the fetched rows of one KPI into its stored rows and write its file atomically.

    Parameters
    ----------
    old
        The rows stored before (``None``: none, or a damaged file set aside).
    part
        The fetched rows of this KPI (a values frame, with ``ou`` for unit values).
    deleted
        Per row of ``part``: ``True`` when Kolada marks it withdrawn (removed, not stored).
    query
        The canonical query (:func:`query_key`): a full fetch replaces every stored row
        within its municipalities and years.
    incremental
        ``part`` holds changes only (a ``from_date`` fetch): rows are replaced or removed
        by key.
    path, fetched
        The KPI's file and when the fetch started (ISO time, UTC).
    ou
        Unit values (:data:`UNIT_VALUES_SCHEMA`, key :data:`UNIT_KEY`).

    Returns
    -------
    tuple
        The rows written and the KPI's manifest entry (rows, first_year, latest_year,
        updated).
    """
    key, columns, schema = (
        (UNIT_KEY, OU_COLUMNS, UNIT_VALUES_SCHEMA)
        if ou
        else (VALUES_KEY, VALUES_COLUMNS, VALUES_SCHEMA)
    )
    new = part[~deleted]
    if old is None or old.empty:
        merged = new
    else:
        if incremental:
            drop = pd.MultiIndex.from_frame(old[key]).isin(pd.MultiIndex.from_frame(part[key]))
        else:
            drop = np.ones(len(old), dtype=bool)
            if query["municipalities"] is not None:
                drop &= old["municipality"].isin(query["municipalities"]).to_numpy()
            if query["years"] is not None:
                drop &= old["year"].isin(query["years"]).to_numpy()
        merged = pd.concat([old[~drop], new], ignore_index=True)
    merged = merged.sort_values(key, kind="stable").reset_index(drop=True)
    table = pa.Table.from_pandas(merged.loc[:, columns], schema=schema, preserve_index=False)
    write_table(table, path)
    years = merged["year"]
    entry = {
        "rows": len(merged),
        "first_year": int(years.min()) if len(years) else None,
        "latest_year": int(years.max()) if len(years) else None,
        "updated": fetched,
    }
    return len(new), entry


def year_span(
    stored: dict[str, Any], kpis: Sequence[str], catalogue: pd.DataFrame | None = None
) -> int | None:
    """How many years an open-ended fetch (every year) of ``kpis`` brings, as far as known.

    From the earliest year an earlier fetch stored for any of them (``stored``: a manifest's
    ``kpis``, with ``first_year`` and ``latest_year``) to the latest of those years and the
    catalogue's latest publication period (``publ_period``). ``None`` when nothing was stored
    yet: the request planner then assumes :data:`analys.kolada.plan.ALL_YEARS_ESTIMATE`.
    Used for the page estimate of first-time refetches and ``from_date`` refreshes alike,
    so the chunks are cut for the rows Kolada really has.
    """
    entries = [stored.get(k) or {} for k in kpis]
    firsts = [int(e["first_year"]) for e in entries if e.get("first_year") is not None]
    if not firsts:
        return None
    lasts = [int(e["latest_year"]) for e in entries if e.get("latest_year") is not None]
    if catalogue is not None and {"id", "publ_period"} <= set(catalogue.columns):
        periods = catalogue.loc[catalogue["id"].isin(list(kpis)), "publ_period"]
        lasts += [int(p) for p in periods if isinstance(p, str) and p.isdigit()]
    return max(lasts or firsts) - min(firsts) + 1


#: what to do about a damaged file, in every message that names one
REMEDY = (
    "kör `analys fetch` igen för samma urval (den skadade filen läggs åt sidan och hämtas om) "
    "eller `analys store check` för att se allt som är skadat"
)
#: the suffix a damaged file is kept aside with (``N15507.parquet.damaged``)
DAMAGED = ".damaged"


def damaged(path: Path, reason: str) -> StoreError:
    """The one-line Swedish error for a store file that cannot be read."""
    message = f"Datalagret är skadat: {path} {reason} – {REMEDY}"
    return StoreError(message, path=str(path), reason=reason)


def _read_parquet(path: Path, reader: Callable[[Path], Any] | None = None) -> Any:
    try:
        if reader is not None:
            return reader(path)
        return pq.ParquetFile(path, memory_map=True).read(use_threads=False)
    except FileNotFoundError:
        raise damaged(path, "saknas fast manifestet tar upp den") from None
    except (pa.ArrowException, OSError, ValueError) as error:
        if isinstance(error, PermissionError):
            raise damaged(path, "går inte att läsa (behörighet saknas)") from None
        raise damaged(path, "går inte att läsa (avkortad eller trasig parquet-fil)") from None


def read_values_table(
    path: Path, *, required: bool = False, schema: pa.Schema = VALUES_SCHEMA
) -> pa.Table:
    """The values table stored at ``path`` in ``schema`` (:data:`VALUES_SCHEMA`, or
    :data:`UNIT_VALUES_SCHEMA` for unit values).

    A missing file is an empty table, or a :class:`~analys.errors.StoreError` when
    ``required`` (the manifest lists it); a file that cannot be read, or holds other columns,
    is always a ``StoreError`` naming it.
    """
    if not required and not path.is_file():
        return schema.empty_table()
    table = _read_parquet(path)
    if table.schema.equals(schema):
        return table
    try:
        return table.select(schema.names).cast(schema)
    except (pa.ArrowException, KeyError, ValueError, TypeError):
        raise damaged(path, "har inte värdetabellens kolumner") from None


def read_meta_frame(path: Path) -> pd.DataFrame:
    """A stored catalogue (KPIs, municipalities, groups); ``StoreError`` when damaged."""
    return _read_parquet(path, pd.read_parquet)


def empty_manifest() -> dict[str, Any]:
    """The manifest of a store where nothing was fetched yet."""
    return {
        "api_version": None,
        "url": None,
        "updated": None,
        "metadata": None,
        "queries": {},
        "kpis": {},
    }


def store_root(root: str | os.PathLike | None = None) -> Path:
    """The store's folder: ``root``, else ``$ANALYS_DATA_DIR``, else ``./data``."""
    return Path(root or os.environ.get("ANALYS_DATA_DIR") or "data")


def check_root(root: Path, *, from_env: bool = False) -> None:
    """``ParamsError`` (exit 2) when the store's folder is a file (``$ANALYS_DATA_DIR``)."""
    if root.exists() and not root.is_dir():
        name = "ANALYS_DATA_DIR" if from_env else "datamappen"
        raise ParamsError(
            f"{name}: {root} är en fil, inte en mapp – ange en mapp för datalagret "
            "(den skapas om den inte finns)"
        )


def empty_unit_manifest() -> dict[str, Any]:
    """The manifest of the unit part (``units/manifest.json``) before any unit fetch."""
    return {"queries": {}, "kpis": {}, "catalogue": None}


def read_manifest(
    root: Path, empty: Callable[[], dict[str, Any]] = empty_manifest
) -> dict[str, Any]:
    """The manifest of the store at ``root``; an empty one when nothing was fetched yet.

    ``root / "units"`` with :func:`empty_unit_manifest` reads the unit part's manifest.
    Raises :class:`~analys.errors.StoreError` naming the file when it is not a readable
    manifest (truncated JSON, another structure).
    """
    path = root / MANIFEST
    if not path.is_file():
        return empty()
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except json.JSONDecodeError as error:
        where = f"rad {error.lineno}, kolumn {error.colno}"
        raise damaged(path, f"är inte giltig JSON ({where})") from None
    except UnicodeDecodeError:
        raise damaged(path, "är inte UTF-8-text") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise damaged(path, f"går inte att läsa ({reason})") from None
    if (
        not isinstance(manifest, dict)
        or not isinstance(manifest.get("queries"), dict)
        or not isinstance(manifest.get("kpis"), dict)
    ):
        raise damaged(path, "har inte manifestets form (queries och kpis saknas)")
    return {**empty(), **manifest}


def check_writable(root: Path, *, from_env: bool = False) -> None:
    """``ParamsError`` (exit 2) unless a fetch can write into the store at ``root``.

    Checked before any request to Kolada, so a read-only folder fails at once instead of
    after all the network work: the folder and its ``values``/``meta`` folders can be
    created and written to, and the lock file opened.
    """
    check_root(root, from_env=from_env)
    folder = root
    try:
        root.mkdir(parents=True, exist_ok=True)
        for folder in (root, root / "values", root / "meta"):
            folder.mkdir(exist_ok=True)
            probe = folder / f".write-check.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
            probe.write_bytes(b"")
            probe.unlink()
        with open(root / ".lock", "a+b"):
            pass
    except OSError as error:
        name = "ANALYS_DATA_DIR" if from_env else "datamappen"
        read_only = isinstance(error, PermissionError) or error.errno == errno.EROFS
        why = "skrivskyddad" if read_only else error.strerror or type(error).__name__
        raise ParamsError(
            f"{name}: det går inte att skriva i {folder} ({why}) – ge skrivrättighet till "
            "mappen eller välj en annan mapp med ANALYS_DATA_DIR"
        ) from None


def set_aside(path: Path) -> Path:
    """Rename a damaged file to ``<name>.damaged`` (replacing an older one); the new path."""
    target = path.with_name(path.name + DAMAGED)
    os.replace(path, target)
    return target


def write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest of the store at ``root`` atomically."""
    with atomic_path(root / MANIFEST) as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


def sweep_temporary(root: Path, older_than: float = 3600) -> list[Path]:
    """Remove temporary files under ``root`` older than ``older_than`` seconds; the removed."""
    cutoff = time.time() - older_than
    removed = []
    for path in root.glob("**/.*.tmp"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def api_version(url: str) -> str:
    """The API version at the end of a base URL (``…/v3``), ``v3`` when it has none."""
    match = re.search(r"/(v\d+)/?$", url)
    return match.group(1) if match else "v3"


#: seconds a writer waits for another fetch into the same store before giving up
LOCK_TIMEOUT = 600.0


@contextmanager
def store_lock(root: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the store's write lock: one writer at a time, across processes.

    Each file is replaced atomically anyway; the lock keeps two fetches into the same store
    from both reading a KPI's file, merging their own rows and the later one dropping the
    other's. Readers take no lock (they always see whole files). The lock is an OS file lock
    on ``ROOT/.lock`` (``flock`` on POSIX, ``msvcrt.locking`` on Windows), released even when
    the process is killed.
    """
    root.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    with open(root / ".lock", "a+b") as handle:
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise AnalysError(
                    f"datalagret {root} används av en annan hämtning sedan mer än "
                    f"{timeout:.0f} s – vänta tills den är klar och försök igen"
                )
            time.sleep(0.05)
        try:
            yield
        finally:
            _unlock(handle)


def _try_lock(handle: Any) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: Any) -> None:
    if os.name == "nt":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
