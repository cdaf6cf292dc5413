"""Reading an own-indicator file: CSV, Excel and the sidecar YAML, before any check.

The readers turn a file into a table of text cells and a metadata mapping; problems that
stop the reading (a damaged workbook, YAML that is not a mapping) are collected, one Swedish
line each, in a :class:`Problems`. Checking the rows and the metadata is
:func:`analys.own.read_file`'s.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

META_FIELDS = (
    "title",
    "label",
    "description",
    "unit",
    "polarity",
    "operating_area",
    "divided_by_gender",
)
META_SHEET = "metadata"
VALUES_SHEETS = ("värden", "varden", "values")


def show(value: Any) -> str:
    """A cell as quoted in a message; ``tom`` when empty."""
    return "tom" if value is None or str(value).strip() == "" else f"'{value}'"


class Problems:
    """Collects the problems of one import file."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[str] = []

    def bad(self, where: str, column: str, value: Any, text: str) -> None:
        self.problems.append(f"{self.label}: {where}, kolumn {column}: {show(value)} – {text}")

    def note(self, text: str) -> None:
        self.problems.append(f"{self.label}: {text}")


def cell_text(value: Any) -> str:
    """A cell as stripped text; empty for missing cells."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV file as text cells: UTF-8 (or Swedish Excel's cp1252), any of , ; or tab."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Swedish Excel's "CSV (semikolon)"
    first = text.splitlines()[0] if text.strip() else ""
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    return pd.read_csv(
        io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, skipinitialspace=True
    )


def read_excel(path: Path, checker: Problems) -> tuple[pd.DataFrame | None, Any]:
    """The values sheet and the metadata sheet (``None`` when absent) of a workbook."""
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        checker.note(f"kan inte läsas som Excel-fil ({type(error).__name__}) – spara om som .xlsx")
        return None, None
    lowered = {name.strip().lower(): name for name in sheets}
    meta_name = lowered.get(META_SHEET)
    names = [lowered[n] for n in VALUES_SHEETS if n in lowered]
    if not names:
        names = [n for n in sheets if n != meta_name and not n.lower().startswith("instruktion")]
    if not names:
        checker.note("arbetsboken har inget värdeblad – lägg värdena på ett blad som heter värden")
        return None, None
    meta = sheets[meta_name] if meta_name else None
    return sheets[names[0]], meta


def find_sidecar(path: Path) -> Path | None:
    """The metadata YAML beside ``path`` (``FIL.yaml`` or ``FIL.yml``), if there is one."""
    for suffix in (".yaml", ".yml"):
        candidate = path.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def meta_from_sheet(sheet: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """The metadata sheet of a workbook: KPI id → its :data:`META_FIELDS`."""
    sheet = sheet.rename(columns=lambda c: str(c).strip().lower())
    meta: dict[str, dict[str, Any]] = {}
    for row in sheet.to_dict("records"):
        kpi = cell_text(row.get("kpi"))
        if kpi:
            meta[kpi] = {k: row.get(k) for k in META_FIELDS if k in row}
    return meta


def meta_from_yaml(path: Path, checker: Problems) -> dict[str, Any] | None:
    """The sidecar YAML: KPI id → metadata; ``None`` (and a problem) when unusable."""
    label = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        checker.problems.append(
            f"{label}: kan inte läsas som YAML (UTF-8) – {str(error).splitlines()[0]}"
        )
        return None
    if isinstance(raw, Mapping) and isinstance(raw.get("kpis"), Mapping):
        raw = raw["kpis"]
    if not isinstance(raw, Mapping) or not raw:
        checker.problems.append(
            f"{label}: ska vara en mappning nyckeltals-id → metadata, t.ex. "
            "'EGEN-TRYGG: {title: …, unit: '%', polarity: higher}'"
        )
        return None
    meta: dict[str, Any] = {}
    for kpi, entry in raw.items():
        if not isinstance(entry, Mapping):
            checker.problems.append(
                f"{label}: {kpi}: ska vara en mappning med title, unit, polarity …"
            )
            continue
        unknown = [k for k in entry if k not in META_FIELDS]
        for key in unknown:
            checker.problems.append(
                f"{label}: {kpi}.{key}: okänd nyckel – tillåtna är {', '.join(META_FIELDS)}"
            )
        meta[str(kpi)] = dict(entry)
    return meta
