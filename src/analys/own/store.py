"""Own indicators in use: stored, looked up and credited (``analys import`` stores them).

Storage (source ``egen``) is a folder of the local store of its own, so own values are never
mixed into Kolada's KPI files::

    data/own/<EGEN-ID>.parquet         the values frame of one own KPI (all genders)
    data/own/<EGEN-ID>.units.parquet   its unit (ou) rows, when the file had any
    data/manifest.json  "own": {EGEN-ID: {file, checksum, imported, rows, first_year,
                                          latest_year, municipalities, meta}}

Re-importing a file replaces the values of every KPI it holds. With ``source="demo"`` the
own KPIs come from the demo's own-indicator file instead (``analys/demo/data/
egen_medborgarenkat.csv``, a synthetic local survey), never from the store: nothing falls
back from one source to another.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from analys import captions, reference, registry
from analys.errors import AnalysError, StoreError
from analys.frame import VALUES_COLUMNS, as_values_frame, empty_values
from analys.kolada.parse import KPI_FIELDS
from analys.own import PREFIX, SOURCE, OwnFile, is_own, read_file
from analys.store import Store
from analys.store.files import (
    OWN_ENTRY_KEY,
    UNIT_VALUES_SCHEMA,
    VALUES_SCHEMA,
    read_manifest,
    read_values_table,
    store_lock,
    utc_now,
    write_manifest,
    write_table,
)

OWN_DIR = "own"
DEMO_FILE = Path(__file__).resolve().parents[1] / "demo" / "data" / "egen_medborgarenkat.csv"


def _root(root: str | os.PathLike | None = None) -> Path:
    return Store(root).root


# ---------------------------------------------------------------------------------- import


def import_file(path: str | Path, root: str | os.PathLike | None = None) -> dict[str, Any]:
    """Validate ``path`` and store its own KPIs (replacing earlier values of those KPIs).

    Returns the manifest entries written, keyed by KPI id. Raises :class:`ImportProblems`
    (nothing stored) when anything in the file is bad.
    """
    own = read_file(path)
    folder = _root(root)
    imported = utc_now()
    with store_lock(folder):
        manifest = read_manifest(folder)
        entries = manifest.setdefault("own", {})
        for kpi in own.kpis:
            values = own.values[own.values["kpi"] == kpi]
            units = own.units[own.units["kpi"] == kpi]
            years = values["year"]
            entries[kpi] = {
                "source": SOURCE,
                "file": own.name,
                "checksum": own.checksum,
                "imported": imported,
                "rows": len(values),
                "unit_rows": len(units),
                "first_year": int(years.min()) if len(years) else None,
                "latest_year": int(years.max()) if len(years) else None,
                "municipalities": sorted(set(values["municipality"])),
                "meta": own.meta[kpi],
            }
            # the file carries its manifest entry: a rebuilt manifest gets it back
            # (analys.store.health), so a damaged manifest loses no own KPI's definition
            stamp = {OWN_ENTRY_KEY: json.dumps(entries[kpi], ensure_ascii=False)}
            table = _table(values, VALUES_SCHEMA).replace_schema_metadata(stamp)
            write_table(table, folder / OWN_DIR / f"{kpi}.parquet")
            unit_path = folder / OWN_DIR / f"{kpi}.units.parquet"
            if len(units):
                write_table(_table(units, UNIT_VALUES_SCHEMA), unit_path)
            else:
                unit_path.unlink(missing_ok=True)
        write_manifest(folder, manifest)
    return {kpi: entries[kpi] for kpi in own.kpis}


def _table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    columns = [field.name for field in schema]
    return pa.Table.from_pandas(frame.loc[:, columns], schema=schema, preserve_index=False)


# ---------------------------------------------------------------------------------- lookups


@lru_cache(maxsize=1)
def demo_file() -> OwnFile:
    """The demo's own-indicator file (synthetic local survey), validated once."""
    return read_file(DEMO_FILE, this_year=2100)


def _store_entries(root: Path) -> dict[str, dict[str, Any]]:
    manifest = root / "manifest.json"
    try:
        stamp = manifest.stat().st_mtime_ns
    except OSError:
        return {}
    return _cached_entries(str(root), stamp)


