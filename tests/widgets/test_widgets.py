"""Drive every explorer control from code and check what the outputs show.

Expected numbers are computed independently from the demo data (``load_values``,
``peer_set``, ``compare``, ``model``), never read back from the explorer.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analys import reference, registry
from analys.data import load_groups, load_values
from analys.goals import load_area
from analys.stats import compare
from analys.stats.drivers import drivers as fit_drivers
from analys.stats.peers import peer_set
from analys.widgets import DriverExplorer, TrendExplorer

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


# -- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trend() -> TrendExplorer:
    return TrendExplorer(source="demo", municipality="1880")


@pytest.fixture(scope="module")
def drivers() -> DriverExplorer:
    return DriverExplorer(source="demo", area="grundskola")


def _value(kpi: str, municipality: str, year: int, gender: str = "T") -> float:
    frame = load_values(kpi, [municipality], [year], source="demo", genders=[gender])
    return float(frame["value"].iloc[0])


def _values(kpi: str, codes: list[str], year: int, gender: str = "T") -> pd.Series:
    frame = load_values(kpi, codes, [year], source="demo", genders=[gender])
    return frame.set_index("municipality")["value"]


def _title(figure: Figure) -> str:
    return figure.axes[0].get_title(loc="left")


def _line(figure: Figure, label: str) -> pd.Series:
    """The data of the line labelled ``label`` in the figure's first Axes."""
    for line in figure.axes[0].get_lines():
        if line.get_label() == label:
            return pd.Series(line.get_ydata(), index=line.get_xdata().astype(int))
    raise AssertionError(f"ingen linje {label!r}")


