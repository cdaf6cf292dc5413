"""Tests of analys.plots: every chart renders, carries the caption and names the focus."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analys import demo, plots, reference, registry  # noqa: E402
from analys.chartstyle import COLOURS, STATUS_COLOURS  # noqa: E402
from analys.errors import ParamsError  # noqa: E402
from analys.frame import as_values_frame, wide  # noqa: E402
from analys.plots.base import tick_text  # noqa: E402
from analys.stats import compare, drivers, model  # noqa: E402
from analys.testing import drawn_bars  # noqa: E402
from analys.vocabulary import DEMO_MUNICIPALITY  # noqa: E402

FOCUS = DEMO_MUNICIPALITY  # Örebro
NAME = "Örebro"
YEARS = [2020, 2021, 2022, 2023, 2024]
# eight municipalities in Örebro län: a comparison set small enough to compute by hand
LAN = ["1814", "1860", "1861", "1862", "1863", "1864", "1881", "1880"]
PEERS = ["1881", "1883", "1885"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return demo.load_values(["N15507", "N15027", "N15428", "N15816", "N15033"], None, YEARS)


@pytest.fixture(scope="module")
def coefficients(values: pd.DataFrame) -> pd.DataFrame:
    return drivers.drivers(wide(values, year=2024), "N15507", ["N15816", "N15033"]).coefficients


@pytest.fixture(scope="module")
def expected(values: pd.DataFrame) -> pd.DataFrame:
    return model.expected_values(wide(values, year=2024), "N15507", ["N15816", "N15033"]).table


def frame(rows: list[tuple]) -> pd.DataFrame:
    """A values frame from (kpi, municipality, year, gender, value) rows."""
    table = pd.DataFrame(rows, columns=["kpi", "municipality", "year", "gender", "value"])
    return as_values_frame(table.assign(count=1, status=""))


def hand_values(kpi: str = "N15507", year: int = 2024, riket: float | None = 100.0):
    """Values 1..8 for the eight LAN municipalities (Örebro 8), plus Riket, a region, a group."""
    rows = [(kpi, code, year, "T", float(i)) for i, code in enumerate(LAN, start=1)]
    rows.append((kpi, "G92788", year, "T", -50.0))
    rows.append((kpi, "0018", year, "T", -20.0))
    if riket is not None:
        rows.append((kpi, "0000", year, "T", riket))
    return frame(rows)


GOALS = pd.DataFrame(
    {
        "goal": ["kunskap", "trygghet", "kostnad"],
        "title": ["Alla elever ska nå kunskapskraven", "Trygg skola", None],
        "score": [0.8, 0.5, np.nan],
        "coverage": [1.0, 0.75, 0.2],
        "status": ["met", "partly", "no_data"],
    }
)


def draw(name: str, values, coefficients, expected, **kwargs):
    """Each chart drawn on demo data, by name."""
    if name == "trend":
        return plots.trend_chart(
            values, kpi="N15507", municipality=FOCUS, peers=PEERS, target=235, **kwargs
        )
    if name == "ranking":
        return plots.ranking_chart(values, kpi="N15507", year=2024, municipality=FOCUS, **kwargs)
    if name == "ranking_peers":
        return plots.ranking_chart(
            values, kpi="N15027", year=2024, municipality=FOCUS, peers=PEERS, **kwargs
        )
    if name == "spine":
        return plots.spine_chart(
            values, kpis=["N15507", "N15027", "N15428"], municipality=FOCUS, **kwargs
        )
    if name == "expected":
        return plots.expected_chart(
            expected, municipality=FOCUS, peers=PEERS, kpi="N15507", **kwargs
        )
    if name == "cost":
        return plots.cost_chart(
            values,
            result_kpi="N15507",
            cost_kpi="N15027",
            year=2024,
            municipality=FOCUS,
            peers=PEERS,
            **kwargs,
        )
    if name == "coefficient":
        return plots.coefficient_chart(coefficients, **kwargs)
    if name == "gender_gap":
        return plots.gender_gap_chart(
            values, kpi="N15507", municipality=FOCUS, peers=PEERS, **kwargs
        )
    if name == "goal_status":
        return plots.goal_status_chart(GOALS, **kwargs)
    raise AssertionError(name)


CHARTS = [
    "trend",
    "ranking",
    "ranking_peers",
    "spine",
    "expected",
    "cost",
    "coefficient",
    "gender_gap",
    "goal_status",
]
WITH_FOCUS = ["trend", "ranking", "ranking_peers", "spine", "expected", "cost", "gender_gap"]


def texts(ax) -> list[str]:
    """Every text of the axes and of its legend."""
    found = [t.get_text() for t in ax.texts]
    legend = ax.get_legend()
    if legend is not None:
        found += [t.get_text() for t in legend.get_texts()]
    return found


def by_gid(ax, gid: str) -> list:
    return [t for t in ax.texts if t.get_gid() == gid]


def render(ax, path) -> None:
    ax.figure.savefig(path, dpi=40)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- every chart ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHARTS)
def test_renders_with_caption_and_watermark_on_demo(
    name, values, coefficients, expected, tmp_path
) -> None:
    ax = draw(name, values, coefficients, expected)
    render(ax, tmp_path / f"{name}.png")
    captions = by_gid(ax, "analys-caption")
    assert len(captions) == 1
    assert "Kolada" in captions[0].get_text()
    assert "Demodata" in captions[0].get_text()
    assert len(by_gid(ax, "analys-watermark")) == 1


@pytest.mark.parametrize("name", CHARTS)
def test_no_watermark_on_kolada_data(name, values, coefficients, expected, tmp_path) -> None:
    ax = draw(name, values, coefficients, expected, source="kolada")
    render(ax, tmp_path / f"{name}.png")
    (caption,) = by_gid(ax, "analys-caption")
    assert "Kolada" in caption.get_text()
    assert "Demodata" not in caption.get_text()
    assert by_gid(ax, "analys-watermark") == []


@pytest.mark.parametrize("name", WITH_FOCUS)
def test_focus_municipality_is_named(name, values, coefficients, expected) -> None:
    ax = draw(name, values, coefficients, expected)
    assert any(NAME in text for text in texts(ax)), texts(ax)


@pytest.mark.parametrize("name", CHARTS)
def test_given_axes_are_used_and_returned(name, values, coefficients, expected) -> None:
    figure = Figure(figsize=(4, 3))
    given = figure.add_subplot()
    assert draw(name, values, coefficients, expected, ax=given) is given
    assert len(figure.axes) == 1


def empty_chart(name: str):
    empty = demo.load_values(["N99999"])
    if name == "trend":
        return plots.trend_chart(empty, kpi="N15507", municipality=FOCUS)
    if name == "ranking":
        return plots.ranking_chart(empty, kpi="N15507", year=2024, municipality=FOCUS)
    if name == "spine":
        return plots.spine_chart(empty, kpis=["N15507"], municipality=FOCUS)
    if name == "expected":
        return plots.expected_chart(pd.DataFrame(columns=["actual", "expected"]))
    if name == "cost":
        return plots.cost_chart(
            empty, result_kpi="N15507", cost_kpi="N15027", year=2024, municipality=FOCUS
        )
    if name == "coefficient":
        return plots.coefficient_chart(pd.DataFrame(columns=drivers.COEFFICIENT_COLUMNS))
    if name == "gender_gap":
        return plots.gender_gap_chart(empty, kpi="N15507", municipality=FOCUS)
    if name == "goal_status":
        return plots.goal_status_chart(GOALS.iloc[0:0])
    raise AssertionError(name)


@pytest.mark.parametrize(
    "name",
    ["trend", "ranking", "spine", "expected", "cost", "coefficient", "gender_gap", "goal_status"],
)
def test_empty_data_gives_a_message(name, tmp_path) -> None:
    ax = empty_chart(name)
    render(ax, tmp_path / "empty.png")
    (message,) = by_gid(ax, "analys-message")
    assert message.get_text().strip()
    assert len(by_gid(ax, "analys-caption")) == 1


def test_the_plots_front_publishes_charts_not_other_modules_names() -> None:
    """Each name has one import path: colours and captions only from chartstyle."""
    assert all(callable(getattr(plots, name)) for name in plots.__all__)
    for name in ("COLOURS", "STATUS_COLOURS", "STATUS_LABELS", "annotate_source", "drawn_bars"):
        assert not hasattr(plots, name), name


def test_new_figure_when_no_axes() -> None:
    first = plots.trend_chart(hand_values(), kpi="N15507", municipality=FOCUS)
    second = plots.trend_chart(hand_values(), kpi="N15507", municipality=FOCUS)
    assert first.figure is not second.figure


# --- trend ---------------------------------------------------------------------------------


def trend_values() -> pd.DataFrame:
    rows = []
    for year in (2020, 2021, 2022):
        rows.append(("N15507", FOCUS, year, "T", 200.0 + year - 2020))
        rows.append(("N15507", "0000", year, "T", 190.0))
        # peers 1, 2, 3, 10 (+ year): median 2.5, Q1 1.75, Q3 4.75 (numpy linear)
        for code, value in zip(["1814", "1860", "1861", "1862"], [1, 2, 3, 10], strict=True):
            rows.append(("N15507", code, year, "T", 100.0 + value + year - 2020))
    return frame(rows)


def lines(ax) -> dict[str, object]:
    return {line.get_label(): line for line in ax.get_lines()}


def test_trend_peer_median_riket_and_target() -> None:
    ax = plots.trend_chart(
        trend_values(),
        kpi="N15507",
        municipality=FOCUS,
        peers=["1814", "1860", "1861", "1862", FOCUS],  # the focus is never its own peer
        target=205.0,
        target_year=2025,
    )
    drawn = lines(ax)
    median = drawn["Jämförelsegruppens median"]
    assert list(median.get_xdata()) == [2020, 2021, 2022]
    np.testing.assert_allclose(median.get_ydata(), [102.5, 103.5, 104.5])
    np.testing.assert_allclose(drawn[NAME].get_ydata(), [200.0, 201.0, 202.0])
    np.testing.assert_allclose(drawn["Riket"].get_ydata(), [190.0] * 3)
    target = next(line for label, line in drawn.items() if label.startswith("Mål"))
    np.testing.assert_allclose(target.get_ydata(), [205.0, 205.0])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {NAME, "Jämförelsegruppens median", "25–75 %", "Riket"} <= set(legend)
    assert any(text.startswith("Mål") and "2025" in text for text in legend)
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(101.75) and band.max() == pytest.approx(106.75)
    assert ax.xaxis.get_major_formatter()(2020.0) == "2020"
    assert "Egen bearbetning" in by_gid(ax, "analys-caption")[0].get_text()


def test_trend_legend_places_and_a_shared_legend() -> None:
    """``right`` puts the legend outside the Axes; ``none`` drops it, writes the target on its
    line, and a grid gets one merged legend above the panels."""
    common = {"kpi": "N15507", "municipality": FOCUS, "peers": ["1814", "1860"]}
    right = plots.trend_chart(trend_values(), **common, legend="right")
    anchor = right.get_legend().get_bbox_to_anchor().transformed(right.transAxes.inverted())
    assert anchor.x0 > 1.0  # outside, to the right of the Axes

    figure, axes = plt.subplots(1, 2, layout="constrained")
    for ax, (target, year) in zip(axes, [(205.0, 2025), (210.0, None)], strict=True):
        plots.trend_chart(
            trend_values(), **common, target=target, target_year=year, legend="none", ax=ax
        )
        assert ax.get_legend() is None
    on_line = [t.get_text() for t in axes[0].texts if t.get_text().startswith("Mål")]
    assert on_line == ["Mål 205,0 poäng (2025)"]
    plots.shared_legend(figure, axes)
    (legend,) = figure.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels.count("Mål") == 1 and NAME in labels and "Riket" in labels
    assert len(labels) == len(set(labels))

    with pytest.raises(ParamsError, match="legend: 'top'"):
        plots.trend_chart(trend_values(), **common, legend="top")


def test_trend_years_gender_and_missing_focus() -> None:
    data = pd.concat(
        [trend_values(), frame([("N15507", FOCUS, 2021, "K", 300.0)])], ignore_index=True
    )
    ax = plots.trend_chart(data, kpi="N15507", municipality=FOCUS, years=range(2021, 2023))
    assert list(lines(ax)[NAME].get_xdata()) == [2021, 2022]
    assert "Källa: Kolada" in by_gid(ax, "analys-caption")[0].get_text()  # no peers: raw data
    women = plots.trend_chart(data, kpi="N15507", municipality=FOCUS, gender="K")
    np.testing.assert_allclose(lines(women)[NAME].get_ydata(), [300.0])
    others = plots.trend_chart(data, kpi="N15507", municipality="1885", peers=["1814"])
    assert "Värden saknas för Lindesberg" in texts(others)


# --- ranking -------------------------------------------------------------------------------


def bars(ax) -> dict[str, object]:
    """Patches by gid (the goal-status chart)."""
    return {p.get_gid(): p for p in ax.patches if p.get_gid()}


def ranked(ax) -> dict[str, str]:
    """The bars of a ranking chart: code -> face colour (hex), best first."""
    return drawn_bars(ax)["colour"].to_dict()


def focus_outline(ax):
    (outline,) = [c for c in ax.collections if c.get_gid() == "analys-focus-bar"]
    return outline


def test_ranking_hand_computed_colours_without_riket_or_groups() -> None:
    ax = plots.ranking_chart(hand_values(), kpi="N15507", year=2024, municipality=FOCUS)
    drawn = ranked(ax)
    assert list(drawn) == list(reversed(LAN))  # best (8) first
    # 1..8: Q1 = 2.75, Q3 = 6.25; Riket, the region or the group would shift the cuts
    expected = ["red", "red", "yellow", "yellow", "yellow", "yellow", "green", "green"]
    for code, colour in zip(LAN, expected, strict=True):
        assert drawn[code] == COLOURS[colour], code
    assert focus_outline(ax).analys_codes == (FOCUS,)
    assert focus_outline(ax).get_linewidth()[0] == pytest.approx(2.0)
    assert any(t.startswith("Örebro 8,0 poäng (plats 1 av 8 kommuner)") for t in texts(ax)), texts(
        ax
    )
    assert (
        ax.get_legend().get_title().get_text() == "Färg: kvartil bland alla\n8 kommuner med värde"
    )
    assert ax.get_xlabel() == "Alla 8 kommuner med värde, sorterade från bäst till sämst"
    riket = next(line for line in ax.get_lines() if line.get_label().startswith("Riket"))
    np.testing.assert_allclose(riket.get_ydata(), [100.0, 100.0])


def test_ranking_peers_only_but_colours_over_all() -> None:
    ax = plots.ranking_chart(
        hand_values(), kpi="N15507", year=2024, municipality=FOCUS, peers=["1814", "1860"]
    )
    drawn = ranked(ax)
    assert list(drawn) == [FOCUS, "1860", "1814"]
    assert drawn["1814"] == COLOURS["red"]
    assert drawn[FOCUS] == COLOURS["green"]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == [NAME, "Laxå", "Lekeberg"]


def test_region_charts_speak_of_regions() -> None:
    """A region's ranking, spine and trend charts say regioner, never kommuner."""
    kpi = "N79190"
    values = demo.load_values([kpi], None, range(2018, 2026))
    year = 2024
    ax = plots.ranking_chart(values, kpi=kpi, year=year, municipality="0018", preliminary=2024)
    words = [*texts(ax), ax.get_xlabel(), ax.get_title(loc="left")]
    words.append(ax.get_legend().get_title().get_text())
    assert any("av 21 regioner" in t for t in words), words
    assert ax.get_title(loc="left").endswith(", 2024*")
    assert not any("ommun" in t for t in words), words
    ax = plots.spine_chart(values, kpis=[kpi], municipality="0018")
    assert ax.get_title(loc="left") == "Region Örebro län jämfört med alla regionerna och riket"
    ax = plots.trend_chart(
        values,
        kpi=kpi,
        municipality="0018",
        peers=["0003", "0004"],
        title="Egen etikett",
        preliminary=2025,
    )
    assert ax.get_title(loc="left") == "Egen etikett"
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "2025*" in ticks and "2024*" not in ticks, ticks


