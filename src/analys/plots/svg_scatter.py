"""The report's scatter charts written straight as SVG: expected against actual values and
result against cost.

Each draws a :class:`~analys.plots.scatter.Scatter` as :func:`~analys.plots.draw_scatter`
does on a matplotlib Axes: every municipality grey, the peers and the focus municipality
highlighted and named (a name with no free place left out, never names on names), the 45°
line or the quadrants' medians, the corner texts, the legend inside or to the right, the
source caption under it and the watermark on demo data.
"""

from __future__ import annotations

import math

import numpy as np

from analys.chartstyle import COLOURS, FOCUS, PEERS, RIKET, caption_text, is_demo
from analys.plots.labels import NAME_OFFSETS
from analys.plots.scatter import DIAGONAL_LABEL, PEERS_LABEL, Scatter
from analys.plots.svg import ASCENT, DESCENT, Svg, SvgFigure, text_width
from analys.plots.svg_axes import (
    PAD,
    UNDER_FRAME,
    Box,
    Frame,
    Scale,
    axis_titles,
    captioned,
    draw_axes,
    heading,
    leader,
    margins,
    message,
    overlaps,
    plot_left,
    text_box,
    tick_labels,
    value_ticks,
    watermark,
)

#: the dots as matplotlib draws them (``s`` is the area in square points): radius, colour,
#: opacity, edge colour and width
DOTS = {
    "all": (math.sqrt(14 / math.pi), COLOURS["grey"], 0.8, None, 0.0),
    "peers": (math.sqrt(28 / math.pi), PEERS, None, "#ffffff", 0.5),
    "focus": (math.sqrt(70 / math.pi), FOCUS, None, "#ffffff", 0.8),
}
#: dashes of the reference lines (matplotlib's "--" at their widths)
LINES = {"diagonal": (1.2, (4.44, 1.92)), "median": (1.0, (3.7, 1.6))}
#: font sizes (points): legend, corner texts, names
LEGEND, CORNER, NAME = 7, 8, 8
LEGEND_ROW, MARKER_COLUMN = 11.0, 16.0


def scatter_svg(
    scatter: Scatter, *, source: str, width: float = 6.5, height: float = 5
) -> SvgFigure:
    """``scatter`` as one SVG chart of ``width`` × ``height`` inches."""
    credit = caption_text(source, derived=scatter.derived)
    svg, frame = captioned(width * 72, height * 72, credit)
    if scatter.message is not None:
        message(svg, scatter.message, frame, demo=is_demo(source))
        return _figure(svg, scatter)
    top = heading(svg, frame, scatter.title)
    entries = _legend_entries(scatter)
    legend_w = MARKER_COLUMN + 4 + max(text_width(label, LEGEND) for _, label in entries)
    right = frame.right - PAD - (legend_w + 8 if scatter.legend == "right" else 8)
    bottom = frame.bottom - UNDER_FRAME
    xs = [*scatter.x.to_numpy(dtype=float), *(scatter.diagonal or ())]
    ys = [*scatter.y.to_numpy(dtype=float), *(scatter.diagonal or ())]
    (xlow, xhigh), (ylow, yhigh) = margins(xs), margins(ys)
    yticks = tick_labels(value_ticks(ylow, yhigh, bottom - top, vertical=True))
    left = plot_left(frame, yticks, scatter.ylabel, bottom - top)
    plot = Frame(left, top, right - left, bottom - top)
    if scatter.invert_y:
        ylow, yhigh = yhigh, ylow
    scale = Scale(plot, xlow, xhigh, ylow, yhigh)
    if is_demo(source):
        watermark(svg, plot)
    _points(svg, scatter, scale)
    fixed = _corners(svg, scatter, plot)
    xticks = tick_labels(value_ticks(xlow, xhigh, plot.width, vertical=False))
    draw_axes(svg, scale, xticks=xticks, yticks=yticks)
    axis_titles(svg, plot, left=frame.x + PAD, xlabel=scatter.xlabel, ylabel=scatter.ylabel)
    fixed.append(_legend(svg, entries, plot, legend_w, outside=scatter.legend == "right"))
    _names(svg, scatter, scale, fixed)
    return _figure(svg, scatter)


def _figure(svg: Svg, scatter: Scatter) -> SvgFigure:
    xs = () if scatter.x is None else (tuple(scatter.x.to_numpy(dtype=float).tolist()),)
    return svg.figure([scatter.title], xs)