def _texts(figure: Figure) -> str:
    return " ".join(t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text")))


def _html(widget) -> list[str]:
    """Every HTML value shown in the explorer's UI, depth first."""
    found = []
    if hasattr(widget, "children"):
        for child in widget.children:
            found += _html(child)
    elif type(widget).__name__ == "HTML":
        found.append(widget.value)
    return found


def _images(explorer) -> list[str]:
    return [v for v in _html(explorer.ui) if v.startswith("<img")]


def _ids(control) -> list[str]:
    return [value for _, value in control.options]


# -- TrendExplorer ---------------------------------------------------------------------------


def test_trend_defaults_draw_chart_table_marker_and_map(trend: TrendExplorer):
    assert trend.message == ""
    assert set(trend.controls) >= {"kpi", "municipality", "peers", "gender", "years"}
    assert _title(trend.figure) == registry.label("N15507")
    own = _line(trend.figure, "Örebro")
    assert list(own.index) == list(range(2012, 2026))
    assert own[2024] == pytest.approx(_value("N15507", "1880", 2024))
    assert _line(trend.figure, "Riket")[2020] == pytest.approx(_value("N15507", "0000", 2020))
    assert list(trend.table.columns) == [
        "Värde",
        "Jämförelsegruppens median",
        "Riket",
        "Rang",
        "Kvartilsfärg",
    ]
    assert trend.table.loc[2025, "Värde"] == pytest.approx(_value("N15507", "1880", 2025))
    # rank and colour among all municipalities with a value, computed independently
    values = _values("N15507", reference.municipality_codes(), 2023).dropna()
    ranked = compare.quartile_colours(values, "higher").loc["1880"]
    assert trend.table.loc[2023, "Rang"] == f"{int(ranked['rank'])} av {len(values)}"
    assert (
        trend.table.loc[2023, "Kvartilsfärg"]
        == {"green": "grön", "yellow": "gul", "red": "röd"}[ranked["colour"]]
    )
    shown = " ".join(_html(trend.ui))
    assert trend.marker.label in shown and "Metod:" in shown and trend.marker.method in shown
    assert "kommungruppen (22 st)" in shown
    assert "Rang" in shown and "," in shown  # the table, with decimal commas
    assert "Bästa fjärdedelen" in shown  # the map's legend
    assert len(_images(trend)) == 2 and isinstance(trend.map_figure, Figure)
    assert _title(trend.map_figure).startswith(f"{registry.label('N15507')}, 2025")


def test_trend_kpi_change_redraws_chart_table_and_map(trend: TrendExplorer):
    before = _images(trend)
    trend.controls["kpi"].value = "N15428"
    assert trend.message == ""
    assert _title(trend.figure) == registry.label("N15428")
    after = _images(trend)
    assert after[0] != before[0] and after[1] != before[1]
    assert trend.table.loc[2024, "Värde"] == pytest.approx(_value("N15428", "1880", 2024))
    trend.controls["kpi"].value = "N15507"
    assert _images(trend) == before  # the same choice draws the same pictures


def test_trend_municipality_and_peer_groups(trend: TrendExplorer):
    trend.controls["municipality"].value = "1480"
    assert trend.message == ""
    assert _line(trend.figure, "Göteborg")[2024] == pytest.approx(_value("N15507", "1480", 2024))
    groups = load_groups("demo")
    for spec in ("lan", "liknande", "alla", "skr"):
        trend.controls["peers"].value = spec
        peers = peer_set("1480", spec, groups=groups, area="grundskola")
        median = _values("N15507", peers, 2022).median()
        assert trend.table.loc[2022, "Jämförelsegruppens median"] == pytest.approx(median), spec
        assert f"({len(peers)} st)" in " ".join(_html(trend.ui))
        band = _line(trend.figure, "Jämförelsegruppens median")
        assert band[2022] == pytest.approx(median)
    trend.controls["municipality"].value = "1880"
    assert trend.message == ""


def test_trend_own_peer_list(trend: TrendExplorer):
    trend.controls["peers"].value = "egen"
    assert "Egen lista" in trend.message
    assert trend.figure is None and trend.table is None and _images(trend) == []
    trend.controls["own_peers"].value = ("0180", "1280", "1480")
    assert trend.message == ""
    median = _values("N15507", ["0180", "1280", "1480"], 2024).median()
    assert trend.table.loc[2024, "Jämförelsegruppens median"] == pytest.approx(median)
    trend.controls["peers"].value = "skr"
    trend.controls["own_peers"].value = ("0180", "1280")  # choosing names switches to them
    assert trend.controls["peers"].value == "egen" and trend.message == ""
    median = _values("N15507", ["0180", "1280"], 2024).median()
    assert trend.table.loc[2024, "Jämförelsegruppens median"] == pytest.approx(median)
    trend.controls["own_peers"].value = ()
    trend.controls["peers"].value = "skr"
    assert trend.message == ""


def test_trend_gender(trend: TrendExplorer):
    trend.controls["gender"].value = "K"
    assert trend.message == ""
    assert trend.table.loc[2024, "Värde"] == pytest.approx(_value("N15507", "1880", 2024, "K"))
    assert "flickor" in _title(trend.figure)  # pupils in åk 9: Kolada's K
    trend.controls["kpi"].value = "N15033"  # not reported by gender
    assert "uppdelat på kön" in trend.message and trend.figure is None
    trend.controls["gender"].value = "T"
    assert trend.message == "" and _title(trend.figure) == registry.label("N15033")
    trend.controls["kpi"].value = "N15507"


def test_trend_years_redraw_only_what_changed(trend: TrendExplorer):
    map_before = _images(trend)[1]
    trend.controls["years"].value = (2016, 2025)
    assert list(trend.table.index) == list(range(2016, 2026))
    assert _line(trend.figure, "Örebro").index.min() == 2016
    assert _images(trend)[1] == map_before  # same last year: the map is not redrawn
    trend.controls["years"].value = (2016, 2020)
    assert list(trend.table.index) == [2016, 2017, 2018, 2019, 2020]
    assert _title(trend.map_figure).startswith(f"{registry.label('N15507')}, 2020")
    assert trend.marker.years == (2016, 2017, 2018, 2019, 2020)
    trend.controls["years"].value = (2012, 2025)


def test_trend_kpi_without_data_in_range_gives_message():
    explorer = TrendExplorer(source="demo", municipality="1880", kpi="N05401")
    have = load_values("N05401", source="demo").dropna(subset=["value"])["year"]
    assert (int(have.min()), int(have.max())) == (2014, 2022)  # the premise, from the data
    explorer.controls["years"].value = (2023, 2025)
    assert "inga värden 2023–2025" in explorer.message and "2014–2022" in explorer.message
    assert explorer.figure is None and explorer.table is None
    explorer.controls["years"].value = (2018, 2025)
    assert explorer.message == "" and explorer.table["Värde"].notna().sum() == 2


def test_trend_search_and_area_filter(trend: TrendExplorer):
    trend.controls["kpi_search"].value = "meritvärde"
    ids = _ids(trend.controls["kpi"])
    assert "N15507" in ids and trend.controls["kpi"].value == "N15507"
    assert all("meritvärde" in registry.entry(i)["title"].lower() for i in ids)
    trend.controls["kpi_search"].value = "xyzzy"
    assert "Inget nyckeltal matchar" in trend.message
    assert trend.figure is not None and "N15507" in _ids(trend.controls["kpi"])
    trend.controls["kpi_search"].value = ""
    trend.controls["area"].value = "aldreomsorg"
    ids = _ids(trend.controls["kpi"])
    assert ids and all(registry.entry(i)["area"] == "aldreomsorg" for i in ids)
    assert trend.controls["kpi"].value in ids and trend.message == ""
    assert _title(trend.figure).startswith(registry.label(trend.controls["kpi"].value))
    trend.controls["area"].value = ""
    trend.controls["kpi"].value = "N15507"
    trend.controls["municipality_search"].value = "Malmö"
    assert trend.controls["municipality"].value == "1280"
    assert _line(trend.figure, "Malmö")[2024] == pytest.approx(_value("N15507", "1280", 2024))
    trend.controls["municipality_search"].value = "Atlantis"
    assert "Ingen kommun" in trend.message
    trend.controls["municipality_search"].value = ""
    trend.controls["municipality"].value = "1880"
    assert trend.message == ""


def test_trend_region_gets_region_kpis_and_map():
    explorer = TrendExplorer(source="demo", municipality="1880")
    explorer.controls["municipality"].value = "0018"
    ids = _ids(explorer.controls["kpi"])
    assert "N15507" not in ids and "N79240" in ids  # municipal KPIs are not offered
    explorer.controls["kpi"].value = "N79240"
    assert explorer.message == ""
    values = _values("N79240", reference.region_codes(), 2024).dropna()
    rank = compare.quartile_colours(values, registry.polarity("N79240")).at["0018", "rank"]
    assert explorer.table.loc[2024, "Rang"] == f"{int(rank)} av {len(values)}"
    assert "alla regioner (20 st)" in " ".join(_html(explorer.ui))
    assert explorer.map_figure.axes[0].collections[0].get_gid() == "analys-regioner"


def test_trend_source_switch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from analys.store import Store

    monkeypatch.setenv("ANALYS_DATA_DIR", str(tmp_path / "tomt"))
    explorer = TrendExplorer(source="demo", municipality="1880")
    explorer.controls["source"].value = "store"  # an empty store: say so, keep the demo
    assert "lokala lagret" in explorer.message
    assert explorer.controls["source"].value == "demo" and explorer.figure is not None
    store = Store(tmp_path / "lager")
    store.write_values(
        load_values(["N15507", "N15428"], source="demo", genders=None),
        query={"kpis": ["N15507", "N15428"]},
        url="https://example.invalid/v3",
    )
    monkeypatch.setenv("ANALYS_DATA_DIR", str(tmp_path / "lager"))
    explorer.controls["source"].value = "store"
    assert explorer.message == "" and explorer.source == "store"
    assert sorted(_ids(explorer.controls["kpi"])) == ["N15428", "N15507"]
    assert "Demodata" not in _texts(explorer.figure)  # the store is not demo data
    assert explorer.table.loc[2024, "Värde"] == pytest.approx(_value("N15507", "1880", 2024))


def test_trend_save_writes_png_csv_excel(tmp_path: Path):
    explorer = TrendExplorer(source="demo", municipality="1880", save_dir=tmp_path / "ut")
    explorer.controls["save"].click()
    assert explorer.message == "" and "Sparat" in explorer.notice
    paths = explorer.saved
    assert [p.name for p in paths] == [
        "trend_N15507_Orebro_skr_T_2012-2025.png",
        "trend_N15507_Orebro_skr_T_2012-2025_karta.png",
        "trend_N15507_Orebro_skr_T_2012-2025.csv",
        "trend_N15507_Orebro_skr_T_2012-2025.xlsx",
    ]
    assert all(p.parent == tmp_path / "ut" for p in paths)
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(paths[2], sep=";", decimal=",", index_col="År")
    assert table["Värde"].to_numpy() == pytest.approx(explorer.table["Värde"].to_numpy())
    sheets = pd.read_excel(paths[3], sheet_name=None)
    assert set(sheets) == {"Värden", "Om"} and len(sheets["Värden"]) == 14
    assert "Demodata" in " ".join(sheets["Om"]["Värde"].astype(str))
    explorer.controls["peers"].value = "egen"  # nothing to save
    assert explorer.figure is None
    explorer.controls["save"].click()
    assert "inget resultat att spara" in explorer.message


# -- DriverExplorer --------------------------------------------------------------------------


def _cross(kpis: list[str], year: int, codes: list[str] | None = None) -> pd.DataFrame:
    codes = codes or reference.municipality_codes()
    frame = load_values(kpis, codes, [year], source="demo")
    return frame.pivot(index="municipality", columns="kpi", values="value")[kpis]


def test_drivers_defaults_come_from_the_area(drivers: DriverExplorer):
    area = load_area("grundskola")
    c = drivers.controls
    assert c["outcome"].value == area.drivers.outcome
    assert tuple(c["explanatory"].value) == area.drivers.explanatory
    assert c["municipality"].value == area.municipality and drivers.message == ""
    year = c["year"].value
    kpis = [area.drivers.outcome, *area.drivers.explanatory]
    expected = fit_drivers(_cross(kpis, year), kpis[0], kpis[1:]).coefficients.set_index("kpi")
    assert list(drivers.table.index) == list(area.drivers.explanatory)
    assert drivers.table["Standardiserad effekt"].to_numpy() == pytest.approx(
        expected["beta"].to_numpy()
    )
    assert drivers.table["p-värde"].to_numpy() == pytest.approx(expected["p"].to_numpy())
    assert drivers.table["VIF"].to_numpy() == pytest.approx(expected["vif"].to_numpy())
    assert _title(drivers.figure).startswith("Samband med utfallet")
    shown = " ".join(_html(drivers.ui))
    assert f"Tvärsnitt {year}" in shown and "R² = " in shown and "HC3" in shown
    assert "inte orsakseffekter" in shown and "Bättre än förväntat" in shown
    assert "Inflytelserika kommuner" in shown and len(_images(drivers)) == 2


def test_drivers_scatter_residuals_and_influence(drivers: DriverExplorer):
    texts = _texts(drivers.scatter_figure)
    assert "Örebro" in texts and "faktiskt mot förväntat" in texts
    liknande = peer_set("1880", "liknande", groups=load_groups("demo"), area="grundskola")
    assert any(reference.title(code) in texts for code in liknande)
    residuals = drivers.residuals
    assert residuals["Skillnad"].is_monotonic_decreasing  # higher is better for N15507
    assert residuals.index[0] == drivers.expected.table["loo_residual"].idxmax()
    assert list(residuals["Placering"]) == list(range(1, len(residuals) + 1))
    place = int(residuals.at["1880", "Placering"])
    assert f"Örebro: plats {place} av {len(residuals)}" in " ".join(_html(drivers.ui))
    n = drivers.result.n
    assert (drivers.influence["Cooks avstånd"] > 4 / n).all()
    assert len(drivers.influence) == int(drivers.result.influence["influential"].sum())


def test_drivers_bad_choices_give_messages(drivers: DriverExplorer):
    c = drivers.controls
    original = c["explanatory"].value
    c["explanatory"].value = (*original, c["outcome"].value)
    assert "kan inte också vara förklaringsvariabel" in drivers.message
    assert drivers.figure is None and drivers.table is None and _images(drivers) == []
    c["explanatory"].value = ()
    assert "minst en förklaringsvariabel" in drivers.message
    c["explanatory"].value = original
    assert drivers.message == "" and drivers.figure is not None


def test_drivers_population_too_small_and_small_n_warning(drivers: DriverExplorer):
    c = drivers.controls
    c["population"].value = "lan"  # Örebro län: 12 municipalities, 3 explanatory KPIs
    assert "För få kommuner" in drivers.message and "minst 14" in drivers.message
    c["population"].value = "skr"
    assert drivers.message == "" and drivers.result.n == 23
    assert "Få kommuner (n = 23)" in " ".join(_html(drivers.ui))
    c["population"].value = "alla"
    assert drivers.message == "" and drivers.result.n > 250


def test_drivers_explanatory_without_data_in_year(drivers: DriverExplorer):
    c = drivers.controls
    original, year = c["explanatory"].value, c["year"].value
    have = load_values("N05401", source="demo").dropna(subset=["value"])["year"]
    assert year not in set(have)  # the premise, from the data
    c["explanatory"].value = (*original, "N05401")
    assert f"inga värden {year}" in drivers.message and "Valdeltagande" in drivers.message
    c["explanatory"].value = original
    assert drivers.message == ""


def test_drivers_year_standardise_and_focus(drivers: DriverExplorer):
    c = drivers.controls
    fitted = drivers.result
    c["standardise"].value = False  # no refit, other columns
    assert drivers.result is fitted
    assert drivers.table["Effekt per enhet"].to_numpy() == pytest.approx(
        fitted.coefficients["coef"].to_numpy()
    )
    assert "per enhet" in drivers.figure.axes[0].get_xlabel()
    c["standardise"].value = True
    c["municipality"].value = "1480"  # only the highlighting changes
    assert drivers.result is fitted and "Göteborg" in _texts(drivers.scatter_figure)
    assert "Göteborg: plats" in " ".join(_html(drivers.ui))
    c["municipality"].value = "1880"
    before = drivers.table["Standardiserad effekt"].copy()
    year = c["year"].value
    c["year"].value = 2016
    assert drivers.message == "" and drivers.result is not fitted
    kpis = [c["outcome"].value, *c["explanatory"].value]
    expected = fit_drivers(_cross(kpis, 2016), kpis[0], kpis[1:]).coefficients
    assert drivers.table["Standardiserad effekt"].to_numpy() == pytest.approx(expected["beta"])
    assert not np.allclose(drivers.table["Standardiserad effekt"], before)
    c["year"].value = year


def test_drivers_log_transform(drivers: DriverExplorer):
    c = drivers.controls
    assert set(_ids(c["log"])) == set(c["explanatory"].value)
    c["log"].value = ("N00906",)
    assert drivers.message == ""
    kpis = [c["outcome"].value, *c["explanatory"].value]
    frame = _cross(kpis, c["year"].value)
    frame["N00906"] = np.log(frame["N00906"])
    expected = fit_drivers(frame, kpis[0], kpis[1:]).coefficients
    assert drivers.table["Standardiserad effekt"].to_numpy() == pytest.approx(expected["beta"])
    assert "Logaritmerade: Medianinkomst" in " ".join(_html(drivers.ui))
    c["log"].value = ()
    c["explanatory"].value = ("N15816", "N00097")  # a KPI with negative values
    c["log"].value = ("N00097",)
    assert "Logaritmen går inte" in drivers.message
    c["log"].value = ()
    c["explanatory"].value = ("N15816", "N02926", "N00906")
    assert c["log"].value == () and drivers.message == ""


def test_drivers_search_and_outcome(drivers: DriverExplorer):
    c = drivers.controls
    chosen = c["explanatory"].value
    c["explanatory_search"].value = "inkomst"
    ids = _ids(c["explanatory"])
    assert ids[: len(chosen)] == list(chosen) and c["explanatory"].value == chosen
    assert "N00956" in ids and all(
        "inkomst" in registry.entry(i)["title"].lower() for i in ids[len(chosen) :]
    )
    c["explanatory_search"].value = "xyzzy"
    assert "Inget nyckeltal matchar" in drivers.message
    c["explanatory_search"].value = ""
    c["outcome"].value = "N15428"
    assert drivers.message == ""
    assert registry.label("N15428") in _texts(drivers.scatter_figure)
    c["outcome"].value = "N15507"
    assert drivers.message == ""


def test_drivers_panel_model(drivers: DriverExplorer):
    c = drivers.controls
    c["model"].value = "panel"
    assert drivers.message == "" and c["year"].disabled
    assert list(drivers.table.index) == list(c["explanatory"].value)
    assert drivers.table["Standardiserad effekt"].notna().all()
    assert drivers.table["VIF"].isna().all()
    assert drivers.scatter_figure is None and len(_images(drivers)) == 1
    shown = " ".join(_html(drivers.ui))
    assert "Panel 2012–2025" in shown and "klustrade" in shown
    c["model"].value = "cross"
    assert not c["year"].disabled and drivers.scatter_figure is not None


def test_drivers_region_area_and_save(tmp_path: Path):
    explorer = DriverExplorer(source="demo", area="halso_sjukvard", save_dir=tmp_path)
    c = explorer.controls
    assert explorer.message == "" and c["municipality"].value == "0018"
    assert _ids(c["population"]) == ["alla"] and explorer.result.n == 21
    assert "Få kommuner (n = 21)" in " ".join(_html(explorer.ui))
    paths = explorer.save()
    assert [p.suffix for p in paths] == [".png", ".png", ".csv", ".xlsx"]
    sheets = pd.read_excel(paths[-1], sheet_name=None)
    assert set(sheets) == {"Koefficienter", "Bättre än förväntat", "Inflytelserika", "Om"}
    assert len(sheets["Bättre än förväntat"]) == 21


# -- notebooks -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["utforska_trender", "utforska_samband"])
def test_notebook_is_committed_clean(name: str):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "marker"), [("utforska_trender", "Meritvärde"), ("utforska_samband", "HC3")]
)
def test_notebook_runs_under_papermill(name: str, marker: str, tmp_path: Path):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out),
        parameters={"save_dir": str(tmp_path / "spara")},
        kernel_name="python3",
        cwd=str(NOTEBOOKS),
        shutdown_kernel="immediate",
        start_timeout=180,  # a busy machine can be slow to start a kernel
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    state = json.dumps(
        nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"], ensure_ascii=False
    )
    assert "data:image/png;base64" in state and marker in state
    assert not (tmp_path / "spara").exists()  # displaying saves nothing


