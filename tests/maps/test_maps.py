"""Maps of municipalities and regions: joins, projection, colours, zoom, output."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analys import demo, maps, reference, registry  # noqa: E402
from analys.chartstyle import COLOURS, caption_text  # noqa: E402
from analys.errors import ParamsError  # noqa: E402
from analys.stats import compare

KPI = "N15507"  # merit value, higher is better, municipalities
LOWER = "N11102"  # children per staff in preschool, lower is better
NEUTRAL = "N15816"  # parents' education: neutral, never judged
REGION_KPI = "N79240"  # waiting time in specialist care, lower is better, regions only
YEAR = 2024
ÖREBRO = "1880"


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return demo.load_values([KPI, LOWER, NEUTRAL, REGION_KPI])


def _axes(size: tuple[float, float] = (5.6, 7.0)):
    figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def _series(values: pd.DataFrame, kpi: str, codes: list[str], year: int = YEAR) -> pd.Series:
    rows = values[(values["kpi"] == kpi) & (values["year"] == year) & (values["gender"] == "T")]
    return rows.set_index("municipality")["value"].reindex(codes)


def _texts(ax) -> dict[str, str]:
    """The Axes' named texts, each as one line (a caption is broken to fit its panel)."""
    return {t.get_gid(): " ".join(t.get_text().split()) for t in ax.texts if t.get_gid()}


def _collection(ax, gid: str):
    return next(c for c in ax.collections if c.get_gid() == gid)


# --- geometry and joins ----------------------------------------------------------------------
def test_all_290_municipalities_of_the_demo_data_join(values: pd.DataFrame) -> None:
    geo = maps.geometry("kommun")
    assert list(geo.codes) == reference.municipality_codes()
    assert len(geo.codes) == 290 == len(geo.vertices) == len(geo.path_codes)
    in_demo = set(values.loc[values["kpi"] == KPI, "municipality"])
    kommuner = {c for c in in_demo if reference.municipality_type(c) == "K"}
    assert len(kommuner) == 290 and kommuner <= set(geo.codes)
    by_code = dict(zip(geo.codes, geo.names, strict=True))
    assert by_code["1880"] == "Örebro" and by_code["0180"] == "Stockholm"


def test_all_21_regions_of_the_demo_data_join(values: pd.DataFrame) -> None:
    geo = maps.geometry("lan")
    assert list(geo.codes) == reference.region_codes()
    assert len(geo.codes) == 21
    in_demo = set(values.loc[values["kpi"] == REGION_KPI, "municipality"])
    assert set(reference.region_codes()) <= in_demo
    for code, name, county in zip(geo.codes, geo.names, geo.counties, strict=True):
        assert code == "00" + county
        assert name == reference.COUNTIES[county]


def test_geometry_is_cached_read_only_and_county_aware() -> None:
    geo = maps.geometry()
    assert maps.geometry("kommun") is geo
    with pytest.raises(ValueError):
        geo.vertices[0][0, 0] = 0.0
    with pytest.raises(ValueError):
        geo.bounds[0, 0] = 0.0
    units = reference.municipalities().set_index("municipality")
    assert [units.loc[c, "county"] for c in geo.codes] == list(geo.counties)
    assert all(len(v) == len(k) for v, k in zip(geo.vertices, geo.path_codes, strict=True))
    with pytest.raises(ParamsError, match="kommun"):
        maps.geometry("deso")


def test_projection_is_sweref99tm() -> None:
    # On the central meridian 15° E: easting 500 000 m, northing = 0.9996 × the meridian arc
    # of GRS 80, here integrated numerically.
    a, f = 6378137.0, 1 / 298.257222101
    e2 = f * (2 - f)
    lat = 62.0
    t = np.linspace(0.0, np.radians(lat), 200_001)
    arc = np.trapezoid(a * (1 - e2) / (1 - e2 * np.sin(t) ** 2) ** 1.5, t)
    east, north = maps.sweref99tm(np.array([15.0]), np.array([lat]))
    assert east[0] == pytest.approx(500_000.0, abs=1e-6)
    assert north[0] == pytest.approx(0.9996 * arc, abs=0.01)
    # Conformal off the meridian (Kiruna): equal scale along meridian and parallel, at right
    # angles, so shapes are not stretched.
    lon, lat, h = 20.2, 67.85, 1e-5
    rho = a * (1 - e2) / (1 - e2 * np.sin(np.radians(lat)) ** 2) ** 1.5
    nu = a / np.sqrt(1 - e2 * np.sin(np.radians(lat)) ** 2)
    e0, n0 = maps.sweref99tm(np.array([lon]), np.array([lat]))
    e_lat, n_lat = maps.sweref99tm(np.array([lon]), np.array([lat + h]))
    e_lon, n_lon = maps.sweref99tm(np.array([lon + h]), np.array([lat]))
    along_meridian = np.array([e_lat[0] - e0[0], n_lat[0] - n0[0]]) / (rho * np.radians(h))
    along_parallel = np.array([e_lon[0] - e0[0], n_lon[0] - n0[0]]) / (
        nu * np.cos(np.radians(lat)) * np.radians(h)
    )
    assert np.linalg.norm(along_meridian) == pytest.approx(np.linalg.norm(along_parallel), 1e-6)
    assert along_meridian @ along_parallel == pytest.approx(0.0, abs=1e-6)
    # Sweden's extent: about 640 km wide and 1 540 km long.
    bounds = maps.geometry().bounds
    width = bounds[:, 2].max() - bounds[:, 0].min()
    height = bounds[:, 3].max() - bounds[:, 1].min()
    assert 600e3 < width < 700e3 and 1500e3 < height < 1580e3


