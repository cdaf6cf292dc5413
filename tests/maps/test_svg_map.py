"""The reports' maps written as SVG (analys.maps.svg_map): the same colours, legend and title
as the matplotlib map of the same request, boundaries that decode back to the geometry, the
overview's small maps sharing one set of shapes, escaping, and the layout in Chromium."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from analys import demo, maps, reference  # noqa: E402
from analys.chartstyle import COLOUR_LABELS, COLOURS  # noqa: E402
from analys.maps import svg_map  # noqa: E402
from analys.testing import SVG, svg_texts  # noqa: E402

KPI = "N15428"  # behöriga till yrkesprogram: judged, higher is better
COST = "N15507"  # a cost: no direction, blue/orange


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return demo.load_values([KPI, COST, "N00097"], None, None)


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _units(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    (group,) = [g for g in root.iter(f"{SVG}g") if "transform" in g.attrib]
    return list(group)


def test_a_map_panel_has_the_colours_and_legend_of_the_matplotlib_map(values):
    panel = maps.map_panel(values, kpi=KPI, focus="1880", title="Sverige")
    ax = maps.municipality_map(values, kpi=KPI, municipality="1880", title="Sverige")
    pd.testing.assert_series_equal(panel.colours(), maps.drawn_colours(ax))
    assert [e.label for e in panel.legend] == _legend(ax)
    assert panel.title == ax.get_title(loc="left")
    assert set(panel.faces) >= {COLOURS["green"], COLOURS["red"]}

    figure = maps.map_svg([panel], source="demo")
    units = _units(figure.svg)
    assert [u.get("fill") for u in units] == list(panel.faces)  # every unit, in order
    texts = svg_texts(figure.svg)
    for label in _legend(ax) + [panel.title, reference.title("1880")]:
        assert label in texts
    assert "DEMODATA" in texts and any("Egen bearbetning av data från Kolada" in t for t in texts)
    assert figure.alt == f"Diagram: {panel.title}"


def test_the_county_panel_outlines_the_peers_and_explains_them(values):
    peers = ["1814", "1861", "0180"]  # two in Örebro län, Stockholm outside it
    county = maps.map_panel(values, kpi=KPI, focus="1880", peers=peers, county="auto")
    ax = maps.municipality_map(values, kpi=KPI, municipality="1880", peers=peers, county="auto")
    pd.testing.assert_series_equal(county.colours(), maps.drawn_colours(ax))
    assert [e.label for e in county.legend] == _legend(ax)
    assert all(
        reference.municipalities().set_index("municipality").loc[c, "county"] == "18"
        for c in county.codes
    )
    sweden = maps.map_panel(values, kpi=KPI, focus="1880")
    figure = maps.map_svg([sweden, county], legends=[True, False])
    texts = svg_texts(figure.svg)
    # the county's own legend keeps its outlines (the colours are Sweden's, left of it)
    outlines = [e.label for e in county.legend if e.width]
    assert outlines == [reference.title("1880"), "Jämförelsekommuner (2)"]
    assert all(texts.count(label) >= 1 for label in outlines)
    assert texts.count(reference.title("1880")) == 4  # two legends, two names on the maps


def test_region_panels_compare_the_21_regions(values):
    region = demo.load_values(["N79240"], None, None)
    panel = maps.map_panel(region, kpi="N79240", focus="18", region=True)
    ax = maps.region_map(region, kpi="N79240", region="0018")
    pd.testing.assert_series_equal(panel.colours(), maps.drawn_colours(ax))
    assert len(panel.codes) == 21 and panel.legend_title == "Jämfört med alla regioner"


@pytest.mark.parametrize("resolution", svg_map.RESOLUTIONS)
def test_boundaries_decode_back_to_the_geometry(resolution):
    """Each ring's path, summed up from its relative steps, is the geometry rounded to the
    grid (consecutive repeats dropped), so neighbours share their border points exactly."""
    geo = maps.geometry("kommun")
    west, north = svg_map._origin("kommun")
    paths = svg_map.unit_paths("kommun", resolution)
    assert len(paths) == 290 and all(paths)
    for row in (0, geo.codes.index("1880"), geo.codes.index("0980"), 289):
        vertices, codes = geo.vertices[row], geo.path_codes[row]
        rings = [r for r in np.split(vertices, np.flatnonzero(codes == MplPath.MOVETO)[1:])]
        decoded = []
        for part in re.findall(r"M(-?\d+) (-?\d+)l([^z]*)z", paths[row]):
            steps = np.array([int(v) for v in re.findall(r"-?\d+", part[2])]).reshape(-1, 2)
            start = np.array([int(part[0]), int(part[1])])
            decoded.append(np.vstack([start, start + np.cumsum(steps, axis=0)]))
        expected = []
        for ring in rings:
            grid = np.rint(np.column_stack([ring[:, 0] - west, north - ring[:, 1]]) / resolution)
            grid = grid[np.r_[True, np.any(grid[1:] != grid[:-1], axis=1)]].astype(int)
            if (grid[-1] == grid[0]).all():
                grid = grid[:-1]
            if len(grid) >= 3:
                expected.append(grid)
        assert len(decoded) == len(expected)
        for got, want in zip(decoded, expected, strict=True):
            np.testing.assert_array_equal(got, want)


def test_the_small_maps_share_their_shapes_and_explain_every_colour_once(values):
    """A cost (no direction: blue/orange) beside a judged KPI: both palettes in one legend,
    "Värde saknas" once; each panel uses every unit's one shape in <defs>."""
    figure = maps.small_multiples_svg(values, kpis=[COST, "N00097"], municipality="1880", ncols=2)
    texts = svg_texts(figure.svg)
    for colour in ("green", "red", "high", "low"):
        assert texts.count(COLOUR_LABELS[colour]) == 1, colour
    assert texts.count("Värde saknas") == 1 and reference.title("1880") in texts
    root = ET.fromstring(figure.svg)
    defined = {p.get("id") for p in root.iter(f"{SVG}path") if p.get("id")}
    used = [u.get("href").lstrip("#") for u in root.iter(f"{SVG}use")]
    assert len(defined) == 290 and len(used) == 2 * 290 and set(used) == defined
    # one shape per unit, not one per panel: each panel's own paths would take 2 × 44 KB
    assert len(figure.svg) < 75_000
    for kpi in (COST, "N00097"):  # each panel's colours are its KPI's own quartiles
        panel = maps.map_panel(values, kpi=kpi, focus="1880")
        drawn = {}
        for group in root.iter(f"{SVG}g"):
            if group.get("fill") and group.find(f"{SVG}use") is not None:
                for use in group.findall(f"{SVG}use"):
                    drawn.setdefault(use.get("href"), []).append(group.get("fill"))
        row = maps.geometry("kommun").codes.index("1880")
        assert panel.colours()["1880"] in drawn[f"#{svg_map._ref('kommun', 2000, row)}"]


