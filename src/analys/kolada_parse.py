"""Kolada's JSON answers as frames: data rows as the values frame, metadata as tables.

:func:`parse_values` flattens data rows (one row per gender item, ``null`` kept as NaN) into
the values frame of DESIGN §3 (:mod:`analys.frame`); :func:`parse_records` and
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


def parse_values(
    items: Iterable[dict[str, Any]], *, ou: bool = False, include_deleted: bool = False
) -> pd.DataFrame:
    """Flatten Kolada data rows (``{kpi, municipality|ou, period, values: [...]}``).

    One row per gender item; ``null`` values become NaN (never 0) with their ``count``;
    codes stay strings. Deleted items are dropped unless ``include_deleted`` (then an extra
    ``isdeleted`` column is kept).

    Parameters
    ----------
    items
        The ``values`` arrays of one or more pages, concatenated.
    ou
        Rows are unit-level (``ou`` key, municipality filled in when present).
    include_deleted
        Keep deleted items and the ``isdeleted`` column.
    """
    cols: dict[str, list[Any]] = {
        c: [] for c in (*(OU_COLUMNS if ou else VALUES_COLUMNS), "isdeleted")
    }
    for row in items:
        kpi, period = str(row["kpi"]), int(row["period"])
        unit = str(row["ou"] if ou else row["municipality"])
        owner = str(row.get("municipality") or "") if ou else None
        for item in row.get("values") or ():
            deleted = bool(item.get("isdeleted", item.get("is_deleted", False)))
            if deleted and not include_deleted:
                continue
            value = item.get("value")
            cols["kpi"].append(kpi)
            if ou:
                cols["ou"].append(unit)
                cols["municipality"].append(owner)
            else:
                cols["municipality"].append(unit)
            cols["year"].append(period)
            cols["gender"].append(str(item.get("gender") or "T"))
            cols["value"].append(math.nan if value is None else value)
            cols["count"].append(item.get("count") or 0)
            cols["status"].append(item.get("status") or "")
            cols["isdeleted"].append(deleted)
    if not cols["kpi"]:
        frame = empty_values(ou)
        if include_deleted:
            frame["isdeleted"] = pd.Series([], dtype=bool)
        return frame
    frame = as_values_frame(pd.DataFrame(cols), ou=ou)
    if include_deleted:
        frame["isdeleted"] = pd.Series(cols["isdeleted"], dtype=bool)
    return frame


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
