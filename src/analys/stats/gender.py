"""Gender gaps: K − M per KPI and year, the gap's trend, and the gap against peers.

The method is docs/methods.md#gender-gaps. Pure functions on values frames.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analys import registry
from analys.errors import ParamsError
from analys.format import difference_unit, with_unit
from analys.frame import wide
from analys.stats.trend import NO_TEST_LABEL, TrendResult, trend_marker

GAP_COLUMNS = ["kpi", "municipality", "year", "K", "M", "gap"]


def gender_gaps(data: pd.DataFrame) -> pd.DataFrame:
    """The gap between women and men, ``K − M``, per KPI, municipality and year.

    Parameters
    ----------
    data : DataFrame
        A values frame holding genders ``K`` and ``M`` (``T`` is ignored).

    Returns
    -------
    DataFrame
        Columns ``kpi``, ``municipality``, ``year``, ``K``, ``M`` and ``gap``; NaN when
        either gender is missing. Empty (with these columns) when there are no K/M rows.
    """
    needed = {"kpi", "municipality", "year", "gender", "value"} - set(data.columns)
    if needed:
        raise ParamsError(f"gender_gaps: kolumnerna {', '.join(sorted(needed))} saknas.")
    split = data[data["gender"].isin(["K", "M"])]
    if split.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in GAP_COLUMNS})
    table = wide(split, index=["kpi", "municipality", "year"], columns="gender", gender=None)
    table = table.reindex(columns=["K", "M"])
    table["gap"] = table["K"] - table["M"]
    table.columns.name = None
    return table.reset_index()[GAP_COLUMNS]


@dataclass(frozen=True)
class GapTrend:
    """The trend of one gap series: its direction and whether it narrows."""

    trend: TrendResult  # trend_marker on K − M with polarity neutral (direction only)
    size_trend: TrendResult  # trend_marker on |K − M|, polarity lower
    narrowing: bool | None  # True narrows, False widens, None no significant change/unknown
    label: str  # Swedish

    def _repr_html_(self) -> str:
        return f"<p><b>{html.escape(self.label)}</b> – {html.escape(self.trend.reason)}</p>"


#: the gap's trend when it cannot be computed (too few years): a sentence of its own in the
#: report's list, so it names what cannot be computed
GAP_TREND_UNKNOWN = "Trenden i skillnaden kan inte beräknas"


def gap_trend(gap: pd.Series, *, averaged_years: int | None = None) -> GapTrend:
    """The trend of a gap series indexed by year (:func:`analys.stats.trend.trend_marker` rules).

    The signed gap gets a direction only (polarity neutral). Whether the gap narrows is the
    trend of ``|gap|``: a significant decrease narrows, an increase widens. A KPI whose
    values are multi-year means (``averaged_years``) gets no trend test, and says so.
    """
    signed = trend_marker(gap, polarity="neutral", averaged_years=averaged_years)
    size = trend_marker(
        pd.to_numeric(gap, errors="coerce").abs(), polarity="lower", averaged_years=averaged_years
    )
    narrowing = {"improving": True, "worsening": False}.get(size.assessment)
    label = {True: "Skillnaden minskar", False: "Skillnaden ökar"}.get(
        narrowing,
        size.label
        if size.label == NO_TEST_LABEL
        else GAP_TREND_UNKNOWN
        if size.direction == "cannot_calculate"
        else "Ingen signifikant förändring av skillnaden",
    )
    return GapTrend(signed, size, narrowing, label)


def gap_versus_peers(
    gaps: pd.DataFrame, municipality: str, peers: Sequence[str], year: int | None = None
) -> pd.DataFrame:
    """The focus municipality's gap against the peers' median gap, per KPI.

    Parameters
    ----------
    gaps : DataFrame
        Output of :func:`gender_gaps`.
    municipality : str
        The focus municipality.
    peers : sequence of str
        Peer codes (see :func:`analys.stats.peers.peer_set`); the focus municipality is ignored.
    year : int, optional
        Default: each KPI's latest year where the focus municipality has a gap.

    Returns
    -------
    DataFrame
        Indexed by ``kpi``: ``year``, ``gap``, ``peers_median`` (median of the peers' gaps),
        ``peers_count``, ``difference`` (gap − peers_median) and ``larger_than_peers``
        (|gap| > |peers_median|; NA when either is missing).
    """
    peers = [p for p in peers if p != municipality]
    rows = []
    for kpi, part in gaps.groupby("kpi", sort=True):
        own = part[(part["municipality"] == municipality) & part["gap"].notna()]
        chosen = year if year is not None else (int(own["year"].max()) if len(own) else None)
        if chosen is None:
            continue
        mine = own.loc[own["year"] == chosen, "gap"]
        theirs = part[(part["year"] == chosen) & part["municipality"].isin(peers)]["gap"]
        theirs = theirs.dropna()
        gap = float(mine.iloc[0]) if len(mine) else np.nan
        median = float(theirs.median()) if len(theirs) else np.nan
        larger = pd.NA if np.isnan(gap) or np.isnan(median) else abs(gap) > abs(median)
        rows.append(
            {
                "kpi": kpi,
                "year": chosen,
                "gap": gap,
                "peers_median": median,
                "peers_count": len(theirs),
                "difference": gap - median,
                "larger_than_peers": larger,
            }
        )
    columns = [
        "kpi",
        "year",
        "gap",
        "peers_median",
        "peers_count",
        "difference",
        "larger_than_peers",
    ]
    return pd.DataFrame(rows, columns=columns).set_index("kpi")


def describe_gap(gap: float, unit: str | None = None, *, kpi: str | None = None) -> str:
    """A Swedish phrase for a gap, e.g. "kvinnor 3,2 procentenheter högre än män".

    For a KPI about children (``kpi`` in förskola or grundskola) the sides are "flickor"
    and "pojkar" (:func:`analys.registry.gender_words`).
    """
    women, men = registry.gender_gap_words(kpi) if kpi else ("kvinnor", "män")
    if gap is None or np.isnan(gap):
        return "skillnad kan inte beräknas"
    if gap == 0:
        return f"ingen skillnad mellan {women} och {men}"
    word = "högre" if gap > 0 else "lägre"
    return f"{women} {with_unit(abs(gap), difference_unit(unit))} {word} än {men}"


SUMMARY_COLUMNS = [
    "kpi",
    "year",
    "has_value",
    "last_year",
    "gap",
    "peers_median",
    "peers_count",
    "larger_than_peers",
    "trend",
]


def gap_summary(
    gaps: pd.DataFrame,
    kpis: Sequence[str],
    municipality: str,
    peers: Sequence[str],
    *,
    codes: Sequence[str],
    year: int | None = None,
    averaged_years: Mapping[str, int | None] | None = None,
) -> pd.DataFrame:
    """Per KPI: the municipality's gap in the report year, against its peers, and its trend.

    What the area report's section *Kön* says, before it is worded. Only the units in
    ``codes`` (e.g. every municipality) count; nothing after ``year`` is used.

    Parameters
    ----------
    gaps : DataFrame
        Output of :func:`gender_gaps`.
    kpis : sequence of str
        The KPIs, in the order wanted.
    municipality : str
        The focus municipality.
    peers : sequence of str
        Its peer group.
    codes : sequence of str
        The units of the municipality's type.
    year : int, optional
        The report year; default each KPI's latest year with a gap for any unit in ``codes``.
    averaged_years : mapping kpi -> int or None, optional
        KPIs whose values are multi-year means (no trend test on them).

    Returns
    -------
    DataFrame
        One row per KPI with any gap among ``codes`` (others are left out): ``kpi``,
        ``year``, ``has_value`` (the municipality has a gap that year), ``last_year`` (its
        latest year with a gap, NaN when none); when ``has_value``: ``gap``,
        ``peers_median``, ``peers_count``, ``larger_than_peers`` (see
        :func:`gap_versus_peers`) and ``trend`` (the Swedish label of :func:`gap_trend`).
    """
    averaged_years = averaged_years or {}
    if year is not None:
        gaps = gaps[gaps["year"] <= int(year)]
    same = gaps["municipality"].isin(set(codes)) & gaps["gap"].notna()
    rows = []
    for kpi in kpis:
        part = gaps[(gaps["kpi"] == kpi) & same]
        if part.empty:
            continue
        chosen = int(year or part["year"].max())
        own = part[part["municipality"] == municipality]
        row = {
            "kpi": kpi,
            "year": chosen,
            "has_value": chosen in set(own["year"]),
            "last_year": int(own["year"].max()) if len(own) else np.nan,
            "gap": np.nan,
            "peers_median": np.nan,
            "peers_count": 0,
            "larger_than_peers": pd.NA,
            "trend": "",
        }
        if row["has_value"]:
            versus = gap_versus_peers(part, municipality, peers, chosen).loc[kpi]
            trend = gap_trend(own.set_index("year")["gap"], averaged_years=averaged_years.get(kpi))
            row.update(
                gap=float(versus["gap"]),
                peers_median=float(versus["peers_median"]),
                peers_count=int(versus["peers_count"]),
                larger_than_peers=versus["larger_than_peers"],
                trend=trend.label,
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS).set_index("kpi")