def test_ranking_polarity_override_reverses_order() -> None:
    ax = plots.ranking_chart(
        hand_values(), kpi="N15507", year=2024, municipality=FOCUS, polarity="lower"
    )
    drawn = ranked(ax)
    assert list(drawn) == LAN
    assert drawn[FOCUS] == COLOURS["red"]


def test_ranking_colours_equal_quartile_colours_on_demo(values) -> None:
    for kpi in ("N15507", "N15033"):  # higher and lower is better
        ax = plots.ranking_chart(values, kpi=kpi, year=2024, municipality=FOCUS)
        part = values[(values["kpi"] == kpi) & (values["year"] == 2024) & (values["gender"] == "T")]
        series = part.set_index("municipality")["value"]
        kommuner = series.reindex(reference.municipality_codes())
        colours = compare.quartile_colours(kommuner, registry.polarity(kpi))
        drawn = ranked(ax)
        assert set(drawn) == set(kommuner.dropna().index)
        for code, colour in drawn.items():
            assert colour == COLOURS[colours.at[code, "colour"]], code
        heights = drawn_bars(ax)["value"].to_numpy()
        step = np.diff(heights)
        assert (step <= 0).all() if registry.polarity(kpi) == "higher" else (step >= 0).all()
        plt.close(ax.figure)


