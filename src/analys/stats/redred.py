"""The exception table (docs/methods.md#exception-list-red-red) built straight from a values frame.

For each KPI: the focus municipality's latest value, its quartile colour against the
comparison set, and its trend marker; :func:`analys.stats.trend.exceptions` then keeps the
"red-red" rows (and "red-red-red" when goal statuses are given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analys.catalogue import averaged_years
from analys.errors import ParamsError
from analys.stats.compare import quartile_colours
from analys.stats.trend import exceptions, trend_marker

TABLE_COLUMNS = ["kpi", "year", "value", "colour", "margin", "rank", "trend", "trend_label"]


def judgement_table(
    values: pd.DataFrame,
    municipality: str,
    polarities: Mapping[str, str],
    codes: Sequence[str] | None = None,
    gender: str = "T",
) -> pd.DataFrame:
    """One row per KPI: latest value, quartile colour and trend for ``municipality``.

    Parameters
    ----------
    values : DataFrame
        A values frame.
    municipality : str
        The focus municipality.
    polarities : mapping kpi -> polarity
        The KPIs to judge and their polarity (e.g. from :func:`analys.registry.polarity`).
    codes : sequence of str, optional
        The comparison set for the colours (default every municipality in ``values``;
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
    needed = {"kpi", "municipality", "year", "gender", "value"} - set(values.columns)
    if needed:
        raise ParamsError(f"judgement_table: kolumnerna {', '.join(sorted(needed))} saknas.")
    data = values[values["gender"] == gender]
    rows = []
    for kpi, polarity in polarities.items():
        part = data[data["kpi"] == kpi]
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
    values: pd.DataFrame,
    municipality: str,
    polarities: Mapping[str, str],
    codes: Sequence[str] | None = None,
    statuses: pd.Series | None = None,
    gender: str = "T",
) -> pd.DataFrame:
    """The exception list for ``municipality``: red and worsening (and off target).

    :func:`judgement_table` followed by :func:`analys.stats.trend.exceptions`; see both.
    """
    table = judgement_table(values, municipality, polarities, codes, gender)
    return exceptions(table, statuses)
