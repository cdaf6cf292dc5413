"""The overview's tartan rug as an HTML table, as Fingertips shows it.

Every indicator of every area (rows) against the municipality and its SKR group (columns),
each cell coloured by its quartile among all municipalities and showing its value. As a table
its numbers are text: sharp at any zoom and in print, found by the browser's search, read by
a screen reader and copied into a spreadsheet. As an image of some 700 numbers it took a
third of the overview's time to draw. The cells come from :func:`analys.plots.tartan_cells`
(the chart :func:`analys.plots.tartan_rug` draws the same cells).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.colors import to_rgb

from analys import registry
from analys.chartstyle import COLOUR_LABELS, COLOURS
from analys.safe import html_text

#: the cells' colours (no value: grey, "Värde saknas")
CELL_COLOURS = ("green", "yellow", "red", "none", "high", "middle", "low", "grey")


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG relative luminance)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(background))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # contrast with black (L + 0.05) / 0.05 against with white 1.05 / (L + 0.05)
    return "#000000" if (luminance + 0.05) ** 2 > 0.0525 else "#ffffff"


def _style() -> str:
    cells = "".join(
        f".analys-tartan td.q-{name}{{background:{COLOURS[name]};color:{text_colour(COLOURS[name])}}}"
        for name in CELL_COLOURS
    )
    return (
        "<style>"
        ".analys-tartan{border-collapse:collapse;font-size:0.8em;margin:0.5em 0}"
        ".analys-tartan th,.analys-tartan td{border:1px solid #ffffff;padding:2px 6px}"
        # classed cells: as specific as JupyterLab's own table rules, and later in the page
        ".analys-tartan th.col{vertical-align:bottom;text-align:center;font-weight:normal}"
        ".analys-tartan th.focus{font-weight:bold}"
        ".analys-tartan th.kpi{text-align:left;font-weight:normal}"
        ".analys-tartan td{text-align:right;white-space:nowrap}"
        f"{cells}"
        # on paper (A4, up to thirteen columns): numbers never broken, names turned upright
        "@media print{.analys-tartan{font-size:0.7em !important}"
        ".analys-tartan td{white-space:nowrap !important;overflow-wrap:normal !important}"
        ".analys-tartan th.col{writing-mode:vertical-rl;transform:rotate(180deg);"
        "white-space:nowrap !important;overflow-wrap:normal !important;text-align:left}}"
        "</style>"
    )


def tartan_table(colours: pd.DataFrame, labels: pd.DataFrame, *, names: Sequence[str]) -> str:
    """The rug as an HTML table; ``colours`` and ``labels`` as :func:`plots.tartan_cells`
    returns them, ``names`` the columns' municipality names (the first, in bold, the focus).

    Every name is escaped; each cell's ``title`` says what its colour means.
    """
    head = "".join(
        f"<th scope='col' class='col{' focus' if i == 0 else ''}'>{html_text(name)}</th>"
        for i, name in enumerate(names)
    )
    rows = []
    for kpi in colours.index:
        cells = []
        for colour, label in zip(colours.loc[kpi], labels.loc[kpi], strict=True):
            colour = colour or "grey"
            meaning = COLOUR_LABELS[colour]
            cells.append(
                f"<td class='q-{colour}' title='{html_text(meaning)}'>"
                f"{html_text(label) if label else '–'}</td>"
            )
        rows.append(
            f"<tr><th scope='row' class='kpi'>{html_text(registry.label(kpi))}</th>{''.join(cells)}</tr>"
        )
    return (
        f"{_style()}<table class='analys-tartan'>"
        f"<thead><tr><th scope='col' class='kpi'>Nyckeltal</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
