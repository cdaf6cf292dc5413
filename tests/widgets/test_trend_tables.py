"""Tests of analys.widgets.trend_tables and trend_units.unit_history: what the trend explorer
computes and writes, without widgets or a session's source."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analys.errors import AnalysError
from analys.stats import compare
from analys.stats.trend import trend_marker
from analys.widgets.trend_tables import (
    TrendChoice,
    chosen_wide,
    marker_text,
    peer_codes,
    peer_phrase,
    table_text,
    value_table,
)
from analys.widgets.trend_units import unit_history

YEARS = [2021, 2022, 2023]


def choice(**changes) -> TrendChoice:
    base = TrendChoice("N15507", "1880", "K", "skr", (), "T", 2021, 2023)
    return TrendChoice(**{**base.__dict__, **changes})


def wide() -> pd.DataFrame:
    rows = {
        "1880": [220.0, 225.0, 230.0],
        "1881": [200.0, 210.0, 215.0],
        "1882": [240.0, 235.0, 250.0],
        "1883": [210.0, np.nan, 205.0],
        "0000": [222.0, 224.0, 226.0],  # Riket
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=YEARS)


class FakeSession:
    label = "Demodata"

    def __init__(self, table: pd.DataFrame, genders=("T",)) -> None:
        self.table = table
        self.genders = genders

    def frame(self, kpi: str) -> pd.DataFrame:
        long = self.table.stack().rename("value").reset_index()
        long.columns = ["municipality", "year", "value"]
        return pd.concat([long.assign(gender=g) for g in self.genders], ignore_index=True)

    def wide(self, kpi: str, gender: str = "T") -> pd.DataFrame:
        return self.table


def test_value_table_per_year_with_peers_riket_rank_and_colour():
    table = wide()

    def ranks(year: int) -> pd.DataFrame:
        return compare.quartile_colours(table[year].drop("0000").dropna(), "higher")

    result = value_table(choice(), table, ["1881", "1882"], ranks)
    assert list(result.index) == YEARS and result.index.name == "År"
    assert list(result["Värde"]) == [220.0, 225.0, 230.0]
    assert list(result["Jämförelsegruppens median"]) == [220.0, 222.5, 232.5]
    assert list(result["Riket"]) == [222.0, 224.0, 226.0]
    assert result.loc[2022, "Rang"] == "2 av 3"  # 1883 has no value in 2022
    assert result.loc[2021, "Rang"] == "2 av 4"


def test_chosen_wide_cuts_the_years_and_says_why_not():
    session = FakeSession(wide())
    assert list(chosen_wide(session, choice(first=2022)).columns) == [2022, 2023]
    with pytest.raises(AnalysError, match="redovisas inte uppdelat på kön"):
        chosen_wide(session, choice(gender="K"))
    with pytest.raises(AnalysError, match="inga värden 2015–2018.*2021–2023"):
        chosen_wide(session, choice(first=2015, last=2018))
    with pytest.raises(AnalysError, match="inga värden för .* 2021–2023"):
        chosen_wide(session, choice(municipality="1884"))


def test_peer_codes_the_own_list_or_the_group():
    own = choice(peers="egen", own=("1880", "1881"))
    assert peer_codes(own, FakeSession(wide())) == ["1881"]  # never the focus itself
    with pytest.raises(AnalysError, match="Välj minst en kommun i listan Egen lista"):
        peer_codes(choice(peers="egen", own=("1880",)), FakeSession(wide()))
    county = peer_codes(choice(peers="lan"), FakeSession(wide()))  # no groups needed
    assert "1881" in county and "1880" not in county and len(county) == 11


def test_texts_name_the_group_and_escape():
    peers = ["1881", "1882"]
    assert peer_phrase(choice(), peers).endswith("(2 st)")
    assert peer_phrase(choice(peers="egen"), peers) == "egen lista (2 st)"
    assert peer_phrase(choice(kind="L"), peers) == "alla regioner (2 st)"
    marker = trend_marker(pd.Series([1.0, 2, 3, 4, 5], index=range(2019, 2024)), "higher")
    html = marker_text(choice(gender="K"), peers, marker)
    assert "Örebro" in html and ", flickor, 2021–2023" in html and marker.label in html
    table = pd.DataFrame(
        {
            "Värde": [1.5],
            "Jämförelsegruppens median": [2.0],
            "Riket": [np.nan],
            "Rang": ["1 av 2"],
            "Kvartilsfärg": ["<b>"],
        },
        index=pd.Index([2023], name="År"),
    )
    text = table_text(choice(), table, "demo")
    assert "&lt;b&gt;" in text and "bland alla kommuner" in text and "Demodata" in text


def test_unit_history_ranks_the_unit_in_its_town_and_the_country():
    values = pd.DataFrame(
        {
            "ou": ["A", "B", "C", "D"] * 2,
            "municipality": ["1880", "1880", "1880", "0180"] * 2,
            "year": [2022] * 4 + [2023] * 4,
            "value": [80.0, 70.0, 60.0, 90.0, 85.0, 75.0, np.nan, 95.0],
            "kpi": "N15507",
        }
    )
    kinds = pd.Series({"A": "V15", "B": "V15", "C": "V11", "D": "V15"})

    def judged(year: int):
        part = values[(values["year"] == year) & values["ou"].isin(["A", "B", "D"])]
        series = part.set_index("ou")["value"]
        return series, compare.quartile_colours(series, "higher")

    table = unit_history(values, kinds, "A", choice(), judged)
    assert list(table.index) == [2022, 2023]
    assert table.loc[2022, "Värde"] == 80.0
    assert table.loc[2022, "Kommunens övriga enheter (median)"] == 70.0  # B; C is a V11
    assert table.loc[2022, "Landets enheter (median)"] == 80.0  # A, B, D
    assert table.loc[2022, "Rang i kommunen"] == "1 av 2"  # C is another kind
    assert table.loc[2022, "Rang i landet"] == "2 av 3"
    assert unit_history(values, kinds, "A", choice(first=2030, last=2031), judged).empty
