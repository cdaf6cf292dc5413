"""The Excel collection form for an area's own indicators (``analys import --template``).

A municipality collects its own indicators (a survey, a local count) in this form: one row
per own KPI, gender and unit for the coming year, and the KPIs' definitions, ready for
``analys import`` once filled in.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analys import reference
from analys.errors import ParamsError
from analys.own import is_own
from analys.own.store import registry_entry


def write_template(area: Any, out: str | Path | None = None, *, units: Sequence[str] = ()) -> Path:
    """Write the Excel collection form for an area's own KPIs; return its path.

    Sheets: ``instruktion`` (how to fill it in), ``värden`` (one row per own KPI, gender,
    the area's municipality and each of its ``units``, for the coming year; value empty)
    and ``metadata`` (the KPIs' definitions, ready for ``analys import``).

    Parameters
    ----------
    area
        A loaded policy area (:class:`analys.goals.Area`: ``area``, ``title``, ``kpis``,
        ``municipality``).
    out
        The file to write (``.xlsx``); default ``./insamling_<area>.xlsx``.
    units
        Ids of the municipality's organisational units, one row each (may be empty).
    """
    kpis = [k for k in area.kpis if is_own(k)]
    if not kpis:
        raise ParamsError(
            f"{area.area}: området har inga egna nyckeltal (EGEN-…) – lägg till ett under "
            "goals[…].indicators i params-filen först"
        )
    path = Path(out) if out else Path.cwd() / f"insamling_{area.area}.xlsx"
    if path.suffix.lower() != ".xlsx":
        raise ParamsError(
            f"--out: '{path}' – mallen är en Excel-fil, ange ett namn som slutar på .xlsx"
        )
    year = dt.date.today().year - 1
    code = area.municipality
    registry = {k: registry_entry(k) for k in kpis}
    rows, meta = [], []
    for kpi in kpis:
        entry = registry[kpi] or {}
        genders = ["T", "K", "M"] if entry.get("divided_by_gender") else ["T"]
        for gender in genders:
            rows.append({"kpi": kpi, "municipality": code, "year": year, "gender": gender})
            for ou in units:
                rows.append(
                    {"kpi": kpi, "municipality": code, "year": year, "gender": gender, "ou": ou}
                )
        meta.append(
            {
                "kpi": kpi,
                "title": entry.get("title", ""),
                "description": "",
                "unit": entry.get("unit") or "",
                "polarity": entry.get("polarity", ""),
                "operating_area": entry.get("operating_area") or area.title,
                "divided_by_gender": "ja" if entry.get("divided_by_gender") else "nej",
            }
        )
    values = pd.DataFrame(rows, columns=["kpi", "municipality", "year", "gender", "value", "ou"])
    guide = pd.DataFrame(
        {
            "Instruktion": [
                f"Insamlingsmall för egna nyckeltal – {area.title}, {reference.title(code)}.",
                "Fyll i kolumnen value på bladet värden (tal, decimalkomma går bra; lämna tomt "
                "om uppgift saknas).",
                "Ändra inte kpi, municipality, gender eller ou. Rätta year om uppgiften gäller "
                "ett annat år.",
                "Bladet metadata beskriver nyckeltalen: title, unit, polarity (higher, lower, "
                "neutral), divided_by_gender (ja/nej).",
                f"Läs in den ifyllda filen med: analys import {path.name}",
            ]
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.xlsx")
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            guide.to_excel(writer, sheet_name="instruktion", index=False)
            values.to_excel(writer, sheet_name="värden", index=False)
            pd.DataFrame(meta).to_excel(writer, sheet_name="metadata", index=False)
            for name in ("värden", "metadata"):
                sheet = writer.sheets[name]
                for column in sheet.columns:
                    sheet.column_dimensions[column[0].column_letter].width = 18
                    for cell in column[1:]:
                        cell.number_format = "@" if cell.column_letter in "BF" else "General"
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