def test_png_in_widget_is_the_figure(trend: TrendExplorer):
    """The picture the browser gets is the current figure, rendered."""
    import base64

    src = _images(trend)[0].split('src="')[1].split('"')[0]
    png = base64.b64decode(src.split(",", 1)[1])
    image = matplotlib.image.imread(io.BytesIO(png))
    width, height = trend.figure.get_size_inches() * trend.figure.dpi
    assert image.shape[:2] == (round(height), round(width))


def test_reused_axes_draw_the_same_pictures_as_new_axes():
    """Emptying and reusing an Axes (for speed) must not change a single pixel."""
    explorer = TrendExplorer(source="demo", municipality="1880")
    steps = [("kpi", "N01951"), ("gender", "K"), ("kpi", "N15428"), ("municipality", "0018")]
    for name, value in steps:
        explorer.controls[name].value = value
        assert explorer.message == ""
        reused = (explorer._chart.png, explorer._map.png)
        explorer._chart.figure.clear()
        explorer._map.figure.clear()
        explorer._map.key = None
        explorer.update()
        assert (explorer._chart.png, explorer._map.png) == reused, name


def test_unusable_source_and_save_folder_give_messages(tmp_path: Path):
    """An empty store and a folder that cannot be written are messages, not tracebacks."""
    explorer = DriverExplorer(source="store", area="grundskola")  # the test store is empty
    assert "lokala lagret" in explorer.message and explorer.figure is None
    blocked = tmp_path / "fil"
    blocked.write_text("inte en mapp")
    trend = TrendExplorer(source="demo", municipality="1880", save_dir=blocked / "ut")
    trend.controls["save"].click()
    assert trend.message.startswith(f"Kunde inte spara i {blocked / 'ut'}")
    assert trend.figure is not None and len(_images(trend)) == 2  # the outputs stay