@lru_cache(maxsize=8)
def _cached_entries(root: str, stamp: int) -> dict[str, dict[str, Any]]:
    try:
        return dict(read_manifest(Path(root)).get("own") or {})
    except (AnalysError, OSError, ValueError):  # a damaged manifest: `analys store check`
        return {}


def entries(source: str = "demo") -> dict[str, dict[str, Any]]:
    """Every own KPI ``source`` knows: id → ``{file, imported, meta, municipalities …}``.

    Read-only: the dicts are cached (the demo's once, the store's per manifest version).
    """
    if source == "demo":
        return _demo_entries()
    return _store_entries(_root())


@lru_cache(maxsize=1)
def _demo_entries() -> dict[str, dict[str, Any]]:
    own = demo_file()
    return {
        kpi: {
            "source": SOURCE,
            "file": own.name,
            "imported": None,
            "meta": meta,
            "municipalities": sorted(set(own.values.loc[own.values["kpi"] == kpi, "municipality"])),
        }
        for kpi, meta in own.meta.items()
    }


#: the source whose definitions of own KPIs apply here (:func:`definitions`); ``None``: any
_SOURCE: ContextVar[str | None] = ContextVar("analys_own_source", default=None)


@contextmanager
def definitions(source: str | None) -> Iterator[None]:
    """Within the block, own KPIs are defined (title, unit, polarity …) by ``source``'s file:
    the demo's own-indicator file for ``demo``, the store's imports for ``store``/``kolada``.

    A demo report must not take its own KPIs' titles and directions from an analyst's import
    of the same id into the store, nor a store report from the demo file.
    """
    token = _SOURCE.set(source)
    try:
        yield
    finally:
        _SOURCE.reset(token)


def scoped(init_source: Callable[..., str | None]) -> Callable[[type], type]:
    """Class decorator: ``__init__`` and every public method run within :func:`definitions`
    of the object's source (``init_source(*args, **kwargs)`` for ``__init__``, which is
    given the constructor's arguments; ``self.source`` afterwards)."""

    def wrap(function: Callable[..., Any], init: bool) -> Callable[..., Any]:
        @functools.wraps(function)
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            source = init_source(*args, **kwargs) if init else getattr(self, "source", None)
            with definitions(source):
                return function(self, *args, **kwargs)

        return method

    def decorate(cls: type) -> type:
        for name, member in list(vars(cls).items()):
            if inspect.isfunction(member) and (name == "__init__" or not name.startswith("_")):
                setattr(cls, name, wrap(member, name == "__init__"))
        return cls

    return decorate


def registry_entry(kpi: str, source: str | None = None) -> dict[str, Any] | None:
    """A registry-shaped entry (polarity, unit, label …) for an own KPI.

    ``source`` (default: the one of :func:`definitions`, e.g. the report being made) says
    whose definition applies: ``demo`` the demo file's, ``store``/``kolada`` the store's
    import. Outside any source (``analys kpi show``, a notebook cell of its own) the store's
    import wins over the demo file's definition of the same id, so an analyst's own
    definition is what charts and judgements use.
    """
    source = source or _SOURCE.get()
    if source == "demo":
        found = entries("demo").get(kpi)
    elif source in ("store", "kolada"):
        found = _store_entries(_root()).get(kpi)
    else:
        found = _store_entries(_root()).get(kpi) or entries("demo").get(kpi)
    if not found:
        return None
    meta = found["meta"]
    title = meta["title"]
    return {
        "title": title,
        "area": None,
        "operating_area": meta.get("operating_area"),
        "municipality_type": meta.get("municipality_type", "A"),
        "divided_by_gender": bool(meta.get("divided_by_gender")),
        "has_ou_data": bool(found.get("unit_rows")),
        "polarity": meta.get("polarity", "neutral"),
        "unit": meta.get("unit") or None,
        "label": meta.get("label") or (title if len(title) <= 40 else title[:39].rstrip() + "…"),
        "judgement": "egen uppgift: riktningen anges i importfilens metadata",
        "source": SOURCE,
    }