def test_hostile_titles_and_names_are_escaped(values, monkeypatch):
    hostile = '<script>alert("x")</script> & Co'
    monkeypatch.setattr(reference, "title", lambda code: hostile)
    panel = maps.map_panel(values, kpi=KPI, focus="1880", title=hostile)
    figure = maps.map_svg([panel])
    assert "<script>" not in figure.svg
    texts = svg_texts(figure.svg)  # parses as XML
    assert any(hostile in t for t in texts)


def test_the_maps_are_laid_out_in_chromium(values, browser_layout):
    region = demo.load_values(["N79240"], None, None)
    peers = ["0480", "0482", "0180"]  # Nyköping and Flen in Vingåker's county
    figures = {
        "Vingåker": maps.map_svg(
            [
                maps.map_panel(values, kpi=KPI, focus="0428", title="Sverige", preliminary=2025),
                maps.map_panel(
                    values, kpi=KPI, focus="0428", peers=peers, county="auto", preliminary=2025
                ),
            ],
            legends=[True, False],
        ),
        "Gotland": maps.map_svg(
            [maps.map_panel(values, kpi=KPI, focus="0980", title="Sverige")],
            height=6.4,
            max_width=4.6,
        ),
        "Region": maps.map_svg(
            [maps.map_panel(region, kpi="N79240", focus="0018", region=True)],
            height=6.4,
            max_width=5.6,
        ),
        "small": maps.small_multiples_svg(
            values, kpis=[KPI, COST, "N00097"], municipality="2418", ncols=3
        ),
    }
    for name, figure in figures.items():
        browser_layout(figure.svg, name)
    plt.close("all")
