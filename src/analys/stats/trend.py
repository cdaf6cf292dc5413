"""Is it getting better? Trend markers, change over a period, projections and exceptions.

The rules: the trend marker (the Fingertips rule) is docs/methods.md#trend-markers, the
projection docs/methods.md#projection-to-a-target-year and the exception list
docs/methods.md#exception-list-red-red. Gender gaps live in :mod:`analys.stats.gender`. Pure
functions: Series and DataFrames in, frames and frozen results out.
"""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analys.errors import ParamsError
from analys.format import difference_unit, number
from analys.stats.compare import _numeric, _ranks, _sign

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


def _by_year(series: pd.Series) -> pd.Series:
    x = _numeric(series)
    x.index = pd.Index([int(y) for y in x.index], name="year")
    return x.sort_index()


def last_years(series: pd.Series, points: int = POINTS) -> tuple[pd.Series, str]:
    """The last ``points`` years with data, and "" or a Swedish reason they cannot be used.

    The points must be ``points`` distinct, consecutive years: a year that occurs more than
    once (two values for 2019) is a reason, not something to average away.
    """
    x = _by_year(series).dropna()
    repeated = sorted({int(y) for y in x.index[x.index.duplicated()]})
    if repeated:
        return x, (
            f"året {', '.join(map(str, repeated))} förekommer mer än en gång – en trend kräver "
            "ett värde per år"
        )
    if len(x) < points:
        return x, f"för få år med data ({len(x)} av minst {points})"
    x = x.iloc[-points:]
    years = list(x.index)
    if years[-1] - years[0] != points - 1:
        missing = sorted(set(range(years[0], years[-1] + 1)) - set(years))
        return x, (
            f"de {points} senaste åren med data är inte i följd (saknas: "
            f"{', '.join(map(str, missing))})"
        )
    return x, ""


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
    s = _sign(polarity)
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
    _sign(polarity)
    if averaged_years and averaged_years > 1:
        result = _result("cannot_calculate", polarity, reason=averaged_reason(averaged_years))
        return dataclasses.replace(result, label=NO_TEST_LABEL)
    x, problem = last_years(series)
    if problem:
        return _result("cannot_calculate", polarity, reason=problem)
    years = tuple(int(y) for y in x.index)
    y = x.to_numpy()
    t = np.arange(1.0, POINTS + 1.0)
    weights = None
    method, threshold = METHOD_OLS, T_THRESHOLD
    if se is not None:
        if not isinstance(se, pd.Series):
            se = pd.Series(np.asarray(se, dtype=float), index=series.index)
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
        sign = "+" if b > 0 else ""
        reason = (
            f"lutningen {sign}{number(b, 2)} per år ({years[0]}–{years[-1]}) är inte "
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


def _wide(values: pd.DataFrame | pd.Series) -> pd.DataFrame:
    if isinstance(values, pd.Series):
        frame = values.to_frame().T
        frame.index = pd.Index([values.name if values.name is not None else "värde"])
    else:
        frame = values
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
    values: pd.DataFrame | pd.Series, start: int, end: int, unit: str | None = None
) -> pd.DataFrame:
    """Change between two years: absolute, percent and (for shares) percentage points.

    Parameters
    ----------
    values : DataFrame or Series
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
    frame = _wide(values)
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


def rank_change(
    values: pd.DataFrame, start: int, end: int, polarity: str = "higher"
) -> pd.DataFrame:
    """Ranks (1 best, ties share the best rank) in both years and how many places climbed.

    ``values`` is a wide frame, one row per municipality and one column per year. Columns
    ``rank_start``, ``rank_end`` and ``rank_change`` (positive = climbed).
    """
    frame = _wide(values)
    first = _ranks(_column(frame, start), polarity)
    last = _ranks(_column(frame, end), polarity)
    return pd.DataFrame({"rank_start": first, "rank_end": last, "rank_change": first - last})


def improvers(
    values: pd.DataFrame,
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
    s = _sign(polarity)
    if s == 0:
        raise ParamsError(
            "polarity: neutral – ett nyckeltal utan riktning har inga "
            "förbättrare; ange higher eller lower."
        )
    table = change(values, start, end, unit)
    table["improvement"] = s * table["absolute"]
    table = table.join(rank_change(values, start, end, polarity))
    table = table.dropna(subset=["improvement"])
    return table.sort_values("improvement", ascending=False, kind="stable").head(n)


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
    s = _sign(polarity)
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


#: The one rule for "not reaching the goal": not met or only partly met. The area report's
#: and the overview's lists and :func:`exceptions` all use it.
OFF_TARGET = ("not_met", "partly")
OFF_TARGET_LABEL = "Når inte målet (ej eller delvis uppfyllt)"


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
    red = out["colour"] == "red"
    worsening = out["trend"] == "worsening"
    keep = red & worsening
    if statuses is not None:
        keep &= out["status"].isin(OFF_TARGET)
    out = out[keep].reset_index(drop=True)
    words = ["sämre än jämförelsegruppen", "försämras"]
    if statuses is not None:
        words.append("når inte målet")
    out["flags"] = ", ".join(words)
    out["reason"] = "Rött och försämras" + (" och når inte målet" if statuses is not None else "")
    return out
