"""Shared look of every chart and map: colours, the source caption and the demo watermark.

``plots`` and ``maps`` both draw through these helpers, so a caption or a colour is changed in
one place. The colour names are the ones ``compare.quartile_colours`` and ``fulfilment`` use.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from analys.captions import DEMO, credit

#: Quartile colours (docs/methods.md#quartile-colours), as named by ``compare.quartile_colours``.
COLOURS: dict[str, str] = {
    "green": "#1a9641",
    "yellow": "#fdd835",
    "red": "#d7191c",
    "grey": "#bdbdbd",
    "none": "#9ecae1",
    # a neutral KPI: higher or lower than the others, no value judgement (blue/orange as
    # Fingertips' "higher/lower" palette; never green or red)
    "high": "#2b83ba",
    "middle": "#e3e3e3",
    "low": "#fdae61",
}

#: Goal and indicator statuses (docs/methods.md#indicator-status).
STATUS_COLOURS: dict[str, str] = {
    "met": COLOURS["green"],
    "partly": COLOURS["yellow"],
    "not_met": COLOURS["red"],
    "no_data": COLOURS["grey"],
}

#: Swedish legend text for the quartile colours.
COLOUR_LABELS: dict[str, str] = {
    "green": "Bästa fjärdedelen",
    "yellow": "Mittenhälften",
    "red": "Sämsta fjärdedelen",
    "grey": "Värde saknas",
    "none": "Ingen färg (för få värden)",
    "high": "Högsta fjärdedelen (ingen värdering)",
    "middle": "Mittenhälften (ingen värdering)",
    "low": "Lägsta fjärdedelen (ingen värdering)",
}
#: The categories drawn for a KPI with and without a direction, in legend order.
JUDGED = ("green", "yellow", "red", "none")
NEUTRAL = ("high", "middle", "low", "none")

FOCUS = "#08306b"
PEERS = "#4292c6"
RIKET = "#525252"
BAND = "#c6dbef"
TARGET = "#e6550d"
#: Every chart title sits at the top of its Axes. Giving the height (instead of None) stops
#: matplotlib from measuring all tick labels on each draw to place it (a cost on every chart),
#: and no chart here has tick labels above the Axes.
TITLE_Y = 1.0
#: A caption character's mean width in em (DejaVu Sans; generous, so a wrapped line fits).
CAPTION_EM = 0.55
#: No caption is wrapped narrower than this many characters.
CAPTION_MIN_CHARS = 30


def is_demo(source: str | None) -> bool:
    """True when a figure is drawn from the embedded synthetic demo data."""
    return source == "demo"


def caption_text(source: str | None, *, derived: bool = False, kpis: tuple = ()) -> str:
    """The caption line for a figure: Kolada's credit, and the demo notice on demo data.

    A figure of the municipality's own indicators (``kpis`` holding ``EGEN-…`` ids) is
    credited to their import file instead: "Källa: egen uppgift (FIL, importerad DATUM)".
    """
    text = credit(kpis, source, derived=derived)
    return f"{text} · {DEMO}" if is_demo(source) else text


def annotate_source(
    ax: Axes, source: str | None = "demo", *, derived: bool = False, kpis: tuple = ()
) -> Axes:
    """Write the source caption under ``ax`` (and the watermark on demo data); return ``ax``.

    Parameters
    ----------
    ax
        The Axes the caption belongs to.
    source
        ``demo``, ``store`` or ``kolada``.
    derived
        True for our own computations (ranks, colours, residuals, statuses): the caption then
        reads "Egen bearbetning av data från Kolada" instead of "Källa: Kolada".
    kpis
        The KPI ids the figure shows: own indicators (``EGEN-…``) are credited to their file.
    """
    caption = ax.annotate(
        caption_text(source, derived=derived, kpis=kpis),
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -30),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=7,
        color="#555555",
        annotation_clip=False,
        gid="analys-caption",
    )
    fit_to_axes(caption)  # never wider than its panel (an own file's credit is long)
    if is_demo(source):
        add_watermark(ax)
    return ax


def fit_to_axes(text: Text, inches: float | None = None) -> Text:
    """Break ``text`` (an Axes' caption) into lines no wider than its Axes' column.

    A caption is part of its Axes in a constrained layout: one wider than its column would
    widen the Axes' margin, and the panel (a map, with its fixed aspect, most of all) would
    shrink to make room. matplotlib's own ``wrap`` measures to the figure's edge, not the
    column's, so it cannot prevent this. The column's width is the Axes' grid position
    before layout, which constrained layout only widens. ``inches`` gives the width instead,
    for an Axes that layout will make narrower (one with long tick labels beside it).
    """
    ax = text.axes
    if inches is None:
        inches = ax.get_position().width * ax.get_figure(root=True).get_figwidth()
    chars = int(inches * 72 / (text.get_fontsize() * CAPTION_EM))
    text.set_text(textwrap.fill(" ".join(text.get_text().split()), max(chars, CAPTION_MIN_CHARS)))
    text.set_wrap(False)
    return text


def figure_caption(figure: Figure, text: str) -> Text:
    """Write the source caption ``text`` once under a whole figure of panels (left-aligned,
    as an Axes' caption), where one caption stands for all of them."""
    caption = figure.supxlabel(text, x=0.01, ha="left", fontsize=7, color="#555555")
    caption.set_gid("analys-caption")
    return caption


def add_watermark(ax: Axes) -> Axes:
    """Lay a faint diagonal "DEMODATA" across ``ax`` so a screenshot cannot pass as real."""
    ax.text(
        0.5,
        0.5,
        "DEMODATA",
        transform=ax.transAxes,
        rotation=25,
        ha="center",
        va="center",
        fontsize=40,
        color="#999999",
        alpha=0.18,
        zorder=0,
        gid="analys-watermark",
    )
    return ax


def hex_colours(rgba: Sequence[Sequence[float]]) -> list[str]:
    """RGB(A) rows (0–1, as a collection's face colours) as ``#rrggbb``, like ``to_hex``
    (alpha dropped), in one vectorised step."""
    rgb = np.round(np.asarray(rgba, dtype=float)[:, :3] * 255)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.astype(int).tolist()]


@contextmanager
def unhinted_text() -> Iterator[None]:
    """Draw text without font hinting (only this setting, restored afterwards).

    At screen resolution it looks the same, and with matplotlib's glyph-by-glyph text
    drawing it saves about a sixth of a chart's drawing time.
    """
    before = mpl.rcParams["text.hinting"]
    mpl.rcParams["text.hinting"] = "no_hinting"
    try:
        yield
    finally:
        mpl.rcParams["text.hinting"] = before
