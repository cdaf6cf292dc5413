"""The report's trend and gender grids written straight as SVG (issue 14: drawing without
matplotlib's per-glyph cost): they say what the matplotlib panels say, lay their texts out
without overlaps in a real browser, and escape every name."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from analys import demo, plots  # noqa: E402
from analys.chartstyle import unhinted_text  # noqa: E402
from analys.plots.svg import points_path, text_width  # noqa: E402
from analys.plots.trend import draw_lines  # noqa: E402
from analys.testing import SVG, drawn, svg_texts  # noqa: E402

PEERS = ["1881", "1883", "1885", "1882", "1884", "0180", "1480"]
KPIS = ["N15508", "N15507", "N15428"]


@pytest.fixture(scope="module")
def values():
    return demo.load_values(KPIS, None, range(2012, 2026))


def _panels(values, **extra):
    targets = {"N15508": (85.0, 2030), "N15507": (None, None), "N15428": (90.0, None)}
    return [
        plots.trend_lines(
            values,
            kpi=kpi,
            municipality="1880",
            peers=PEERS,
            target=targets[kpi][0],
            target_year=targets[kpi][1],
            preliminary=2025,
            peers_label="7 liknande kommuner",
            **extra,
        )
        for kpi in KPIS
    ]


def test_text_widths_are_matplotlibs():
    """The layout measures text as matplotlib does (DejaVu Sans, unhinted, as a browser
    lays it out), to within 2 %."""
    figure = plt.figure(dpi=72)
    with unhinted_text():
        renderer = drawn(figure)
    for text, size, bold in [
        ("Godkända i alla ämnen, åk 9", 11, False),
        ("249,7 poäng (2024)", 8, True),
        ("Flickor − pojkar (procentenheter)", 9, False),
        ("2025*", 8, False),
    ]:
        artist = figure.text(0, 0, text, fontsize=size, fontweight="bold" if bold else "normal")
        with unhinted_text():
            expected = Text.get_window_extent(artist, renderer).width
        assert text_width(text, size, bold=bold) == pytest.approx(expected, rel=0.02), text
    plt.close(figure)


def test_a_grid_says_what_the_matplotlib_panels_say(values):
    """Title, last value, target label and the ticks' labels: the same words and years."""
    panels = _panels(values)
    chart = plots.lines_grid(panels, source="demo")
    written = svg_texts(chart.svg)
    assert written == list(chart.texts)
    for lines in panels:
        figure, ax = plt.subplots(figsize=(4.6, 3.1), layout="constrained")
        draw_lines(ax, lines, source="demo", legend="none")
        drawn(figure)
        words = {t.get_text() for t in ax.texts if t.get_text()}
        words |= {ax.get_title(loc="left")}
        ticks = []
        for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            locations = [v for v in axis.get_majorticklocs() if low <= v <= high]
            ticks += axis.get_major_formatter().format_ticks(locations)
        plt.close(figure)
        assert "2025*" in ticks
        joined = " ".join(written)  # a caption may wrap elsewhere
        missing = {w for w in words | set(ticks) if w not in written}
        assert all(" ".join(w.split()) in joined for w in missing), missing
    # one legend for all panels: each target is one "Mål" entry, its value on its line
    assert written.count("Mål") == 1
    assert "Mål 85,0 % (2030)" in written and "Mål 90,0 %" in written
    assert written.count("Median, 7 liknande kommuner") == 1
    # one caption under the grid, and the watermark across each panel on demo data
    assert sum(w.startswith("Egen bearbetning av data från Kolada") for w in written) == 1
    assert written.count("DEMODATA") == len(panels)
    assert chart.alt == "Diagram: " + "; ".join(p.title for p in panels)


def test_the_svg_is_well_formed_and_escapes_every_name(values):
    hostile = '<script>alert("x")</script> & \x07"mål"'
    (lines,) = _panels(values[values["kpi"] == "N15507"], title=hostile)[1:2]
    chart = plots.lines_grid([lines], source="kolada")
    root = ET.fromstring(chart.svg)  # parses: nothing in a name breaks the document
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == chart.alt
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))
    assert '<script>alert("x")</script> & "mål"' in svg_texts(chart.svg)
    assert "<script>" not in chart.svg and "\x07" not in chart.svg
    assert "DEMODATA" not in chart.svg  # Kolada's own values: no demo watermark
    assert any(t.startswith("Källa: Kolada") or "Kolada" in t for t in svg_texts(chart.svg))


def test_a_missing_year_breaks_the_line():
    points = np.array([[0, 0], [1, 1], [np.nan, np.nan], [3, 3], [4, 4]])
    assert points_path(points) == "M0 0L1 1M3 3L4 4"


def test_a_panel_without_values_says_so_and_the_others_still_draw(values):
    empty = plots.trend_lines(values, kpi="N15507", municipality="1880", years=[1990])
    chart = plots.lines_grid([empty, *_panels(values)[:1]], source="demo")
    assert empty.message in chart.texts
    assert "Godkända i alla ämnen, åk 9" in " ".join(chart.texts)
    assert chart.alt == "Diagram: Godkända i alla ämnen, åk 9"


@pytest.mark.browser
def test_in_chromium_no_text_overlaps_another_or_leaves_the_chart(values, browser_layout):
    """The browser's own text boxes: every label inside the chart and none on another.

    The grid measures its texts with DejaVu Sans' metrics; this is where that is checked
    against the text the browser really draws.
    """
    charts = {
        "trend": plots.lines_grid(_panels(values), source="demo"),
        "gap": plots.lines_grid(
            [plots.gap_lines(values, kpi=k, municipality="1880", peers=PEERS) for k in KPIS],
            source="demo",
            height=2.8,
        ),
    }
    for name, chart in charts.items():
        assert len(browser_layout(chart.svg, name)) > 40, name


def test_the_report_shows_its_grids_as_svg_with_a_swedish_description(ipython_capture):
    from analys.report import Report

    report = Report.from_area("grundskola", "1880")
    with ipython_capture() as shown:
        report.trends()
        report.gender()
    svgs = [o for o in shown.outputs if "image/svg+xml" in o.data]
    assert len(svgs) == 2 and shown.images == 2
    for output in svgs:
        alt = output.metadata["image/svg+xml"]["alt"]
        assert alt.startswith("Diagram: ") and alt in output.data["image/svg+xml"]
        assert re.search(r"<title>Diagram: [^<]+</title>", output.data["image/svg+xml"])
        assert len(output.data["image/svg+xml"]) < 80_000


@pytest.mark.browser
def test_a_long_legend_entry_and_a_long_axis_title_wrap_inside_a_one_panel_grid(
    values, browser_layout
):
    """A one-panel gender grid of Vingåker: its median's entry named the whole municipality
    group and ran past the chart's edge; a long unit's axis title ran into the panel title."""
    (lines,) = _panels(values)[:1]
    long = dataclasses.replace(
        lines,
        median_label="Median, 50 kommuner i kommungruppen Pendlingskommun nära mindre stad/tätort (C7)",
        ylabel="Kvinnor − män (antal/100 000 invånare, åldersstandardiserat)",
    )
    chart = plots.lines_grid([long], source="demo", height=2.8)
    assert len(browser_layout(chart.svg, "one panel")) > 15
