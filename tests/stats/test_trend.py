"""Tests of the trend marker (M7), change, projection, exceptions (stats.trend, .change,
.projection, .redred) and gender gaps (stats.gender)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analys.errors import ParamsError
from analys.stats.change import change, improvers, rank_change
from analys.stats.gender import describe_gap, gap_trend, gap_versus_peers, gender_gaps
from analys.stats.projection import projection
from analys.stats.redred import exceptions
from analys.stats.trend import CHI2_THRESHOLD, OUTLIER_REASON, trend_marker

YEARS = list(range(2019, 2024))


def by_year(values: list[float | None], start: int = 2019) -> pd.Series:
    return pd.Series(
        [np.nan if v is None else v for v in values],
        index=range(start, start + len(values)),
        dtype=float,
    )


def test_ols_trend_matches_statsmodels_and_polarity() -> None:
    y = by_year([1, 2, 3, 4, 5.5])
    result = trend_marker(y)
    fit = sm.OLS(y.to_numpy(), sm.add_constant(np.arange(1.0, 6.0))).fit()
    assert result.slope == pytest.approx(fit.params[1])
    assert result.statistic == pytest.approx(fit.tvalues[1])
    assert result.threshold == pytest.approx(stats.t.ppf(0.975, 3))
    assert (result.direction, result.assessment, result.label) == (
        "increasing",
        "improving",
        "Förbättras",
    )
    assert "t-test" in result.method
    assert result.n == 5 and result.years == tuple(YEARS)
    lower = trend_marker(y, polarity="lower")
    assert (lower.direction, lower.assessment, lower.label) == (
        "increasing",
        "worsening",
        "Försämras",
    )
    neutral = trend_marker(y, polarity="neutral")
    assert (neutral.assessment, neutral.label) == ("neutral", "Ökar")
    assert "<b>" in result._repr_html_()


def test_ols_not_significant() -> None:
    result = trend_marker(by_year([1, 3, 2, 4, 2]))
    assert result.direction == "no_change"
    assert abs(result.statistic) < result.threshold


def test_weighted_trend_hand_computed_chi2() -> None:
    # w = 1: S1=5, St=15, Sy=12, Stt=55, Sty=43 -> b = 35/50 = 0.7, SE² = 5/50, χ² = 4.9
    y = by_year([1, 2, 2, 3, 4])
    weak = trend_marker(y, se=pd.Series(1.0, index=YEARS))
    assert weak.slope == pytest.approx(0.7)
    assert weak.statistic == pytest.approx(4.9)
    assert weak.direction == "no_change"
    assert weak.reason.startswith("lutningen +0,70 per år (") and "inte statistiskt" in weak.reason
    assert "χ²" in weak.method and weak.threshold == CHI2_THRESHOLD
    # se = 0.5 -> w = 4: SE² = 20/800, χ² = 0.49/0.025 = 19.6
    strong = trend_marker(y, se=pd.Series(0.5, index=YEARS), polarity="lower")
    assert strong.statistic == pytest.approx(19.6)
    assert trend_marker(y, se=[0.5] * 5).statistic == pytest.approx(19.6)
    assert (strong.direction, strong.assessment) == ("increasing", "worsening")


def test_weighted_trend_matches_statsmodels_wls() -> None:
    y = by_year([3.0, 2.5, 2.7, 1.9, 1.2])
    se = pd.Series([0.2, 0.3, 0.1, 0.25, 0.4], index=YEARS)
    result = trend_marker(y, se=se)
    fit = sm.WLS(
        y.to_numpy(), sm.add_constant(np.arange(1.0, 6.0)), weights=1 / se.to_numpy() ** 2
    ).fit()
    assert result.slope == pytest.approx(fit.params[1])
    # Fingertips SE(b) assumes known variances: scale 1, not the residual variance
    expected_chi2 = (fit.params[1] / (fit.bse[1] / np.sqrt(fit.scale))) ** 2
    assert result.statistic == pytest.approx(expected_chi2)


def test_missing_se_falls_back_to_ols_and_says_so() -> None:
    result = trend_marker(
        by_year([1, 2, 3, 4, 5.5]), se=pd.Series([1, 1, np.nan, 1, 1], index=YEARS)
    )
    assert "t-test" in result.method and "standardfel saknas" in result.method


def test_leave_one_out_outlier_rule() -> None:
    # all points precise: the first point alone makes the slope negative
    y = by_year([10, 0, 1, 2, 3])
    result = trend_marker(y, se=pd.Series(0.1, index=YEARS))
    assert result.statistic > CHI2_THRESHOLD
    assert result.slope < 0
    assert result.direction == "no_change"
    assert result.reason == OUTLIER_REASON


def test_last_five_years_with_gap_cannot_be_calculated() -> None:
    y = pd.Series([1.0, 2, 3, 4, 5], index=[2017, 2018, 2020, 2021, 2022])
    result = trend_marker(y)
    assert result.direction == result.assessment == "cannot_calculate"
    assert "inte i följd" in result.reason and "2019" in result.reason
    assert result.label == "Kan inte beräknas"


def test_uses_last_five_years_with_data_ignoring_missing() -> None:
    y = by_year([100, 1, 2, 3, 4, 5, None])
    result = trend_marker(y)
    assert result.years == (2020, 2021, 2022, 2023, 2024)
    assert result.slope == pytest.approx(1.0)


def test_too_few_years_and_zero_variance() -> None:
    assert trend_marker(by_year([1, 2, 3, 4])).direction == "cannot_calculate"
    flat = trend_marker(by_year([2, 2, 2, 2, 2]))
    assert (flat.direction, flat.slope) == ("no_change", 0.0)
    perfect = trend_marker(by_year([1, 2, 3, 4, 5]))
    assert perfect.direction == "increasing"


def test_change_and_percentage_points() -> None:
    wide = pd.DataFrame({2019: [50.0, 0.0, np.nan], 2023: [55.0, 5.0, 3.0]}, index=["a", "b", "c"])
    out = change(wide, 2019, 2023, unit="%")
    assert out.loc["a", "absolute"] == 5
    assert out.loc["a", "percent"] == pytest.approx(10.0)
    assert out.loc["a", "percentage_points"] == 5
    assert np.isnan(out.loc["b", "percent"])
    assert np.isnan(out.loc["c", "absolute"])
    assert out["unit"].iloc[0] == "procentenheter"
    assert change(wide, 2019, 2023, unit="kr")["percentage_points"].isna().all()
    with pytest.raises(ParamsError, match="2020"):
        change(wide, 2020, 2023)


def test_rank_change_and_improvers() -> None:
    wide = pd.DataFrame(
        {2019: [1.0, 2, 3, 4], 2023: [5.0, 2, 2, np.nan]}, index=["a", "b", "c", "d"]
    )
    ranks = rank_change(wide, 2019, 2023)
    assert ranks.loc["a"].tolist() == [4, 1, 3]
    assert ranks.loc["b", "rank_end"] == ranks.loc["c", "rank_end"] == 2
    best = improvers(wide, 2019, 2023, "higher", n=2)
    assert list(best.index) == ["a", "b"]
    worst_first = improvers(wide, 2019, 2023, "lower", n=1)
    assert list(worst_first.index) == ["c"]
    with pytest.raises(ParamsError, match="neutral"):
        improvers(wide, 2019, 2023, "neutral")


def test_projection_on_and_off_track_with_prediction_interval() -> None:
    y = by_year([10, 11, 12.5, 13, 14])
    result = projection(y, target=20, target_year=2030)
    x = np.arange(2019.0, 2024.0)
    fit = sm.OLS(y.to_numpy(), sm.add_constant(x)).fit()
    pred = fit.get_prediction(np.array([[1.0, 2030.0]])).summary_frame(alpha=0.05)
    assert result.projected == pytest.approx(pred["mean"].iloc[0])
    assert result.lower == pytest.approx(pred["obs_ci_lower"].iloc[0])
    assert result.upper == pytest.approx(pred["obs_ci_upper"].iloc[0])
    assert result.status == "on_track"
    off = projection(y, target=30, target_year=2030)
    assert off.status == "off_track"
    assert off.required_slope == pytest.approx(16 / 7)
    assert "behöver öka med 2,3 per år" in off.reason
    assert projection(y, target=12, target_year=2030).status == "already_met"
    lower = projection(y, target=5, target_year=2030, polarity="lower")
    assert lower.status == "off_track" and "minska" in lower.reason
    gap = projection(
        pd.Series([1.0, 2, 3, 4, 5], index=[2015, 2016, 2018, 2019, 2020]),
        target=9,
        target_year=2030,
    )
    assert gap.status == "cannot_calculate"
    assert projection(y, 20, 2022).status == "cannot_calculate"


def test_exceptions_red_red_and_off_target() -> None:
    table = pd.DataFrame(
        {
            "kpi": ["A", "B", "C", "D"],
            "value": [1.0, 2.0, 3.0, 4.0],
            "colour": ["red", "red", "green", "red"],
            "trend": ["worsening", "no_change", "worsening", "worsening"],
        }
    )
    out = exceptions(table)
    assert list(out["kpi"]) == ["A", "D"]
    assert out["reason"].iloc[0] == "Rött och försämras"
    statuses = pd.Series({"A": "met", "D": "not_met"})
    out = exceptions(table, statuses)
    assert list(out["kpi"]) == ["D"]
    assert "når inte målet" in out["flags"].iloc[0]
    with pytest.raises(ParamsError, match="colour"):
        exceptions(table.drop(columns="colour"))


def gender_values() -> pd.DataFrame:
    rows = []
    for year, (k, m) in zip(YEARS, [(60, 50), (59, 51), (58, 52), (57, 53), (56, 54)], strict=True):
        for gender, value in (("K", k), ("M", m), ("T", (k + m) / 2)):
            rows.append(("N1", "0180", year, gender, float(value)))
        for code, gap in (("0181", 2.0), ("0182", -4.0), ("0183", 6.0)):
            rows.append(("N1", code, year, "K", 50 + gap))
            rows.append(("N1", code, year, "M", 50.0))
    rows.append(("N1", "0184", 2023, "K", 50.0))  # M missing
    return pd.DataFrame(rows, columns=["kpi", "municipality", "year", "gender", "value"])


def test_gender_gaps_trend_and_peers() -> None:
    gaps = gender_gaps(gender_values())
    focus = gaps[gaps["municipality"] == "0180"].set_index("year")["gap"]
    assert focus.tolist() == [10, 8, 6, 4, 2]
    assert np.isnan(gaps.loc[gaps["municipality"] == "0184", "gap"].iloc[0])
    trend = gap_trend(focus)
    assert trend.trend.direction == "decreasing" and trend.trend.assessment == "neutral"
    assert trend.narrowing is True and trend.label == "Skillnaden minskar"
    assert gap_trend(-focus).narrowing is True
    assert gap_trend(focus.iloc[::-1].set_axis(focus.index)).narrowing is False
    assert gap_trend(focus.iloc[:3]).label == "Trenden i skillnaden kan inte beräknas"
    peers = gap_versus_peers(gaps, "0180", ["0180", "0181", "0182", "0183", "0184"])
    row = peers.loc["N1"]
    assert row["year"] == 2023 and row["gap"] == 2
    assert row["peers_median"] == 2 and row["peers_count"] == 3
    assert row["difference"] == 0 and not row["larger_than_peers"]
    assert describe_gap(-3.25, "%") == "kvinnor 3,2 procentenheter lägre än män"
    assert describe_gap(2.0, "%", kpi="N15508") == "flickor 2,0 procentenheter högre än pojkar"
    assert describe_gap(0.0, "%", kpi="N00090") == "ingen skillnad mellan kvinnor och män"
    assert gender_gaps(gender_values().query("gender == 'T'")).empty


def test_on_demo_data_end_to_end() -> None:
    from analys.data import load_values
    from analys.reference import municipality_codes
    from analys.stats.compare import quartile_colours

    values = load_values(["N15428"], source="demo", genders=("T", "K", "M"))
    total = values[values["gender"] == "T"]
    latest = total[total["year"] == total["year"].max()].set_index("municipality")["value"]
    colours = quartile_colours(latest.reindex(municipality_codes()), polarity="higher")
    shares = colours["colour"].value_counts(normalize=True)
    assert 0.2 < shares.get("green", 0) < 0.3 and 0.2 < shares.get("red", 0) < 0.3
    series = total[total["municipality"] == "0180"].set_index("year")["value"]
    marker = trend_marker(series, polarity="higher")
    assert marker.direction in ("increasing", "decreasing", "no_change")
    assert marker.n == 5 and marker.years[-1] == int(series.dropna().index.max())
    gaps = gender_gaps(values)
    stockholm = gaps[gaps["municipality"] == "0180"].set_index("year")["gap"]
    assert gap_trend(stockholm).label
    assert not gap_versus_peers(gaps, "0180", municipality_codes()).empty


def test_judgement_table_and_red_red_from_values() -> None:
    from analys.stats.redred import judgement_table, red_red

    rows = []
    for year in YEARS:
        for i in range(8):
            code = f"{1000 + i}"
            # A: 1000 is the worst and falls every year; B: 1000 is the best and flat
            a = 10.0 + i if code != "1000" else 5.0 - (year - 2019)
            rows.append(("A", code, year, "T", a))
            rows.append(("B", code, year, "T", 1.0 if code == "1000" else 5.0 + i))
    rows.append(("A", "0000", 2023, "T", -100.0))  # Riket is never compared
    values = pd.DataFrame(rows, columns=["kpi", "municipality", "year", "gender", "value"])
    table = judgement_table(values, "1000", {"A": "higher", "B": "lower", "C": "higher"})
    a, b, c = (table.set_index("kpi").loc[k] for k in "ABC")
    assert (a["colour"], a["trend"], a["rank"], a["year"]) == ("red", "worsening", 8, 2023)
    assert (b["colour"], b["trend"]) == ("green", "no_change")
    assert (c["colour"], c["trend"]) == ("grey", "cannot_calculate")
    listed = red_red(values, "1000", {"A": "higher", "B": "lower"})
    assert listed["kpi"].tolist() == ["A"]
    assert red_red(values, "1000", {"A": "higher"}, statuses=pd.Series({"A": "met"})).empty
    peers_only = judgement_table(values, "1000", {"A": "higher"}, codes=["1001", "1002"])
    assert peers_only["colour"].iloc[0] == "none"  # fewer than 4 values


def test_the_marker_of_arrays_is_the_marker_of_the_series() -> None:
    """``trend_marker_of`` (a units table's many trends) decides as ``trend_marker`` does."""
    from analys.stats.trend import trend_marker_of

    rng = np.random.default_rng(7)
    cases = [
        (np.arange(2015, 2024), np.arange(9.0) * 2 + rng.normal(0, 0.3, 9)),
        (np.array([2016, 2018, 2019, 2020, 2021, 2022]), rng.normal(50, 5, 6)),
        (np.arange(2019, 2024), np.full(5, 3.0)),
        (np.arange(2020, 2023), np.array([1.0, 2.0, 3.0])),
        (np.arange(2017, 2024), np.array([1.0, np.nan, 2, 3, 4, 5, 6])),
    ]
    for years, values in cases:
        for polarity in ("higher", "lower", "neutral"):
            series = pd.Series(values, index=years)
            assert trend_marker_of(years, values, polarity) == trend_marker(series, polarity)
