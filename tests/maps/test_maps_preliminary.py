"""Maps mark Kolada's preliminary year as the tables and charts do: "2025*" in every map title,
and the caption says what the star means (docs/judgements.md, section 9)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analys import demo, maps, reference  # noqa: E402
from analys.chartstyle import caption_text  # noqa: E402
from analys.format import PRELIMINARY_NOTE, year_text  # noqa: E402
from analys.plots import SvgFigure  # noqa: E402
from analys.plots.base import year_text as chart_year_text  # noqa: E402

KPI = "N15507"
REGION_KPI = "N79240"
PRELIMINARY = 2025


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return demo.load_values([KPI, REGION_KPI], years=[2023, 2024, 2025])


def _ax():
    return Figure(figsize=(5.6, 7.0), layout="constrained").add_subplot()


def _caption(ax) -> str:
    """The caption as one line (it is broken to fit its panel)."""
    text = next(t.get_text() for t in ax.texts if t.get_gid() == "analys-caption")
    return " ".join(text.split())


def test_one_year_text_for_tables_charts_and_maps():
    assert chart_year_text is year_text
    assert year_text(2025, 2025) == "2025*" and year_text(2024, 2025) == "2024"
    assert year_text(2025.0, None) == "2025"


def test_county_and_sweden_maps_star_the_preliminary_year(values):
    county = reference.COUNTIES["18"]
    ax = maps.municipality_map(
        values,
        kpi=KPI,
        year=PRELIMINARY,
        municipality="1880",
        county="auto",
        title=county,
        preliminary=PRELIMINARY,
        ax=_ax(),
    )
    assert ax.get_title(loc="left") == f"{county}, 2025*"
    assert _caption(ax) == f"{caption_text('demo', derived=True)} · {PRELIMINARY_NOTE}"
    ax = maps.municipality_map(values, kpi=KPI, year=PRELIMINARY, preliminary=PRELIMINARY, ax=_ax())
    assert ax.get_title(loc="left").endswith(", 2025*")
    # a final year is not starred, and its caption has no note
    ax = maps.municipality_map(
        values, kpi=KPI, year=2024, title="Sverige", preliminary=PRELIMINARY, ax=_ax()
    )
    assert ax.get_title(loc="left") == "Sverige, 2024"
    assert PRELIMINARY_NOTE not in _caption(ax)
    # a title that already names the year is kept as it is
    ax = maps.municipality_map(values, kpi=KPI, year=2024, title="Meritvärde 2024", ax=_ax())
    assert ax.get_title(loc="left") == "Meritvärde 2024"


def test_region_map_and_small_multiples_star_it_too(values):
    ax = maps.region_map(
        values, kpi=REGION_KPI, year=PRELIMINARY, region="0018", preliminary=PRELIMINARY, ax=_ax()
    )
    assert "2025*" in ax.get_title(loc="left")
    assert PRELIMINARY_NOTE in _caption(ax)
    figure = maps.small_multiples(
        values, kpi=KPI, years=[2024, 2025], municipality="1880", preliminary=PRELIMINARY
    )
    titles = [ax.get_title(loc="left") for ax in figure.axes if ax.get_title(loc="left")]
    assert titles[:2] == ["2024", "2025*"]
    caption = next(t.get_text() for t in figure.texts if t.get_gid() == "analys-caption")
    assert caption.endswith(PRELIMINARY_NOTE)


def test_the_report_maps_star_the_preliminary_year(monkeypatch):
    """The area report's comparison section passes its preliminary year to every map: the
    titles read "2025*" and the caption says what the star means."""
    from analys.report import Report, output

    calls, shown = [], []
    original = maps.map_panel

    def spy(*args, **kwargs):
        calls.append(kwargs.get("preliminary"))
        return original(*args, **kwargs)

    monkeypatch.setattr(maps, "map_panel", spy)
    monkeypatch.setattr(output, "display", lambda *a, **k: None)
    monkeypatch.setattr(output, "show_figure", shown.append)
    for area, code, panels in (("halso_sjukvard", "0018", 1), ("grundskola", "1880", 2)):
        calls.clear()
        shown.clear()
        built = Report.from_area(area, code)
        built.comparison()
        assert calls == [built.preliminary] * panels and built.preliminary == PRELIMINARY
        (figure,) = [f for f in shown if isinstance(f, SvgFigure) and "<g transform" in f.svg]
        assert sum(f"{PRELIMINARY}*" in t for t in figure.texts) == panels
        assert PRELIMINARY_NOTE in " ".join(figure.texts)


def _report_map(monkeypatch, area: str, code: str) -> SvgFigure:
    from analys.report import Report, output

    shown = []
    monkeypatch.setattr(output, "display", lambda *a, **k: None)
    monkeypatch.setattr(output, "show_figure", shown.append)
    Report.from_area(area, code).comparison()
    (figure,) = [f for f in shown if isinstance(f, SvgFigure) and "<g transform" in f.svg]
    return figure


def test_the_report_maps_keep_their_size_beside_a_long_caption(monkeypatch, browser_layout):
    """The comparison section's two maps (Sweden and the county) side by side, in the
    preliminary year, when the caption is at its longest: each map keeps a real share of the
    figure, the caption wraps inside it, and no legend or caption text lies on a map. (A
    caption as wide as the figure once shrank both matplotlib maps to stamps.)"""
    figure = _report_map(monkeypatch, "grundskola", "0428")  # Vingåker, a small municipality
    assert PRELIMINARY_NOTE in " ".join(figure.texts)
    texts, shapes = browser_layout(figure.svg, "Vingåker", shapes="svg > g[transform]")
    svg_box = browser_layout.last_frame
    assert len(shapes) == 2
    height = svg_box[3] - svg_box[1]
    for _left, top, _right, bottom, _ in shapes:  # a map keeps its aspect: it fills its height
        assert (bottom - top) / height > 0.6
    name = reference.title("0428")
    for text in texts:
        if text[4] in (name,):  # the focus name is on its map, by design
            continue
        for shape in shapes:
            overlap_x = min(text[2], shape[2]) - max(text[0], shape[0])
            overlap_y = min(text[3], shape[3]) - max(text[1], shape[1])
            assert overlap_x <= 1 or overlap_y <= 1, (text[4], shape)


def test_a_region_report_draws_its_one_map_without_an_empty_half(monkeypatch, browser_layout):
    figure = _report_map(monkeypatch, "halso_sjukvard", "0018")
    assert figure.svg.count("<g transform") == 1
    browser_layout(figure.svg, "Region Örebro län")
    left, top, right, bottom = browser_layout.last_frame
    assert right - left < bottom - top  # Sweden is tall


def test_the_overview_legend_explains_every_panel_colour():
    """A cost (no direction: blue/orange) beside judged KPIs: both palettes are explained."""
    from analys.chartstyle import COLOUR_LABELS

    values = demo.load_values(["N15507", "N00097"], years=[2025])
    figure = maps.small_multiples(
        values, kpis=["N15507", "N00097"], year=2025, municipality="1880", ncols=2
    )
    (legend,) = figure.legends
    labels = [t.get_text() for t in legend.get_texts()]
    for colour in ("green", "red", "high", "low"):
        assert COLOUR_LABELS[colour] in labels, labels
    assert labels.count("Värde saknas") == 1
