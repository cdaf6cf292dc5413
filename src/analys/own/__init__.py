"""The municipality's own indicators: reading and validating an import file.

An own-indicator file is a CSV or Excel file in the values-frame columns ``kpi,
municipality, year, gender, value`` (plus optional ``ou``), with metadata per own KPI
(title, description, unit, polarity, operating area, divided by gender) either in a sheet
named ``metadata`` of the Excel file or in a sidecar YAML beside the file (``FIL.yaml``).

**Own KPI ids** have the reserved form ``EGEN-`` followed by 1–32 of ``A–Z``, ``0–9`` and
``_`` (e.g. ``EGEN-TRYGG``). Kolada's ids are letters and digits only (``N15507``,
``U15416``), so an own id can never collide with one; a Kolada-style id in an import file
is an error.

:func:`read_file` checks everything and collects every problem, one Swedish line each
(file, row, column, value, what is allowed); it raises them together as an
:class:`ImportProblems`, so nothing is stored when anything is bad. Storage and use live in
:mod:`analys.own.store`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analys import reference
from analys.errors import ParamsError
from analys.frame import VALUES_COLUMNS, as_values_frame, empty_values
from analys.own.files import (
    META_SHEET,
    Problems,
    cell_text,
    find_sidecar,
    meta_from_sheet,
    meta_from_yaml,
    read_csv,
    read_excel,
)
from analys.vocabulary import GENDERS, POLARITIES

PREFIX = "EGEN-"
OWN_ID = re.compile(r"EGEN-[A-Z0-9_]{1,32}")
KOLADA_ID = re.compile(r"[A-Za-z]\d{4,6}")
SOURCE = "egen"
REQUIRED_COLUMNS = ("kpi", "municipality", "year", "gender", "value")
OPTIONAL_COLUMNS = ("ou",)
META_REQUIRED = ("title", "unit", "polarity")
FIRST_YEAR = 1998
_YES = {"ja", "yes", "true", "sant", "1", "j", "y"}
_NO = {"nej", "no", "false", "falskt", "0", "n", ""}
_UNIT_ID = re.compile(r"V\d{2}[A-Z][0-9A-Z.]{1,16}")  # Kolada OU ids (some end in dots)


def is_own(kpi: Any) -> bool:
    """True for an own KPI id (``EGEN-…``)."""
    return isinstance(kpi, str) and kpi.startswith(PREFIX)


class ImportProblems(ParamsError):
    """An import file that cannot be stored: ``problems`` holds one Swedish line each."""


@dataclass(frozen=True)
class OwnFile:
    """A validated own-indicator file.

    ``values`` is the values frame of the municipality-level rows, ``units``
    the same with an ``ou`` column for unit rows; ``meta`` maps each own KPI id to its
    metadata (title, description, unit, polarity, operating_area, divided_by_gender,
    municipality_type).
    """

    name: str
    checksum: str
    values: pd.DataFrame
    units: pd.DataFrame
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def kpis(self) -> list[str]:
        """The own KPI ids the file defines, in file order."""
        return list(self.meta)


def checksum(path: Path) -> str:
    """``sha256:…`` of a file's bytes (what the manifest records)."""
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


def check_id(kpi: str) -> str | None:
    """Why ``kpi`` is not an allowed own id (Swedish), or ``None`` when it is."""
    if OWN_ID.fullmatch(kpi):
        return None
    if KOLADA_ID.fullmatch(kpi):
        return (
            "är ett Kolada-id – egna nyckeltal får inte återanvända Koladas id:n; ge det ett "
            "eget id som börjar med EGEN-, t.ex. EGEN-TRYGG"
        )
    if kpi.upper().startswith(PREFIX) and OWN_ID.fullmatch(kpi.upper()):
        return f"ska skrivas med versaler: {kpi.upper()}"
    return "ska vara ett eget id: EGEN- följt av 1–32 tecken A–Z, 0–9 eller _, t.ex. EGEN-TRYGG"