def read_values(
    kpis: Sequence[str],
    municipalities: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    *,
    source: str = "demo",
) -> pd.DataFrame:
    """Own KPIs' values as the values frame (all genders).

    Raises
    ------
    AnalysError
        When an id was never imported into the store (naming the command that imports it).
    """
    kpis = list(dict.fromkeys(kpis))
    if not kpis:
        return empty_values()
    if source == "demo":
        frame = demo_file().values
        unknown = [k for k in kpis if k not in demo_file().meta]
        if unknown:
            raise AnalysError(
                f"{', '.join(unknown)} finns inte i demodatans egna nyckeltal – välj bland "
                f"{', '.join(demo_file().kpis)} eller använd source: store efter `analys import`"
            )
        frame = frame[frame["kpi"].isin(kpis)]
    else:
        folder = _root()
        known = _store_entries(folder)
        unknown = [k for k in kpis if k not in known]
        if unknown:
            raise AnalysError(
                f"Det lokala lagret {folder} saknar egna nyckeltal {', '.join(unknown)} – "
                "importera dem med `analys import FIL`"
            )
        parts = [_read_own(folder / OWN_DIR / f"{k}.parquet", known[k]) for k in kpis]
        frame = pd.concat(parts, ignore_index=True) if parts else empty_values()
    if municipalities is not None:
        frame = frame[frame["municipality"].isin([str(m) for m in municipalities])]
    if years is not None:
        frame = frame[frame["year"].isin([int(y) for y in years])]
    return as_values_frame(frame.loc[:, VALUES_COLUMNS])


def _read_own(path: Path, entry: dict[str, Any], schema: pa.Schema = VALUES_SCHEMA) -> pd.DataFrame:
    """An imported own KPI's stored rows; a damaged file is one line naming the file to
    import again (an own KPI cannot be fetched)."""
    try:
        table = read_values_table(path, required=True, schema=schema)
    except StoreError as error:
        again = f"`analys import {entry.get('file') or 'FIL'}`"
        raise StoreError(
            f"Datalagret är skadat: {path} {error.reason} – läs in filen igen med {again} "
            "(`analys store check` visar allt som är skadat)",
            path=str(path),
            reason=error.reason,
        ) from None
    return table.to_pandas()


def read_unit_values(kpis: Sequence[str], *, source: str = "store") -> pd.DataFrame:
    """The unit (``ou``) rows of own KPIs: the values frame with ``ou``.

    ``store``: what ``analys import`` stored; ``demo``: the unit rows of the demo's
    own-indicator file. KPIs without unit rows, or never imported, give no rows.
    """
    if source == "demo":
        frame = demo_file().units
        return frame[frame["kpi"].isin(list(kpis))].reset_index(drop=True)
    folder = _root()
    known = _store_entries(folder)
    parts = [
        _read_own(folder / OWN_DIR / f"{kpi}.units.parquet", known[kpi], UNIT_VALUES_SCHEMA)
        for kpi in dict.fromkeys(kpis)
        if (known.get(kpi) or {}).get("unit_rows")
    ]
    if not parts:
        return empty_values(ou=True)
    return as_values_frame(pd.concat(parts, ignore_index=True), ou=True)


def catalogue(source: str = "demo") -> pd.DataFrame:
    """Own KPIs as rows of the KPI catalogue (Kolada's columns plus ``source``)."""
    rows = []
    for kpi, found in entries(source).items():
        meta = found["meta"]
        rows.append(
            {
                "id": kpi,
                "title": meta["title"],
                "description": meta.get("description") or "",
                "is_divided_by_gender": bool(meta.get("divided_by_gender")),
                "municipality_type": meta.get("municipality_type", "A"),
                "auspice": None,
                "operating_area": meta.get("operating_area"),
                "perspective": "Egen uppgift",
                "prel_publication_date": None,
                "publication_date": None,
                "publ_period": str(found.get("latest_year") or ""),
                "has_ou_data": bool(found.get("unit_rows")),
                "source": SOURCE,
            }
        )
    return pd.DataFrame(rows, columns=[*KPI_FIELDS, "source"])


def with_own(table: pd.DataFrame, source: str) -> pd.DataFrame:
    """A Kolada catalogue with ``source`` (kolada) and the own KPIs of ``source`` appended."""
    kolada = table.assign(source="kolada")
    own = catalogue(source)
    if own.empty:
        return kolada.reset_index(drop=True)
    own = own.reindex(columns=kolada.columns)
    return pd.concat([kolada, own], ignore_index=True)