# --- spine ---------------------------------------------------------------------------------


def spine_values(riket: float | None = 40.0) -> pd.DataFrame:
    rows = []
    for kpi in ("N15507", "N15033"):  # higher and lower is better
        rows += [(kpi, code, 2024, "T", 10.0 * i) for i, code in enumerate(LAN[:6], 1)]
        rows += [(kpi, "1881", 2024, "T", 80.0), (kpi, FOCUS, 2024, "T", 70.0)]
        rows += [(kpi, "1881", 2023, "T", 1.0), (kpi, FOCUS, 2023, "T", 2.0)]
        if riket is not None:
            rows.append((kpi, "0000", 2024, "T", riket))
    return frame(rows)


def marker(ax, kpi: str):
    (line,) = [line for line in ax.get_lines() if line.get_gid() == f"marker-{kpi}"]
    return line


def test_spine_scaling_is_methods_m9() -> None:
    ax = plots.spine_chart(spine_values(), kpis=["N15507", "N15033"], municipality=FOCUS)
    # values 10..80, Riket 40: h = max(40 − 10, 80 − 40) = 40, axis [0, 80]
    assert marker(ax, "N15507").get_xdata()[0] == pytest.approx(70 / 80)
    assert marker(ax, "N15033").get_xdata()[0] == pytest.approx(1 - 70 / 80)  # flipped
    # Q1 = 27.5, Q3 = 62.5 → the middle band spans 27.5/80 … 62.5/80
    bands = sorted((p.get_x(), p.get_width()) for p in ax.patches if p.get_gid() == "band-N15507")
    assert [round(x, 6) for x, _ in bands] == [round(v / 80, 6) for v in (10, 27.5, 62.5)]
    assert sum(w for _, w in bands) == pytest.approx(70 / 80)
    # quartile colours by default: 70 ≥ Q3 → green (higher), red (lower is better)
    assert to_rgba(marker(ax, "N15507").get_color()) == to_rgba(COLOURS["green"])
    assert to_rgba(marker(ax, "N15033").get_color()) == to_rgba(COLOURS["red"])
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == [registry.label("N15507"), registry.label("N15033")]
    assert any("(2024)" in t for t in texts(ax))


