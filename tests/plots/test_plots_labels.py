"""Labels that must not mislead: a trend's last-value label keeps off its line's points and
off the target's label, and names its year when that is not the chart's last; a spine chart's
rows without a direction are not judged."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from analys import demo, plots, reference, registry  # noqa: E402
from analys.chartstyle import COLOURS, FOCUS, STATUS_COLOURS  # noqa: E402
from analys.frame import as_values_frame  # noqa: E402
from analys.stats import compare  # noqa: E402
from analys.testing import drawn  # noqa: E402

#: a trend panel of the report's grid (report/trends.py: 4.6 × 3.1 inches a panel)
PANEL = (4.6, 3.1)
#: the seven municipalities like Gotland that the demo report of 0980 compares with
GOTLAND_PEERS = ["0488", "1081", "1463", "0381", "0582", "1881", "1447"]
JUDGED = {COLOURS["green"], COLOURS["yellow"], COLOURS["red"]} | set(STATUS_COLOURS.values())


def _trend_panel(values: pd.DataFrame, **kwargs):
    """A trend chart drawn as a report panel; its Axes, the renderer and the end label."""
    figure, ax = plt.subplots(figsize=PANEL, layout="constrained")
    plots.trend_chart(values, source="demo", legend="none", preliminary=2025, ax=ax, **kwargs)
    renderer = drawn(figure)
    (label,) = [t for t in ax.texts if t.get_color() == FOCUS and t.get_gid() is None]
    return ax, renderer, label


def _focus_points(ax, name: str) -> np.ndarray:
    (line,) = [line for line in ax.get_lines() if line.get_label() == name]
    xy = line.get_xydata()
    return ax.transData.transform(xy[np.isfinite(xy).all(axis=1)])


@pytest.mark.parametrize(
    ("kpi", "municipality", "peers"),
    [
        ("N15428", "0980", GOTLAND_PEERS),  # "80,2 %" once hid 2023 and 2024
        ("N15543", "0980", GOTLAND_PEERS),
        ("N15508", "0980", GOTLAND_PEERS),
        ("U70425", "0009", None),  # once over the target's label
        ("U79049", "0009", None),
    ],
)
def test_the_last_value_label_covers_none_of_its_lines_points(kpi, municipality, peers) -> None:
    values = demo.load_values([kpi], None, range(2012, 2026))
    if peers is None:  # a region against all regions
        peers = [c for c in reference.codes_of_type("L") if c != municipality]
    ax, renderer, label = _trend_panel(values, kpi=kpi, municipality=municipality, peers=peers)
    box = Text.get_window_extent(label, renderer)
    for x, y in _focus_points(ax, reference.title(municipality)):
        assert not box.contains(x, y), (label.get_text(), x, y, box)
    frame = ax.get_window_extent(renderer)
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


def test_the_last_value_label_keeps_off_the_target_label() -> None:
    """Region Gotland's overcrowding: "2,7 antal/100 vårdplatser" was printed on "Mål 3,0 …"."""
    values = demo.load_values(["U70425"], None, range(2012, 2026))
    regions = [c for c in reference.codes_of_type("L") if c != "0009"]
    ax, renderer, label = _trend_panel(
        values, kpi="U70425", municipality="0009", peers=regions, target=3.0
    )
    (target,) = [t for t in ax.texts if t.get_text().startswith("Mål 3,0")]
    box = Text.get_window_extent(label, renderer)
    assert not box.overlaps(Text.get_window_extent(target, renderer))
    for x, y in _focus_points(ax, "Region Gotland"):
        assert not box.contains(x, y)


def _values(rows: list[tuple]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["kpi", "municipality", "year", "gender", "value"])
    return as_values_frame(table.assign(count=1, status=""))


def _one_year_behind(kpi: str = "N15507", last: int = 2024) -> pd.DataFrame:
    """Örebro up to ``last``, its peers and Riket up to 2025."""
    rows = [(kpi, "1880", y, "T", 210.0 + y - 2020) for y in range(2020, last + 1)]
    for code in ("1881", "1883", "1885", "0000"):
        rows += [(kpi, code, y, "T", 200.0 + y - 2020) for y in range(2020, 2026)]
    return _values(rows)


def _end_text(ax) -> str:
    (label,) = [t for t in ax.texts if t.get_color() == FOCUS and t.get_gid() is None]
    return label.get_text()


def test_an_older_last_value_names_its_year() -> None:
    """The report year has values for others but not for Örebro: the label is not current."""
    common = {"kpi": "N15507", "municipality": "1880", "peers": ["1881", "1883", "1885"]}
    behind = plots.trend_chart(_one_year_behind(), preliminary=2025, **common)
    assert _end_text(behind) == "214,0 poäng (2024)"
    current = plots.trend_chart(_one_year_behind(last=2025), preliminary=2025, **common)
    assert _end_text(current) == "215,0 poäng"


