"""The embedded demo data set: real codes and KPI ids, synthetic values.

Everything here reads the files shipped in ``data/`` (written by ``python -m
analys.demo.generate``); nothing touches the network. Every output made from these values
must say :data:`analys.captions.DEMO`. The model behind the values is described in
``README.md`` and :mod:`analys.demo.model`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analys import captions
from analys.frame import VALUES_COLUMNS

FIRST_YEAR = 2012
LATEST_YEAR = 2025
PRELIMINARY_YEAR = 2025
DATA_DIR = Path(__file__).resolve().parent / "data"

__all__ = [
    "FIRST_YEAR",
    "LATEST_YEAR",
    "PRELIMINARY_YEAR",
    "values",
    "load_values",
    "kpis",
    "groups",
    "snapshot",
    "truth",
]


@lru_cache(maxsize=1)
def _table() -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
    frame = pd.read_parquet(DATA_DIR / "values.parquet")
    frame = frame.loc[:, VALUES_COLUMNS]
    for column in ("kpi", "municipality", "gender", "status"):
        frame[column] = frame[column].astype("str")
    frame["year"] = frame["year"].astype("int64")
    frame["count"] = frame["count"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    ids = frame["kpi"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    stops = np.r_[starts[1:], len(ids)]
    index = {str(ids[a]): (int(a), int(b)) for a, b in zip(starts, stops, strict=True)}
    return frame, index


def values() -> pd.DataFrame:
    """The whole demo values frame: every KPI, unit, year and gender.

    Units are the 290 municipalities, Riket ``0000``, the 21 regions (type A and L KPIs)
    and the fixed groups (``G…``, unweighted means with ``count`` = members with data).
    Read once per process; each call returns a shallow copy-on-write copy, so changing it
    never changes the cached frame.
    """
    return _table()[0].copy(deep=False)


def load_values(
    kpis: list[str], municipalities: list[str] | None = None, years: list[int] | None = None
) -> pd.DataFrame:
    """A filtered view of :func:`values`, all genders.

    Parameters
    ----------
    kpis
        KPI ids; unknown ids simply give no rows.
    municipalities
        Unit codes (municipalities, regions, ``0000``, group ids); ``None`` for all.
    years
        Years; ``None`` for all (2012–2025).
    """
    frame, index = _table()
    parts = []
    for kpi in dict.fromkeys(str(k) for k in kpis):
        if kpi in index:
            start, stop = index[kpi]
            parts.append(frame.iloc[start:stop])
    if not parts:
        return frame.iloc[0:0].reset_index(drop=True)
    sub = parts[0] if len(parts) == 1 else pd.concat(parts)
    mask = np.ones(len(sub), dtype=bool)
    if municipalities is not None:
        mask &= sub["municipality"].isin([str(m) for m in municipalities]).to_numpy()
    if years is not None:
        mask &= sub["year"].isin([int(y) for y in years]).to_numpy()
    return sub[mask].reset_index(drop=True)


@lru_cache(maxsize=1)
def _kpis() -> pd.DataFrame:
    return pd.read_parquet(DATA_DIR / "kpis.parquet")


def kpis() -> pd.DataFrame:
    """The demo KPI catalogue with Kolada's metadata fields as columns.

    Columns: id, title, description, is_divided_by_gender, municipality_type, auspice,
    operating_area, perspective, prel_publication_date, publication_date, publ_period,
    has_ou_data. Titles and types are Kolada's; descriptions are short demo summaries.
    """
    return _kpis().copy()


@lru_cache(maxsize=1)
def _groups() -> pd.DataFrame:
    records = json.loads((DATA_DIR / "groups.json").read_text(encoding="utf-8"))
    return pd.DataFrame(
        {
            "group": [r["group"] for r in records],
            "title": [r["title"] for r in records],
            "members": [tuple(r["members"]) for r in records],
        }
    )


def groups() -> pd.DataFrame:
    """Municipality groups: SKR, county and size-class groups plus "Liknande kommuner/regioner".

    Columns: group, title, members (tuple of municipality codes). The Liknande groups have
    Kolada's title forms ("Liknande kommuner grundskola, Örebro, 2024", "Liknande kommuner,
    övergripande, Örebro, 2025", "Liknande regioner socioekonomi, Region Örebro län, 2024")
    and ids ``GL<area code><code>`` (``GLR…`` for regions).
    """
    return _groups().copy()


@lru_cache(maxsize=1)
def _meta() -> dict[str, Any]:
    return json.loads((DATA_DIR / "meta.json").read_text(encoding="utf-8"))


def snapshot() -> dict[str, Any]:
    """What the demo data is: always labelled as synthetic."""
    return {
        "source": "demo",
        "label": captions.DEMO,
        "snapshot": _meta()["snapshot"],
        "fetched": None,
        "url": None,
        "api_version": None,
        "demo": True,
        "first_year": FIRST_YEAR,
        "latest_year": LATEST_YEAR,
        "preliminary_year": PRELIMINARY_YEAR,
    }


@lru_cache(maxsize=1)
def _truth() -> dict[str, Any]:
    return json.loads((DATA_DIR / "truth.json").read_text(encoding="utf-8"))


def truth() -> dict[str, Any]:
    """The true 2024 cross-sectional models of the main outcomes.

    ``{kpi: {"intercept", "coefficients": {driver: b}, "year", "noise_sd", ...}}`` such
    that, over the 290 municipalities in ``year``, ``value = intercept + Σ b·driver +
    noise`` with iid noise of standard deviation ``noise_sd`` (plus rounding).
    """
    return json.loads(json.dumps(_truth()))
