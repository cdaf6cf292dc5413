"""Report charts keep their words apart: goal labels never run into each other, and the
ranking chart's focus label stays inside its Axes (it once ran over the legend)."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from analys import demo, plots  # noqa: E402
from analys.testing import drawn, drawn_bars  # noqa: E402

#: goal titles from params/ekonomi.yaml and longer ones (two and three lines at 38 characters)


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_goal_labels_of_several_lines_never_overlap(count: int, goal_titles) -> None:
    goals = pd.DataFrame(
        {
            "goal": [f"mal{i}" for i in range(count)],
            "title": goal_titles[:count],
            "score": [0.75] * count,
            "coverage": [1.0] * count,
            "status": ["partly"] * count,
        }
    )
    figure, ax = plt.subplots(figsize=plots.goal_chart_size(goals), layout="constrained")
    plots.goal_status_chart(goals, source="kolada", ax=ax)
    renderer = drawn(figure)
    labels = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
    assert len(labels) == count
    for a, b in itertools.combinations(labels, 2):
        assert not a.overlaps(b)
    assert all(label.y0 >= 0 and label.y1 <= figure.bbox.height for label in labels)


def test_a_taller_label_makes_a_taller_goal_chart(goal_titles) -> None:
    one_line = pd.DataFrame({"goal": ["a", "b"], "title": ["Trygg skola", "Kort mål"]})
    long = pd.DataFrame({"goal": ["a", "b"], "title": goal_titles[1:3]})
    assert plots.goal_chart_size(long)[1] > plots.goal_chart_size(one_line)[1]
    assert plots.goal_chart_size(None) == plots.goal_chart_size(one_line.iloc[0:0])


@pytest.fixture(scope="module")
def cost_values() -> pd.DataFrame:
    return demo.load_values(["N00097"], years=[2025])  # a neutral KPI of every municipality


@pytest.mark.parametrize("place", [0.0, 0.5, 0.8, 1.0])
def test_the_focus_label_stays_inside_the_axes_wherever_the_bar_is(cost_values, place) -> None:
    codes = list(
        drawn_bars(
            plots.ranking_chart(cost_values, kpi="N00097", year=2025, municipality="1880")
        ).index
    )
    plt.close("all")
    focus = codes[round(place * (len(codes) - 1))]
    figure, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    plots.ranking_chart(cost_values, kpi="N00097", year=2025, municipality=focus, ax=ax)
    renderer = drawn(figure)
    (label,) = [t for t in ax.texts if "(plats " in t.get_text()]
    box = Text.get_window_extent(label, renderer)  # the words, not the arrow
    inside = ax.get_window_extent(renderer)
    assert inside.x0 <= box.x0 and box.x1 <= inside.x1, (focus, label.get_text())
    legend = ax.get_legend().get_window_extent(renderer)
    assert not box.overlaps(legend)


def test_a_long_region_label_breaks_before_its_rank_and_fits() -> None:
    values = demo.load_values(["N79240"], years=[2025])
    figure, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    plots.ranking_chart(values, kpi="N79240", year=2025, municipality="0023", ax=ax)
    renderer = drawn(figure)
    (label,) = [t for t in ax.texts if "(plats " in t.get_text()]
    assert label.get_text().startswith("Region Jämtland Härjedalen ")
    assert "\n(plats " in label.get_text()
    box, inside = Text.get_window_extent(label, renderer), ax.get_window_extent(renderer)
    assert inside.x0 <= box.x0 and box.x1 <= inside.x1


def test_year_ticks_count_from_the_latest_year() -> None:
    from analys.plots.base import LatestYearLocator

    locator = LatestYearLocator()
    assert list(locator.tick_values(2012.4, 2025.6)) == [2013, 2015, 2017, 2019, 2021, 2023, 2025]
    assert list(locator.tick_values(2019.5, 2025.2)) == [2020, 2021, 2022, 2023, 2024, 2025]
    assert list(locator.tick_values(1990, 2030)) == [*range(1990, 2031, 5)]
    assert list(locator.tick_values(2024.2, 2024.8)) == []
    # an axis stretched to a target year still counts from the latest year with data
    stretched = LatestYearLocator(latest=2025)
    assert list(stretched.tick_values(2012.1, 2030.9)) == [*range(2013, 2030, 2)]
    assert list(LatestYearLocator(latest=2040).tick_values(2019.5, 2025.2))[-1] == 2025


def test_a_trend_with_a_target_year_labels_the_preliminary_year() -> None:
    """The target star at 2030 once stretched the axis, and the ticks ran 2018, 2023, 2028."""
    values = demo.load_values(["N15543"], None, range(2013, 2026))
    figure, ax = plt.subplots(figsize=(3.6, 2.8), layout="constrained")
    plots.trend_chart(
        values,
        kpi="N15543",
        municipality="0180",
        target=80.0,
        target_year=2030,
        preliminary=2025,
        legend="none",
        ax=ax,
    )
    drawn(figure)
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "2025*" in ticks, ticks
    years = [int(t.rstrip("*")) for t in ticks]
    step = years[1] - years[0]
    assert all((2025 - year) % step == 0 for year in years), ticks  # counted from 2025*


def test_a_panel_with_nothing_to_draw_says_so_without_an_empty_grid() -> None:
    """An own indicator that only Örebro has, drawn for Stockholm: a message, not 0–1 axes."""
    from analys.frame import as_values_frame

    rows = pd.DataFrame(
        {
            "kpi": "EGEN-TRYGG",
            "municipality": "1880",
            "year": [2023, 2024, 2025],
            "gender": "T",
            "value": [70.0, 72.0, 71.0],
        }
    )
    values = as_values_frame(rows.assign(count=1, status=""))
    ax = plots.trend_chart(values, kpi="EGEN-TRYGG", municipality="0180", peers=["0114"])
    messages = [t.get_text() for t in ax.texts if t.get_gid() == "analys-message"]
    assert messages and "Inga värden" in messages[0] and "Stockholm" in messages[0]
    assert not ax.get_xticks().size and not ax.lines


@pytest.mark.parametrize("first", [2012, 2013, 2014])
def test_a_narrow_trend_panel_labels_the_preliminary_year(first: int) -> None:
    """A panel from 2013 once got ticks 2014, 2016 … 2024: the starred 2025 was not shown."""
    values = demo.load_values(["N15543"], None, range(first, 2026))
    figure, ax = plt.subplots(figsize=(3.6, 2.8), layout="constrained")
    plots.trend_chart(values, kpi="N15543", municipality="0428", preliminary=2025, ax=ax)
    renderer = drawn(figure)
    ticks = [t for t in ax.get_xticklabels() if t.get_text()]
    assert ticks[-1].get_text() == "2025*"
    boxes = [t.get_window_extent(renderer) for t in ticks]
    for a, b in itertools.pairwise(boxes):
        assert a.x1 < b.x0


def test_the_tartan_rug_writes_numbers_the_swedish_way() -> None:
    """Kronor once read "1847,0" (no thousands space, a decimal kronor never has)."""
    values = demo.load_values(["N20048", "N00097"], years=[2025])
    ax = plots.tartan_rug(
        values, kpis=["N20048", "N00097"], municipality="1880", peers=["0180", "1480"]
    )
    cells = [t.get_text() for t in ax.texts if t.get_text()]
    kronor = [t for t in cells if t.replace(" ", "").replace("−", "").replace("-", "").isdigit()]
    assert kronor and all(" " in t for t in kronor if len(t.replace(" ", "")) > 3)
    assert not any(t.endswith(",0") and len(t) > 6 for t in cells), cells


def test_a_neutral_row_of_the_spine_chart_reads_lower_to_higher() -> None:
    """The axis says Sämre … Bättre; a cost's row is only lower or higher, and says so."""
    values = demo.load_values(["N15507", "N00097"], years=[2025])
    ax = plots.spine_chart(values, kpis=["N15507", "N00097"], municipality="1880")
    ends = [t.get_text() for t in ax.texts if t.get_gid() == "ends-N00097"]
    assert ends == ["← lägre", "högre →"]
    assert not [t for t in ax.texts if t.get_gid() == "ends-N15507"]


