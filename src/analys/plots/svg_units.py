"""The reports' unit charts written straight as SVG, one panel per KPI under each other.

Each panel draws a :class:`~analys.plots.units.UnitStrip` as
:func:`~analys.plots.units.draw_unit_strip` does with seaborn: a box of every unit of the same
kind in Sweden (whiskers at the 5th and 95th percentiles), the municipality's units as
points on it in their quartile colours, jittered the same way in every render, the unit of
a unit report as a large diamond with its name, the legend to the right. One source caption
under the panels (or one under each when they differ), the watermark on demo data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analys.chartstyle import BAND, COLOURS, FOCUS, RIKET, caption_text, is_demo
from analys.plots.base import wrap
from analys.plots.svg import Svg, SvgFigure, text_width
from analys.plots.svg_axes import (
    PAD,
    UNDER_FRAME,
    Frame,
    Scale,
    axis_titles,
    caption_lines,
    draw_axes,
    heading,
    margins,
    message,
    one_caption,
    panel_foot,
    tick_labels,
    value_ticks,
    watermark,
    write_caption,
)
from analys.plots.units import UnitStrip

#: font sizes (points): the panel's title, the legend, the highlighted unit's name
TITLE, LEGEND, NAME = 9, 7, 8
LEGEND_ROW, MARKER_COLUMN = 11.0, 12.0
#: the box's share of the panel's height, and a point's radius (seaborn's size 5)
BOX, POINT = 0.55, 2.5


def unit_strips_svg(
    strips: Sequence[UnitStrip], *, source: str, width: float = 8, height: float = 2.7
) -> SvgFigure:
    """One panel per strip, ``width`` × ``height`` inches each, under each other."""
    panel_w, panel_h = width * 72, height * 72
    credits = [caption_text(source, derived=True, kpis=(s.kpi,)) for s in strips]
    shared = one_caption(credits)
    shared_lines, shared_h = caption_lines(shared, panel_w)
    svg = Svg(panel_w, len(strips) * panel_h + shared_h + PAD / 2)
    for index, (strip, credit) in enumerate(zip(strips, credits, strict=True)):
        frame = Frame(0, index * panel_h, panel_w, panel_h)
        _panel(svg, strip, frame, caption=None if shared else credit, demo=is_demo(source))
    write_caption(svg, 0, len(strips) * panel_h, shared_lines)
    return svg.figure([s.title.split("\n")[0] for s in strips if s.message is None])


def _panel(svg: Svg, strip: UnitStrip, frame: Frame, *, caption: str | None, demo: bool) -> None:
    area = panel_foot(svg, frame, caption)
    if strip.message is not None:
        message(svg, strip.message, area, demo=demo)
        return
    legend_w = (
        MARKER_COLUMN
        + 4
        + max((text_width(label, LEGEND) for _, label in strip.legend), default=0.0)
    )
    top = heading(svg, Frame(frame.x, frame.y + PAD, frame.width, frame.height), strip.title, TITLE)
    bottom = area.bottom - UNDER_FRAME
    left = frame.x + PAD + 4
    right = frame.right - PAD - legend_w - 6
    plot = Frame(left, top, right - left, bottom - top)
    low5, q1, median, q3, high95 = strip.box
    xlow, xhigh = margins([low5, high95, *strip.values])
    scale = Scale(plot, xlow, xhigh, -0.5, 0.5)
    if demo:
        watermark(svg, plot)
    _box(svg, scale, (low5, q1, median, q3, high95))
    _points(svg, strip, scale)
    xticks = tick_labels(value_ticks(xlow, xhigh, plot.width, vertical=False))
    draw_axes(svg, scale, xticks=xticks, yticks=[])
    axis_titles(svg, plot, left=frame.x + PAD, xlabel=strip.unit, ylabel="")
    _legend(svg, strip, left=plot.right + 6, top=plot.y)


def _box(svg: Svg, scale: Scale, box: tuple[float, ...]) -> None:
    low5, q1, median, q3, high95 = box
    if not np.isfinite(median):
        return
    middle = float(scale.y(0.0))
    half = BOX / 2 * scale.plot.height
    x = [float(v) for v in scale.x([low5, q1, median, q3, high95])]
    svg.rect(x[1], middle - half, x[3] - x[1], 2 * half, fill=BAND, stroke=RIKET, stroke_width=0.8)
    nan = [np.nan, np.nan]
    lines = [
        [x[0], middle], [x[1], middle], nan,  # whiskers
        [x[3], middle], [x[4], middle], nan,
        [x[0], middle - half / 2], [x[0], middle + half / 2], nan,  # caps
        [x[4], middle - half / 2], [x[4], middle + half / 2], nan,
        [x[2], middle - half], [x[2], middle + half],  # median
    ]  # fmt: skip
    svg.path(np.array(lines), stroke=RIKET, width=0.8)


def _points(svg: Svg, strip: UnitStrip, scale: Scale) -> None:
    """The municipality's units, one colour at a time, then the highlighted unit."""
    offsets = strip.jitter() * scale.plot.height
    middle = float(scale.y(0.0))
    xs = scale.x(strip.values)
    colours = np.asarray(strip.colours)
    for colour in dict.fromkeys(strip.colours):
        chosen = colours == colour
        points = np.column_stack([xs[chosen], middle + offsets[chosen]])
        fill = COLOURS.get(colour, COLOURS["none"])
        svg.circles(points, POINT, fill=fill, edge="#333333", edge_width=0.5)
    if strip.highlight is None:
        return
    at = strip.ous.index(strip.highlight)
    x = float(xs[at])
    diamond = np.array([[x, middle - 5], [x + 5, middle], [x, middle + 5], [x - 5, middle]])
    fill = COLOURS.get(strip.colours[at], FOCUS)
    d = "M" + "L".join(f"{px:.2f} {py:.2f}" for px, py in diamond) + "Z"
    svg.parts.append(f'<path d="{d}" fill="{fill}" stroke="{FOCUS}" stroke-width="2"/>')
    lines = wrap(strip.titles[at], 30).split("\n")
    for row, line in enumerate(lines):
        y = middle - 14 - (len(lines) - 1 - row) * NAME * 1.2
        svg.text(x, y, line, size=NAME, colour=FOCUS, bold=True, anchor="middle")


def _legend(svg: Svg, strip: UnitStrip, *, left: float, top: float) -> None:
    for index, (colour, label) in enumerate(strip.legend):
        middle = top + (index + 0.5) * LEGEND_ROW
        point = np.array([[left + MARKER_COLUMN / 2, middle]])
        svg.circles(point, 3.0, fill=COLOURS[colour], edge="#333333", edge_width=0.5)
        svg.text(left + MARKER_COLUMN + 4, middle + LEGEND * 0.35, label, size=LEGEND)
