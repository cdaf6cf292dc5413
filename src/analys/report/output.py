"""Where the area report's sections put what they show: one output channel.

Every section writes through :func:`display` and :func:`show_figure` of this module (called
as ``output.display(...)``), so a test can capture a whole report by patching these two names.
Tables go through :func:`table_style`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, display

from analys.chartstyle import unhinted_text
from analys.plots.png import figure_png
from analys.plots.svg import SvgFigure, describe
from analys.safe import literal_text, styler_cells

__all__ = ["display", "show_figure", "table_style"]


def table_style(frame: pd.DataFrame, *, escape: bool = True):
    """A report table: no index, text left-aligned (numbers are formatted as text).

    Every cell is escaped for HTML (:func:`analys.safe.styler_cells`) unless ``escape`` is
    false because the caller escaped the cells itself and put HTML (links) in them.
    """
    styler = frame.style.hide(axis="index").set_table_styles(
        [{"selector": "th, td", "props": "text-align: left; vertical-align: top;"}]
    )
    return styler_cells(styler) if escape else styler


def show_figure(figure) -> None:
    """Show a figure as a PNG and free it; an :class:`~analys.plots.SvgFigure` as SVG.

    Like the inline backend (``bbox_inches="tight"``, so a caption wider than its panel is
    never cut), but with the text drawn unhinted (:func:`unhinted_text`) and the image a
    compact palette PNG (:func:`analys.plots.png.figure_png`).
    """
    if isinstance(figure, SvgFigure):  # written as SVG already (plots.lines_grid)
        metadata = {"image/svg+xml": {"alt": figure.alt}}
        display(
            {"image/svg+xml": figure.svg, "text/plain": figure.alt}, raw=True, metadata=metadata
        )
        return
    literal_text(figure)  # a "$" in a shown name is no mathtext
    alt = figure_description(figure)
    with unhinted_text():
        png = figure_png(figure, tight=True)
    plt.close(figure)
    display(Image(data=png, format="png", metadata={"alt": alt}))


def figure_description(figure) -> str:
    """A short Swedish text alternative for ``figure``: "Diagram: " and its panels' titles.

    The HTML export writes it as the image's ``alt`` (instead of nbconvert's English "No
    description has been provided"); the text beside each chart says what it shows.
    """
    titles = [figure._suptitle.get_text()] if getattr(figure, "_suptitle", None) else []
    for ax in figure.axes:
        titles.append(ax.get_title(loc="left") or ax.get_title())
    return describe(titles)