def test_spine_statuses_missing_riket_and_years() -> None:
    statuses = pd.Series({"N15507": "partly", "N15033": "not_met"})
    ax = plots.spine_chart(
        spine_values(riket=None), kpis=["N15507", "N15033"], municipality=FOCUS, statuses=statuses
    )
    # centred on the median 45: h = max(45 − 10, 80 − 45) = 35, axis [10, 80]
    assert marker(ax, "N15507").get_xdata()[0] == pytest.approx(60 / 70)
    assert to_rgba(marker(ax, "N15507").get_color()) == to_rgba(STATUS_COLOURS["partly"])
    assert to_rgba(marker(ax, "N15033").get_color()) == to_rgba(STATUS_COLOURS["not_met"])
    assert any("mitten = median" in t for t in texts(ax))
    old = plots.spine_chart(spine_values(), kpis=["N15507"], municipality=FOCUS, year=2023)
    assert any("(2023)" in t for t in texts(old))


def test_spine_latest_year_of_the_municipality_and_missing_kpi() -> None:
    data = pd.concat(
        [spine_values(), frame([("N15507", "1881", 2025, "T", 5.0)])], ignore_index=True
    )
    ax = plots.spine_chart(data, kpis=["N15507", "N15428"], municipality=FOCUS)
    assert any(t.startswith("70,0 poäng (2024)") for t in texts(ax))  # Örebro has no 2025
    assert "Data saknas" in texts(ax)


