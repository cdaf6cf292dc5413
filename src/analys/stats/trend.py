"""Is it getting better? The trend marker of a series (docs/methods.md#trend-markers).

The Fingertips rule: the linear trend of the last five consecutive years, tested by a
weighted (χ²) or ordinary (t) regression, read as improving or worsening through the KPI's
polarity. Change between two years is :mod:`analys.stats.change`, the projection to a target
year :mod:`analys.stats.projection`, the exception list ("red-red")
:mod:`analys.stats.redred` and gender gaps :mod:`analys.stats.gender`. Pure functions:
Series in, frozen results out.
"""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analys.format import number
from analys.frame import as_float
from analys.vocabulary import sign

POINTS = 5
CHI2_THRESHOLD = 9.5495  # the 99.8 % point of χ² with 1 df (Fingertips)
T_THRESHOLD = float(stats.t.ppf(0.975, df=POINTS - 2))
OUTLIER_REASON = "ingen signifikant förändring (extremvärde)"
LABELS = {
    "improving": "Förbättras",
    "worsening": "Försämras",
    "no_change": "Ingen signifikant förändring",
    "cannot_calculate": "Kan inte beräknas",
    "increasing": "Ökar",
    "decreasing": "Minskar",
}
NO_TEST_LABEL = "Inget trendtest (flerårsmedelvärde)"
METHOD_WEIGHTED = "viktad regression (χ²-test, 99,8 %)"
METHOD_OLS = "minsta kvadrat-regression (t-test, 95 %, 3 frihetsgrader)"


@dataclass(frozen=True)
class TrendResult:
    """The trend marker of one series (docs/methods.md#trend-markers)."""

    direction: str  # increasing | decreasing | no_change | cannot_calculate
    assessment: str  # improving | worsening | no_change | cannot_calculate | neutral
    slope: float  # change per year; NaN when not calculated
    statistic: float  # χ² (weighted) or t = b/SE(b) (OLS); NaN when not calculated
    method: str  # Swedish name of the test used, "" when not calculated
    reason: str  # one Swedish line
    label: str  # Förbättras | Försämras | Ökar | Minskar | Ingen signifikant … | Kan inte …
    n: int  # points used (5 when calculated)
    years: tuple[int, ...]  # the years used
    threshold: float = float("nan")

    def _repr_html_(self) -> str:
        slope = "–" if np.isnan(self.slope) else number(self.slope, 2)
        return (
            f"<p><b>{html.escape(self.label)}</b> – {html.escape(self.reason)}<br>"
            f"Lutning {slope} per år; metod: {html.escape(self.method or '–')}; "
            f"år: {', '.join(map(str, self.years)) or '–'}</p>"
        )