# ---------------------------------------------------------------------------------- credit


def _day(stamp: str | None) -> str:
    return (stamp or "")[:10]


def credit(kpis: Sequence[str], source: str) -> list[str]:
    """One "Källa: egen uppgift (FIL, importerad DATUM)" per file behind own ``kpis``."""
    known = entries(source)
    files: dict[str, list[str]] = {}
    for kpi in dict.fromkeys(k for k in kpis if is_own(k)):
        found = known.get(kpi)
        if not found:
            continue
        when = f"importerad {_day(found['imported'])}" if found.get("imported") else "demodata"
        files.setdefault(f"{found['file']}, {when}", []).append(kpi)
    return [f"Källa: egen uppgift ({label})" for label in files]


def sole_municipality(kpi: str, source: str) -> str | None:
    """The only municipality an own KPI has values for, ``None`` when there are several."""
    found = entries(source).get(kpi)
    codes = (found or {}).get("municipalities") or []
    return codes[0] if len(codes) == 1 else None


def credit_line(kpis: Sequence[str], source: str) -> str:
    """Which figures are own data and whose: '' when ``kpis`` holds no own KPI.

    E.g. "Egna nyckeltal (Trygga i bostadsområdet): Källa: egen uppgift (enkat.xlsx,
    importerad 2026-11-30). Övriga: Källa: Kolada." – a report that mixes sources says
    which is which.
    """
    own = [k for k in dict.fromkeys(kpis) if is_own(k)]
    if not own:
        return ""
    known = entries(source)
    parts = []
    for line in credit(own, source):
        label = line.removeprefix("Källa: egen uppgift (").removesuffix(")")
        names = [
            registry.label(k)
            for k in own
            if k in known and label.startswith(f"{known[k]['file']},")
        ]
        parts.append(f"Egna nyckeltal ({', '.join(names)}): {line}")
    if any(not is_own(k) for k in kpis):
        parts.append("Övriga nyckeltal: Källa: Kolada")
    return ". ".join(parts) + "."


def comparison_notes(
    kpis: Sequence[str], source: str, municipality: str | None = None
) -> list[str]:
    """What the report says about own KPIs' comparisons: who they are compared with; and,
    in the report of a ``municipality`` the file has no values for, that it has none."""
    known = entries(source)
    notes = []
    for kpi in dict.fromkeys(k for k in kpis if is_own(k)):
        codes = (known.get(kpi) or {}).get("municipalities") or []
        name = registry.label(kpi)
        if municipality is not None and codes and municipality not in codes:
            holders = (
                reference.title(codes[0])
                if len(codes) == 1
                else f"{len(codes)} kommuner, inte {reference.title(municipality)}"
            )
            notes.append(
                f"**{name}** är en egen uppgift som bara finns för {holders}: den kan inte "
                f"bedömas för {reference.title(municipality)}."
            )
        elif len(codes) == 1:
            notes.append(
                f"**{name}** är en egen uppgift som bara finns för {reference.title(codes[0])}: "
                "målet och trenden bedöms, men ingen jämförelse med andra kommuner "
                "(kvartiler, jämförelsegrupp) är möjlig."
            )
        elif codes:
            notes.append(
                f"**{name}** är en egen uppgift: jämförelser görs bara med de {len(codes)} "
                "kommuner som finns i importfilen."
            )
    return notes


def chart_credit(kpis: Sequence[str], source: str, *, derived: bool = False) -> str:
    """A figure's credit when it shows own indicators (and Kolada's, when mixed)."""
    own = credit(kpis, source) or ["Källa: egen uppgift"]
    parts = [("Egen bearbetning · " if derived else "") + "; ".join(own)]
    if any(not is_own(k) for k in kpis):
        parts.append("övriga: Källa: Kolada")
    return "; ".join(parts)


# the registry and the chart captions know own indicators through these (they sit below this
# package and cannot read its files themselves)
registry.add_lookup(PREFIX, registry_entry)
captions.add_credit(PREFIX, chart_credit)