# --- expected, cost, coefficients ------------------------------------------------------------


def test_expected_chart_names_focus_and_peers(expected) -> None:
    ax = plots.expected_chart(expected, municipality=FOCUS, peers=PEERS, kpi="N15507")
    named = texts(ax)
    for name in (NAME, "Kumla", "Karlskoga", "Lindesberg"):
        assert name in named
    assert "Bättre än förväntat" in named
    diagonal = lines(ax)["Som förväntat (45°-linjen)"]
    np.testing.assert_allclose(diagonal.get_xdata(), diagonal.get_ydata())
    assert "poäng" in ax.get_xlabel()


def test_expected_chart_lower_is_better_sides() -> None:
    table = pd.DataFrame(
        {"actual": [1.0, 2.0, 3.0], "expected": [1.5, 2.0, 2.5]}, index=[FOCUS, "1881", "1814"]
    )
    ax = plots.expected_chart(table, municipality=FOCUS, kpi="N15033")
    above = next(t for t in ax.texts if t.get_position() == (0.03, 0.97))
    assert above.get_text() == "Sämre än förväntat"


def test_cost_chart_medians_and_quadrants(values) -> None:
    ax = plots.cost_chart(
        values, result_kpi="N15507", cost_kpi="N15027", year=2024, municipality=FOCUS
    )
    part = values[(values["year"] == 2024) & (values["gender"] == "T")]
    both = wide(part, year=2024)[["N15027", "N15507"]].dropna()
    both = both[both.index.isin(reference.municipality_codes())]
    vertical, horizontal = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert vertical.get_xdata()[0] == pytest.approx(both["N15027"].median())
    assert horizontal.get_ydata()[0] == pytest.approx(both["N15507"].median())
    assert {"Högt resultat, låg kostnad", "Lågt resultat, hög kostnad"} <= set(texts(ax))
    assert ax.collections[0].get_offsets().shape[0] == len(both)