def test_an_older_last_gender_gap_names_its_year() -> None:
    rows = []
    for gender, step in (("K", 2.0), ("M", 0.0)):
        rows += [("N15507", "1880", y, gender, 200.0 + step) for y in range(2020, 2025)]
        rows += [("N15507", "1881", y, gender, 200.0 + step) for y in range(2020, 2026)]
    ax = plots.gender_gap_chart(
        _values(rows), kpi="N15507", municipality="1880", peers=["1881"], preliminary=2025
    )
    assert _end_text(ax) == "+2,0 (2024)"


# --- spine ---------------------------------------------------------------------------------


def _marker_colour(ax, kpi: str) -> str:
    (line,) = [line for line in ax.get_lines() if line.get_gid() == f"marker-{kpi}"]
    return to_hex(line.get_color())


@pytest.mark.parametrize("statuses", [None, {"N15507": "met", "N15027": "not_met"}])
def test_a_neutral_spine_row_is_not_judged(statuses) -> None:
    """A cost (no direction) is only lower or higher: its dot has the neutral quartile colour,
    never red, yellow or green (not even its target's status), its row is grey with its own
    "lägre"/"högre" ends, and the axis' "Sämre … Bättre" says it is for the other rows."""
    kpis = ["N15507", "N15027"]
    assert registry.polarity("N15027") == "neutral"
    values = demo.load_values(kpis, None, [2024])
    status = pd.Series(statuses) if statuses else None
    ax = plots.spine_chart(values, kpis=kpis, municipality="1880", statuses=status)

    neutral = _marker_colour(ax, "N15027")
    assert neutral not in JUDGED
    codes = reference.codes_of_type("K")
    pool = values[values["kpi"] == "N15027"].set_index("municipality")["value"].reindex(codes)
    expected = compare.quartile_colours(pool, "neutral")["colour"]["1880"]
    assert neutral == COLOURS[expected]
    judged = _marker_colour(ax, "N15507")
    assert judged in JUDGED
    if statuses:
        assert judged == STATUS_COLOURS["met"]

    ends = [t.get_text() for t in ax.texts if t.get_gid() == "ends-N15027"]
    assert ends == ["← lägre", "högre →"]
    assert not [t for t in ax.texts if t.get_gid() == "ends-N15507"]
    assert [p.get_gid() for p in ax.patches if str(p.get_gid()).startswith("neutral-")] == [
        "neutral-N15027"
    ]
    assert "grå raderna" in ax.get_xlabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Högsta fjärdedelen (ingen värdering)" in legend


def test_a_spine_chart_without_neutral_rows_has_no_note() -> None:
    values = demo.load_values(["N15507", "N15033"], None, [2024])
    ax = plots.spine_chart(values, kpis=["N15507", "N15033"], municipality="1880")
    assert ax.get_xlabel() == ""
    assert not [p for p in ax.patches if str(p.get_gid()).startswith("neutral-")]


@pytest.mark.parametrize("statuses", [None, {"N15507": "met", "N15027": "partly"}])
def test_the_spine_legend_keeps_clear_of_the_title(statuses) -> None:
    """With neutral rows the legend has more rows: the title moves above them."""
    kpis = ["N15507", "N15027", "N00097"]
    values = demo.load_values(kpis, None, [2024])
    figure, ax = plt.subplots(figsize=(8, 2.5), layout="constrained")
    status = pd.Series(statuses) if statuses else None
    plots.spine_chart(values, kpis=kpis, municipality="1880", statuses=status, ax=ax)
    renderer = drawn(figure)
    (title,) = [
        t
        for t in ax.get_children()
        if t is not None and isinstance(t, Text) and t.get_text() == ax.get_title(loc="left")
    ]
    legend = ax.get_legend().get_window_extent(renderer)
    assert not title.get_window_extent(renderer).overlaps(legend)
    assert legend.x1 <= figure.bbox.x1 + 1


def test_a_removed_end_label_is_not_placed_and_an_emptied_axes_keeps_no_placer() -> None:
    """The explorers redraw into the same Axes after removing what was drawn: a placer left
    behind once tried to place a label no longer in any Axes."""
    import matplotlib.pyplot as plt

    from analys.plots.labels import end_label
    from analys.widgets.common import _empty

    figure, ax = plt.subplots()
    (line,) = ax.plot([2020, 2021, 2022], [1.0, 2.0, 3.0])
    label = end_label(ax, 2022, 3.0, "3,0 %", line=line)
    label.remove()
    FigureCanvasAgg(figure).draw()  # no error: the stray placer skips its label
    end_label(ax, 2022, 3.0, "3,0 %", line=line)
    _empty(ax)
    assert not ax.artists and not ax.texts
    plt.close(figure)
