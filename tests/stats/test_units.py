"""Unit analysis (analys.stats.units) against independent hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import analys
from analys.goals import Target
from analys.stats import salsa as salsa_mod
from analys.stats import units as U

YEARS = list(range(2020, 2025))


def frame(rows: list[tuple]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["kpi", "ou", "municipality", "year", "value", "count"])
    out["gender"], out["status"] = "T", ""
    return out


@pytest.fixture
def catalogue() -> pd.DataFrame:
    ids = [f"V15E{i:08d}" for i in range(1, 11)]
    return pd.DataFrame(
        {
            "id": ids,
            "title": [f"Skola {chr(64 + i)}" for i in range(1, 11)],
            "municipality": ["1880"] * 5 + ["1814"] * 5,
            "activity": "V15",
        }
    )


@pytest.fixture
def values(catalogue) -> pd.DataFrame:
    """Ten schools, 2020–2024: latest values 50, 55, …, 95; school 1 rises steadily; school
    3 is small (10 pupils) with 2022–2024 = 60, 70, 80; school 5 is small with one year."""
    rows = []
    for i, ou in enumerate(catalogue["id"]):
        municipality = catalogue["municipality"].iloc[i]
        for year in YEARS:
            value = 50.0 + 5 * i + (0.3 if (year + i) % 2 else -0.3)
            count = 40
            if i == 0:
                value = 40.0 + 2.5 * (year - 2020)  # 40 … 50, steadily better
            if i == 2:
                value = {2022: 60.0, 2023: 70.0, 2024: 80.0}.get(year, np.nan)
                count = 10
            if i == 4:
                if year != 2024:
                    continue
                value, count = 70.0, 8
            rows.append(("N15813", ou, municipality, year, value, count))
    return frame(rows).dropna(subset=["value"])


def test_colours_and_ranks_match_an_independent_quartile_computation(values, catalogue):
    table = U.unit_table(values, catalogue, "N15813", "1880", 2024, polarity="higher")
    assert list(table.columns) == U.UNIT_COLUMNS
    assert set(table["ou"]) == set(catalogue["id"][:5])
    latest = values[values["year"] == 2024].set_index("ou")["value"]
    # the small school is judged on its 2022–2024 mean, the single-year one not at all
    judged = latest.copy()
    judged["V15E00000003"] = np.mean([60.0, 70.0, 80.0])
    judged = judged.drop("V15E00000005")
    q1, q3 = np.quantile(judged.to_numpy(), [0.25, 0.75])
    for row in table.itertuples():
        if row.ou == "V15E00000005":
            assert row.colour == "none" and np.isnan(row.judged_value)
            assert row.note == U.NOT_JUDGED
            continue
        x = judged[row.ou]
        expected = "green" if x >= q3 else "red" if x <= q1 else "yellow"
        assert row.colour == expected, row.ou
        assert row.margin == pytest.approx(min(abs(x - q1), abs(x - q3)))
        assert row.rank_sweden == 1 + (judged > x).sum()
        mine = judged[[o for o in catalogue["id"][:5] if o in judged.index]]
        assert row.rank_municipality == 1 + (mine > x).sum()
    small = table.set_index("ou").loc["V15E00000003"]
    assert small["small"] and small["basis"] == "medel 2022–2024"
    assert small["judged_value"] == pytest.approx(70.0)
    assert table["count_sweden"].iloc[0] == 9 and table["count_municipality"].iloc[0] == 4


def test_trend_and_target_gap(values, catalogue):
    table = U.unit_table(
        values, catalogue, "N15813", "1880", 2024, target=Target("value", value=60.0)
    ).set_index("ou")
    assert table.loc["V15E00000001", "trend"] == "improving"
    assert table.loc["V15E00000003", "trend"] == "cannot_calculate"  # three years only
    assert table.loc["V15E00000002", "target_gap"] == pytest.approx(
        values.query("ou == 'V15E00000002' and year == 2024")["value"].iloc[0] - 60
    )
    lower = U.unit_table(
        values, catalogue, "N15813", "1880", 2024, polarity="lower", target=Target("value", 60)
    ).set_index("ou")
    assert lower.loc["V15E00000001", "trend"] == "worsening"
    assert lower.loc["V15E00000001", "target_gap"] == pytest.approx(60 - 50.0)
    ranged = Target("range", low=52.0, high=58.0)
    assert U.target_gap(55.0, ranged, "higher") == 0.0
    assert U.target_gap(50.0, ranged, "higher") == pytest.approx(-2.0)
    assert U.target_gap(61.0, ranged, "higher") == pytest.approx(-3.0)
    assert np.isnan(U.target_gap(55.0, Target("national"), "higher"))


def test_a_neutral_kpi_gets_the_palette_without_judgement(values, catalogue):
    """Neutral units are higher or lower than the others (blue/orange), never better or
    worse: the same quartile cuts on the values themselves as a higher-is-better KPI."""
    judged = U.unit_table(values, catalogue, "N15813", "1814", 2024, polarity="higher")
    neutral = U.unit_table(values, catalogue, "N15813", "1814", 2024, polarity="neutral")
    words = {"green": "high", "yellow": "middle", "red": "low", "none": "none", "grey": "grey"}
    expected = judged.set_index("ou")["colour"].map(words)
    assert neutral.set_index("ou")["colour"].to_dict() == expected.to_dict()
    assert set(neutral["colour"]) & {"high", "low"}
    assert not set(neutral["colour"]) & {"green", "yellow", "red"}
    text = " ".join(U.standouts(neutral, "Kostnad", limit=5))
    assert "bästa" not in text and "sämsta" not in text
    for colour, word in (("high", "högsta"), ("low", "lägsta")):
        titles = neutral.loc[neutral["colour"] == colour, "title"]
        assert all(t in text for t in titles)
        if len(titles):
            assert f"till den {word} fjärdedelen av landets enheter (ingen värdering" in text


def test_spread_best_worst_and_change(values):
    table = U.spread(values, "N15813", "1880", polarity="higher")
    for year, group in values[values["municipality"] == "1880"].groupby("year"):
        if len(group) < 2:
            assert year not in table.index
            continue
        row = table.loc[year]
        assert row["best"] == group["value"].max() and row["worst"] == group["value"].min()
        assert row["range"] == pytest.approx(group["value"].max() - group["value"].min())
        q1, q3 = np.percentile(group["value"], [25, 75])
        assert row["iqr"] == pytest.approx(q3 - q1)
        assert row["n"] == len(group)
    change = U.spread_change(table)
    assert change["first_year"] == 2020 and change["latest_year"] == 2024
    assert change["range_change"] == pytest.approx(
        table.loc[2024, "range"] - table.loc[2020, "range"]
    )
    lower = U.spread(values, "N15813", "1880", polarity="lower")
    assert (lower["best"] == table["worst"]).all()
    assert U.spread_change(table.iloc[:1]) == {}


def test_salsa_table_reads_without_ranking(catalogue):
    rows = []
    deviations = {1: (12, 10, 14), 2: (-9, -7, -8), 3: (2, -1, 1), 4: (None, None, 20)}
    for i, devs in deviations.items():
        ou = f"V15E{i:08d}"
        for year, deviation in zip((2022, 2023, 2024), devs, strict=True):
            if deviation is None:
                continue
            modelled = 220.0 + i
            rows += [
                ("U15416", ou, "1880", year, float(deviation), 30),
                ("U15415", ou, "1880", year, modelled, 30),
                ("N15504", ou, "1880", year, modelled + deviation, 30),
            ]
    table = salsa_mod.salsa_table(frame(rows), catalogue, "1880", 2024)
    assert list(table["title"]) == sorted(table["title"])  # by name, never by deviation
    assert "rank" not in " ".join(table.columns)
    by = table.set_index("ou")
    assert by.loc["V15E00000001", "deviation_mean"] == pytest.approx(12.0)
    assert by.loc["V15E00000001", "reading"] == "över förväntan"
    assert by.loc["V15E00000002", "reading"] == "under förväntan"
    assert by.loc["V15E00000003", "reading"] == "som förväntat"
    assert by.loc["V15E00000004", "reading"] == "osäkert"  # a single year
    assert (by["actual"] == by["modelled"] + by["deviation"]).all()
    assert "rangordna" in salsa_mod.SALSA_CAUTION


def test_standouts_name_judged_units_only(values, catalogue):
    table = U.unit_table(values, catalogue, "N15813", "1814", 2024)
    sentences = U.standouts(table, "Behöriga lärare", limit=5)
    text = " ".join(sentences)
    greens = table.loc[table["colour"] == "green", "title"]
    reds = table.loc[table["colour"] == "red", "title"]
    assert all(t in text for t in greens) and all(t in text for t in reds)
    assert "bästa fjärdedelen" in text
    assert U.standouts(table.iloc[0:0], "x") == []


def test_unit_kpis_adds_salsa_companions():
    catalogue = analys.load_kpis()
    assert U.unit_kpis(["N15507", "U15416", "N15813"], catalogue) == [
        "U15416",
        "N15813",
        "U15415",
        "N15504",
    ]


def test_demo_municipality_has_a_full_unit_table():
    kpis = ["N15813", "U15416", "U15415", "N15504"]
    values = analys.load_unit_values(kpis)
    catalogue = analys.load_units()
    table = U.unit_table(values, catalogue, "N15813", "1880", 2024)
    assert len(table) > 30 and table["count_sweden"].iloc[0] > 3000
    assert {"green", "yellow", "red"} <= set(table["colour"])
    salsa = salsa_mod.salsa_table(values, catalogue, "1880", 2024)
    assert len(salsa) > 10 and set(salsa["reading"]) >= {"över förväntan", "under förväntan"}


def test_salsa_deviation_is_never_ranked_or_coloured():
    values = analys.load_unit_values(["U15416"])
    table = U.unit_table(values, analys.load_units(), "U15416", "1880", 2024)
    assert len(table) > 10
    assert set(table["colour"]) == {"none"}
    assert table[["rank_sweden", "rank_municipality"]].isna().all().all()
    assert not any("fjärdedel" in line for line in U.standouts(table, "SALSA"))


def test_latest_years_tell_a_unit_with_old_values(values, catalogue):
    # school 2 (V15E00000002) closed after 2021; the others have values to 2024
    old = values[~((values["ou"] == "V15E00000002") & (values["year"] > 2021))]
    assert U.latest_years(old, catalogue, "V15E00000002") == (2021, 2024)
    assert U.latest_years(old, catalogue, "V15E00000001") == (2024, 2024)
    assert U.latest_years(old, catalogue, "V15E00000002", year=2021) == (2021, 2021)
    other_kind = catalogue.assign(activity=["V15"] * 9 + ["V11"])
    later = frame([("N11102", "V15E00000010", "1814", 2025, 5.0, 40)])
    # a unit of another kind with a later year does not make the school's values old
    assert U.latest_years(pd.concat([old, later]), other_kind, "V15E00000001") == (2024, 2024)
    assert U.latest_years(old, catalogue, "V15E99999999") == (None, None)


def test_unit_salsa_is_the_schools_latest_salsa_year_up_to_the_report_year(catalogue):
    rows = []
    for year, deviation in ((2021, 6.0), (2022, 8.0), (2023, 10.0), (2025, 4.0)):
        for kpi, value in (("U15416", deviation), ("U15415", 230.0), ("N15504", 230 + deviation)):
            rows.append((kpi, "V15E00000001", "1880", year, value, 30))
    rows.append(("U15416", "V15E00000002", "1880", 2024, 1.0, 30))  # 2024 exists elsewhere
    data = frame(rows)
    row = salsa_mod.unit_salsa(data, catalogue, "V15E00000001", 2024)
    assert row["year"] == 2023 and row["deviation"] == 10.0
    assert row["deviation_mean"] == pytest.approx(8.0) and row["reading"] == "över förväntan"
    assert salsa_mod.unit_salsa(data, catalogue, "V15E00000001")["year"] == 2025
    assert salsa_mod.unit_salsa(data, catalogue, "V15E00000001", 2020) is None
    assert salsa_mod.unit_salsa(data, catalogue, "V15E00000003") is None
