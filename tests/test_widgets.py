"""Drive every explorer control from code and check what the outputs show."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analys import reference
from analys.data import load_groups, load_values
from analys.peers import peer_set
from analys.widgets import DriverExplorer, TrendExplorer

pytest.importorskip("analys.demo")


@pytest.fixture(scope="module")
def trend() -> TrendExplorer:
    return TrendExplorer(source="demo", municipality="1880")


@pytest.fixture(scope="module")
def drivers() -> DriverExplorer:
    return DriverExplorer(source="demo", area="grundskola")


def _expected_value(kpi: str, municipality: str, year: int, gender: str = "T") -> float:
    frame = load_values(kpi, [municipality], [year], source="demo", genders=[gender])
    return float(frame["value"].iloc[0]) if len(frame) else np.nan


def _texts(figure: Figure) -> str:
    parts = [t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text"))]
    return " ".join(parts)


def test_trend_defaults_draw_figure_table_and_marker(trend: TrendExplorer):
    assert trend.message == ""
    assert isinstance(trend.figure, Figure)
    assert isinstance(trend.map_figure, Figure)
    assert list(trend.table.columns) == ["Värde", "Jämförelsegruppens median", "Riket", "Rang",
                                         "Kvartilsfärg"]
    year = int(trend.table.index.max())
    assert trend.table.loc[year, "Värde"] == pytest.approx(_expected_value("N15507", "1880", year))
    assert trend.marker.assessment in {"improving", "worsening", "no_change", "cannot_calculate"}
    assert "Örebro" in _texts(trend.figure)


def test_trend_kpi_change_updates_outputs(trend: TrendExplorer):
    before = trend.figure
    trend.controls["kpi"].value = "N15428"
    assert trend.message == ""
    assert trend.figure is not before
    year = int(trend.table.index.max())
    assert trend.table.loc[year, "Värde"] == pytest.approx(_expected_value("N15428", "1880", year))
    trend.controls["kpi"].value = "N15507"


def test_trend_municipality_and_peers(trend: TrendExplorer):
    trend.controls["municipality"].value = "1480"
    year = int(trend.table.index.max())
    assert trend.table.loc[year, "Värde"] == pytest.approx(_expected_value("N15507", "1480", year))
    trend.controls["peers"].value = "lan"
    peers = peer_set("1480", "lan", groups=load_groups("demo"))
    values = load_values("N15507", peers, [year], source="demo")["value"]
    assert trend.table.loc[year, "Jämförelsegruppens median"] == pytest.approx(values.median())
    trend.controls["peers"].value = "skr"
    trend.controls["municipality"].value = "1880"


def test_trend_own_peer_list(trend: TrendExplorer):
    trend.controls["peers"].value = "egen"
    assert "minst en kommun" in trend.message
    assert trend.figure is None
    trend.controls["own_peers"].value = ("0180", "1280", "1480")
    assert trend.message == ""
    year = int(trend.table.index.max())
    values = load_values("N15507", ["0180", "1280", "1480"], [year], source="demo")["value"]
    assert trend.table.loc[year, "Jämförelsegruppens median"] == pytest.approx(values.median())
    trend.controls["peers"].value = "skr"


def test_trend_gender_and_years(trend: TrendExplorer):
    trend.controls["gender"].value = "K"
    year = int(trend.table.index.max())
    assert trend.table.loc[year, "Värde"] == pytest.approx(
        _expected_value("N15507", "1880", year, "K"))
    trend.controls["gender"].value = "T"
    trend.controls["years"].value = (2016, 2020)
    assert list(trend.table.index) == [2016, 2017, 2018, 2019, 2020]
    trend.controls["years"].value = (trend.controls["years"].min, trend.controls["years"].max)


def test_trend_gender_on_kpi_without_split_gives_message(trend: TrendExplorer):
    trend.controls["kpi"].value = "N15033"
    trend.controls["gender"].value = "M"
    assert "kön" in trend.message
    assert trend.figure is None
    trend.controls["gender"].value = "T"
    assert trend.message == ""
    trend.controls["kpi"].value = "N15507"


def test_trend_search_and_area_filter(trend: TrendExplorer):
    trend.controls["kpi_search"].value = "meritvärde"
    ids = [value for _, value in trend.controls["kpi"].options]
    assert "N15507" in ids and all(i in {"N15507", "N15504", "U15415", "U15416"} for i in ids)
    trend.controls["kpi_search"].value = ""
    trend.controls["area"].value = "aldreomsorg"
    ids = [value for _, value in trend.controls["kpi"].options]
    assert "U21468" in ids and "N15507" not in ids
    assert trend.controls["kpi"].value in ids and trend.message == ""
    trend.controls["area"].value = ""
    trend.controls["kpi"].value = "N15507"
    trend.controls["municipality_search"].value = "Malmö"
    assert trend.controls["municipality"].value == "1280"
    trend.controls["municipality_search"].value = ""
    trend.controls["municipality"].value = "1880"


def test_trend_no_data_in_range_gives_message():
    explorer = TrendExplorer(source="demo", municipality="1880")
    explorer.controls["years"].value = (2012, 2012)
    for kpi in ("U21468", "U23471", "N07945", "N00401"):
        explorer.controls["kpi"].value = kpi
        explorer.controls["years"].value = (explorer.controls["years"].min,) * 2
        if explorer.message:
            break
    frame = load_values(explorer.controls["kpi"].value, ["1880"],
                        [explorer.controls["years"].value[0]], source="demo")
    if frame["value"].notna().any():
        pytest.skip("demodata har värden även första året för de provade nyckeltalen")
    assert "inga värden" in explorer.message


def test_trend_region_works():
    explorer = TrendExplorer(source="demo", municipality="0018", kpi="N79240")
    assert explorer.message == ""
    assert explorer.table.loc[explorer.table.index.max(), "Rang"].endswith("av 21")


def test_trend_save_writes_png_csv_excel(trend: TrendExplorer, tmp_path):
    paths = trend.save(tmp_path)
    assert [p.suffix for p in paths] == [".png", ".csv", ".xlsx"]
    assert all(p.stat().st_size > 0 for p in paths)
    assert "N15507" in paths[0].name and "Orebro" in paths[0].name or "Örebro" in paths[0].name
    table = pd.read_csv(paths[1], sep=";", decimal=",")
    assert len(table) == len(trend.table)


def test_drivers_defaults_from_area(drivers: DriverExplorer):
    from analys.goals import load_area

    area = load_area("grundskola")
    assert drivers.controls["outcome"].value == area.drivers.outcome
    assert list(drivers.controls["explanatory"].value) == list(area.drivers.explanatory)
    assert drivers.message == ""
    assert isinstance(drivers.figure, Figure) and isinstance(drivers.scatter_figure, Figure)
    assert set(area.drivers.explanatory) <= set(drivers.table["kpi"])
    assert drivers.residuals["loo_residual"].notna().all()


def test_drivers_bad_choices_give_messages(drivers: DriverExplorer):
    outcome = drivers.controls["outcome"].value
    original = drivers.controls["explanatory"].value
    drivers.controls["explanatory"].value = (*original, outcome)
    assert "kan inte också vara förklaringsvariabel" in drivers.message
    assert drivers.figure is None
    drivers.controls["explanatory"].value = ()
    assert "minst en förklaringsvariabel" in drivers.message
    drivers.controls["explanatory"].value = original
    assert drivers.message == ""


def test_drivers_small_population_gives_message(drivers: DriverExplorer):
    drivers.controls["population"].value = "lan"
    assert "För få kommuner" in drivers.message
    drivers.controls["population"].value = "alla"
    assert drivers.message == ""


def test_drivers_year_model_and_transforms(drivers: DriverExplorer):
    first = drivers.table.set_index("kpi")["beta"].copy()
    drivers.controls["standardise"].value = False
    assert drivers.message == ""
    drivers.controls["standardise"].value = True
    years = list(drivers.controls["year"].options)
    drivers.controls["year"].value = years[0]
    assert drivers.message == ""
    assert not np.allclose(drivers.table.set_index("kpi")["beta"], first)
    drivers.controls["year"].value = years[-2]
    drivers.controls["log"].value = ("N02926",) if "N02926" in \
        drivers.controls["explanatory"].value else (drivers.controls["explanatory"].value[0],)
    assert drivers.message == ""
    drivers.controls["log"].value = ()
    drivers.controls["model"].value = "panel"
    assert drivers.message == "" and drivers.table is not None
    assert drivers.scatter_figure is None
    drivers.controls["model"].value = "cross"
    assert drivers.scatter_figure is not None


def test_drivers_focus_municipality_is_labelled(drivers: DriverExplorer):
    drivers.controls["municipality"].value = "1480"
    assert reference.title("1480") in _texts(drivers.scatter_figure)
    drivers.controls["municipality"].value = "1880"