def _year_values(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The years (int) and values (floats, anything not a number NaN) of ``series``, sorted
    by year.

    In plain numpy for a numeric series: the units section reads a trend for each of a
    municipality's hundreds of units, and pandas' conversions cost ten times the test.
    """
    values = series.to_numpy()
    if values.dtype.kind in "fiub":
        values = values.astype(float)
    else:
        values = as_float(values).to_numpy()
    index = series.index
    years = index.to_numpy().astype(int) if index.dtype.kind in "iu" else [int(y) for y in index]
    years = np.asarray(years, dtype=int)
    order = np.argsort(years, kind="stable")
    return years[order], values[order]


def _by_year(series: pd.Series) -> pd.Series:
    years, values = _year_values(series)
    return _series(years, values)


def _series(years: np.ndarray, values: np.ndarray) -> pd.Series:
    return pd.Series(values, index=pd.Index(years, name="year"))


def last_years(series: pd.Series, points: int = POINTS) -> tuple[pd.Series, str]:
    """The last ``points`` years with data, and "" or a Swedish reason they cannot be used.

    The points must be ``points`` distinct, consecutive years: a year that occurs more than
    once (two values for 2019) is a reason, not something to average away.
    """
    years, values, problem = _last_of(*_year_values(series), points)
    return _series(years, values), problem


def _last_of(
    years: np.ndarray, values: np.ndarray, points: int
) -> tuple[np.ndarray, np.ndarray, str]:
    """:func:`last_years` of sorted arrays, as arrays: a units table reads many trends."""
    present = ~np.isnan(values)
    years, values = years[present], values[present]
    repeated = sorted(set(years[1:][years[1:] == years[:-1]].tolist()))
    if repeated:
        return (
            years,
            values,
            (
                f"året {', '.join(map(str, repeated))} förekommer mer än en gång – en trend kräver "
                "ett värde per år"
            ),
        )
    if len(years) < points:
        return years, values, f"för få år med data ({len(years)} av minst {points})"
    years, values = years[-points:], values[-points:]
    if years[-1] - years[0] != points - 1:
        missing = sorted(set(range(int(years[0]), int(years[-1]) + 1)) - set(years.tolist()))
        return (
            years,
            values,
            (
                f"de {points} senaste åren med data är inte i följd (saknas: "
                f"{', '.join(map(str, missing))})"
            ),
        )
    return years, values, ""


def _weighted_fit(t: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Slope and χ² of the weighted regression of docs/methods.md#trend-markers."""
    s1, st, sy = w.sum(), (w * t).sum(), (w * y).sum()
    stt, sty = (w * t * t).sum(), (w * t * y).sum()
    denominator = s1 * stt - st**2
    b = (s1 * sty - st * sy) / denominator
    se = np.sqrt(s1 / denominator)
    return float(b), float((b / se) ** 2)


def _ols_fit(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and t statistic b/SE(b) of ordinary least squares with intercept."""
    tc = t - t.mean()
    sxx = (tc**2).sum()
    b = float((tc * (y - y.mean())).sum() / sxx)
    residuals = y - y.mean() - b * tc
    df = len(t) - 2
    if df <= 0:
        return b, float("nan")
    se = np.sqrt((residuals**2).sum() / df / sxx)
    if se == 0:
        return b, float(np.sign(b) * np.inf) if b != 0 else 0.0
    return b, float(b / se)


def _result(
    direction: str,
    polarity: str,
    *,
    slope: float = float("nan"),
    statistic: float = float("nan"),
    method: str = "",
    reason: str,
    years: tuple[int, ...] = (),
    threshold: float = float("nan"),
) -> TrendResult:
    s = sign(polarity)
    if s == 0:
        assessment = "neutral"
        label = LABELS.get(direction, LABELS["no_change"])
    elif direction in ("increasing", "decreasing"):
        up = direction == "increasing"
        assessment = "improving" if up == (s > 0) else "worsening"
        label = LABELS[assessment]
    else:
        assessment = direction
        label = LABELS[direction]
    return TrendResult(
        direction, assessment, slope, statistic, method, reason, label, len(years), years, threshold
    )


def averaged_reason(years: int) -> str:
    """Why no trend test is made on a KPI whose every value is a mean over ``years`` years."""
    word = {2: "tvåårs", 3: "treårs", 4: "fyraårs", 5: "femårs"}.get(years, f"{years}-års")
    return (
        f"inget trendtest: varje värde är ett {word}medelvärde, så närliggande år delar "
        "underlag och ett test på dem skulle överskatta säkerheten"
    )


def trend_marker(
    series: pd.Series,
    polarity: str = "higher",
    se: pd.Series | None = None,
    *,
    averaged_years: int | None = None,
) -> TrendResult:
    """The trend marker: is the series increasing or decreasing, and is that better or worse?

    Parameters
    ----------
    series : Series
        Values indexed by year; NaN for missing years.
    polarity : {"higher", "lower", "neutral"}
        Reads the direction as improving or worsening; neutral gives assessment "neutral".
    se : Series or array-like, optional
        Standard errors indexed by year (an array is aligned with ``series``). When given (positive for all five years) the
        weighted regression with χ² > 9.5495 is used; otherwise OLS with |b/SE(b)| >
        t(0.975, df=3). ``se`` comes from a CI as ``(upper − lower)/(2·1.96)``.
    averaged_years : int, optional
        When every value is a mean over this many years (Kolada's "treårsmedelvärde",
        :func:`analys.registry.moving_average`), consecutive values overlap and no trend
        test is made: ``cannot_calculate`` with label "Inget trendtest" and the reason
        (docs/judgements.md).

    Returns
    -------
    TrendResult
        The last five years with data must be five distinct, consecutive years, else
        ``cannot_calculate`` with the reason. A significant slope is still ``no_change``
        ("ingen signifikant förändring (extremvärde)") when leaving out any one point gives
        a slope of the opposite sign or exactly 0 (as in the Fingertips reference
        implementations). Zero variance gives ``no_change``.
    """
    sign(polarity)
    if averaged_years and averaged_years > 1:
        result = _result("cannot_calculate", polarity, reason=averaged_reason(averaged_years))
        return dataclasses.replace(result, label=NO_TEST_LABEL)
    return _marker(*_year_values(series), polarity, se=se, index=series.index)


def trend_marker_of(years: np.ndarray, values: np.ndarray, polarity: str = "higher") -> TrendResult:
    """:func:`trend_marker` of one unit's years and values (arrays, sorted by year), without
    a Series: a units table reads a trend for each of hundreds of units."""
    sign(polarity)
    return _marker(np.asarray(years, dtype=int), np.asarray(values, dtype=float), polarity)


def _marker(
    years_in: np.ndarray,
    values: np.ndarray,
    polarity: str,
    *,
    se: pd.Series | None = None,
    index: pd.Index | None = None,
) -> TrendResult:
    points, y, problem = _last_of(years_in, values, POINTS)
    if problem:
        return _result("cannot_calculate", polarity, reason=problem)
    years = tuple(int(year) for year in points)
    t = np.arange(1.0, POINTS + 1.0)
    weights = None
    method, threshold = METHOD_OLS, T_THRESHOLD
    if se is not None:
        if not isinstance(se, pd.Series):
            se = pd.Series(np.asarray(se, dtype=float), index=index)
        e = _by_year(se).reindex(list(years)).to_numpy()
        if np.all(np.isfinite(e) & (e > 0)):
            weights = 1.0 / e**2
            method, threshold = METHOD_WEIGHTED, CHI2_THRESHOLD
        else:
            method += " – standardfel saknas för något år"
    if np.ptp(y) == 0:
        return _result(
            "no_change",
            polarity,
            slope=0.0,
            statistic=0.0,
            method=method,
            reason="värdet är oförändrat alla fem åren",
            years=years,
            threshold=threshold,
        )

    def fit(keep: np.ndarray) -> tuple[float, float]:
        if weights is None:
            return _ols_fit(t[keep], y[keep])
        return _weighted_fit(t[keep], y[keep], weights[keep])

    b, statistic = fit(np.ones(POINTS, dtype=bool))
    significant = abs(statistic) > threshold and b != 0
    common = {
        "slope": b,
        "statistic": statistic,
        "method": method,
        "years": years,
        "threshold": threshold,
    }
    if not significant:
        plus = "+" if b > 0 else ""
        reason = (
            f"lutningen {plus}{number(b, 2)} per år ({years[0]}–{years[-1]}) är inte "
            "statistiskt säkerställd"
        )
        return _result("no_change", polarity, reason=reason, **common)
    for left_out in range(POINTS):
        keep = np.arange(POINTS) != left_out
        if np.sign(fit(keep)[0]) != np.sign(b):
            return _result("no_change", polarity, reason=OUTLIER_REASON, **common)
    direction = "increasing" if b > 0 else "decreasing"
    word = "ökar" if b > 0 else "minskar"
    reason = f"{word} signifikant med {number(abs(b), 2)} per år ({years[0]}–{years[-1]})"
    return _result(direction, polarity, reason=reason, **common)