# --- colours ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kpi", [KPI, LOWER])
def test_drawn_colours_equal_quartile_colours(values: pd.DataFrame, kpi: str) -> None:
    _, ax = _axes()
    maps.municipality_map(values, kpi=kpi, year=YEAR, ax=ax)
    drawn = maps.drawn_colours(ax)
    series = _series(values, kpi, reference.municipality_codes())
    expected = compare.quartile_colours(series, registry.polarity(kpi))["colour"].map(COLOURS)
    assert list(drawn.index) == reference.municipality_codes()
    pd.testing.assert_series_equal(drawn, expected, check_names=False)
    assert {COLOURS["green"], COLOURS["yellow"], COLOURS["red"]} <= set(drawn)
    collections = [c for c in ax.collections if c.get_gid() == "analys-kommuner"]
    assert len(collections) == 1 and len(collections[0].get_paths()) == 290


def test_polarity_argument_overrides_the_registry(values: pd.DataFrame) -> None:
    _, ax = _axes()
    maps.municipality_map(values, kpi=LOWER, year=YEAR, polarity="higher", ax=ax)
    series = _series(values, LOWER, reference.municipality_codes())
    expected = compare.quartile_colours(series, "higher")["colour"].map(COLOURS)
    assert maps.drawn_colours(ax).tolist() == expected.tolist()


def test_missing_values_are_grey_and_counted_in_the_legend(values: pd.DataFrame) -> None:
    data = values[values["kpi"] == KPI].copy()
    gone = ["0114", "1880", "2584"]
    blank = ["0180", "1480"]
    data = data[~((data["year"] == YEAR) & data["municipality"].isin(gone))]
    data.loc[(data["year"] == YEAR) & data["municipality"].isin(blank), "value"] = np.nan
    already = int(_series(values, KPI, reference.municipality_codes()).isna().sum())
    _, ax = _axes()
    maps.municipality_map(data, kpi=KPI, year=YEAR, municipality="1880", ax=ax)
    drawn = maps.drawn_colours(ax)
    assert (drawn[gone + blank] == COLOURS["grey"]).all()
    n_missing = already + len(gone) + len(blank)
    assert int((drawn == COLOURS["grey"]).sum()) == n_missing
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"Värde saknas ({n_missing})" in legend
    counts = sum(int(t.rsplit("(", 1)[1].rstrip(")")) for t in legend[:3])
    assert counts + n_missing == 290


def test_neutral_kpis_are_higher_or_lower_never_better_or_worse(values: pd.DataFrame) -> None:
    figure, ax = _axes()
    maps.municipality_map(values, kpi=NEUTRAL, year=YEAR, source="kolada", ax=ax)
    drawn = maps.drawn_colours(ax)
    assert not set(drawn) & {COLOURS["green"], COLOURS["yellow"], COLOURS["red"]}
    series = _series(values, NEUTRAL, reference.municipality_codes())
    expected = compare.quartile_colours(series, "neutral")["colour"].map(COLOURS)
    pd.testing.assert_series_equal(drawn, expected, check_names=False)
    assert {COLOURS["high"], COLOURS["middle"], COLOURS["low"]} <= set(drawn)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("Högsta fjärdedelen (ingen värdering)")
    assert not any("Bästa" in t or "Sämsta" in t for t in legend)
    assert not ax.child_axes  # categories, no colour bar
    assert _texts(ax)["analys-caption"] == caption_text("kolada", derived=True)


def test_sequential_scale_runs_from_lowest_to_highest(values: pd.DataFrame) -> None:
    _, ax = _axes()
    maps.municipality_map(values, kpi=KPI, year=YEAR, colour_by="sequential", ax=ax)
    drawn = maps.drawn_colours(ax)
    series = _series(values, KPI, reference.municipality_codes())
    cmap = matplotlib.colormaps[maps.SEQUENTIAL_CMAP]
    assert drawn[series.idxmin()] == matplotlib.colors.to_hex(cmap(0.0))
    assert drawn[series.idxmax()] == matplotlib.colors.to_hex(cmap(1.0))
    assert (drawn[series.isna()] == COLOURS["grey"]).all()