def test_crowded_peer_labels_are_left_out_rather_than_overprinted() -> None:
    from analys.plots.labels import place_labels

    figure, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    crowd = [(5.0 + 0.01 * i, 5.0, f"Kommun {i}", "blue", False) for i in range(30)]
    place_labels(ax, [(5.0, 5.0, "Malå", "black", True), *crowd])
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "Malå" and 1 < len(texts) < 31
    renderer = drawn(figure)
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


def test_peer_labels_keep_clear_of_the_quadrant_captions() -> None:
    """A peer in a corner of the result-and-cost chart once had its name printed over the
    corner's caption ("Högt resultat, låg kostnad")."""
    from analys.plots.labels import place_labels

    figure, ax = plt.subplots(figsize=(5, 4))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    corner = ax.text(0.02, 0.98, "Högt resultat, låg kostnad", transform=ax.transAxes, va="top")
    corner.set_fontsize(8)
    place_labels(ax, [(0.4, 9.5, "Upplands Väsby", "blue", False)])
    renderer = drawn(figure)
    caption = Text.get_window_extent(corner, renderer)
    labels = [Text.get_window_extent(t, renderer) for t in ax.texts if t is not corner]
    assert len(labels) == 1 and not labels[0].overlaps(caption)


def test_a_target_along_the_top_is_labelled_below_its_line() -> None:
    values = demo.load_values(["N15543"], None, range(2015, 2026))
    top = float(values["value"].max()) + 1.0
    figure, ax = plt.subplots(figsize=(3.6, 2.8), layout="constrained")
    plots.trend_chart(values, kpi="N15543", municipality="1880", target=top, legend="none", ax=ax)
    renderer = drawn(figure)
    (label,) = [t for t in ax.texts if t.get_text().startswith("Mål ")]
    assert label.get_va() == "top"
    assert Text.get_window_extent(label, renderer).y1 <= ax.get_window_extent(renderer).y1


