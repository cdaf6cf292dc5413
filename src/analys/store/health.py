"""The health of the local store: find damaged files, set them aside, ``analys store check``.

A truncated parquet file or manifest (a full disk, a copy cut short, a bad sector) must
neither end a report run in a traceback nor stop the obvious remedy, fetching again. So:

* :func:`inspect` reads the manifest and every values and catalogue file and returns the
  :class:`Damage` it finds (``analys store check`` prints it) – the municipal part
  (``values/``, ``meta/``), the unit part (``units/``: its manifest, the unit catalogue and
  the unit values) and the own indicators (``own/``, from ``analys import``);
* :func:`heal` (run by every fetch, under the store's lock) moves each damaged file aside as
  ``<name>.damaged`` and forgets it in its manifest, so the fetch brings it again in full
  instead of only the changes since last time. A damaged manifest is rebuilt from the values
  files that are still whole (every query is then fetched in full once). A damaged own
  indicator cannot be fetched: it is set aside and forgotten, and the line names the file to
  import again (``analys import FIL``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pyarrow.parquet as pq

from analys.errors import StoreError
from analys.store.files import (
    DAMAGED,
    MANIFEST,
    OWN_ENTRY_KEY,
    UNIT_VALUES_SCHEMA,
    VALUES_SCHEMA,
    empty_manifest,
    empty_unit_manifest,
    read_manifest,
    read_meta_frame,
    read_values_table,
    set_aside,
    store_lock,
    write_manifest,
)
from analys.store.meta import META_NAMES

UNITS = "units"  # the unit part's folder (analys.store.units)
OWN = "own"  # the own indicators' folder (analys.own.store)
#: the kinds of damage of the unit part and of the own indicators
UNIT_KINDS = ("unit-values", "unit-catalogue", "unit-manifest")
OWN_KIND = "own"


class Store(Protocol):
    """What the health checks use of a :class:`analys.store.Store` (which imports this
    module, so it is described here rather than imported)."""

    root: Path

    def check_root(self) -> None: ...


@dataclass(frozen=True)
class Damage:
    """One file of the store that cannot be read: where, why (Swedish) and which KPI.

    ``kind``: ``values``, ``meta``, ``manifest`` (the municipal part), ``unit-values``,
    ``unit-catalogue``, ``unit-manifest`` (``units/``) or ``own`` (``own/``; ``source`` is
    then the import file it came from, when the manifest still knows it).
    """

    path: Path
    reason: str
    kpi: str | None = None
    kind: str = "values"
    source: str | None = None


def _values_files(root: Path) -> dict[str, Path]:
    folder = root / "values"
    return {p.stem: p for p in sorted(folder.glob("*.parquet"))} if folder.is_dir() else {}


def _own_files(root: Path) -> dict[str, Path]:
    """``own/`` files by name stem: ``EGEN-X`` and ``EGEN-X.units``."""
    folder = root / OWN
    if not folder.is_dir():
        return {}
    return {p.name.removesuffix(".parquet"): p for p in sorted(folder.glob("*.parquet"))}


def inspect(store: Store, kpis: Sequence[str] | None = None) -> list[Damage]:
    """Every damaged file of ``store`` (all its files, or the manifests, the catalogues and
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
    found += _inspect_units(root / UNITS, kpis)
    found += _inspect_own(root, manifest, kpis)
    return found


def _inspect_units(folder: Path, kpis: Sequence[str] | None) -> list[Damage]:
    """The damage of the unit part: its manifest, the unit catalogue, the unit values."""
    if not folder.is_dir():
        return []
    found: list[Damage] = []
    try:
        manifest = read_manifest(folder, empty_unit_manifest)
    except StoreError as error:
        found.append(Damage(folder / MANIFEST, error.reason, kind="unit-manifest"))
        manifest = None
    catalogue = folder / "catalogue.parquet"
    if catalogue.is_file() or (manifest and manifest.get("catalogue")):
        try:
            read_meta_frame(catalogue)
        except StoreError as error:
            found.append(Damage(catalogue, error.reason, kind="unit-catalogue"))
    files = _values_files(folder)
    listed = set(manifest["kpis"]) if manifest else set()
    wanted = set(files) | listed if kpis is None else set(kpis)
    for kpi in sorted(wanted):
        path = files.get(kpi, folder / "values" / f"{kpi}.parquet")
        if not path.is_file() and kpi not in listed:
            continue
        try:
            read_values_table(path, required=True, schema=UNIT_VALUES_SCHEMA)
        except StoreError as error:
            found.append(Damage(path, error.reason, kpi=kpi, kind="unit-values"))
    return found


def _inspect_own(
    root: Path, manifest: dict[str, Any] | None, kpis: Sequence[str] | None
) -> list[Damage]:
    """The damage of the own indicators: each imported KPI's values and unit rows."""
    entries = (manifest or {}).get("own") or {}
    files = _own_files(root)
    names = set(files)
    for kpi, entry in entries.items():
        names.add(kpi)
        if isinstance(entry, dict) and entry.get("unit_rows"):
            names.add(f"{kpi}.units")
    found: list[Damage] = []
    for name in sorted(names):
        kpi = name.removesuffix(".units")
        if kpis is not None and kpi not in kpis:
            continue
        path = files.get(name, root / OWN / f"{name}.parquet")
        if not path.is_file() and kpi not in entries:
            continue
        schema = UNIT_VALUES_SCHEMA if name.endswith(".units") else VALUES_SCHEMA
        try:
            read_values_table(path, required=True, schema=schema)
        except StoreError as error:
            entry = entries.get(kpi)
            source = entry.get("file") if isinstance(entry, dict) else None
            found.append(Damage(path, error.reason, kpi=kpi, kind=OWN_KIND, source=source))
    return found


def heal(store: Store, kpis: Sequence[str] | None = None) -> list[Damage]:
    """Set aside what :func:`inspect` finds damaged and repair the manifests; the damage.

    Holds the store's lock. A damaged values file is renamed ``<KPI>.parquet.damaged`` and
    dropped from its manifest with every query that fetched it, so the next fetch of those
    queries is a full one; a damaged catalogue is renamed and fetched again; a damaged
    manifest is renamed and rebuilt from the whole values files (queries and catalogue
    forgotten, so each is fetched in full once). The unit part (``units/``) heals the same
    way; a damaged own indicator is renamed and forgotten (it comes back with
    ``analys import``).
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
        main = [d for d in found if d.kind not in UNIT_KINDS]
        if main:
            if any(d.kind == "manifest" for d in found):
                manifest = _rebuild_manifest(store.root)
            else:
                manifest = read_manifest(store.root)
            for damage in main:
                if damage.kind == "meta":
                    manifest["metadata"] = None
                elif damage.kind == OWN_KIND:
                    (manifest.get("own") or {}).pop(damage.kpi, None)
                elif damage.kpi is not None:
                    forget(manifest, damage.kpi)
            write_manifest(store.root, manifest)
        units = [d for d in found if d.kind in UNIT_KINDS]
        if units:
            folder = store.root / UNITS
            if any(d.kind == "unit-manifest" for d in units):
                manifest = _rebuild_manifest(folder, empty_unit_manifest, UNIT_VALUES_SCHEMA)
            else:
                manifest = read_manifest(folder, empty_unit_manifest)
            for damage in units:
                if damage.kind == "unit-catalogue":
                    manifest["catalogue"] = None
                elif damage.kpi is not None:
                    forget(manifest, damage.kpi)
            write_manifest(folder, manifest)
    return found


def forget(manifest: dict[str, Any], kpi: str) -> None:
    """Drop ``kpi`` from ``manifest`` with every query that fetched it: the next fetch of
    those queries is then a full one, not only the changes since the last."""
    manifest["kpis"].pop(kpi, None)
    manifest["queries"] = {
        key: query for key, query in manifest["queries"].items() if kpi not in query.get("kpis", ())
    }


def _rebuild_manifest(
    root: Path,
    empty: Callable[[], dict[str, Any]] = empty_manifest,
    schema: Any = VALUES_SCHEMA,
) -> dict[str, Any]:
    """A manifest for the whole values files under ``root``: rows, years, file time.

    The municipal part also gets back its own indicators (``own``), whose files carry their
    manifest entry (:func:`analys.own.store.import_file`).
    """
    manifest = empty()
    newest = None
    for kpi, path in _values_files(root).items():
        try:
            table = read_values_table(path, required=True, schema=schema)
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
    if schema is VALUES_SCHEMA:
        manifest["updated"] = newest
        own = _rebuild_own(root)
        if own:
            manifest["own"] = own
    manifest["rebuilt"] = True
    return manifest


def _rebuild_own(root: Path) -> dict[str, Any]:
    """The ``own`` manifest entries kept in the whole own-indicator files."""
    own = {}
    for name, path in _own_files(root).items():
        if name.endswith(".units"):
            continue
        try:
            read_values_table(path, required=True)
            metadata = pq.read_schema(path).metadata or {}
            entry = json.loads(metadata[OWN_ENTRY_KEY].decode("utf-8"))
        except (StoreError, KeyError, ValueError, OSError):
            continue
        if isinstance(entry, dict) and isinstance(entry.get("meta"), dict):
            own[name] = entry
    return own


def _import_hint(damage: Damage) -> str:
    source = f"`analys import {damage.source}`" if damage.source else "`analys import FIL`"
    return f"läs in filen igen med {source}"


def describe(found: Sequence[Damage], healed: bool = False) -> list[str]:
    """One Swedish line per damaged file, for the terminal."""
    if not healed:
        return [f"{d.path}: {d.reason}" for d in found]
    lines = []
    for d in found:
        if d.kind in ("manifest", "unit-manifest"):
            then = " och manifestet byggs om"
        elif d.kind == OWN_KIND:
            then = f" och glöms – {_import_hint(d)}"
        else:
            then = " och hämtas om"
        lines.append(
            f"Datalagret: {d.path} {d.reason} – lades åt sidan som {d.path.name}{DAMAGED}{then}"
        )
    return lines


def check_cli(store: Store) -> int:
    """``analys store check``: 0 when every file can be read, 1 when something is damaged."""
    store.check_root()
    found = inspect(store)
    units_folder = store.root / UNITS
    if not found and not (store.root / MANIFEST).is_file() and not units_folder.is_dir():
        print(f"Datalagret {store.root} är tomt – kör `analys fetch` först.")
        return 0
    aside = sorted(store.root.glob(f"**/*{DAMAGED}"))
    files = len(_values_files(store.root))
    metas = sum((store.root / "meta" / f"{n}.parquet").is_file() for n in META_NAMES)
    unit_files = len(_values_files(units_folder)) + (units_folder / "catalogue.parquet").is_file()
    own_files = len(_own_files(store.root))
    if aside:
        print(
            f"{len(aside)} skadad(e) fil(er) ligger åt sidan sedan tidigare (*{DAMAGED}) – "
            "de används inte och kan tas bort.",
            file=sys.stderr if found else sys.stdout,
        )
    if not found:
        extra = [
            f"{unit_files} enhetsfil(er)" if unit_files else "",
            f"{own_files} fil(er) med egna nyckeltal" if own_files else "",
        ]
        parts = [f"{files} nyckeltalsfil(er)", *filter(None, extra), f"{metas} katalogfil(er)"]
        print(
            f"OK: datalagret {store.root} är helt – manifestet, {', '.join(parts[:-1])} och "
            f"{parts[-1]} går att läsa."
        )
        return 0
    for line in describe(found):
        print(line, file=sys.stderr)
    fetched = [d for d in found if d.kind not in (*UNIT_KINDS, OWN_KIND)]
    units = [d for d in found if d.kind in UNIT_KINDS]
    own = [d for d in found if d.kind == OWN_KIND]
    print(f"{len(found)} skadad(e) fil(er) i {store.root}.", end=" ", file=sys.stderr)
    if fetched:
        kpis = sorted({d.kpi for d in fetched if d.kpi})
        hint = f" (t.ex. `analys fetch --kpi {' --kpi '.join(kpis[:5])}`)" if kpis else ""
        print(
            f"Kör `analys fetch` igen med samma urval{hint}: hämtningen lägger de skadade "
            f"filerna åt sidan ({DAMAGED}) och hämtar om dem.",
            file=sys.stderr,
        )
    if units:
        kpis = sorted({d.kpi for d in units if d.kpi})
        which = f" (enhetsvärden för {', '.join(kpis)})" if kpis else ""
        print(
            f"Enhetsdelen{which}: kör `analys fetch OMRÅDE -m KOD` igen för området med "
            f"enheterna – hämtningen lägger de skadade filerna åt sidan ({DAMAGED}) och hämtar "
            "om dem.",
            file=sys.stderr,
        )
    for damage in own:
        print(f"Eget nyckeltal {damage.kpi}: {_import_hint(damage)}.", file=sys.stderr)
    return 1
