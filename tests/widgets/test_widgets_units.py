"""The trend explorer's unit level (kommun / enhet), driven from code."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import analys
from analys.chartstyle import FOCUS
from analys.stats import units as U
from analys.widgets import TrendExplorer

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def explorer() -> TrendExplorer:
    trend = TrendExplorer(source="demo", municipality="1880")
    trend.controls["level"].value = "enhet"
    trend.controls["kpi"].value = "N15813"
    return trend


def _focus_line(explorer: TrendExplorer) -> pd.Series:
    """The unit's own line (drawn in the focus colour): y by year, NaN where it breaks."""
    found = [
        pd.Series(np.asarray(line.get_ydata(), dtype=float), index=line.get_xdata())
        for line in explorer.figure.axes[0].get_lines()
        if to_hex(line.get_color()) == FOCUS and len(line.get_ydata())
    ]
    assert len(found) == 1
    return found[0]


def test_unit_level_lists_only_unit_kpis_and_the_municipalitys_units(explorer):
    c = explorer.controls
    assert explorer.message == ""
    kpis = [v for _, v in c["kpi"].options]
    assert kpis and all(analys.registry.entry(k)["has_ou_data"] for k in kpis)
    schools = analys.load_units("1880").query("activity == 'V15'")
    with_data = set(analys.load_unit_values("N15813", municipalities="1880")["ou"])
    expected = sorted(set(schools["id"]) & with_data)
    assert sorted(v for _, v in c["unit"].options) == expected
    assert [label for label, _ in c["unit"].options] == sorted(
        label for label, _ in c["unit"].options
    ) or len(c["unit"].options) > 1


def test_unit_choice_draws_unit_against_municipality_and_sweden(explorer):
    c = explorer.controls
    c["unit_search"].value = "almby"
    assert [label for label, _ in c["unit"].options] == ["Almby skola F-9"]
    unit = c["unit"].value
    values = analys.load_unit_values("N15813")
    own = values[values["ou"] == unit].set_index("year")["value"]
    line = _focus_line(explorer)  # a missing year breaks the line (NaN), never joins it
    assert np.allclose(line.to_numpy(), own.reindex(line.index).to_numpy(), equal_nan=True)
    assert line.dropna().index.tolist() == sorted(own.index)
    # the table's medians and ranks against independent computations
    table = explorer.table
    year = int(table.index.max())
    this = values[values["year"] == year]
    kinds = analys.load_units().set_index("id")["activity"]
    this = this[this["ou"].map(kinds) == "V15"]
    others = this[(this["municipality"] == "1880") & (this["ou"] != unit)]
    assert table.loc[year, "Kommunens övriga enheter (median)"] == pytest.approx(
        others["value"].median()
    )
    assert table.loc[year, "Landets enheter (median)"] == pytest.approx(this["value"].median())
    ranked = U.unit_table(values, analys.load_units(), "N15813", "1880", year).set_index("ou")
    row = ranked.loc[unit]
    assert table.loc[year, "Rang i landet"] == (
        f"{int(row['rank_sweden'])} av {int(row['count_sweden'])}"
    )
    assert table.loc[year, "Rang i kommunen"] == (
        f"{int(row['rank_municipality'])} av {int(row['count_municipality'])}"
    )
    assert explorer.map_figure is None and "Almby skola F-9" in explorer._marker_html.value
    c["unit_search"].value = ""


def test_unit_level_messages_and_back_to_kommun(explorer):
    c = explorer.controls
    c["unit_search"].value = "finns-inte-xyz"
    assert "inga enheter" in explorer.message and explorer.figure is None
    c["unit_search"].value = ""
    assert explorer.message == ""
    c["gender"].value = "K"
    assert "bara totalt" in explorer.message
    c["gender"].value = "T"
    c["municipality"].value = "1814"
    assert explorer.message == ""
    assert set(
        analys.load_units("1814")
        .set_index("id")
        .loc[[v for _, v in c["unit"].options]]["municipality"]
    ) == {"1814"}
    c["level"].value = "kommun"
    assert explorer.message == "" and "Jämförelsegruppens median" in explorer.table.columns
    c["municipality"].value = "1880"
    c["level"].value = "enhet"
    assert explorer.message == ""


def test_unit_level_save(explorer, tmp_path):
    paths = explorer.save(tmp_path)
    names = sorted(p.name for p in paths)
    assert any("enhet_" in n and n.endswith(".png") for n in names)
    assert not any("_karta" in n for n in names)
