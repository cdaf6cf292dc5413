"""Kolada's JSON answers as frames: data rows as the values frame, metadata as tables.

:func:`parse_values` flattens data rows (one row per gender item, ``null`` kept as NaN) into
the values frame (:mod:`analys.frame`), flagging and counting what is not a
finite number, rows without a year and duplicate rows; :func:`parse_records` and
:func:`parse_groups` turn metadata lists into tables, repairing text that was UTF-8 read as
Latin-1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from analys.frame import OU_COLUMNS, VALUES_COLUMNS, as_values_frame, empty_values

KPI_FIELDS = [
    "id",
    "title",
    "description",
    "is_divided_by_gender",
    "municipality_type",
    "auspice",
    "operating_area",
    "perspective",
    "prel_publication_date",
    "publication_date",
    "publ_period",
    "has_ou_data",
]


def _fix_mojibake(text: Any) -> Any:
    """Repair UTF-8 read as Latin-1/cp1252 ("Ã¶" for "ö"), seen in municipality group titles."""
    if isinstance(text, str) and ("Ã" in text or "Â" in text):
        for codec in ("latin-1", "cp1252"):
            try:
                return text.encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
    return text


#: the status a value gets when Kolada sent something that is not a finite number
INVALID_STATUS = "ogiltigt värde från Kolada"
#: what :func:`parse_values` counts in ``frame.attrs["problems"]``
PROBLEMS = ("non_numeric", "non_finite", "incomplete_rows", "duplicates")


def _number(value: Any) -> tuple[float, str | None]:
    """A Kolada value as a float, or NaN and the problem: ``null`` is simply missing, while
    ``true``, ``"12,5"``, ``{}`` (non_numeric) and ``Infinity``/``NaN`` (non_finite) are
    flagged, never turned into 1.0 or a silent NaN."""
    if value is None:
        return math.nan, None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan, "non_numeric"
    try:
        number = float(value)
    except OverflowError:
        return math.nan, "non_finite"
    return (number, None) if math.isfinite(number) else (math.nan, "non_finite")


def _year(period: Any) -> int | None:
    """The year of a data row's ``period`` (an int or a string of four digits), else None."""
    if isinstance(period, bool):
        return None
    if isinstance(period, int):
        return period if 1000 <= period <= 9999 else None
    if isinstance(period, str) and len(period) == 4 and period.isdigit():
        return int(period)
    return None


