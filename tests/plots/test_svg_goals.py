"""The report's goal chart written straight as SVG (issue 14): the same words as the
matplotlib chart, each bar as long as its goal's score in its status colour, titles of
several lines that never run into each other in a real browser, every title escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analys import plots  # noqa: E402
from analys.chartstyle import STATUS_COLOURS  # noqa: E402
from analys.testing import SVG, drawn, svg_texts  # noqa: E402


@pytest.fixture
def goals(goal_titles) -> pd.DataFrame:
    """Five goals of every status, one without data, titles of one to three lines."""
    return pd.DataFrame(
        {
            "goal": [f"mal{i}" for i in range(5)],
            "title": goal_titles,
            "score": [1.0, 0.5, 0.25, float("nan"), 0.75],
            "coverage": [1.0, 1.0, 0.5, 0.0, 1.0],
            "status": ["met", "partly", "not_met", "no_data", "met"],
        }
    )


def test_the_svg_says_what_the_matplotlib_chart_says(goals):
    bars = plots.goal_bars(goals)
    chart = plots.goal_status_svg(bars, source="demo")
    written = svg_texts(chart.svg)
    assert written == list(chart.texts)
    figure, ax = plt.subplots(figsize=plots.goal_chart_size(goals), layout="constrained")
    plots.draw_goals(ax, bars, source="demo")
    drawn(figure)
    words = {t.get_text() for t in ax.texts if t.get_gid() != "analys-caption"}
    words |= {ax.get_title(loc="left"), ax.get_xlabel()}
    words |= {t.get_text() for t in ax.get_xticklabels()}
    words |= {line for t in ax.get_yticklabels() for line in t.get_text().split("\n")}
    assert {w for w in words if w} - set(written) == set()
    assert "Data saknas · – (täckning 0 %)" in written
    assert chart.alt == "Diagram: Måluppfyllelse"


def test_each_bar_is_as_long_as_its_score_in_its_status_colour(goals):
    root = ET.fromstring(plots.goal_status_svg(plots.goal_bars(goals), source="kolada").svg)
    (frame,) = [r for r in root.iter(f"{SVG}rect") if r.get("stroke") == "#000000"]
    width = float(frame.get("width"))
    coloured = [
        (r.get("fill"), float(r.get("width")) / width)
        for r in root.iter(f"{SVG}rect")
        if r.get("fill") in set(STATUS_COLOURS.values())
    ]
    # no bar for the goal without data (its score is NaN): only its grey background
    assert [f for f, _ in coloured] == [
        STATUS_COLOURS[s] for s in ("met", "partly", "not_met", "met")
    ]
    assert [round(share, 3) for _, share in coloured] == [1.0, 0.5, 0.25, 0.75]


def test_every_title_is_escaped_and_nothing_to_show_says_so(goals):
    hostile = goals.iloc[:1].assign(title='<script>alert("x")</script> & mål')
    chart = plots.goal_status_svg(plots.goal_bars(hostile), source="demo")
    ET.fromstring(chart.svg)
    assert "<script>" not in chart.svg
    assert any("<script>" in t for t in svg_texts(chart.svg))
    empty = plots.goal_status_svg(plots.goal_bars(goals.iloc[0:0]), source="demo")
    assert "Inga mål att visa." in empty.texts


@pytest.mark.browser
def test_in_chromium_titles_of_several_lines_never_overlap(goals, browser_layout):
    for count in (1, 2, 3, 5):
        chart = plots.goal_status_svg(plots.goal_bars(goals.iloc[:count]), source="demo")
        assert len(browser_layout(chart.svg, str(count))) >= 2 * count