def _check_meta(meta: dict[str, Any], where: str, checker: Problems) -> dict[str, dict]:
    clean: dict[str, dict] = {}
    for kpi, entry in meta.items():
        problem = check_id(kpi)
        if problem:
            checker.problems.append(f"{checker.label}: {where}, kpi: '{kpi}' {problem}")
            continue
        out: dict[str, Any] = {}
        for key in META_REQUIRED:
            if not cell_text(entry.get(key)):
                checker.problems.append(f"{checker.label}: {where}, {kpi}.{key}: saknas – krävs")
        polarity = cell_text(entry.get("polarity")).lower()
        if polarity and polarity not in POLARITIES:
            checker.problems.append(
                f"{checker.label}: {where}, {kpi}.polarity: '{entry.get('polarity')}' – "
                "välj higher (högre är bättre), lower eller neutral"
            )
        divided = _bool(entry.get("divided_by_gender", False))
        if divided is None:
            checker.problems.append(
                f"{checker.label}: {where}, {kpi}.divided_by_gender: "
                f"'{entry.get('divided_by_gender')}' – ska vara ja eller nej"
            )
        out["title"] = cell_text(entry.get("title"))
        label = cell_text(entry.get("label"))
        if len(label) > 40:
            checker.problems.append(
                f"{checker.label}: {where}, {kpi}.label: '{label}' – högst 40 tecken (kortnamn "
                "i diagram)"
            )
        out["label"] = label
        out["description"] = cell_text(entry.get("description"))
        out["unit"] = cell_text(entry.get("unit"))
        out["polarity"] = polarity or "neutral"
        out["operating_area"] = cell_text(entry.get("operating_area")) or "Egna nyckeltal"
        out["divided_by_gender"] = bool(divided)
        clean[kpi] = out
    return clean


