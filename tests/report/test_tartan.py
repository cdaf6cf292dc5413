"""The overview's tartan rug as an HTML table (:mod:`analys.report.tartan`)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

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


@pytest.mark.browser
def test_on_a4_paper_the_numbers_stay_whole_and_the_names_upright():
    """The PDF's print CSS lets a wide table's cells wrap anywhere: "88,6" printed as "88," and
    "6", "Örebro" as "Öre" and "bro", in thirteen narrow columns."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium saknas")
    from analys import reference
    from analys.render.pdf import PRINT_CSS

    codes = ["1880", "0180", "1480", "1280", "0380", "0580", "0581", "0680", "0780", "0880",
             "1281", "1283", "1290"]  # fmt: skip
    kpis = ["N15508", "N15507", "N00097"]
    colours, labels = plots.tartan_cells(
        demo.load_values(kpis, None, [2024]), kpis=kpis, codes=codes
    )
    table = tartan_table(colours, labels, names=[reference.title(c) for c in codes])
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 700, "height": 900})  # A4's printed width
            page.set_content(f"<html><body>{table}</body></html>")
            page.add_style_tag(content=PRINT_CSS)
            page.emulate_media(media="print")
            cells = page.locator("table.analys-tartan td").evaluate_all(
                "cells => cells.map(c => [c.getClientRects().length, c.scrollWidth <= c.clientWidth,"
                " c.getBoundingClientRect().height])"
            )
            heads = page.locator("th.col").evaluate_all(
                "heads => heads.map(h => getComputedStyle(h).writingMode)"
            )
            width = page.locator("table.analys-tartan").evaluate("t => t.scrollWidth")
        finally:
            browser.close()
    heights = {round(height) for _, _, height in cells}
    assert len(heights) == 1, heights  # one line each: no number broken over two
    assert all(fits for _, fits, _ in cells)
    assert set(heads) == {"vertical-rl"} and width <= 700


def test_the_rug_credits_own_data_of_any_area_not_only_the_first(ipython_capture):
    """Folkhälsa's own survey indicators are rows of the rug; its credit once came from the
    first area (Grundskola, no own data), and the rug's note said nothing of whose they were."""
    from analys.report.overview import Overview

    view = Overview("1880", ["grundskola", "folkhalsa"], source="demo")
    with ipython_capture() as shown:
        view.rug()
    assert "Egna nyckeltal (" in shown.html and "egen_medborgarenkat.csv" in shown.html


@pytest.mark.parametrize("section", ["goals", "focus"])
def test_the_overview_tables_credit_own_data_of_any_area(ipython_capture, section):
    """The goals table and the focus list cover every area: their credit names Folkhälsa's
    own survey data although the first area (Grundskola) has none."""
    from analys.report.overview import Overview

    view = Overview("1880", ["grundskola", "folkhalsa"], source="demo")
    with ipython_capture() as shown:
        getattr(view, section)()
    assert "Egna nyckeltal (" in shown.html and "egen_medborgarenkat.csv" in shown.html