def test_a_long_gender_panel_title_is_broken_to_its_panel() -> None:
    values = demo.load_values(["N15507"], None, range(2015, 2026))
    ax = plots.gender_gap_chart(
        values,
        kpi="N15507",
        municipality="1880",
        title="Trygga med personalen, daglig verksamhet och lite till",
    )
    assert "\n" in ax.get_title(loc="left") and ax.get_title(loc="left").endswith(
        "flickor − pojkar"
    )


def test_a_share_ranking_axis_names_no_tick_above_100_percent() -> None:
    values = demo.load_values(["N15507", "N15428"], years=[2025])
    figure, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    plots.ranking_chart(values, kpi="N15428", year=2025, municipality="1880", ax=ax)
    drawn(figure)
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and all(float(t.replace(" ", "").replace(",", ".")) <= 100 for t in labels)
    assert ax.get_ylim()[1] > 100  # the label's headroom is still there


@pytest.mark.parametrize("peers", [["1280", "1480"], ["0114", "0115", "0117", "0120", "0123"]])
def test_tartan_rug_column_names_never_overlap(peers) -> None:
    """Stockholm's SKR group (storstäder) has two other members: their names once printed
    over each other in columns squeezed by the long row names."""
    kpis = ["N15508", "N00090", "U21468", "N79171"]
    values = demo.load_values(kpis, None, [2024])
    ax = plots.tartan_rug(values, kpis=kpis, municipality="0180", peers=peers, year=2024)
    renderer = drawn(ax.get_figure(root=True))
    heads = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert len(heads) == len(peers) + 1
    for a, b in itertools.combinations(heads, 2):
        assert not a.overlaps(b)
    caption = next(t for t in ax.texts if t.get_gid() == "analys-caption")
    cells = ax.get_window_extent(renderer)
    assert caption.get_window_extent(renderer).x1 <= cells.x1 + 5  # broken under the cells


def test_tartan_rug_has_no_row_for_a_kpi_no_column_has() -> None:
    values = demo.load_values(["N15508", "N00090"], None, [2024])
    only_elsewhere = values[values["municipality"] == "1880"].assign(kpi="EGEN-X")
    data = pd.concat([values, only_elsewhere], ignore_index=True)
    kpis = ["N15508", "EGEN-X", "N00090"]
    assert plots.tartan_kpis(data, kpis, ["0180", "1280"]) == ["N15508", "N00090"]
    assert plots.tartan_kpis(data, kpis, ["1880"]) == kpis
    ax = plots.tartan_rug(data, kpis=kpis, municipality="0180", peers=["1280"], year=2024)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Godkända i alla ämnen, åk 9",
        "Sjukfrånvaro bland anställda",
    ]


def _captions(figure) -> tuple[list[str], list[str]]:
    """The source captions of ``figure``: the figure's own, then its panels'."""

    def mine(texts):
        return [t.get_text() for t in texts if t.get_gid() == "analys-caption"]

    return mine(figure.texts), [text for ax in figure.axes for text in mine(ax.texts)]


def test_a_grid_of_trends_has_one_caption_not_one_per_panel() -> None:
    """Eight panels once each repeated "Egen bearbetning av data från Kolada · Demodata …"."""
    kpis = ["N15419", "N15505", "N15436"]
    values = demo.load_values(kpis, None, range(2018, 2026))
    figure, axes = plt.subplots(2, 2, figsize=(9.2, 6.2), layout="constrained")
    panels = list(axes.flat)[:3]
    for ax, kpi in zip(panels, kpis, strict=True):
        plots.trend_chart(values, kpi=kpi, municipality="1880", legend="none", ax=ax)
    plots.shared_caption(figure, panels)
    shared, own = _captions(figure)
    assert own == [] and len(shared) == 1 and "Demodata" in shared[0]
    plt.close(figure)
    # a panel credited otherwise (an own indicator's file) keeps its caption, and so do all
    figure, axes = plt.subplots(1, 2, figsize=(9.2, 3.1), layout="constrained")
    for ax, kpi in zip(axes, kpis, strict=False):
        plots.trend_chart(values, kpi=kpi, municipality="1880", legend="none", ax=ax)
    next(t for t in axes[1].texts if t.get_gid() == "analys-caption").set_text("Källa: egen fil")
    plots.shared_caption(figure, list(axes))
    shared, own = _captions(figure)
    assert shared == [] and len(own) == 2
    plt.close(figure)


def test_the_spine_charts_legend_stays_within_the_figure() -> None:
    """From the Axes' left edge, after the long row names, the legend ran past the figure's
    right edge (so the chart had to be drawn a second time to fit it in the image)."""
    kpis = ["N15508", "N15507", "N15428", "N15543", "N15560", "N15813", "N15001"]  # grundskola
    values = demo.load_values(kpis, None, [2025])
    statuses = pd.Series(["met", "partly", "not_met", "no_data", "met", "met", "met"], index=kpis)
    figure, ax = plt.subplots(figsize=(8, 0.9 + 0.45 * len(kpis)), layout="constrained")
    plots.spine_chart(values, kpis=kpis, municipality="1880", statuses=statuses, ax=ax)
    renderer = drawn(figure)
    box = ax.get_legend().get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= figure.bbox.width
    plt.close(figure)