def test_cost_chart_lower_result_is_better_turns_the_axis() -> None:
    data = pd.concat([hand_values("N15027"), hand_values("N15033", riket=None)], ignore_index=True)
    ax = plots.cost_chart(
        data, result_kpi="N15033", cost_kpi="N15027", year=2024, municipality=FOCUS
    )
    assert ax.yaxis_inverted()
    assert "Bättre resultat, låg kostnad" in texts(ax)


def test_coefficient_chart_beta_coef_and_panel(coefficients) -> None:
    ax = plots.coefficient_chart(coefficients)
    points = [line for line in ax.get_lines() if line.get_marker() == "o"]
    np.testing.assert_allclose([p.get_xdata()[0] for p in points], coefficients["beta"])
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == [registry.label(k) for k in coefficients["kpi"]]
    raw = plots.coefficient_chart(coefficients, standardised=False)
    points = [line for line in raw.get_lines() if line.get_marker() == "o"]
    np.testing.assert_allclose([p.get_xdata()[0] for p in points], coefficients["coef"])
    panel = coefficients[["kpi", "coef", "se", "ci_low", "ci_high", "p"]]
    assert "Koefficient" in plots.coefficient_chart(panel).get_xlabel()


# --- gender gap ------------------------------------------------------------------------------


def test_gender_gap_chart_hand_computed() -> None:
    rows = []
    for year in (2022, 2023):
        rows += [
            ("N15507", FOCUS, year, "K", 10.0 + year - 2022),
            ("N15507", FOCUS, year, "M", 7.0),
        ]
        rows += [("N15507", "0000", year, "K", 5.0), ("N15507", "0000", year, "M", 6.0)]
        for code, gap in zip(["1814", "1860", "1861"], [1.0, 2.0, 6.0], strict=True):
            rows += [("N15507", code, year, "K", 20.0 + gap), ("N15507", code, year, "M", 20.0)]
    ax = plots.gender_gap_chart(
        frame(rows), kpi="N15507", municipality=FOCUS, peers=["1814", "1860", "1861"]
    )
    drawn = lines(ax)
    np.testing.assert_allclose(drawn[NAME].get_ydata(), [3.0, 4.0])
    np.testing.assert_allclose(drawn["Jämförelsegruppens median"].get_ydata(), [2.0, 2.0])
    np.testing.assert_allclose(drawn["Riket"].get_ydata(), [-1.0, -1.0])
    assert "Flickor − pojkar" in ax.get_ylabel()  # pupils in åk 9
    only_total = plots.gender_gap_chart(hand_values(), kpi="N15507", municipality=FOCUS)
    assert by_gid(only_total, "analys-message")


