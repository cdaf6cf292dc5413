"""The reports' unit charts written straight as SVG (issue 14): the same words and box as
seaborn's chart, the same points in every render, the unit of a unit report named on its
diamond, and texts laid out without overlaps in a real browser."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from analys import plots  # noqa: E402
from analys.demo import units as demo_units  # noqa: E402
from analys.testing import SVG, drawn, svg_texts  # noqa: E402

KPI = "N15813"  # a school KPI of the demo's units (Behöriga lärare)


@pytest.fixture(scope="module")
def unit_data():
    catalogue = demo_units.units(None)
    values = demo_units.load_unit_values([KPI], None, None, None)
    return values, catalogue


def _strip(unit_data, highlight=None):
    values, catalogue = unit_data
    return plots.unit_strip(
        values, kpi=KPI, municipality="1880", units=catalogue, highlight=highlight, preliminary=2025
    )


def test_the_svg_says_what_seaborns_chart_says_with_its_box(unit_data):
    strip = _strip(unit_data)
    chart = plots.unit_strips_svg([strip], source="demo")
    written = svg_texts(chart.svg)
    assert written == list(chart.texts)
    figure, ax = plt.subplots(figsize=(8, 2.7), layout="constrained")
    plots.draw_unit_strip(ax, strip, source="demo")
    drawn(figure)
    words = {ax.get_xlabel()} | {t.get_text() for t in ax.get_legend().get_texts()}
    words |= set(ax.get_title(loc="left").split("\n"))
    low, high = ax.get_xlim()
    locations = [v for v in ax.xaxis.get_majorticklocs() if low <= v <= high]
    words |= set(ax.xaxis.get_major_formatter().format_ticks(locations))
    assert {w for w in words if w} - set(written) == set()
    # the box seaborn drew: its whiskers end at the 5th and 95th percentiles
    ends = [x for line in ax.get_lines() for x in line.get_xdata() if np.isfinite(x)]
    box = strip.box
    assert min(ends) == pytest.approx(box[0]) and max(ends) == pytest.approx(box[4])
    points = [c for c in ET.fromstring(chart.svg).iter(f"{SVG}circle") if c.get("r") == "2.5"]
    assert len(points) == len(strip.values) > 20
    assert chart.alt.startswith("Diagram: ")


def test_the_same_points_in_every_render(unit_data):
    first = plots.unit_strips_svg([_strip(unit_data)], source="demo").svg
    assert plots.unit_strips_svg([_strip(unit_data)], source="demo").svg == first


def test_a_unit_report_names_its_own_unit_on_its_diamond(unit_data, browser_layout):
    strip = _strip(unit_data)
    ou = strip.ous[len(strip.ous) // 2]
    named = _strip(unit_data, highlight=ou)
    chart = plots.unit_strips_svg([named, strip], source="demo")
    title = named.titles[named.ous.index(ou)]
    assert " ".join(title.split()) in " ".join(chart.texts)
    assert 'stroke="#08306b" stroke-width="2"' in chart.svg  # the diamond
    assert sum(t.startswith("Egen bearbetning") for t in chart.texts) == 1  # one caption
    browser_layout(chart.svg, "unit report")


def test_nothing_to_show_says_so(unit_data):
    values, catalogue = unit_data
    empty = plots.unit_strip(values.iloc[0:0], kpi=KPI, municipality="1880", units=catalogue)
    written = " ".join(plots.unit_strips_svg([empty], source="demo").texts)
    assert empty.message in written