def test_diverging_scale_from_values_is_centred_on_zero() -> None:
    codes = reference.municipality_codes()
    residuals = pd.Series(np.linspace(-12.0, 12.0, len(codes) - 1), index=codes[:-1])
    figure, ax = _axes((3.6, 6.0))
    maps.municipality_map(
        values=residuals,
        kpi=KPI,
        municipality=ÖREBRO,
        colour_by="diverging",
        title="Bättre/sämre än förväntat",
        ax=ax,
    )
    drawn = maps.drawn_colours(ax)
    best, worst = to_rgba(drawn[residuals.idxmax()]), to_rgba(drawn[residuals.idxmin()])
    assert best[2] > best[0] and worst[0] > worst[2]  # better than expected is blue
    cmap = matplotlib.colormaps[maps.DIVERGING_CMAP]
    limit = 12.0
    for code in residuals.index[[0, 40, 144, 200, 288]]:
        expected = cmap((residuals[code] + limit) / (2 * limit))
        assert drawn[code] == matplotlib.colors.to_hex(expected)
    assert residuals.iloc[144] == 0.0 and drawn.iloc[144] == matplotlib.colors.to_hex(cmap(0.5))
    assert drawn[codes[-1]] == COLOURS["grey"]
    (bar,) = ax.child_axes
    low, high = sorted(bar.get_ylim())
    assert low == pytest.approx(-high)
    assert ax.get_title(loc="left") == "Bättre/sämre än förväntat"
    assert _texts(ax)["analys-caption"] == caption_text("demo", derived=True)
    # polarity="lower": negative residuals are the good ones
    _, flipped = _axes()
    maps.municipality_map(values=residuals, colour_by="diverging", polarity="lower", ax=flipped)
    assert maps.drawn_colours(flipped)[residuals.idxmax()] == drawn[residuals.idxmin()]


# --- focus, peers, county zoom ---------------------------------------------------------------
def test_focus_is_outlined_and_labelled_and_peers_outlined(values: pd.DataFrame) -> None:
    peers = ["1780", "1980", "0380", ÖREBRO]
    _, ax = _axes()
    maps.municipality_map(values, kpi=KPI, year=YEAR, municipality=ÖREBRO, peers=peers, ax=ax)
    assert _collection(ax, maps.FOCUS_GID).analys_codes == (ÖREBRO,)
    assert set(_collection(ax, maps.PEERS_GID).analys_codes) == {"1780", "1980", "0380"}
    assert _texts(ax)[maps.LABEL_GID] == "Örebro"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Örebro" in legend and "Jämförelsekommuner (3)" in legend
    assert ax.get_legend().get_title().get_text() == "Jämfört med alla kommuner"


@pytest.mark.parametrize("county", ["18", "0018", "auto"])
def test_county_zoom_draws_only_that_county(values: pd.DataFrame, county: str) -> None:
    units = reference.municipalities()
    örebro_län = units.loc[(units["type"] == "K") & (units["county"] == "18"), "municipality"]
    _, ax = _axes()
    maps.municipality_map(
        values,
        kpi=KPI,
        year=YEAR,
        municipality=ÖREBRO,
        county=county,
        peers=["1780", "1881"],
        ax=ax,
    )
    drawn = maps.drawn_colours(ax)
    assert sorted(drawn.index) == sorted(örebro_län) and len(drawn) == 12
    national = compare.quartile_colours(_series(values, KPI, reference.municipality_codes()))
    assert drawn.tolist() == national["colour"].map(COLOURS)[drawn.index].tolist()
    assert _collection(ax, maps.PEERS_GID).analys_codes == ("1881",)  # Karlstad is elsewhere
    assert "Örebro län" in ax.get_title(loc="left")
    x0, x1 = ax.get_xlim()
    assert x1 - x0 < 200e3  # zoomed in: Sweden is ~640 km wide


def test_bad_arguments_say_what_to_do(values: pd.DataFrame) -> None:
    _, ax = _axes()
    with pytest.raises(ParamsError, match="inget län"):
        maps.municipality_map(values, kpi=KPI, county="99", ax=ax)
    with pytest.raises(ParamsError, match="municipality="):
        maps.municipality_map(values, kpi=KPI, county="auto", ax=ax)
    with pytest.raises(ParamsError, match="region_map"):
        maps.municipality_map(values, kpi=REGION_KPI, ax=ax)
    with pytest.raises(ParamsError, match="colour_by"):
        maps.municipality_map(values, kpi=KPI, colour_by="rainbow", ax=ax)
    with pytest.raises(ParamsError, match="ange vilket"):
        maps.municipality_map(values, ax=ax)
    with pytest.raises(ParamsError, match="ingen kommun"):
        maps.municipality_map(values, kpi=KPI, municipality="9999", ax=ax)
    with pytest.raises(ParamsError, match="N99999"):
        maps.municipality_map(values, kpi="N99999", ax=ax)


