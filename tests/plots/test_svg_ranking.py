"""The report's ranking of every municipality written straight as SVG (issue 14): the same
words, bars and colours as the matplotlib chart, no judging colours for a cost, no share's
axis above 100 %, and its texts laid out without overlaps in a real browser."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from analys import demo, plots  # noqa: E402
from analys.chartstyle import COLOURS  # noqa: E402
from analys.testing import SVG, drawn, drawn_bars, svg_texts  # noqa: E402


@pytest.fixture(scope="module")
def values():
    return demo.load_values(["N15507", "N15027", "N15428"], None, [2024])


def _ranking(values, kpi: str):
    return plots.ranking_bars(values, kpi=kpi, year=2024, municipality="1880", preliminary=2025)


def _bars(svg: str) -> dict[str, int]:
    """How many bars of each colour: one path per colour, one ``M`` per bar."""
    root = ET.fromstring(svg)
    return {
        p.get("fill"): p.get("d").count("M")
        for p in root.iter(f"{SVG}path")
        if p.get("fill", "none") != "none" and p.get("d").count("V") >= 2
    }


@pytest.mark.parametrize("kpi", ["N15507", "N15027"])
def test_the_svg_says_and_draws_what_the_matplotlib_chart_does(values, kpi):
    ranking = _ranking(values, kpi)
    chart = plots.ranking_svg(ranking, source="demo")
    written = svg_texts(chart.svg)
    assert written == list(chart.texts)
    figure, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    plots.draw_ranking(ax, ranking, source="demo")
    drawn(figure)
    words = {t.get_text() for t in ax.texts if t.get_gid() != "analys-caption"}
    words |= {ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel()}
    legend = ax.get_legend()
    words |= {t.get_text() for t in legend.get_texts()}
    words |= set(legend.get_title().get_text().split("\n"))
    lines = {line for w in words for line in w.split("\n")}
    assert {w for w in lines if w} - set(written) == set()
    # the same bars in the same colours as the matplotlib chart's one collection
    colours = drawn_bars(ax)["colour"].value_counts().to_dict()
    assert _bars(chart.svg) == colours
    assert sum(colours.values()) == len(ranking.codes) > 250
    assert chart.alt == f"Diagram: {ranking.title}"


def test_a_cost_is_higher_or_lower_never_better_or_worse(values):
    chart = plots.ranking_svg(_ranking(values, "N15027"), source="demo")
    judging = {COLOURS["green"], COLOURS["yellow"], COLOURS["red"]}
    assert not set(_bars(chart.svg)) & judging
    assert "Högsta fjärdedelen (ingen värdering)" in chart.texts
    assert not any("Bästa" in t or "Sämsta" in t for t in chart.texts)
    assert any("högst till lägst" in t for t in chart.texts)


def test_a_share_has_no_tick_above_100_percent(values):
    chart = plots.ranking_svg(_ranking(values, "N15428"), source="demo")
    ticks = [int(t) for t in chart.texts if re.fullmatch(r"\d+", t)]
    assert 100 in ticks and max(ticks) == 100


def test_only_the_ranking_of_every_municipality_is_drawn_as_svg(values):
    peers = plots.ranking_bars(values, kpi="N15507", year=2024, municipality="1880", peers=["1881"])
    with pytest.raises(ValueError, match="ranking_chart"):
        plots.ranking_svg(peers, source="demo")


@pytest.mark.browser
def test_in_chromium_no_text_overlaps_another_or_leaves_the_chart(values, browser_layout):
    for kpi in ("N15507", "N15027", "N15428"):
        assert (
            len(browser_layout(plots.ranking_svg(_ranking(values, kpi), source="demo").svg, kpi))
            > 10
        )