def read_file(path: str | Path, *, this_year: int | None = None) -> OwnFile:
    """Read and validate an own-indicator file (CSV or Excel) with its metadata.

    Parameters
    ----------
    path
        ``.csv``, ``.xlsx`` or ``.xlsm``; the metadata is the workbook's ``metadata`` sheet
        or the sidecar ``<file>.yaml``.
    this_year
        The latest year a value may have (default: this calendar year).

    Raises
    ------
    ImportProblems
        Every problem in the file, one Swedish line each (file, row, column, value, what
        is allowed).
    """
    path = Path(path)
    checker = Problems(path.name)
    this_year = this_year or dt.date.today().year
    if not path.is_file():
        raise ImportProblems(f"{path}: filen finns inte")
    suffix = path.suffix.lower()
    meta_sheet = None
    if suffix == ".csv":
        try:
            table = read_csv(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
            raise ImportProblems(
                f"{path.name}: kan inte läsas som CSV ({str(error).splitlines()[0]}) – "
                "kontrollera avgränsare och citattecken"
            ) from None
        where = "rad"
    elif suffix in (".xlsx", ".xlsm"):
        table, meta_sheet = read_excel(path, checker)
        if table is None:
            raise ImportProblems(checker.problems)
        where = "rad"
    else:
        raise ImportProblems(
            f"{path.name}: filtypen '{path.suffix or '(ingen)'}' stöds inte – använd .csv eller .xlsx"
        )
    meta_raw: dict[str, Any] | None
    meta_where = META_SHEET
    sidecar = find_sidecar(path)
    if meta_sheet is not None:
        meta_raw = meta_from_sheet(meta_sheet)
        meta_where = f"blad {META_SHEET}"
    elif sidecar is not None:
        meta_raw = meta_from_yaml(sidecar, checker)
        meta_where = sidecar.name
    else:
        meta_raw = None
        checker.note(
            f"metadata saknas – lägg ett blad '{META_SHEET}' i Excel-filen eller en fil "
            f"{path.with_suffix('.yaml').name} bredvid med title, unit och polarity per nyckeltal"
        )
    meta = _check_meta(meta_raw or {}, meta_where, checker)
    values, units = _check_rows(table, meta, checker, where, this_year)
    for kpi, part in pd.concat([values, units.drop(columns="ou")]).groupby("kpi"):
        if part["value"].isna().all():
            checker.note(
                f"{kpi} har inga ifyllda värden (kolumn value) – fyll i minst ett värde; en "
                "inläsning ersätter nyckeltalets alla tidigare värden"
            )
    if checker.problems:
        raise ImportProblems(checker.problems)
    for kpi, entry in meta.items():
        codes = set(values.loc[values["kpi"] == kpi, "municipality"])
        kinds = {reference.municipality_type(c) for c in codes}
        entry["municipality_type"] = kinds.pop() if len(kinds) == 1 else "A"
    return OwnFile(path.name, checksum(path), values, units, meta)


def _check_rows(
    table: pd.DataFrame, meta: dict[str, dict], checker: Problems, where: str, this_year: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = table.rename(columns=lambda c: str(c).strip().lower())
    allowed = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    for column in table.columns:
        if column not in allowed and not column.startswith("unnamed"):
            checker.note(f"kolumn '{column}' är okänd – tillåtna är {', '.join(allowed)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        checker.note(
            f"kolumnerna {', '.join(missing)} saknas – första raden ska vara rubrikerna "
            f"{', '.join(REQUIRED_COLUMNS)} (och ev. ou)"
        )
        return _empty(False), _empty(True)
    if table.empty:
        checker.note("filen har inga värderader")
    rows: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    has_ou = "ou" in table.columns
    for i, record in enumerate(table.to_dict("records")):
        row = f"{where} {i + 2}"  # the header is row 1
        cells = {c: cell_text(record.get(c)) for c in allowed}
        if not any(cells.values()):
            continue  # an empty line
        kpi, code, year_text = cells["kpi"], cells["municipality"], cells["year"]
        gender, value_text, ou = cells["gender"].upper(), cells["value"], cells["ou"]
        ok = True
        problem = check_id(kpi) if kpi else "saknas – ange ett eget id, t.ex. EGEN-TRYGG"
        if problem:
            checker.bad(row, "kpi", kpi, problem)
            ok = False
        elif kpi not in meta:
            checker.bad(row, "kpi", kpi, "saknar metadata (title, unit, polarity) – lägg till den")
            ok = False
        if not re.fullmatch(r"\d{4}", code) or reference.municipality_type(code) is None:
            hint = "en kommun- eller regionkod med fyra siffror, t.ex. 1880 eller 0180"
            if re.fullmatch(r"\d{1,3}", code):
                hint += " (inledande nolla saknas – formatera kolumnen som text)"
            checker.bad(row, "municipality", code, f"är ingen känd kod – ange {hint}")
            ok = False
        elif code == reference.RIKET:
            checker.bad(row, "municipality", code, "riket kan inte ha egna uppgifter")
            ok = False
        year = int(year_text) if re.fullmatch(r"\d{4}", year_text) else None
        if year is None or not FIRST_YEAR <= year <= this_year:
            checker.bad(row, "year", year_text, f"ska vara ett årtal {FIRST_YEAR}–{this_year}")
            ok = False
        if gender not in GENDERS:
            checker.bad(
                row, "gender", cells["gender"], "ska vara T (totalt), K (kvinnor) eller M (män)"
            )
            ok = False
        elif gender != "T" and kpi in meta and not meta[kpi]["divided_by_gender"]:
            checker.bad(
                row,
                "gender",
                gender,
                f"{kpi} är inte könsuppdelat enligt metadata – använd T eller "
                "sätt divided_by_gender: ja",
            )
            ok = False
        value = _number(value_text)
        if value is None:
            checker.bad(
                row, "value", value_text, "ska vara ett tal (decimalkomma går bra) eller tom"
            )
            ok = False
        if ou and not _UNIT_ID.fullmatch(ou):
            checker.bad(row, "ou", ou, "ska vara ett enhets-id från Kolada, t.ex. V15E188000301")
            ok = False
        elif re.fullmatch(r"V\d{2}E\d{9}", ou) and re.fullmatch(r"\d{4}", code) and ou[4:8] != code:
            # only the 13-character grammar carries the municipality code; older ids do not
            checker.bad(row, "ou", ou, f"hör till kommun {ou[4:8]}, inte till {code}")
            ok = False
        if not ok:
            continue
        key = (kpi, code, ou, year, gender)
        if key in seen:
            checker.bad(
                row,
                "kpi",
                kpi,
                f"samma nyckeltal, kommun{', enhet' if ou else ''}, år och kön som "
                f"{where} {seen[key]} – ta bort dubbletten",
            )
            continue
        seen[key] = i + 2
        rows.append(
            {
                "kpi": kpi,
                "ou": ou,
                "municipality": code,
                "year": year,
                "gender": gender,
                "value": value,
                "count": 0,
                "status": "",
            }
        )
    frame = pd.DataFrame(rows, columns=["ou", *VALUES_COLUMNS])
    level = frame["ou"] == "" if has_ou else pd.Series(True, index=frame.index)
    values = frame[level].drop(columns="ou").reset_index(drop=True)
    units = frame[~level].reset_index(drop=True)
    return _typed(values), _typed(units, ou=True)


def _number(text: str) -> float | None:
    """A cell as a float: NaN when empty, ``None`` when not a finite number."""
    if text == "":
        return math.nan
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _empty(ou: bool) -> pd.DataFrame:
    return empty_values(ou)


def _typed(frame: pd.DataFrame, ou: bool = False) -> pd.DataFrame:
    return as_values_frame(frame, ou=ou)
