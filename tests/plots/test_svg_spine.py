"""The report's spine chart written straight as SVG (issue 14): it says what the matplotlib
spine chart says, puts each marker where the M9 scaling does, grows with its rows and lays
its texts out without overlaps in a real browser."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analys import demo, plots  # noqa: E402
from analys.plots.spine import NEUTRAL_BAND  # noqa: E402
from analys.testing import SVG, drawn, svg_texts  # noqa: E402

KPIS = ["N15508", "N15507", "N15428", "N15543", "N15027"]  # the last without a direction


@pytest.fixture(scope="module")
def spine():
    values = demo.load_values(KPIS, None, [2024, 2025])
    statuses = pd.Series({"N15508": "met", "N15507": "partly", "N15428": "not_met"})
    return plots.spine_rows(
        values, kpis=KPIS, municipality="1880", statuses=statuses, preliminary=2025
    )


def _frame(root):
    """The chart's frame: its one black outline."""
    (frame,) = [
        r
        for r in root.iter(f"{SVG}rect")
        if r.get("stroke") == "#000000" and r.get("fill") == "none"
    ]
    return frame


def test_the_svg_says_what_the_matplotlib_chart_says(spine):
    chart = plots.spine_svg(spine, source="demo")
    written = svg_texts(chart.svg)
    assert written == list(chart.texts)
    figure, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    plots.draw_spine(ax, spine, source="demo")
    drawn(figure)
    words = {t.get_text() for t in ax.texts if t.get_gid() != "analys-caption"}
    words |= {ax.get_title(loc="left"), ax.get_xlabel()}
    words |= {t.get_text() for t in ax.get_legend().get_texts()}
    words |= {t.get_text() for t in ax.get_xticklabels()}
    lines = {line for t in ax.get_yticklabels() for line in t.get_text().split("\n")}
    assert {w for w in words | lines if w} - set(written) == set()
    assert "−4,5 % (2025*), ingen riktning" in " ".join(written) or any(
        w.endswith("ingen riktning") for w in written
    )
    assert written.count("DEMODATA") == 1 and chart.alt == f"Diagram: {spine.title}"


def test_each_marker_sits_where_the_m9_scaling_puts_it(spine):
    root = ET.fromstring(plots.spine_svg(spine, source="kolada").svg)
    frame = _frame(root)
    left, width = float(frame.get("x")), float(frame.get("width"))
    markers = [c for c in root.iter(f"{SVG}circle") if float(c.get("r")) == 4.5]
    expected = [row.marker for row in spine.rows if row.marker is not None]
    assert len(markers) == len(expected) == len(KPIS)
    for circle, share in zip(markers, expected, strict=True):
        drawn_share = (float(circle.get("cx")) - left) / width * 1.04 - 0.02
        assert drawn_share == pytest.approx(share, abs=0.01)
    # the cost, a KPI without a direction, on a grey row
    assert any(r.get("fill") == NEUTRAL_BAND for r in root.iter(f"{SVG}rect"))


def test_a_chart_of_two_rows_grows_instead_of_squeezing_them():
    """Two KPIs, one without a direction: the legend takes four rows, and the report's
    height for two rows would leave them about 10 points."""
    values = demo.load_values(KPIS[3:], None, [2025])
    statuses = pd.Series({"N15543": "met"})
    two = plots.spine_rows(values, kpis=KPIS[3:], municipality="1880", statuses=statuses)
    chart = plots.spine_svg(two, source="demo", height=0.9 + 0.45 * 2)
    root = ET.fromstring(chart.svg)
    frame = _frame(root)
    assert float(frame.get("height")) >= 2 * 22
    assert float(root.get("viewBox").split()[3]) > (0.9 + 0.45 * 2) * 72


def test_nothing_to_compare_says_so():
    empty = plots.spine_rows(
        demo.load_values(["N15507"], None, [1990]), kpis=["N15507"], municipality="1880"
    )
    chart = plots.spine_svg(empty, source="demo")
    assert "Inga värden att jämföra för Örebro." in chart.texts


@pytest.mark.browser
def test_in_chromium_no_text_overlaps_another_or_leaves_the_chart(spine, browser_layout):
    assert len(browser_layout(plots.spine_svg(spine, source="demo").svg, "spine")) > 25
