"""Tests of analys.stats.model and analys.stats.drivers: expected values, learn from, drivers, panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analys.errors import AnalysError, ParamsError
from analys.stats.drivers import drivers, panel, panel_frame
from analys.stats.model import expected_in_year, expected_values, learn_from, residual_ranking


def codes(n: int) -> list[str]:
    return [f"{i:04d}" for i in range(1, n + 1)]


@pytest.fixture
def cross_section() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 80
    frame = pd.DataFrame({"A": rng.normal(10, 2, n), "B": rng.normal(0, 1, n)}, index=codes(n))
    frame["Y"] = 3 + 1.5 * frame["A"] - 2 * frame["B"] + rng.normal(0, 1, n)
    frame.loc["0002", "B"] = np.nan
    frame.loc["0005", "Y"] = np.nan
    return frame


def test_expected_values_match_statsmodels_and_loo_by_refitting(cross_section) -> None:
    result = expected_values(cross_section, "Y", ["A", "B"])
    complete = cross_section.dropna()
    fit = sm.OLS(complete["Y"], sm.add_constant(complete[["A", "B"]])).fit()
    assert result.n == len(complete) == 78
    assert result.dropped == ("0002", "0005")
    assert result.r2 == pytest.approx(fit.rsquared)
    table = result.table
    assert list(table.columns[:4]) == ["actual", "expected", "residual", "loo_residual"]
    np.testing.assert_allclose(table["expected"], fit.fittedvalues)
    np.testing.assert_allclose(table["residual"], complete["Y"] - fit.fittedvalues)
    # leave-one-out residual: refit without the municipality and predict it
    code = "0010"
    rest = complete.drop(index=code)
    refit = sm.OLS(rest["Y"], sm.add_constant(rest[["A", "B"]])).fit()
    row = complete.loc[code]
    predicted = refit.params["const"] + refit.params["A"] * row["A"] + refit.params["B"] * row["B"]
    assert table.loc[code, "loo_residual"] == pytest.approx(row["Y"] - predicted)
    assert result.coefficients.loc["A", "coef"] == pytest.approx(fit.params["A"])
    assert "R²" in result._repr_html_()


def test_expected_values_hand_computed_line() -> None:
    frame = pd.DataFrame({"X": [0.0, 1, 2, 3], "Y": [1.0, 3, 5, 8]}, index=codes(4))
    result = expected_values(frame, "Y", "X")
    # slope = Σ(x−1.5)(y−4.25)/Σ(x−1.5)² = 11.5/5 = 2.3, intercept = 4.25 − 3.45 = 0.8
    assert result.table["expected"].tolist() == pytest.approx([0.8, 3.1, 5.4, 7.7])
    assert result.table["residual"].tolist() == pytest.approx([0.2, -0.1, -0.4, 0.3])


def test_expected_values_errors() -> None:
    frame = pd.DataFrame(
        {
            "A": [1.0, 2, 3, 4, 5, 6],
            "B": [2.0, 4, 6, 8, 10, 12],
            "C": [1.0] * 6,
            "Y": [1.0, 3, 2, 5, 4, 6],
        },
        index=codes(6),
    )
    with pytest.raises(ParamsError, match=r"B är en exakt linjär kombination av A"):
        expected_values(frame, "Y", ["A", "B"])
    with pytest.raises(ParamsError, match="C varierar inte"):
        expected_values(frame, "Y", ["C"])
    with pytest.raises(ParamsError, match="för få kommuner"):
        expected_values(frame.iloc[:3], "Y", ["A"])
    with pytest.raises(ParamsError, match="saknas i data: Z"):
        expected_values(frame, "Y", ["Z"])
    with pytest.raises(ParamsError, match="kan inte också"):
        expected_values(frame, "Y", ["Y"])


def test_learn_from_reads_polarity(cross_section) -> None:
    result = expected_values(cross_section, "Y", ["A", "B"])
    loo = result.table["loo_residual"]
    peers = ["0001", "0003", "0004", "0006", "0007", "0008", "0002", "9999"]
    best = learn_from(result, peers, n=3)
    known = loo.reindex(peers).dropna()
    expected = known[known > 0].sort_values(ascending=False).index[:3].tolist()
    assert best.index.tolist() == expected
    assert (best["better_than_expected"] > 0).all()
    lower = learn_from(result, peers, n=10, polarity="lower")
    assert lower.index.tolist() == known[known < 0].sort_values().index.tolist()
    with pytest.raises(ParamsError, match="neutral"):
        learn_from(result, peers, polarity="neutral")


def test_drivers_against_statsmodels_hc3(cross_section) -> None:
    result = drivers(cross_section, "Y", ["A", "B"])
    complete = cross_section.dropna()
    fit = sm.OLS(complete["Y"], sm.add_constant(complete[["A", "B"]])).fit(
        cov_type="HC3", use_t=True
    )
    table = result.coefficients.set_index("kpi")
    np.testing.assert_allclose(table["coef"], fit.params[["A", "B"]])
    np.testing.assert_allclose(table["se"], fit.bse[["A", "B"]])
    np.testing.assert_allclose(table["ci_low"], fit.conf_int().loc[["A", "B"], 0])
    np.testing.assert_allclose(table["p"], fit.pvalues[["A", "B"]])
    # beta: the coefficient of the regression on z-scores
    z = (complete - complete.mean()) / complete.std(ddof=1)
    zfit = sm.OLS(z["Y"], sm.add_constant(z[["A", "B"]])).fit()
    np.testing.assert_allclose(table["beta"], zfit.params[["A", "B"]])
    # VIF with two drivers = 1 / (1 − r²)
    r = np.corrcoef(complete["A"], complete["B"])[0, 1]
    np.testing.assert_allclose(table["vif"], 1 / (1 - r**2))
    cooks = sm.OLS(complete["Y"], sm.add_constant(complete[["A", "B"]])).fit()
    cooks = cooks.get_influence().cooks_distance[0]
    np.testing.assert_allclose(result.influence["cooks_d"], cooks)
    assert (result.influence["influential"] == (cooks > 4 / 78)).all()
    assert result.r2_adj < result.r2 and result.n == 78
    assert result.warnings == ()
    assert result.intercept == pytest.approx(fit.params["const"])
    assert table.loc["A", "ci_low"] < 1.5 < table.loc["A", "ci_high"]
    assert "HC3" in result._repr_html_()


def test_drivers_log_standardise_and_warnings(cross_section) -> None:
    frame = cross_section.assign(C=cross_section["A"] + np.linspace(0, 0.5, 80))
    result = drivers(frame, "Y", ["A", "C"], log=["A"], standardise=False)
    assert result.coefficients["beta"].isna().all()
    texts = " ".join(result.warnings)
    assert "Hög VIF för A" in texts and "Hög VIF för C" in texts
    small = drivers(cross_section.iloc[:12], "Y", ["A", "B"])
    assert any("Få kommuner" in w for w in small.warnings)
    with pytest.raises(ParamsError, match="≤ 0"):
        drivers(cross_section, "Y", ["A", "B"], log=["B"])
    with pytest.raises(ParamsError, match="exakt linjär kombination"):
        drivers(frame.assign(D=2 * frame["A"] - frame["B"]), "Y", ["A", "B", "D"])


def panel_values() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for m in range(40):
        level = rng.normal(0, 5)
        for year in range(2015, 2023):
            x1, x2 = rng.normal(m / 10, 1), rng.normal(0, 1)
            y = 0.8 * x1 - 1.2 * x2 + level + 0.3 * (year - 2015) + rng.normal(0, 0.5)
            for kpi, value in (("X1", x1), ("X2", x2), ("Y", y)):
                rows.append((kpi, f"{m:04d}", year, "T", value))
    return pd.DataFrame(rows, columns=["kpi", "municipality", "year", "gender", "value"])


def test_panel_matches_formula_fit_with_clusters() -> None:
    values = panel_values()
    result = panel(values, "Y", ["X1", "X2"])
    wide = panel_frame(values)
    fit = smf.ols("Y ~ X1 + X2 + C(municipality) + C(year)", data=wide).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(wide["municipality"])[0]}
    )
    table = result.coefficients.set_index("kpi")
    np.testing.assert_allclose(table["coef"], fit.params[["X1", "X2"]], rtol=1e-8)
    np.testing.assert_allclose(table["se"], fit.bse[["X1", "X2"]], rtol=1e-8)
    assert result.n == 320 and result.municipalities == 40
    assert result.years == tuple(range(2015, 2023))
    assert table.loc["X2", "ci_low"] < -1.2 < table.loc["X2", "ci_high"]
    assert "klustrade" in result._repr_html_()
    assert result.n_groups == 40
    logged = panel(wide.assign(X3=np.exp(wide["X1"])), "Y", ["X3", "X2"], log=["X3"])
    np.testing.assert_allclose(logged.coefficients["coef"], table["coef"], rtol=1e-8)


def test_panel_time_invariant_driver_is_collinear_with_fixed_effects() -> None:
    wide = panel_frame(panel_values())
    wide["S"] = wide["municipality"].astype(int) * 1.0
    with pytest.raises(ParamsError, match="S varierar inte"):
        panel(wide, "Y", ["X1", "S"])


def test_drivers_recover_demo_truth() -> None:
    from analys import demo
    from analys.data import load_values
    from analys.frame import wide

    truth = demo.truth()
    assert truth, "demo.truth() är tom"
    checked = 0
    for outcome, spec in truth.items():
        coefficients = spec["coefficients"]
        values = load_values([outcome, *coefficients], years=[spec["year"]], source="demo")
        frame = wide(values[values["gender"] == "T"])
        result = drivers(frame, outcome, list(coefficients), standardise=False)
        table = result.coefficients.set_index("kpi")
        for kpi, b in coefficients.items():
            assert table.loc[kpi, "ci_low"] <= b <= table.loc[kpi, "ci_high"], (
                outcome,
                kpi,
                b,
                table.loc[kpi].to_dict(),
            )
            checked += 1
    assert checked > 0


def test_panel_recovers_demo_truth() -> None:
    from analys import demo
    from analys.data import load_values

    outcome = "N15428"
    coefficients = demo.truth()[outcome]["coefficients"]
    values = load_values([outcome, *coefficients], source="demo")
    result = panel(values, outcome, list(coefficients))
    table = result.coefficients.set_index("kpi")
    for kpi, b in coefficients.items():
        assert table.loc[kpi, "ci_low"] <= b <= table.loc[kpi, "ci_high"], (kpi, b)
    assert result.municipalities >= 290 and len(result.years) >= 10


# -- the report's and the driver explorer's ranking ------------------------------------------


def test_residual_ranking_best_first_by_direction() -> None:
    table = pd.DataFrame(
        {"actual": [1.0, 2, 3, 4], "loo_residual": [0.5, -2.0, np.nan, 1.5]},
        index=["a", "b", "c", "d"],
    )
    higher = residual_ranking(table, "higher")
    assert list(higher.index) == ["d", "a", "b", "c"]  # no residual: last
    assert list(higher["rank"]) == [1, 2, 3, 4]
    assert higher.loc["b", "score"] == -2.0 and higher.loc["b", "actual"] == 2.0
    lower = residual_ranking(table, "lower")  # a negative residual is better
    assert list(lower.index) == ["b", "a", "d", "c"]
    assert lower.loc["b", "score"] == 2.0


def test_residual_ranking_neutral_is_largest_deviation_with_its_sign() -> None:
    table = pd.DataFrame({"loo_residual": [0.5, -2.0, 1.5, 2.0]}, index=["a", "b", "c", "d"])
    ranked = residual_ranking(table, "neutral")
    assert list(ranked.index) == ["b", "d", "c", "a"]  # |−2| ties |2|: the table's order
    assert list(ranked["score"]) == [-2.0, 2.0, 1.5, 0.5]
    with pytest.raises(ParamsError, match="polarity"):
        residual_ranking(table, "up")


def test_expected_in_year_uses_the_year_the_totals_and_the_codes(cross_section) -> None:
    long = cross_section.rename_axis("municipality").reset_index()
    long = long.melt(id_vars="municipality", var_name="kpi", value_name="value")
    frames = [
        long.assign(year=2024, gender="T"),
        long.assign(year=2023, gender="T", value=long["value"] * 3),  # another year
        long.assign(year=2024, gender="K", value=long["value"] * 5),  # another gender
    ]
    data = pd.concat(frames, ignore_index=True)
    codes = list(cross_section.index[:-5])  # five units outside the population
    result = expected_in_year(data, "Y", ["A", "B"], year=2024, codes=codes)
    direct = expected_values(cross_section.loc[codes], "Y", ["A", "B"])
    assert result.n == direct.n == len(codes) - 2  # 0002 and 0005 lack a value
    assert result.dropped == direct.dropped
    pd.testing.assert_frame_equal(result.table, direct.table, check_names=False)
    with pytest.raises(AnalysError, match="inga värden 2022 för Y, A, B"):
        expected_in_year(data, "Y", ["A", "B"], year=2022, codes=codes)
