"""Tests of analys.stats.gender.gap_summary: what the report's section *Kön* says, unworded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analys.stats.gender import gap_summary
from analys.stats.trend import NO_TEST_LABEL


def gaps() -> pd.DataFrame:
    rows = []
    for year in range(2018, 2025):
        for code, base in (("A", 4.0), ("B", 1.0), ("C", -1.0), ("D", 2.0), ("R", 9.0)):
            gap = base + (year - 2018) * (0.5 if code == "A" else 0.0)
            rows.append({"kpi": "N1", "municipality": code, "year": year, "gap": gap})
        rows.append({"kpi": "N2", "municipality": "B", "year": year, "gap": 1.0})
    rows.append({"kpi": "N3", "municipality": "R", "year": 2024, "gap": 3.0})  # outside codes
    frame = pd.DataFrame(rows)
    frame.loc[(frame["municipality"] == "A") & (frame["year"] == 2024), "gap"] = np.nan
    return frame


def test_gap_against_peers_and_trend_in_the_report_year():
    table = gap_summary(gaps(), ["N1", "N3"], "A", ["B", "C", "D"], codes=list("ABCD"), year=2023)
    assert list(table.index) == ["N1"]  # N3 has gaps only outside the units of the type
    row = table.loc["N1"]
    assert row["year"] == 2023 and row["has_value"] and row["last_year"] == 2023
    assert row["gap"] == pytest.approx(6.5) and row["peers_median"] == pytest.approx(1.0)
    assert row["peers_count"] == 3 and bool(row["larger_than_peers"])
    assert row["trend"] == "Skillnaden ökar"


def test_a_gap_missing_in_the_year_names_the_last_year_and_nothing_else():
    table = gap_summary(gaps(), ["N2", "N1"], "A", ["B", "C"], codes=list("ABCD"))
    assert list(table.index) == ["N2", "N1"]  # the order asked for
    missing = table.loc["N1"]  # the latest year with any gap is 2024; A has none then
    assert missing["year"] == 2024 and not missing["has_value"] and missing["last_year"] == 2023
    assert np.isnan(missing["gap"]) and missing["trend"] == ""
    never = table.loc["N2"]  # only B has N2
    assert not never["has_value"] and np.isnan(never["last_year"])


def test_a_multi_year_mean_gets_no_trend_test():
    table = gap_summary(
        gaps(), ["N1"], "A", ["B"], codes=list("ABCD"), year=2023, averaged_years={"N1": 3}
    )
    assert table.loc["N1", "trend"] == NO_TEST_LABEL
