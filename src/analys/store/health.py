"""The health of the local store: find damaged files, set them aside, ``analys store check``.

A truncated parquet file or manifest (a full disk, a copy cut short, a bad sector) must
neither end a report run in a traceback nor stop the obvious remedy, fetching again. So:

* :func:`inspect` reads the manifest and every values and catalogue file and returns the
  :class:`Damage` it finds (``analys store check`` prints it);
* :func:`heal` (run by every fetch, under the store's lock) moves each damaged file aside as
  ``<name>.damaged`` and forgets it in the manifest, so the fetch brings it again in full
  instead of only the changes since last time. A damaged manifest is rebuilt from the values
  files that are still whole (every query is then fetched in full once).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analys.errors import StoreError
from analys.store.files import (
    DAMAGED,
    MANIFEST,
    empty_manifest,
    read_manifest,
    read_meta_frame,
    read_values_table,
    set_aside,
    store_lock,
    write_manifest,
)

if TYPE_CHECKING:
    from analys.store import Store

META_NAMES = ("kpis", "municipalities", "groups")


@dataclass(frozen=True)
class Damage:
    """One file of the store that cannot be read: where, why (Swedish) and which KPI."""

    path: Path
    reason: str
    kpi: str | None = None
    kind: str = "values"  # values | meta | manifest


def _values_files(root: Path) -> dict[str, Path]:
    folder = root / "values"
    return {p.stem: p for p in sorted(folder.glob("*.parquet"))} if folder.is_dir() else {}


def inspect(store: Store, kpis: Sequence[str] | None = None) -> list[Damage]:
    """Every damaged file of ``store`` (all its files, or the manifest, the catalogues and
    the values of ``kpis``), each read in full."""
    root = store.root
    found: list[Damage] = []
    try:
        manifest = read_manifest(root)
    except StoreError as error:
        found.append(Damage(root / MANIFEST, error.reason, kind="manifest"))
        manifest = None
    files = _values_files(root)
    listed = set(manifest["kpis"]) if manifest else set()
    wanted = set(files) | listed if kpis is None else set(kpis)
    for kpi in sorted(wanted):
        path = files.get(kpi, root / "values" / f"{kpi}.parquet")
        if not path.is_file() and kpi not in listed:
            continue
        try:
            read_values_table(path, required=True)
        except StoreError as error:
            found.append(Damage(path, error.reason, kpi=kpi))
    for name in META_NAMES:
        path = root / "meta" / f"{name}.parquet"
        if not path.is_file() and not (manifest and manifest.get("metadata")):
            continue
        try:
            read_meta_frame(path)
        except StoreError as error:
            found.append(Damage(path, error.reason, kind="meta"))
    return found


def heal(store: Store, kpis: Sequence[str] | None = None) -> list[Damage]:
    """Set aside what :func:`inspect` finds damaged and repair the manifest; the damage.

    Holds the store's lock. A damaged values file is renamed ``<KPI>.parquet.damaged`` and
    dropped from the manifest with every query that fetched it, so the next fetch of those
    queries is a full one; a damaged catalogue is renamed and fetched again; a damaged
    manifest is renamed and rebuilt from the whole values files (queries and catalogue
    forgotten, so each is fetched in full once).
    """
    if not store.root.is_dir() or not inspect(store, kpis):
        return []  # the common case needs no lock: nothing to change
    with store_lock(store.root):
        found = inspect(store, kpis)  # again: another fetch may have healed it meanwhile
        if not found:
            return []
        for damage in found:
            if damage.path.is_file():
                set_aside(damage.path)
        if any(d.kind == "manifest" for d in found):
            manifest = _rebuild_manifest(store.root)
        else:
            manifest = read_manifest(store.root)
        for damage in found:
            if damage.kind == "meta":
                manifest["metadata"] = None
            elif damage.kpi is not None:
                forget(manifest, damage.kpi)
        write_manifest(store.root, manifest)
    return found


def forget(manifest: dict[str, Any], kpi: str) -> None:
    """Drop ``kpi`` from ``manifest`` with every query that fetched it: the next fetch of
    those queries is then a full one, not only the changes since the last."""
    manifest["kpis"].pop(kpi, None)
    manifest["queries"] = {
        key: query for key, query in manifest["queries"].items() if kpi not in query.get("kpis", ())
    }


def _rebuild_manifest(root: Path) -> dict[str, Any]:
    """A manifest for the whole values files under ``root``: rows, years, file time."""
    manifest = empty_manifest()
    newest = None
    for kpi, path in _values_files(root).items():
        try:
            table = read_values_table(path, required=True)
        except StoreError:
            continue
        years = table["year"].to_pylist()
        written = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
        newest = max(newest or written, written)
        manifest["kpis"][kpi] = {
            "rows": table.num_rows,
            "first_year": min(years) if years else None,
            "latest_year": max(years) if years else None,
            "updated": written,
        }
    manifest["updated"] = newest
    manifest["rebuilt"] = True
    return manifest


def describe(found: Sequence[Damage], healed: bool = False) -> list[str]:
    """One Swedish line per damaged file, for the terminal."""
    if healed:
        return [
            f"Datalagret: {d.path} {d.reason} – lades åt sidan som {d.path.name}{DAMAGED}"
            + (" och manifestet byggs om" if d.kind == "manifest" else " och hämtas om")
            for d in found
        ]
    return [f"{d.path}: {d.reason}" for d in found]


def check_cli(store: Store) -> int:
    """``analys store check``: 0 when every file can be read, 1 when something is damaged."""
    store.check_root()
    found = inspect(store)
    if not found and not (store.root / MANIFEST).is_file():
        print(f"Datalagret {store.root} är tomt – kör `analys fetch` först.")
        return 0
    aside = sorted(store.root.glob(f"**/*{DAMAGED}"))
    files = len(_values_files(store.root))
    metas = sum((store.root / "meta" / f"{n}.parquet").is_file() for n in META_NAMES)
    if aside:
        print(
            f"{len(aside)} skadad(e) fil(er) ligger åt sidan sedan tidigare (*{DAMAGED}) – "
            "de används inte och kan tas bort.",
            file=sys.stderr if found else sys.stdout,
        )
    if not found:
        print(
            f"OK: datalagret {store.root} är helt – manifestet, {files} nyckeltalsfil(er) och "
            f"{metas} katalogfil(er) går att läsa."
        )
        return 0
    for line in describe(found):
        print(line, file=sys.stderr)
    kpis = sorted({d.kpi for d in found if d.kpi})
    hint = f" (t.ex. `analys fetch --kpi {' --kpi '.join(kpis[:5])}`)" if kpis else ""
    print(
        f"{len(found)} skadad(e) fil(er) i {store.root}. Kör `analys fetch` igen med samma "
        f"urval{hint}: hämtningen lägger de skadade filerna åt sidan ({DAMAGED}) och hämtar om "
        "dem.",
        file=sys.stderr,
    )
    return 1
