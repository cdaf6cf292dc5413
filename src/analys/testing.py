"""Helpers for tests: read back what a chart drew.

Tests assert on the data behind a figure, not on pixels: :func:`drawn_bars` reads the bars of
a ranking chart (codes, colours, values), :func:`svg_texts` the texts of an SVG chart. The
maps' reader is
:func:`analys.maps.drawn_colours`, which the explorers' map legend uses too. Nothing in the
package imports this module.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from analys.chartstyle import hex_colours
from analys.errors import ParamsError
from analys.plots.ranking import BARS_GID


def drawn_bars(ax: Axes) -> pd.DataFrame:
    """The bars of a :func:`analys.plots.ranking_chart`: face colour (hex) and value, indexed by code.

    Parameters
    ----------
    ax : Axes
        An Axes drawn by :func:`analys.plots.ranking_chart`.

    Returns
    -------
    DataFrame
        Columns ``colour`` and ``value``, index ``municipality``, in the order the bars are
        drawn (best first). The focus municipality's bar is also outlined (a collection with
        gid ``analys-focus-bar``).
    """
    for collection in ax.collections:
        if collection.get_gid() == BARS_GID:
            return pd.DataFrame(
                {
                    "colour": hex_colours(collection.get_facecolors()),
                    "value": collection.analys_values,
                },
                index=pd.Index(list(collection.analys_codes), name="municipality"),
            )
    raise ParamsError("Axes innehåller inget stapeldiagram från ranking_chart.")


def drawn(figure):
    """``figure`` drawn once on an Agg canvas; its renderer, for measuring what was drawn
    (``Text.get_window_extent(text, renderer)``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


#: the SVG namespace as ElementTree writes it before a tag
SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    """Every text of an SVG chart (:class:`analys.plots.SvgFigure`'s ``svg``), in document
    order, as the document itself holds it (parsed, so its escaping is undone)."""
    import xml.etree.ElementTree as ET

    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]
