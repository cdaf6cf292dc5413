"""The demo's KPI catalogue: the registry's titles and types plus Kolada-like metadata
(perspective, publication dates, and descriptions in the words Kolada's own catalogue uses
for multi-year means and school-level-only KPIs)."""

from __future__ import annotations

import pandas as pd

from analys import registry
from analys.demo.world import LAST_YEAR

PERSPECTIVE = {"Resurser": "X", "Volymer": "X", "Kvalitet och resultat": "T", "Övrigt": "X"}


def _perspective(row: pd.Series) -> str:
    unit = str(row["unit"])
    if unit.startswith("kr") or "Nettokostnadsavvikelse" in row["title"]:
        return "Resurser"
    if row["area"] == "folkhalsa":
        return "Övrigt"
    if unit == "antal" and "per" not in row["title"]:
        return "Volymer"
    return "Kvalitet och resultat"


def build_kpis() -> pd.DataFrame:
    """The demo KPI catalogue: registry titles and types plus Kolada-like metadata."""
    meta = registry.frame()
    rows = []
    for kpi, row in meta.iterrows():
        perspective = _perspective(row)
        published = registry.entry(kpi).get("publ_period") is not None
        rows.append(
            {
                "id": kpi,
                "title": row["title"],
                "description": _description(kpi, row),
                "is_divided_by_gender": bool(row["divided_by_gender"]),
                "municipality_type": row["municipality_type"],
                "auspice": PERSPECTIVE[perspective],
                "operating_area": row["operating_area"],
                "perspective": perspective,
                "prel_publication_date": "2026-05-04" if published else None,
                "publication_date": "2026-09-30" if published else None,
                "publ_period": str(LAST_YEAR) if published else None,
                "has_ou_data": bool(row["has_ou_data"]),
            }
        )
    return pd.DataFrame(rows)


_YEARS_WORD = {2: "tvåårs", 3: "treårs", 4: "fyraårs", 5: "femårs"}


def _description(kpi: str, row: pd.Series) -> str:
    """A summary plus Kolada's own wording for the facts that shape the method.

    A registry KPI that Kolada publishes per school only, or as a multi-year mean, says so
    in the words the real catalogue uses, so :mod:`analys.registry.facts` reads the demo
    catalogue as it reads the real one.
    """
    text = f"{row['label']} ({row['unit']}) inom {row['operating_area']}."
    years = registry.moving_average(kpi)
    if years:
        text += f" Värdet är ett {_YEARS_WORD.get(years, f'{years}-års')}medelvärde."
    if registry.unit_level_only(kpi):
        text += " Fr.o.m. 2013 redovisas värden endast på skolnivå."
    return text + " Demodata: beskrivningen är en sammanfattning."
