"""The KPI catalogue and finding KPIs in it (``analys kpi search``/``show`` print these).

The catalogue is the store's (Kolada's whole catalogue, after ``analys fetch``) when there
is one, else the demo catalogue (the ~100 KPIs the project uses, with Kolada's real ids,
titles and metadata): :func:`catalogue` is that policy, written once. Every answer says
which one it came from.
"""

from __future__ import annotations

import re
from difflib import get_close_matches
from functools import lru_cache
from typing import Any

import pandas as pd

from analys import demo, registry
from analys.errors import AnalysError, ParamsError
from analys.own import store as own_store
from analys.registry import facts
from analys.store import Store

#: where a KPI catalogue can come from (Kolada's own is fetched into the store first)
CATALOGUE_SOURCES = ("store", "demo")
#: the last year of a series Kolada has ended: "… (-2019)" at the end of its title
DISCONTINUED = re.compile(r"\(\s*-\s*(\d{4})\s*\)\s*$")


def catalogue(source: str | None = None) -> tuple[pd.DataFrame, str]:
    """The KPI catalogue and where it came from (``"store"`` or ``"demo"``).

    The one fallback policy of the package (the check of params files, ``analys kpi``, the
    KPI finder and the registry's facts all read through it):

    - ``None``: the store's catalogue when ``analys fetch`` has brought one, else the demo
      catalogue (Kolada's real ids, titles and types of the KPIs the project uses);
    - ``"store"``: the store's, and an error (``AnalysError``) when there is none;
    - ``"demo"``: the demo catalogue.

    The municipality's own indicators (``EGEN-…``) of the same place (the store's imports,
    or the demo's own-indicator file) are in it too (:func:`analys.own.store.with_own`).
    """
    if source not in (None, *CATALOGUE_SOURCES):
        raise ParamsError(f"source: '{source}' är inte tillåtet – välj store eller demo")
    if source in (None, "store"):
        try:
            return own_store.with_own(Store().kpis(), "store"), "store"
        except (AnalysError, OSError):
            if source == "store":
                raise
    return own_store.with_own(demo.kpis(), "demo"), "demo"


def for_source(source: Any) -> pd.DataFrame:
    """The catalogue a params file of data source ``source`` is checked against, by id.

    ``demo`` (and any unknown source, which the check reports): the demo catalogue.
    ``store`` and ``kolada``: :func:`catalogue` (the store's when fetched and not empty,
    else the demo's), with the own indicators imported into the store either way, since
    a params file of those sources reads them from there.
    """
    if source in ("store", "kolada"):
        table, used = catalogue(None)
        if used == "demo" or not len(table):
            table = own_store.with_own(demo.kpis(), "store")
    else:
        table, _ = catalogue("demo")
    return table.set_index("id", drop=False)


def averaged_years(kpi: str) -> int | None:
    """How many years one value of ``kpi`` averages, ``None`` when one: the registry's
    (:func:`analys.registry.moving_average`), else what the catalogue says.

    A KPI outside the registry is looked up once in :func:`catalogue` and read by
    :func:`analys.registry.facts.moving_average_years`, so every moving-average KPI in
    Kolada's catalogue is recognised, not only a hand list.
    """
    if registry.entry(kpi) is not None:
        return registry.moving_average(kpi)
    return _catalogue_facts().get(kpi)


@lru_cache(maxsize=1)
def _catalogue_facts() -> dict[str, int]:
    try:
        table, _ = catalogue()
    except (AnalysError, OSError, ValueError):
        return {}
    found = {}
    for kpi, title, description in zip(
        table["id"], table["title"], table.get("description", [""] * len(table)), strict=True
    ):
        years = facts.moving_average_years(
            str(title), "" if description is None else str(description)
        )
        if years:
            found[str(kpi)] = years
    return found


def search(text: str, source: str | None = None) -> pd.DataFrame:
    """KPIs whose id or title contains every word of ``text`` (case-insensitive).

    Parameters
    ----------
    text
        Words to look for, e.g. ``"meritvärde"`` or ``"kostnad förskola"``.
    source
        As in :func:`catalogue`.

    Returns
    -------
    DataFrame
        Columns id, title, area (Kolada's operating area), municipality_type; sorted by
        id. ``attrs["source"]`` says which catalogue answered.
    """
    table, used = catalogue(source)
    words = [w for w in str(text).lower().split() if w]
    haystack = (table["id"].astype("str") + " " + table["title"].astype("str")).str.lower()
    mask = pd.Series(True, index=table.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False)
    hits = table.loc[mask, ["id", "title", "operating_area", "municipality_type"]]
    hits = hits.rename(columns={"operating_area": "area"}).sort_values("id")
    hits = hits.reset_index(drop=True)
    hits.attrs["source"] = used
    return hits


