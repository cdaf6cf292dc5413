"""Change between two years: absolute and relative change, rank change and the improvers.

Pure functions on wide tables (one row per municipality, one column per year) or on one
Series by year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analys.errors import ParamsError
from analys.format import difference_unit
from analys.stats.compare import rank_among
from analys.vocabulary import sign


def _year_table(wide: pd.DataFrame | pd.Series) -> pd.DataFrame:
    if isinstance(wide, pd.Series):
        frame = wide.to_frame().T
        frame.index = pd.Index([wide.name if wide.name is not None else "värde"])
    else:
        frame = wide
    frame = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    frame.columns = [int(c) for c in frame.columns]
    return frame


def _column(frame: pd.DataFrame, year: int) -> pd.Series:
    if int(year) not in frame.columns:
        raise ParamsError(
            f"år: {year} finns inte i data – tillgängliga år är "
            f"{', '.join(map(str, sorted(frame.columns)))}."
        )
    return frame[int(year)]


def change(
    wide: pd.DataFrame | pd.Series, start: int, end: int, unit: str | None = None
) -> pd.DataFrame:
    """Change between two years: absolute, percent and (for shares) percentage points.

    Parameters
    ----------
    wide : DataFrame or Series
        Wide frame (one row per municipality, one column per year) or one Series by year.
    start, end : int
        The years compared.
    unit : str, optional
        The KPI's unit; ``"%"`` makes the absolute change percentage points.

    Returns
    -------
    DataFrame
        Columns ``start_value``, ``end_value``, ``absolute`` (end − start), ``percent``
        (100·absolute/|start|, NaN when start is 0), ``percentage_points`` (= absolute for
        shares, else NaN) and ``unit`` (the unit of ``absolute``).
    """
    frame = _year_table(wide)
    a, b = _column(frame, start), _column(frame, end)
    absolute = b - a
    percent = 100 * absolute / a.abs().where(a != 0)
    return pd.DataFrame(
        {
            "start_value": a,
            "end_value": b,
            "absolute": absolute,
            "percent": percent,
            "percentage_points": absolute if unit == "%" else np.nan,
            "unit": difference_unit(unit),
        }
    )


def rank_change(wide: pd.DataFrame, start: int, end: int, polarity: str = "higher") -> pd.DataFrame:
    """Ranks (1 best, ties share the best rank) in both years and how many places climbed.

    ``wide`` is a wide frame, one row per municipality and one column per year. Columns
    ``rank_start``, ``rank_end`` and ``rank_change`` (positive = climbed).
    """
    frame = _year_table(wide)
    first = rank_among(_column(frame, start), polarity=polarity)
    last = rank_among(_column(frame, end), polarity=polarity)
    return pd.DataFrame({"rank_start": first, "rank_end": last, "rank_change": first - last})


def improvers(
    wide: pd.DataFrame,
    start: int,
    end: int,
    polarity: str = "higher",
    n: int = 10,
    unit: str | None = None,
) -> pd.DataFrame:
    """The ``n`` municipalities that improved most between ``start`` and ``end``.

    Improvement is ``s·(end − start)`` in the KPI's unit. Returns :func:`change`'s columns
    plus ``improvement`` and :func:`rank_change`'s, best first; municipalities missing
    either year are left out.
    """
    s = sign(polarity)
    if s == 0:
        raise ParamsError(
            "polarity: neutral – ett nyckeltal utan riktning har inga "
            "förbättrare; ange higher eller lower."
        )
    table = change(wide, start, end, unit)
    table["improvement"] = s * table["absolute"]
    table = table.join(rank_change(wide, start, end, polarity))
    table = table.dropna(subset=["improvement"])
    return table.sort_values("improvement", ascending=False, kind="stable").head(n)
