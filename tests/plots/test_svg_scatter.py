"""The report's scatter charts written straight as SVG (issue 14): expected against actual and
result against cost say what the matplotlib charts say, turn the result axis when lower is
better, lay their names out without overlaps in a real browser and escape every text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analys import demo, plots, reference  # noqa: E402
from analys.report import Report  # noqa: E402
from analys.testing import SVG, drawn, svg_texts  # noqa: E402


@pytest.fixture(scope="module")
def scatters():
    """The report's two scatters for Örebro and its peers: expected against actual, and
    result against cost (once with a result where lower is better)."""
    values = demo.load_values(["N15507", "N15027", "N15033"], None, [2024])
    peers = Report.from_area("grundskola", "1880").peers
    merit = values[(values["kpi"] == "N15507") & (values["gender"] == "T")]
    actual = merit.set_index("municipality")["value"].astype(float)
    actual = actual[actual.index.isin(reference.municipality_codes())].dropna()
    noise = np.random.default_rng(7).normal(0, 6, len(actual))
    table = pd.DataFrame({"actual": actual, "expected": actual.to_numpy() + noise})
    return {
        "expected": plots.expected_points(table, municipality="1880", peers=peers, kpi="N15507"),
        "cost": plots.cost_points(
            values,
            result_kpi="N15507",
            cost_kpi="N15027",
            year=2024,
            municipality="1880",
            peers=peers,
        ),
        "cost_lower": plots.cost_points(
            values, result_kpi="N15033", cost_kpi="N15027", year=2024, municipality="1880"
        ),
    }


def _placed_texts(svg: str) -> list[tuple[str, float, float, str]]:
    """Every text: its words, x, y and anchor."""
    return [
        ("".join(t.itertext()), float(t.get("x")), float(t.get("y")), t.get("text-anchor", ""))
        for t in ET.fromstring(svg).iter(f"{SVG}text")
    ]


@pytest.mark.parametrize("kind", ["expected", "cost", "cost_lower"])
def test_the_svg_says_what_the_matplotlib_chart_says(scatters, kind):
    """Title, axis titles, corner texts, legend, the names and the ticks' labels."""
    scatter = scatters[kind]
    chart = plots.scatter_svg(scatter, source="demo")
    written = svg_texts(chart.svg)
    assert written == list(chart.texts)
    figure, ax = plt.subplots(figsize=(6.5, 5), layout="constrained")
    plots.draw_scatter(ax, scatter, source="demo")
    drawn(figure)
    words = {t.get_text() for t in ax.texts if t.get_text() and t.get_gid() != "analys-caption"}
    words |= {ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel()}
    words |= {t.get_text() for t in ax.get_legend().get_texts()}
    ticks = []
    for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        low, high = sorted(limits)
        locations = [v for v in axis.get_majorticklocs() if low <= v <= high]
        ticks += axis.get_major_formatter().format_ticks(locations)
    assert set(ticks) <= set(written), set(ticks) - set(written)
    # matplotlib names a peer when its estimated place is free, the SVG when its measured
    # place is: the focus municipality is always named, and most peers by both
    names = {reference.title(c) for c in scatter.peers}
    assert reference.title("1880") in written
    assert len(names & set(written)) >= len(names & words) - 1
    assert {w for w in words - names if w not in written} == set()
    assert chart.alt == f"Diagram: {scatter.title}"
    assert written.count("DEMODATA") == 1
    assert sum(w.startswith("Egen bearbetning av data från Kolada") for w in written) == 1


def _y_ticks(chart) -> list[tuple[float, float]]:
    """The value axis' ticks: (value, y) of each label written right-aligned left of it."""
    numbers = [
        (float(text.replace("\u2212", "-").replace(" ", "").replace(",", ".")), y)
        for text, _, y, anchor in _placed_texts(chart.svg)
        if anchor == "end" and re.fullmatch(r"[−-]?[\d ]+(,\d+)?", text)
    ]
    return sorted(numbers)


def test_a_result_where_lower_is_better_is_turned_with_better_on_top(scatters):
    higher = _y_ticks(plots.scatter_svg(scatters["cost"], source="demo"))
    lower = _y_ticks(plots.scatter_svg(scatters["cost_lower"], source="demo"))
    assert len(higher) >= 4 and len(lower) >= 4
    assert higher[0][1] > higher[-1][1]  # the largest value on top (smallest y)
    assert lower[0][1] < lower[-1][1]  # turned: the smallest value on top
    assert (
        "Bättre resultat, låg kostnad"
        in plots.scatter_svg(scatters["cost_lower"], source="demo").texts
    )


def test_every_text_is_escaped_and_kolada_data_has_no_watermark():
    hostile = '<img src=x onerror=alert(1)> & "Öre"\x1b'
    scatter = plots.Scatter(
        title=hostile,
        xlabel=hostile,
        ylabel="y",
        x=pd.Series([1.0, 2.0, 3.0], index=["1880", "1881", "1814"]),
        y=pd.Series([2.0, 1.0, 3.0], index=["1880", "1881", "1814"]),
        everyone="Alla kommuner",
        municipality="1880",
        corners=((0.03, 0.97, hostile),),
    )
    chart = plots.scatter_svg(scatter, source="kolada")
    root = ET.fromstring(chart.svg)
    assert not [e for e in root.iter() if e.tag.endswith("img")]
    written = svg_texts(chart.svg)
    assert written.count('<img src=x onerror=alert(1)> & "Öre"') == 3
    assert "<img" not in chart.svg and "\x1b" not in chart.svg and "DEMODATA" not in chart.svg


def test_nothing_to_draw_says_so():
    empty = plots.expected_points(pd.DataFrame(columns=["actual", "expected"]))
    chart = plots.scatter_svg(empty, source="demo")
    assert "Inga kommuner med fullständiga data för modellen." in chart.texts
    assert chart.alt == "Diagram"


@pytest.mark.browser
def test_in_chromium_no_name_overlaps_another_or_leaves_the_chart(scatters, browser_layout):
    for kind, scatter in scatters.items():
        assert len(browser_layout(plots.scatter_svg(scatter, source="demo").svg, kind)) > 15


@pytest.mark.browser
def test_in_chromium_no_two_names_touch_in_a_reports_cost_chart(browser_layout, monkeypatch):
    """Kultur, Örebro: "Borås" ended where "Jönköping" began, read as one name."""
    from analys.report import output

    shown = []
    monkeypatch.setattr(output, "display", lambda *a, **k: None)
    monkeypatch.setattr(output, "show_figure", shown.append)
    Report.from_area("kultur", "1880").comparison()
    (cost,) = [f for f in shown if isinstance(f, plots.SvgFigure) and "kostnad" in f.alt]
    texts = browser_layout(cost.svg, "kultur")
    names = [t for t in texts if t[4] in {"Borås", "Jönköping"}]
    if len(names) == 2:
        (a, b) = names
        gap = max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])
        assert gap >= 1.5, names