def show(kpi_id: str, source: str | None = None) -> dict[str, Any]:
    """Everything known about one KPI: Kolada's metadata and our registry entry.

    Parameters
    ----------
    kpi_id
        A KPI id such as ``N15507``.
    source
        As in :func:`catalogue`.

    Returns
    -------
    dict
        ``id``, ``source``, ``kolada`` (the catalogue's fields), ``registry`` (polarity,
        unit, label … or ``None`` when the project has no judgement on it) and
        ``discontinued`` (the last year of a series Kolada has ended, else ``None``).

    Raises
    ------
    ParamsError
        When the id is not in the catalogue, with the closest ids as suggestions.
    """
    table, used = catalogue(source)
    kpi = str(kpi_id).strip().upper()
    rows = table[table["id"] == kpi]
    if rows.empty:
        where = "Koladas katalog i lagret" if used == "store" else "demokatalogen"
        close = get_close_matches(kpi, table["id"].tolist(), n=3, cutoff=0.6)
        hint = f" – menade du {' eller '.join(close)}?" if close else ""
        extra = " Kör `analys fetch` för att söka i Koladas hela katalog." if used == "demo" else ""
        raise ParamsError(f"{kpi} finns inte i {where}{hint}{extra}")
    meta = {k: _plain(v) for k, v in rows.iloc[0].to_dict().items()}
    match = DISCONTINUED.search(str(meta.get("title") or ""))
    return {
        "id": kpi,
        "source": used,
        "kolada": meta,
        "registry": registry.entry(kpi),
        "discontinued": int(match.group(1)) if match else None,
    }


def _plain(value: Any) -> Any:
    """numpy scalars and missing values as plain Python (for printing and JSON)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def latest_years(source: str = "demo") -> dict[str, int]:
    """The latest year with a value per KPI id in ``source`` (Kolada's and own KPIs)."""
    if source == "demo":
        return dict(_demo_latest_years())
    found: dict[str, int] = {}
    manifest = Store().manifest
    for kpi, entry in {**manifest.get("kpis", {}), **manifest.get("own", {})}.items():
        if entry.get("latest_year") is not None:
            found[kpi] = int(entry["latest_year"])
    return found


@lru_cache(maxsize=1)
def _demo_latest_years() -> dict[str, int]:
    found: dict[str, int] = {}
    for frame in (demo.values(), own_store.demo_file().values):
        frame = frame[frame["value"].notna()]
        found.update({str(k): int(y) for k, y in frame.groupby("kpi")["year"].max().items()})
    return found


def find(
    table: pd.DataFrame,
    text: str = "",
    *,
    operating_area: str = "",
    kind: str = "",
    divided: bool = False,
    since: int | None = None,
    latest: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Filter a KPI catalogue (``load_kpis``): words, policy area, type, gender, recent data.

    Parameters
    ----------
    table
        The catalogue (Kolada's columns; own KPIs have ``source`` ``egen``).
    text
        Words that must all occur in the id, title or description.
    operating_area
        Kolada's operating area (``verksamhetsområde``) the KPI must belong to.
    kind
        ``K`` (municipalities) or ``L`` (regions): KPIs of that type or ``A``.
    divided
        Only KPIs reported by gender.
    since, latest
        Only KPIs whose latest year (``latest``: id → year) is ``since`` or later.
    """
    mask = pd.Series(True, index=table.index)
    hay = (
        table["id"].astype("str")
        + " "
        + table["title"].fillna("").astype("str")
        + " "
        + table["description"].fillna("").astype("str")
    ).str.lower()
    for word in str(text).lower().split():
        mask &= hay.str.contains(word, regex=False)
    if operating_area:
        areas = table["operating_area"].fillna("").astype("str")
        mask &= areas.str.split(",").map(lambda parts: operating_area in [p.strip() for p in parts])
    if kind:
        mask &= table["municipality_type"].isin([kind, "A"])
    if divided:
        mask &= table["is_divided_by_gender"].fillna(False).astype(bool)
    if since is not None and latest is not None:
        mask &= table["id"].map(lambda k: latest.get(k, 0) >= since)
    return table[mask]


def operating_areas(table: pd.DataFrame) -> list[str]:
    """The distinct operating areas of a catalogue (Kolada lists several comma-separated)."""
    found = set()
    for text in table["operating_area"].dropna().astype("str"):
        found.update(p.strip() for p in text.split(",") if p.strip())
    return sorted(found, key=str.lower)