def _points(svg: Svg, scatter: Scatter, scale: Scale) -> None:
    """Everyone's dots, the reference lines, then the peers and the focus municipality."""
    _dots(svg, "all", scale.points(scatter.x, scatter.y.reindex(scatter.x.index)))
    plot = scale.plot
    if scatter.diagonal is not None:
        low, high = scatter.diagonal
        width, dash = LINES["diagonal"]
        svg.path(scale.points([low, high], [low, high]), stroke=RIKET, width=width, dash=dash)
    if scatter.medians is not None:
        width, dash = LINES["median"]
        x, y = float(scale.x(scatter.medians[0])), float(scale.y(scatter.medians[1]))
        svg.path([[x, plot.y], [x, plot.bottom]], stroke=RIKET, width=width, dash=dash)
        svg.path([[plot.x, y], [plot.right, y]], stroke=RIKET, width=width, dash=dash)
    if scatter.peers:
        peers = list(scatter.peers)
        _dots(svg, "peers", scale.points(scatter.x[peers], scatter.y[peers]))
    if scatter.municipality:
        m = scatter.municipality
        _dots(svg, "focus", scale.points([scatter.x[m]], [scatter.y[m]]))


def _dots(svg: Svg, kind: str, points: np.ndarray) -> None:
    radius, colour, opacity, edge, edge_width = DOTS[kind]
    svg.circles(points, radius, fill=colour, opacity=opacity, edge=edge, edge_width=edge_width)


def _corners(svg: Svg, scatter: Scatter, plot: Frame) -> list[Box]:
    """The corner texts ("Högt resultat, låg kostnad" …); returns their boxes."""
    boxes = []
    for fx, fy, text in scatter.corners:
        x, y = plot.x + fx * plot.width, plot.bottom - fy * plot.height
        width = text_width(text, CORNER)
        ha, va = ("left" if fx < 0.5 else "right"), ("top" if fy > 0.5 else "bottom")
        box, baseline = text_box(x, y, width, CORNER, ha, va)
        svg.text(box[0], baseline, text, size=CORNER, colour=RIKET, italic=scatter.italic)
        boxes.append(box)
    return boxes


def _legend_entries(scatter: Scatter) -> list[tuple[str, str]]:
    entries = [("all", scatter.everyone)]
    if scatter.diagonal is not None:
        entries.append(("diagonal", DIAGONAL_LABEL))
    if scatter.medians is not None:
        entries.append(("median", "Median"))
    if scatter.peers:
        entries.append(("peers", PEERS_LABEL))
    if scatter.municipality:
        entries.append(("focus", scatter.name))
    return entries


def _legend(svg: Svg, entries, plot: Frame, width: float, *, outside: bool) -> Box:
    """The legend to the right of the plot (its top) or inside it (lower right, above the
    corner text); returns its box."""
    height = len(entries) * LEGEND_ROW
    if outside:
        left, top = plot.right + 8, plot.y
    else:
        left, top = plot.right - 4 - width, plot.bottom - 0.06 * plot.height - 4 - height
    for row, (kind, label) in enumerate(entries):
        middle = top + (row + 0.5) * LEGEND_ROW
        x = left + MARKER_COLUMN / 2
        if kind in LINES:
            line_width, dash = LINES[kind]
            ends = [[left, middle], [left + MARKER_COLUMN, middle]]
            svg.path(ends, stroke=RIKET, width=line_width, dash=dash)
        else:
            _dots(svg, kind, np.array([[x, middle]]))
        svg.text(left + MARKER_COLUMN + 4, middle + LEGEND * 0.35, label, size=LEGEND)
    return (left, top, left + width, top + height)


#: the least room between two names (points): "Borås" and "Jönköping" touching read as one
NAME_GAP = 2.0


def _grown(box: Box) -> Box:
    return (box[0] - NAME_GAP, box[1] - NAME_GAP / 2, box[2] + NAME_GAP, box[3] + NAME_GAP / 2)


def _names(svg: Svg, scatter: Scatter, scale: Scale, fixed: list[Box]) -> None:
    """Name the focus municipality and the peers beside their dots, as
    :func:`analys.plots.labels.place_labels` does: the nearest place of
    :data:`~analys.plots.labels.NAME_OFFSETS` inside the plot that covers no dot named and no
    other text; a peer with no such place stays unnamed, the focus is always named."""
    items = scatter.labels()
    points = [(float(scale.x(x)), float(scale.y(y))) for x, y, *_ in items]
    placed = [(px - 3, py - 3, px + 3, py + 3) for px, py in points] + fixed
    height = NAME * (ASCENT + DESCENT)
    for (_, _, text, colour, bold), (px, py) in zip(items, points, strict=True):
        width = text_width(text, NAME, bold=bold)
        boxes = []
        for dx, dy in NAME_OFFSETS:
            left = px + (dx if dx > 0 else dx - width)
            boxes.append(((dx, dy), (left, py - dy - height, left + width, py - dy)))
        free = [
            b
            for b in boxes
            if scale.plot.contains(b[1]) and not any(overlaps(_grown(b[1]), o) for o in placed)
        ]
        if not free and not bold:  # no room: the dot stays unnamed
            continue
        (dx, dy), box = (free or boxes)[0]
        placed.append(box)
        if (dx, dy) not in ((4, 2), (-4, 2)):
            leader(svg, (px, py), box, colour, 0.4)
        svg.text(box[0], box[3] - NAME * DESCENT, text, size=NAME, colour=colour, bold=bold)
