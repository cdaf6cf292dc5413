"""Finding KPIs: ``analys kpi search TEXT`` and ``analys kpi show ID``, and the same in Python.

The catalogue is the store's (Kolada's whole catalogue, after ``analys fetch``) when there
is one, else the demo catalogue (the ~100 KPIs the project uses, with Kolada's real ids,
titles and metadata). Every answer says which one it came from.
"""

from __future__ import annotations

import re
import sys
from difflib import get_close_matches
from functools import lru_cache
from typing import Any

import pandas as pd

from analys import registry
from analys.errors import AnalysError, ParamsError
from analys.safe import terminal_text

SOURCES = ("store", "demo")
_TYPES = {"K": "kommuner", "L": "regioner", "A": "kommuner och regioner"}
_AUSPICES = {
    "E": "egen regi",
    "P": "privat regi / köpt",
    "O": "andra offentliga huvudmän",
    "T": "alla huvudmän",
    "X": "ej tillämpligt",
    "A": "kommunalförbund m.fl.",
}
_POLARITY = {
    "higher": "högre är bättre",
    "lower": "lägre är bättre",
    "neutral": "neutral (varken högre eller lägre är bättre)",
}
_DISCONTINUED = re.compile(r"\(\s*-\s*(\d{4})\s*\)\s*$")


def catalogue(source: str | None = None) -> tuple[pd.DataFrame, str]:
    """The KPI catalogue and where it came from (``"store"`` or ``"demo"``).

    Parameters
    ----------
    source
        ``"store"``, ``"demo"`` or ``None``: the store's catalogue when fetched, else the
        demo catalogue.
    """
    if source not in (None, *SOURCES):
        raise ParamsError(f"source: '{source}' är inte tillåtet – välj store eller demo")
    from analys.own import store as own_store  # the municipality's own indicators follow Kolada's

    if source in (None, "store"):
        from analys.store import Store

        try:
            return own_store.with_own(Store().kpis(), "store"), "store"
        except AnalysError:
            if source == "store":
                raise
    from analys import demo

    return own_store.with_own(demo.kpis(), "demo"), "demo"


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
    match = _DISCONTINUED.search(str(meta.get("title") or ""))
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


def _source_line(used: str) -> str:
    if used == "store":
        from analys.store import Store

        meta = Store().manifest.get("metadata") or {}
        day = (meta.get("fetched") or "")[:10]
        return f"Källa: Koladas katalog i det lokala lagret (hämtad {day})."
    return (
        "Källa: demokatalogen (de nyckeltal projektet använder). Kör `analys fetch` för "
        "att söka i Koladas hela katalog."
    )


def search_cli(text: str) -> int:
    """``analys kpi search TEXT``: matching KPIs (id, title, area); exit 0, or 2 for no text."""
    if not str(text).strip():
        print("Skriv ett sökord, t.ex. `analys kpi search meritvärde`.", file=sys.stderr)
        return 2
    hits = search(text)
    print(_source_line(hits.attrs["source"]))
    if hits.empty:
        print(terminal_text(f"Inga nyckeltal matchar '{text}'."))
        return 0
    for kpi, title, area in zip(hits["id"], hits["title"], hits["area"], strict=True):
        print(terminal_text(f"{kpi}  {title}  [{area or '–'}]"))
    print(f"{len(hits)} nyckeltal.")
    return 0


def _auspice(code: Any) -> str:
    """Kolada's ``auspice`` code with our reading of it (the codes are not documented)."""
    if not code:
        return "–"
    reading = _AUSPICES.get(code)
    return f"{code} ({reading}; tolkad kod)" if reading else str(code)


def _yes_no(value: Any) -> str:
    if value is None:
        return "–"
    return "ja" if bool(value) else "nej"


def _fact_lines(meta: dict[str, Any]) -> list[str]:
    """Notes from the catalogue's facts that shape the method (docs/judgements.md)."""
    from analys.registry import facts

    lines = []
    years = facts.moving_average_years(meta.get("title") or "", meta.get("description") or "")
    if years:
        lines.append(f"Obs: varje värde är ett medelvärde över {years} år – inget trendtest görs.")
    if facts.unit_level_only(meta.get("description") or ""):
        lines.append("Obs: redovisas bara per skola eller enhet – inget kommunnyckeltal.")
    if not meta.get("publ_period") and not _DISCONTINUED.search(str(meta.get("title") or "")):
        lines.append("Obs: ingen aktuell publicering i katalogen – serien kan ha upphört.")
    return lines


def show_cli(kpi_id: str) -> int:
    """``analys kpi show ID``: Kolada's metadata and the registry entry; exit 2 when unknown."""
    try:
        info = show(kpi_id)
    except ParamsError as error:
        print(terminal_text(error), file=sys.stderr)
        return 2
    meta, entry = info["kolada"], info["registry"]
    kind = meta.get("municipality_type")
    auspice = meta.get("auspice")
    lines = [
        f"{info['id']}  {meta.get('title') or ''}",
        "",
        f"Beskrivning:            {meta.get('description') or '–'}",
        f"Verksamhetsområde:      {meta.get('operating_area') or '–'}",
        f"Perspektiv:             {meta.get('perspective') or '–'}",
        f"Finns för:              {_TYPES.get(kind, kind or '–')}",
        f"Huvudman:               {_auspice(auspice)}",
        f"Könsuppdelat:           {_yes_no(meta.get('is_divided_by_gender'))}",
        f"Enhetsdata:             {_yes_no(meta.get('has_ou_data'))}",
        f"Publiceringsperiod:     {meta.get('publ_period') or '–'}",
        f"Preliminär publicering: {meta.get('prel_publication_date') or '–'}",
        f"Slutlig publicering:    {meta.get('publication_date') or '–'}",
    ]
    if info["discontinued"]:
        lines.append(
            f"Obs: serien är avslutad ({info['discontinued']}) – välj ett nyare nyckeltal."
        )
    lines += _fact_lines(meta)
    lines.append("")
    if entry:
        lines += [
            "Projektets bedömning (registret):",
            f"  Riktning:  {_POLARITY.get(entry.get('polarity'), entry.get('polarity'))}",
            f"  Enhet:     {entry.get('unit') or '–'}",
            f"  Kortnamn:  {entry.get('label') or '–'}",
        ]
        if entry.get("judgement"):
            lines.append(f"  Motivering: {entry['judgement']}")
    else:
        lines.append(
            "Projektets register saknar nyckeltalet: ingen riktning bedömd, så det färgläggs inte."
        )
    lines += ["", _source_line(info["source"])]
    print("\n".join(terminal_text(line) for line in lines))  # Kolada's text: no escapes
    return 0


def latest_years(source: str = "demo") -> dict[str, int]:
    """The latest year with a value per KPI id in ``source`` (Kolada's and own KPIs)."""
    if source == "demo":
        return dict(_demo_latest_years())
    from analys.store import Store

    found: dict[str, int] = {}
    manifest = Store().manifest
    for kpi, entry in {**manifest.get("kpis", {}), **manifest.get("own", {})}.items():
        if entry.get("latest_year") is not None:
            found[kpi] = int(entry["latest_year"])
    return found


@lru_cache(maxsize=1)
def _demo_latest_years() -> dict[str, int]:
    from analys import demo
    from analys.own import store as own_store

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
