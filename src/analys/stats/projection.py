"""Where the trend lands: the linear trend of the last five years projected to a target year.

The "trajectory to target" a goal with a target year is judged on (docs/methods.md#projection-to-a-target-year).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analys.format import number
from analys.stats.trend import POINTS, T_THRESHOLD, last_years
from analys.vocabulary import sign


@dataclass(frozen=True)
class Projection:
    """Where the linear trend of the last five years lands in the target year."""

    status: str  # on_track | off_track | already_met | cannot_calculate
    reason: str
    target: float
    target_year: int
    latest_year: int | None
    latest_value: float
    slope: float  # change per year of the trend
    projected: float  # the trend's value in the target year
    lower: float  # 95 % prediction interval
    upper: float
    required_slope: float  # change per year needed from the latest value

    def _repr_html_(self) -> str:
        return (
            f"<p><b>{html.escape(self.status)}</b> – {html.escape(self.reason)}<br>"
            f"Prognos {self.target_year}: {number(self.projected)} "
            f"(95 % intervall {number(self.lower)}–{number(self.upper)}); "
            f"mål {number(self.target)}</p>"
        )


def projection(
    series: pd.Series, target: float, target_year: int, polarity: str = "higher"
) -> Projection:
    """Project the series to ``target_year`` and compare with ``target``.

    The linear (OLS) trend of the last five consecutive years with data gives the projected
    value and a 95 % prediction interval (t with 3 df). Status: ``already_met`` when the
    latest value meets the target; ``on_track`` when the projected value does; else
    ``off_track``; ``cannot_calculate`` without five consecutive years or when the target
    year is not after the latest year. For a neutral KPI the direction is taken from the
    target relative to the latest value.
    """
    s = sign(polarity)
    nan = float("nan")
    x, problem = last_years(series)
    latest_year = int(x.index[-1]) if len(x) else None
    latest = float(x.iloc[-1]) if len(x) else nan
    if s == 0 and len(x):
        s = 1 if target >= latest else -1
    if len(x) and s * (latest - target) >= 0:
        return Projection(
            "already_met",
            f"målet {number(target)} är redan nått ({number(latest)} år {latest_year})",
            target,
            target_year,
            latest_year,
            latest,
            nan,
            latest,
            nan,
            nan,
            0.0,
        )
    if not problem and target_year <= latest_year:
        problem = f"målåret {target_year} är inte efter det senaste året {latest_year}"
    if problem:
        return Projection(
            "cannot_calculate",
            problem,
            target,
            target_year,
            latest_year,
            latest,
            nan,
            nan,
            nan,
            nan,
            nan,
        )
    t = np.array(x.index, dtype=float)
    y = x.to_numpy()
    fit = stats.linregress(t, y)
    projected = fit.intercept + fit.slope * target_year
    residual_sd = np.sqrt(((y - fit.intercept - fit.slope * t) ** 2).sum() / (POINTS - 2))
    spread = residual_sd * np.sqrt(
        1 + 1 / POINTS + (target_year - t.mean()) ** 2 / ((t - t.mean()) ** 2).sum()
    )
    half = T_THRESHOLD * spread
    required = (target - latest) / (target_year - latest_year)
    on_track = s * (projected - target) >= 0
    verb = "öka" if required > 0 else "minska"
    trend_word = f"trenden är {'+' if fit.slope >= 0 else '−'}{number(abs(fit.slope))} per år"
    reason = (
        f"behöver {verb} med {number(abs(required))} per år; {trend_word}, "
        f"prognos {number(projected)} år {target_year}"
    )
    return Projection(
        "on_track" if on_track else "off_track",
        reason,
        float(target),
        int(target_year),
        latest_year,
        latest,
        float(fit.slope),
        float(projected),
        float(projected - half),
        float(projected + half),
        float(required),
    )
