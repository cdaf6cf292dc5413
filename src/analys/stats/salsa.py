"""SALSA per school: Skolverket's actual, modelled and deviating merit values.

Skolverket's deviation (``U15416``, merit points) = actual merit value (``N15504``) − the
value modelled from pupils' background (``U15415``). Skolverket's caution is shown with every
SALSA table: the deviation must not be used to rank schools. The table is therefore sorted by
name, never by deviation, and has no rank column. A deviation is read on the mean of the last
:data:`~analys.stats.units.JUDGE_YEARS` years, "som förväntat" within ±:data:`SALSA_MARGIN`
points; a small school (:data:`~analys.stats.units.SMALL_UNIT`) or a single year is "osäkert".
Pure functions on the unit values frame and the unit catalogue, as :mod:`analys.stats.units`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analys.frame import wide
from analys.stats.units import (
    JUDGE_YEARS,
    SALSA_ACTUAL,
    SALSA_DEVIATION,
    SALSA_KPIS,
    SALSA_MODEL,
    SMALL_UNIT,
)

SALSA_MARGIN = 5.0  # merit points: a deviation within ±5 reads as "som förväntat"
SALSA_CAUTION = (
    "Skolverket: SALSA-avvikelsen visar hur skolans resultat förhåller sig till vad "
    "elevernas bakgrund ger anledning att vänta. Den är osäker för små skolor och får inte "
    "användas för att rangordna skolor."
)


def salsa_table(
    data: pd.DataFrame, units: pd.DataFrame, municipality: str, year: int | None = None
) -> pd.DataFrame:
    """The municipality's schools: actual merit value, modelled value and SALSA deviation.

    Columns ou, title, year, actual, modelled, deviation, deviation_mean (the mean of the
    last :data:`JUDGE_YEARS` years, the steadier reading), years (how many went into it),
    count, small, reading (Swedish: "över förväntan", "under förväntan", "som förväntat" or
    "osäkert" for a small school or a single year). Sorted by school name – **never by
    deviation** (:data:`SALSA_CAUTION`).
    """
    part = data[data["kpi"].isin(SALSA_KPIS) & (data["gender"] == "T")]
    part = part[part["municipality"] == str(municipality)]
    columns = [
        "ou",
        "title",
        "year",
        "actual",
        "modelled",
        "deviation",
        "deviation_mean",
        "years",
        "count",
        "small",
        "reading",
    ]
    if part.empty or not (part["kpi"] == SALSA_DEVIATION).any():
        return pd.DataFrame(columns=columns)
    deviations = part[part["kpi"] == SALSA_DEVIATION]
    year = int(deviations["year"].max()) if year is None else int(year)
    by_kpi = wide(part, index="ou", gender=None, year=year).reindex(columns=list(SALSA_KPIS))
    by_kpi = by_kpi[by_kpi[SALSA_DEVIATION].notna()]
    window = deviations[deviations["year"].between(year - JUDGE_YEARS + 1, year)].dropna(
        subset=["value"]
    )
    stats = window.groupby("ou")["value"].agg(["mean", "count"])
    counts = deviations[deviations["year"] == year].set_index("ou")["count"]
    table = pd.DataFrame(
        {
            "ou": by_kpi.index,
            "year": year,
            "actual": by_kpi[SALSA_ACTUAL].to_numpy(),
            "modelled": by_kpi[SALSA_MODEL].to_numpy(),
            "deviation": by_kpi[SALSA_DEVIATION].to_numpy(),
            "deviation_mean": stats["mean"].reindex(by_kpi.index).to_numpy(),
            "years": stats["count"].reindex(by_kpi.index).fillna(0).astype(int).to_numpy(),
            "count": counts.reindex(by_kpi.index).fillna(0).astype(int).to_numpy(),
        }
    )
    table["small"] = (table["count"] > 0) & (table["count"] < SMALL_UNIT)
    titles = units.set_index("id")["title"]
    table["title"] = table["ou"].map(titles).fillna(table["ou"])
    steady = table["deviation_mean"]
    reading = np.where(
        steady > SALSA_MARGIN,
        "över förväntan",
        np.where(steady < -SALSA_MARGIN, "under förväntan", "som förväntat"),
    )
    uncertain = (table["years"] < 2) | (table["small"] & (table["years"] < JUDGE_YEARS))
    table["reading"] = np.where(uncertain, "osäkert", reading)
    return (
        table.loc[:, columns]
        .sort_values("title", key=lambda s: s.str.lower())
        .reset_index(drop=True)
    )


def unit_salsa(
    data: pd.DataFrame, units: pd.DataFrame, ou: str, year: int | None = None
) -> pd.Series | None:
    """School ``ou``'s row of :func:`salsa_table` in the latest year, up to ``year``, in which
    it has a SALSA deviation; ``None`` when it has none.

    The row's ``year`` says which year that is: compare it with the report year before
    writing about it (a school may have no SALSA value in the report year but older ones).
    """
    own = data[
        (data["ou"] == str(ou))
        & (data["kpi"] == SALSA_DEVIATION)
        & (data["gender"] == "T")
        & data["value"].notna()
    ]
    if year is not None:
        own = own[own["year"] <= int(year)]
    if own.empty:
        return None
    latest = own.loc[own["year"].idxmax()]
    table = salsa_table(data, units, str(latest["municipality"]), int(latest["year"]))
    mine = table[table["ou"] == str(ou)]
    return mine.iloc[0] if len(mine) else None
