"""Gender gaps: K − M per KPI and year, the gap's trend, and the gap against peers.

The method is docs/methods.md#gender-gaps. Pure functions on values frames.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analys.errors import ParamsError
from analys.format import number
from analys.stats.trend import NO_TEST_LABEL, TrendResult, trend_marker

GAP_COLUMNS = ["kpi", "municipality", "year", "K", "M", "gap"]


def gender_gaps(values: pd.DataFrame) -> pd.DataFrame:
    """The gap between women and men, ``K − M``, per KPI, municipality and year.

    Parameters
    ----------
    values : DataFrame
        A values frame holding genders ``K`` and ``M`` (``T`` is ignored).

    Returns
    -------
    DataFrame
        Columns ``kpi``, ``municipality``, ``year``, ``K``, ``M`` and ``gap``; NaN when
        either gender is missing. Empty (with these columns) when there are no K/M rows.
    """
    needed = {"kpi", "municipality", "year", "gender", "value"} - set(values.columns)
    if needed:
        raise ParamsError(f"gender_gaps: kolumnerna {', '.join(sorted(needed))} saknas.")
    split = values[values["gender"].isin(["K", "M"])]
    if split.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in GAP_COLUMNS})
    table = split.pivot_table(
        index=["kpi", "municipality", "year"],
        columns="gender",
        values="value",
        aggfunc="first",
        dropna=False,
    )
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
        else "Kan inte beräknas"
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


def describe_gap(gap: float, unit: str | None = None) -> str:
    """A Swedish phrase for a gap, e.g. "kvinnor 3,2 % högre än män"."""
    if gap is None or np.isnan(gap):
        return "skillnad kan inte beräknas"
    if gap == 0:
        return "ingen skillnad mellan kvinnor och män"
    unit_text = f" {'procentenheter' if unit == '%' else unit}" if unit else ""
    word = "högre" if gap > 0 else "lägre"
    return f"kvinnor {number(abs(gap))}{unit_text} {word} än män"