# --- goal status -----------------------------------------------------------------------------


def test_goal_status_chart_bars_and_names() -> None:
    ax = plots.goal_status_chart(GOALS)
    drawn = bars(ax)
    assert [drawn[g].get_width() for g in ("kunskap", "trygghet", "kostnad")] == [0.8, 0.5, 0.0]
    for goal, status in zip(GOALS["goal"], GOALS["status"], strict=True):
        assert drawn[goal].get_facecolor() == to_rgba(STATUS_COLOURS[status])
    shown = texts(ax)
    assert any(t.startswith("Uppfyllt · 80 %") for t in shown)
    assert any(t.startswith("Delvis uppfyllt · 50 % (täckning 75 %)") for t in shown)
    assert any(t.startswith("Data saknas") for t in shown)
    assert [t.get_text() for t in ax.get_yticklabels()][2] == "kostnad"  # no title: the id


def test_goal_status_table_swedish_and_coloured() -> None:
    indicators = pd.DataFrame(
        {
            "goal": ["kunskap", "kunskap", "kostnad"],
            "kpi": ["N15507", "N15428", "N15027"],
            "year": [2024, 2024, np.nan],
            "value": [231.46, 80.0, 123456.0],
            "target": [230.0, 85.0, np.nan],
            "status": ["met", "not_met", "no_data"],
            "reason": ["Över målet", "Under målet", "Värde saknas"],
            "colour": ["green", "red", "grey"],
        },
        index=[7, 8, 9],
    )
    styler = plots.goal_status_table(indicators)
    html = styler.to_html()
    for text in ("Uppfyllt", "Ej uppfyllt", "Data saknas", "231,5", "123 456", "Målvärde"):
        assert text in html, text
    assert f"background-color: {STATUS_COLOURS['met']}" in html
    assert f"background-color: {STATUS_COLOURS['not_met']}" in html
    assert f"{registry.label('N15507')} (N15507)" in html
    assert "row_heading" not in html  # index hidden
    assert "colour" not in list(styler.data.columns)
    assert styler.data["value"].dtype == np.float64  # the numbers stay numbers


# --- formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(12345.5, "12 345,5"), (2.0, "2"), (0.25, "0,25"), (-3.5, "−3,5"), (1e6, "1 000 000")],
)
def test_swedish_tick_text(value, text) -> None:
    assert tick_text(value) == text
