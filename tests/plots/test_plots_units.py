"""Unit charts (seaborn): the units on the national distribution, the unit trend, the rug."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import analys
from analys import demo, plots, registry
from analys.chartstyle import COLOURS, FOCUS
from analys.stats import compare
from analys.stats.units import unit_table

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def catalogue() -> pd.DataFrame:
    return analys.load_units()


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return analys.load_unit_values(["N15813"])


def _texts(ax) -> str:
    return " ".join(t.get_text() for t in ax.figure.findobj(lambda a: hasattr(a, "get_text")))


def test_unit_chart_points_are_the_municipalitys_units_coloured_by_quartile(values, catalogue):
    ax = plots.unit_chart(
        values, kpi="N15813", municipality="1880", units=catalogue, year=2024, source="demo"
    )
    table = unit_table(values, catalogue, "N15813", "1880", 2024).dropna(subset=["judged_value"])
    points = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections if len(c.get_offsets())])
    faces = np.concatenate([c.get_facecolors() for c in ax.collections if len(c.get_offsets())])
    assert sorted(np.round(points, 6)) == sorted(np.round(table["judged_value"].to_numpy(), 6))
    drawn = {round(x, 6): to_hex(f) for x, f in zip(points, faces, strict=True)}
    for x, colour in zip(table["judged_value"], table["colour"], strict=True):
        assert drawn[round(x, 6)] == COLOURS[colour]
    # the box is the national distribution of the same kind (grundskolor) that year
    national = values[(values["year"] == 2024)]
    kinds = catalogue.set_index("id")["activity"]
    national = national[national["ou"].map(kinds) == "V15"]["value"]
    q1, median, q3 = np.quantile(national, [0.25, 0.5, 0.75])
    lines = [line.get_xdata() for line in ax.get_lines() if len(line.get_xdata()) == 2]
    assert any(np.allclose(x, [median, median]) for x in lines)
    text = _texts(ax)
    assert "Demodata" in text and "alla enheter i Sverige" in text
    assert q1 < median < q3


def test_unit_chart_highlight_and_no_data(values, catalogue):
    unit = unit_table(values, catalogue, "N15813", "1880", 2024)["ou"].iloc[0]
    ax = plots.unit_chart(
        values, kpi="N15813", municipality="1880", units=catalogue, year=2024, highlight=unit
    )
    assert [a for a in ax.get_lines() if a.get_gid() == "analys-highlight"]
    empty = plots.unit_chart(
        values.iloc[0:0], kpi="N15813", municipality="1880", units=catalogue, source="demo"
    )
    assert "Inga enhetsvärden" in _texts(empty)


def test_unit_trend_chart_draws_the_unit(values, catalogue):
    unit = unit_table(values, catalogue, "N15813", "1880", 2024)["ou"].iloc[0]
    ax = plots.unit_trend_chart(values, kpi="N15813", ou=unit, units=catalogue, source="demo")
    own = values[values["ou"] == unit].sort_values("year")["value"].to_numpy()
    assert any(
        len(line.get_ydata()) == len(own) and np.allclose(line.get_ydata(), own)
        for line in ax.get_lines()
    )
    assert "Kommunens övriga enheter, median" in _texts(ax)


def test_tartan_rug_cells_follow_quartile_colours():
    kpis = ["N15813", "N15504", "N15033", "N15001"]  # N15001: a cost, no direction
    assert registry.polarity("N15001") == "neutral"
    frame = demo.load_values(kpis, None, [2024])
    peers = ["1480", "0380", "0580", "1280"]
    ax = plots.tartan_rug(frame, kpis=kpis, municipality="1880", peers=peers, source="demo")
    mesh = ax.collections[0]
    colours = [to_hex(c) for c in mesh.get_facecolors()]
    codes = ["1880", *peers]
    for i, kpi in enumerate(kpis):
        part = frame[(frame["kpi"] == kpi) & (frame["gender"] == "T")]
        part = part[part["municipality"].isin(analys.reference.municipality_codes())]
        expected = compare.quartile_colours(
            part.set_index("municipality")["value"], registry.polarity(kpi)
        )["colour"]
        for j, code in enumerate(codes):
            assert colours[i * len(codes) + j] == COLOURS[expected[code]], (kpi, code)
    assert {"high", "middle", "low"} & set(expected)  # the last KPI: blue/orange, no judgement
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "Örebro"


def test_overview_rug_section(monkeypatch, ipython_capture):
    from analys.report.overview import Overview

    overview = Overview("1880", ["grundskola"], source="demo")
    asked = {}
    original = plots.tartan_cells

    def spy(data, **kw):
        asked.update(kw)
        asked["cells"] = original(data, **kw)
        return asked["cells"]

    monkeypatch.setattr(plots, "tartan_cells", spy)
    with ipython_capture() as shown:
        overview.rug()
    assert shown.images == 0  # a table, not a picture of one
    groups = overview.reports[0].groups
    skr = analys.stats.peers.peer_set("1880", "skr", groups=groups)
    assert asked["codes"] == ["1880", *skr[:12]]
    assert set(asked["kpis"]) == {
        i.kpi for _, i in overview.reports[0].area.indicators if i.gender == "T"
    }
    table = shown.html
    assert table.count("<tr>") == len(asked["cells"][0]) + 1  # a row per KPI, and the head
    assert "<th scope='col' class='col focus'>Örebro</th>" in table
    colours, labels = asked["cells"]
    kpi, code = colours.index[0], colours.columns[0]
    cell = f"<td class='q-{colours.loc[kpi, code] or 'grey'}' title="
    assert cell in table and f">{labels.loc[kpi, code]}</td>" in table


def test_unit_chart_jitter_is_the_same_in_every_render_and_leaves_numpy_alone(values, catalogue):
    def offsets():
        ax = plots.unit_chart(
            values, kpi="N15813", municipality="1880", units=catalogue, year=2024, source="demo"
        )
        found = [c.get_offsets().copy() for c in ax.collections if len(c.get_offsets())]
        matplotlib.pyplot.close(ax.figure)
        return np.concatenate(found)

    np.random.seed(7)
    untouched = np.random.random()
    np.random.seed(7)
    first = offsets()
    assert np.random.random() == untouched  # the caller's random state is left as it was
    np.random.seed(1)
    assert np.array_equal(offsets(), first)  # identical images in every render
    assert np.ptp(first[:, 1]) > 0  # still jittered


#: a real unit name from the demo catalogue (109 characters)
LONG_NAME = (
    "Vardaga Katthammarsvik äldreboende - Vardaga Katthammarsvik äldreboende - "
    "Vardaga Katthammarsvik Gräsäng Säbo"
)


def test_a_long_unit_name_keeps_the_trend_charts_plotting_width(values, catalogue):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    unit = unit_table(values, catalogue, "N15813", "1880", 2024)["ou"].iloc[0]
    widths = {}
    for name in ("Kort skola", LONG_NAME):
        units = catalogue.copy()
        units.loc[units["id"] == unit, "title"] = name
        figure, ax = matplotlib.pyplot.subplots(figsize=(8, 3.6), layout="constrained")
        plots.unit_trend_chart(values, kpi="N15813", ou=unit, units=units, ax=ax)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        widths[name] = ax.get_window_extent().width
        title = ax.title.get_window_extent(canvas.get_renderer())
        assert title.x1 <= figure.bbox.width  # the title does not run out of the figure
        matplotlib.pyplot.close(figure)
    assert widths[LONG_NAME] >= 0.95 * widths["Kort skola"], widths


def test_a_unit_trend_line_breaks_at_a_missing_year(catalogue):
    values = analys.load_unit_values(["N15813"])
    own = values[values["value"].notna()].groupby("ou")["year"].agg(["min", "max", "count"])
    gaps = own[(own["max"] - own["min"] + 1 > own["count"]) & (own["max"] == own["max"].max())]
    unit = gaps.index[0]
    years = set(values.loc[(values["ou"] == unit) & values["value"].notna(), "year"])
    missing = sorted(set(range(min(years), max(years) + 1)) - years)
    ax = plots.unit_trend_chart(values, kpi="N15813", ou=unit, units=catalogue)
    (line,) = [
        line
        for line in ax.get_lines()
        if to_hex(line.get_color()) == FOCUS and len(line.get_xdata())  # not a legend's
    ]
    drawn = pd.Series(line.get_ydata(), index=line.get_xdata())
    assert set(missing) <= set(drawn.index), "the line joins its neighbours across a gap"
    assert drawn.loc[missing].isna().all() and drawn.loc[sorted(years)].notna().all()
    assert line.get_marker() == "o"  # a single year between gaps still shows
