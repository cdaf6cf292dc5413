"""The overview's tartan rug as an HTML table (:mod:`analys.report.tartan`)."""

from __future__ import annotations

import pandas as pd

from analys import demo, plots
from analys.chartstyle import COLOURS
from analys.report.tartan import tartan_table, text_colour


def _contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours."""
    from matplotlib.colors import to_rgb

    def luminance(colour: str) -> float:
        r, g, b = (
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)
        )
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_cell_text_is_black_or_white_whichever_reads_better():
    for colour in [*COLOURS.values(), "#ffffff", "#000000"]:
        chosen = text_colour(colour)
        other = "#ffffff" if chosen == "#000000" else "#000000"
        assert _contrast(colour, chosen) >= _contrast(colour, other), colour
        assert _contrast(colour, chosen) >= 4.5, colour  # WCAG AA for normal text
    assert text_colour(COLOURS["yellow"]) == "#000000" and text_colour(COLOURS["red"]) == "#ffffff"


def test_the_table_has_the_cells_of_the_chart_and_escapes_every_name():
    kpis = ["N15813", "N15001"]  # N15001: a cost, coloured without judgement
    values = demo.load_values(kpis, None, [2024])
    codes = ["1880", "0180"]
    colours, labels = plots.tartan_cells(values, kpis=kpis, codes=codes)
    assert list(colours.index) == kpis and list(colours.columns) == codes
    assert set(colours.loc["N15001"]) <= {"high", "middle", "low", "none"}
    assert set(colours.loc["N15813"]) <= {"green", "yellow", "red", "none"}
    colours.loc["N15001", "0180"], labels.loc["N15001", "0180"] = "", ""  # a missing value
    page = tartan_table(colours, labels, names=["Örebro", "<script>alert(1)</script>"])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<td class='q-grey' title='Värde saknas'>–</td>" in page
    number = labels.loc["N15813", "1880"]
    assert f"title='{_meaning(colours.loc['N15813', '1880'])}'>{number}</td>" in page
    assert "," in number or number.isdigit() or " " in number  # written the Swedish way


def _meaning(colour: str) -> str:
    from analys.chartstyle import COLOUR_LABELS

    return COLOUR_LABELS[colour]


def test_a_kpi_no_column_has_takes_no_row():
    values = demo.load_values(["N15813"], None, [2024])
    other = values[values["municipality"] == "1880"].assign(kpi="EGEN-X")
    data = pd.concat([values, other], ignore_index=True)
    colours, _ = plots.tartan_cells(data, kpis=["N15813", "EGEN-X"], codes=["0180", "1280"])
    assert list(colours.index) == ["N15813"]