# --- regions, small multiples, output --------------------------------------------------------
def test_region_map_colours_the_21_regions(values: pd.DataFrame) -> None:
    _, ax = _axes()
    maps.region_map(values, kpi=REGION_KPI, year=YEAR, region="18", ax=ax)
    drawn = maps.drawn_colours(ax)
    assert list(drawn.index) == reference.region_codes()
    series = _series(values, REGION_KPI, reference.region_codes())
    expected = compare.quartile_colours(series, "lower")["colour"].map(COLOURS)
    assert drawn.tolist() == expected.tolist()
    assert _collection(ax, maps.FOCUS_GID).analys_codes == ("0018",)
    assert _texts(ax)[maps.LABEL_GID] == "Region Örebro län"
    assert ax.get_legend().get_title().get_text() == "Jämfört med alla regioner"


def test_default_year_is_the_latest_with_values(values: pd.DataFrame) -> None:
    _, ax = _axes()
    maps.municipality_map(values[values["kpi"] == KPI], ax=ax)
    latest = values.loc[(values["kpi"] == KPI) & values["value"].notna(), "year"].max()
    assert ax.get_title(loc="left").endswith(str(latest))


def test_small_multiples_over_years_and_over_kpis(values: pd.DataFrame) -> None:
    figure = maps.small_multiples(
        values, kpi=KPI, years=[2021, 2022, 2023, 2024], municipality=ÖREBRO
    )
    maps_drawn = [a for a in figure.axes if a.collections]
    assert [a.get_title(loc="left") for a in maps_drawn] == ["2021", "2022", "2023", "2024"]
    for ax, year in zip(maps_drawn, [2021, 2022, 2023, 2024], strict=True):
        series = _series(values, KPI, reference.municipality_codes(), year)
        expected = compare.quartile_colours(series)["colour"].map(COLOURS)
        assert maps.drawn_colours(ax).tolist() == expected.tolist()
    assert figure.texts and any(t.get_gid() == "analys-caption" for t in figure.texts)
    assert all(any(t.get_gid() == "analys-watermark" for t in a.texts) for a in maps_drawn)
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend[:3] == ["Bästa fjärdedelen", "Mittenhälften", "Sämsta fjärdedelen"]

    several = maps.small_multiples(
        values, kpis=[KPI, LOWER, NEUTRAL], year=YEAR, ncols=2, source="kolada"
    )
    panels = [a for a in several.axes if a.collections]
    assert len(panels) == 3
    assert [len(maps.drawn_colours(a)) for a in panels] == [290, 290, 290]
    assert "Meritvärde" in panels[0].get_title(loc="left")
    assert not any(t.get_gid() == "analys-watermark" for a in panels for t in a.texts)

    regions = maps.small_multiples(values, kpi=REGION_KPI, region=True, municipality="0018")
    assert [len(maps.drawn_colours(a)) for a in regions.axes if a.collections] == [21] * 4


def test_caption_watermark_and_png(values: pd.DataFrame) -> None:
    figure, ax = _axes((3.6, 6.0))  # the explorers' size
    maps.municipality_map(values, kpi=KPI, year=YEAR, municipality=ÖREBRO, ax=ax)
    texts = _texts(ax)
    assert texts["analys-caption"] == caption_text("demo", derived=True)
    assert texts["analys-watermark"] == "DEMODATA"
    assert ax.get_aspect() == 1.0 and not ax.axison
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n" and len(buffer.getvalue()) > 10_000

    _, real = _axes()
    maps.municipality_map(
        values, kpi=KPI, year=YEAR, colour_by="sequential", source="store", ax=real
    )
    texts = _texts(real)
    assert texts["analys-caption"] == caption_text("store")
    assert "analys-watermark" not in texts


def test_without_ax_a_new_figure_is_made(values: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    ax = maps.municipality_map(values, kpi=KPI, year=YEAR)
    try:
        assert len(maps.drawn_colours(ax)) == 290
    finally:
        plt.close(ax.figure)


def test_small_multiples_legend_stays_within_the_figure(values: pd.DataFrame) -> None:
    """Four panels of judged and neutral KPIs: the legend once ran 1.3 inches past both of
    the figure's edges (one column per entry, up to eight)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = maps.small_multiples(
        values, kpis=[KPI, LOWER, NEUTRAL, KPI], year=YEAR, municipality=ÖREBRO, ncols=4
    )
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    box = figure.legends[0].get_window_extent(canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= figure.bbox.width