def parse_values(
    items: Iterable[dict[str, Any]], *, ou: bool = False, include_deleted: bool = False
) -> pd.DataFrame:
    """Flatten Kolada data rows (``{kpi, municipality|ou, period, values: [...]}``).

    One row per gender item; ``null`` values become NaN (never 0) with ``count`` 0; codes
    stay strings. Deleted items are dropped unless ``include_deleted`` (then an extra
    ``isdeleted`` column is kept).

    Hostile answers are repaired and counted, never silently kept: a value that is not a
    number (``true``, a text) or not finite (``Infinity``) is stored as missing (NaN, count
    0, status :data:`INVALID_STATUS`); a row without a KPI, unit or a year in ``period`` is
    skipped; a second row for the same KPI, unit, year and gender is dropped (the first is
    kept). The counts are in ``frame.attrs["problems"]`` (keys :data:`PROBLEMS`).

    Parameters
    ----------
    items
        The ``values`` arrays of one or more pages, concatenated.
    ou
        Rows are unit-level (``ou`` key, municipality filled in when present).
    include_deleted
        Keep deleted items and the ``isdeleted`` column.
    """
    unit_key = "ou" if ou else "municipality"
    problems = dict.fromkeys(PROBLEMS, 0)
    cols: dict[str, list[Any]] = {
        c: [] for c in (*(OU_COLUMNS if ou else VALUES_COLUMNS), "isdeleted")
    }
    kpis, units, owners, years = cols["kpi"], cols[unit_key], cols["municipality"], cols["year"]
    genders, values, counts, statuses = cols["gender"], cols["value"], cols["count"], cols["status"]
    deletions = cols["isdeleted"]
    for row in items:
        try:
            kpi, unit, period, items_ = row["kpi"], row[unit_key], row["period"], row.get("values")
        except (KeyError, TypeError, AttributeError):  # a key missing, or not a mapping
            problems["incomplete_rows"] += 1
            continue
        year = period if type(period) is int and 1000 <= period <= 9999 else _year(period)
        if year is None or not kpi or not unit or not isinstance(items_ or (), list | tuple):
            problems["incomplete_rows"] += 1
            continue
        kpi, unit = str(kpi), str(unit)
        owner = str(row.get("municipality") or "") if ou else None
        for item in items_ or ():
            if type(item) is not dict:
                problems["non_numeric"] += 1
                continue
            deleted = bool(item.get("isdeleted", item.get("is_deleted", False)))
            if deleted and not include_deleted:
                continue
            value = item.get("value")
            status = item.get("status") or ""
            if value is None:
                value, count = math.nan, 0
            elif type(value) is float and value - value == 0.0:  # finite (inf - inf is NaN)
                count = item.get("count")
                count = count if type(count) is int and count >= 0 else 1
            else:
                value, problem = _number(value)
                if problem:
                    problems[problem] += 1
                    value, count, status = math.nan, 0, INVALID_STATUS
                else:
                    count = item.get("count")
                    count = count if type(count) is int and count >= 0 else 1
            kpis.append(kpi)
            units.append(unit)
            if ou:
                owners.append(owner)
            years.append(year)
            genders.append(str(item.get("gender") or "T"))
            values.append(value)
            counts.append(count)
            statuses.append(str(status))
            deletions.append(deleted)
    if not cols["kpi"]:
        frame = empty_values(ou)
        if include_deleted:
            frame["isdeleted"] = pd.Series([], dtype=bool)
        frame.attrs["problems"] = problems
        return frame
    frame = as_values_frame(pd.DataFrame(cols), ou=ou)
    if include_deleted:
        frame["isdeleted"] = pd.Series(cols["isdeleted"], dtype=bool)
    repeated = frame.duplicated(["kpi", unit_key, "year", "gender"], keep="first").to_numpy()
    if repeated.any():
        problems["duplicates"] = int(repeated.sum())
        frame = frame[~repeated].reset_index(drop=True)
    frame.attrs["problems"] = problems
    return frame


def describe_problems(problems: dict[str, int] | None) -> list[str]:
    """The Swedish lines of a fetch summary for what :func:`parse_values` repaired."""
    problems = problems or {}
    lines = []
    bad = problems.get("non_numeric", 0) + problems.get("non_finite", 0)
    if bad:
        lines.append(
            f"{bad} värde(n) från Kolada var inte ändliga tal (t.ex. text, true eller "
            "Infinity) och sparades som saknade (status "
            f"'{INVALID_STATUS}')"
        )
    if problems.get("incomplete_rows"):
        lines.append(
            f"{problems['incomplete_rows']} rad(er) från Kolada saknade nyckeltal, enhet "
            "eller år (period) och hoppades över"
        )
    if problems.get("duplicates"):
        lines.append(
            f"{problems['duplicates']} dubblettrad(er) från Kolada (samma nyckeltal, enhet, "
            "år och kön) togs bort – den första behölls"
        )
    return lines


def parse_records(items: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Metadata records as a frame: the known ``columns`` first, strings repaired."""
    frame = pd.DataFrame.from_records(items) if items else pd.DataFrame(columns=columns)
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    extra = [c for c in frame.columns if c not in columns]
    frame = frame.loc[:, columns + extra]
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(_fix_mojibake)
    if "id" in frame.columns:
        frame["id"] = frame["id"].astype("str")
    return frame.reset_index(drop=True)


def parse_groups(items: list[dict[str, Any]]) -> pd.DataFrame:
    """KPI or municipality groups as a frame: id, title, members, member_titles."""
    return pd.DataFrame(
        {
            "id": pd.Series([str(g["id"]) for g in items], dtype="str"),
            "title": pd.Series([_fix_mojibake(g.get("title") or "") for g in items], dtype="str"),
            "members": [tuple(str(m["member_id"]) for m in g.get("members") or ()) for g in items],
            "member_titles": [
                tuple(_fix_mojibake(m.get("member_title") or "") for m in g.get("members") or ())
                for g in items
            ],
        }
    )
