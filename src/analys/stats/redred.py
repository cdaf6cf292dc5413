"""The exception list: worse than the others and getting worse ("red-red").

The rules are written once here and used by every list that shows them (the area report,
the overview, the workbook): :func:`is_red_red` (quartile colour red and trend worsening) and
:func:`is_off_target` (status not met or partly met, :data:`analys.vocabulary.OFF_TARGET`).
:func:`exceptions` applies them to a table with one row per KPI; :func:`judgement_table`
builds that table straight from a values frame: for each KPI the focus municipality's latest
value, its quartile colour against the comparison set, and its trend marker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analys.catalogue import averaged_years
from analys.errors import ParamsError
from analys.stats.compare import quartile_colours
from analys.stats.trend import trend_marker
from analys.vocabulary import OFF_TARGET

TABLE_COLUMNS = ["kpi", "year", "value", "colour", "margin", "rank", "trend", "trend_label"]


def is_red_red(table: pd.DataFrame) -> pd.Series:
    """Which rows are "red-red": among the worst quarter (colour ``red``) and worsening.

    ``table`` has the columns ``colour`` (:func:`analys.stats.compare.quartile_colours`) and
    ``trend`` (a :attr:`~analys.stats.trend.TrendResult.assessment`); returns a boolean
    Series aligned with it.
    """
    return (table["colour"] == "red") & (table["trend"] == "worsening")


def is_off_target(table: pd.DataFrame) -> pd.Series:
    """Which rows do not reach their goal: status ``not_met`` or ``partly`` (boolean Series)."""
    return table["status"].isin(OFF_TARGET)


def exceptions(table: pd.DataFrame, statuses: pd.Series | None = None) -> pd.DataFrame:
    """The exception list ("red-red"): worse than peers and worsening.

    The rule is docs/methods.md#exception-list-red-red.

    Parameters
    ----------
    table : DataFrame
        One row per KPI with columns ``kpi``, ``value``, ``colour`` (from
        :func:`analys.stats.compare.quartile_colours`) and ``trend`` (a
        :attr:`TrendResult.assessment`).
    statuses : Series, optional
        Goal statuses (``met``, ``partly``, ``not_met``, ``no_data``) indexed by KPI. When
        given, a KPI must also be off target (``not_met`` or ``partly``) to be listed.

    Returns
    -------
    DataFrame
        The listed KPIs with columns ``kpi``, ``value``, ``colour``, ``trend``, ``status``,
        ``flags`` (Swedish words joined by ", ") and ``reason`` (one Swedish line).
    """
    needed = {"kpi", "value", "colour", "trend"} - set(table.columns)
    if needed:
        raise ParamsError(f"exceptions: kolumnerna {', '.join(sorted(needed))} saknas.")
    out = table[["kpi", "value", "colour", "trend"]].copy()
    out["status"] = out["kpi"].map(statuses).astype(object) if statuses is not None else None
    keep = is_red_red(out)
    if statuses is not None:
        keep &= is_off_target(out)
    out = out[keep].reset_index(drop=True)
    words = ["sämre än jämförelsegruppen", "försämras"]
    if statuses is not None:
        words.append("når inte målet")
    out["flags"] = ", ".join(words)
    out["reason"] = "Rött och försämras" + (" och når inte målet" if statuses is not None else "")
    return out


def judgement_table(
    data: pd.DataFrame,
    municipality: str,
    polarities: Mapping[str, str],
    codes: Sequence[str] | None = None,
    gender: str = "T",
) -> pd.DataFrame:
    """One row per KPI: latest value, quartile colour and trend for ``municipality``.

    Parameters
    ----------
    data : DataFrame
        A values frame.
    municipality : str
        The focus municipality.
    polarities : mapping kpi -> polarity
        The KPIs to judge and their polarity (e.g. from :func:`analys.registry.polarity`).
    codes : sequence of str, optional
        The comparison set for the colours (default every municipality in ``data``;
        Riket and groups are never part of it).
    gender : str
        Which gender's values.

    Returns
    -------
    DataFrame
        Columns ``kpi``, ``year`` (the focus municipality's latest year with a value),
        ``value``, ``colour``, ``margin``, ``rank``, ``trend`` (assessment) and
        ``trend_label`` (Swedish). KPIs without a value get colour "grey" and NaN year.
    """
    needed = {"kpi", "municipality", "year", "gender", "value"} - set(data.columns)
    if needed:
        raise ParamsError(f"judgement_table: kolumnerna {', '.join(sorted(needed))} saknas.")
    one_gender = data[data["gender"] == gender]
    rows = []
    for kpi, polarity in polarities.items():
        part = one_gender[one_gender["kpi"] == kpi]
        own = part[(part["municipality"] == municipality) & part["value"].notna()]
        series = own.set_index("year")["value"]
        marker = trend_marker(series, polarity=polarity, averaged_years=averaged_years(kpi))
        row = {
            "kpi": kpi,
            "year": np.nan,
            "value": np.nan,
            "colour": "grey",
            "margin": np.nan,
            "rank": np.nan,
            "trend": marker.assessment,
            "trend_label": marker.label,
        }
        if len(own):
            year = int(own["year"].max())
            latest = part[part["year"] == year].set_index("municipality")["value"]
            if codes is not None:
                latest = latest.reindex(list(dict.fromkeys([*codes, municipality])))
            judged = quartile_colours(latest, polarity).loc[municipality]
            row.update(
                year=year,
                value=float(series[year]),
                colour=judged["colour"],
                margin=judged["margin"],
                rank=judged["rank"],
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def red_red(
    data: pd.DataFrame,
    municipality: str,
    polarities: Mapping[str, str],
    codes: Sequence[str] | None = None,
    statuses: pd.Series | None = None,
    gender: str = "T",
) -> pd.DataFrame:
    """The exception list for ``municipality``: red and worsening (and off target).

    :func:`judgement_table` followed by :func:`exceptions`; see both.
    """
    table = judgement_table(data, municipality, polarities, codes, gender)
    return exceptions(table, statuses)
