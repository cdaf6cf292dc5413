"""The report's spine chart written straight as SVG.

It draws a :class:`~analys.plots.spine.Spine` as :func:`~analys.plots.spine.draw_spine`
does on a matplotlib Axes: per KPI the spread of all municipalities (min–Q1–Q3–max) around
Riket in the middle, worse to the left, and the municipality's marker in its status or
quartile colour; rows without a direction grey with their own "← lägre"/"högre →" ends;
the legend in columns above, the value and year at the right of each row, the source
caption under it and the watermark on demo data. The chart grows with its rows, so a
chart of two KPIs is never squeezed under its legend.
"""

from __future__ import annotations

import math

import numpy as np

from analys.chartstyle import RIKET, caption_text, is_demo
from analys.plots.spine import AXIS_WORDS, NEUTRAL_BAND, NEUTRAL_NOTE, Spine
from analys.plots.svg import ASCENT, Svg, SvgFigure, text_width
from analys.plots.svg_axes import (
    PAD,
    Frame,
    caption_lines,
    captioned,
    heading,
    heading_height,
    message,
    watermark,
    write_caption,
)

#: font sizes (points): row labels, notes and axis words; legend; a neutral row's ends
LABEL, LEGEND, ENDS = 8, 7, 6.5
LEGEND_ROW, MARKER_COLUMN, COLUMN_GAP = 11.0, 16.0, 10.0
#: the least height of a row (points), and a band's share of it
ROW_LEAST, BAND_SHARE = 22.0, 0.6
MARKER_RADIUS = 4.5


def spine_svg(
    spine: Spine, *, source: str, width: float = 8, height: float | None = None
) -> SvgFigure:
    """``spine`` as one SVG chart ``width`` inches wide and at least ``height`` high."""
    total_w = width * 72
    credit = caption_text(source, derived=True, kpis=spine.kpis)
    if spine.message is not None:
        svg, frame = captioned(total_w, max((height or 2.0) * 72, 100.0), credit)
        message(svg, spine.message, frame, demo=is_demo(source))
        return svg.figure([])
    lines, caption_h = caption_lines(credit, total_w)
    columns = _legend_columns(spine)
    legend_h = max(len(c) for c in columns) * LEGEND_ROW
    label_w = max(
        (text_width(line, LABEL) for row in spine.rows for line in row.label.split("\n")),
        default=0.0,
    )
    note_w = max((text_width(row.note, LABEL) for row in spine.rows), default=0.0)
    under = 8 + LABEL + (LEGEND + 4 if spine.neutral else 0)
    title_h = heading_height(spine.title, total_w)
    chrome = PAD + title_h + legend_h + 6 + under + caption_h + PAD
    rows_h = max((height * 72 - chrome) if height else 0.0, ROW_LEAST * max(len(spine.rows), 1))
    total_h = chrome + rows_h
    svg = Svg(total_w, total_h)
    top = heading(svg, Frame(0, PAD, total_w, total_h), spine.title)
    left = PAD + label_w + 6
    right = total_w - PAD - note_w - 10
    plot = Frame(left, top + legend_h + 6, right - left, rows_h)
    _legend(svg, columns, right=plot.right, top=top, least=PAD)
    if is_demo(source):
        watermark(svg, plot)
    _rows(svg, spine, plot)
    write_caption(svg, 0, plot.bottom + under, lines)
    return svg.figure([spine.title])


def _x(plot: Frame, share: float) -> float:
    """A point of the [0, 1] scale in the frame (matplotlib's limits −0.02 to 1.02)."""
    return plot.x + (share + 0.02) / 1.04 * plot.width


def _rows(svg: Svg, spine: Spine, plot: Frame) -> None:
    """Each KPI's row: grey behind a row without a direction, the bands, its ends, the
    municipality's marker, its label at the left and its note at the right; Riket's line
    and the frame over them, the axis' words under them."""
    height = plot.height / len(spine.rows)
    for index, row in enumerate(spine.rows):
        middle = plot.y + (index + 0.5) * height
        if row.neutral:
            svg.rect(plot.x, middle - height / 2, plot.width, height, fill=NEUTRAL_BAND)
    for index, row in enumerate(spine.rows):
        middle = plot.y + (index + 0.5) * height
        for left, right, colour in row.bands:
            x0, x1 = _x(plot, left), _x(plot, right)
            band = BAND_SHARE * height
            svg.rect(x0, middle - band / 2, x1 - x0, band, fill=colour, opacity=0.7)
        if row.neutral:
            ends = middle - 0.32 * height - 1
            svg.text(_x(plot, 0), ends, "← lägre", size=ENDS, colour=RIKET)
            svg.text(_x(plot, 1), ends, "högre →", size=ENDS, colour=RIKET, anchor="end")
        if row.missing:
            svg.text(
                _x(plot, 0.5),
                middle + LABEL * 0.35,
                "Data saknas",
                size=LABEL,
                colour=RIKET,
                anchor="middle",
            )
        labels = row.label.split("\n")
        for line_index, line in enumerate(labels):
            y = middle + LABEL * 0.35 + (line_index - (len(labels) - 1) / 2) * LABEL * 1.2
            svg.text(plot.x - 5, y, line, size=LABEL, anchor="end")
        if row.note:
            svg.text(plot.right + 0.03 * plot.width, middle + LABEL * 0.35, row.note, size=LABEL)
    x = _x(plot, 0.5)
    svg.path([[x, plot.y], [x, plot.bottom]], stroke=RIKET, width=1.2, dash=(4.44, 1.92))
    for index, row in enumerate(spine.rows):
        if row.marker is not None:
            middle = plot.y + (index + 0.5) * height
            point = np.array([[_x(plot, row.marker), middle]])
            svg.circles(point, MARKER_RADIUS, fill=row.colour, edge="#000000", edge_width=0.8)
    svg.rect(plot.x, plot.y, plot.width, plot.height, stroke="#000000", stroke_width=0.8)
    baseline = plot.bottom + 4 + LABEL * ASCENT
    for share, word in zip((0.0, 0.5, 1.0), AXIS_WORDS, strict=True):
        svg.text(_x(plot, share), baseline, word, size=LABEL, anchor="middle")
    if spine.neutral:
        y = baseline + 4 + LEGEND * 1.2
        svg.text(_x(plot, 0.5), y, NEUTRAL_NOTE, size=LEGEND, colour=RIKET, anchor="middle")


def _legend_columns(spine: Spine) -> list[list[tuple[str, str, str]]]:
    """The legend's entries in its columns, filled top to bottom as matplotlib fills them."""
    per_column = math.ceil(len(spine.legend) / spine.columns)
    return [list(spine.legend[i : i + per_column]) for i in range(0, len(spine.legend), per_column)]


def _legend(svg: Svg, columns, *, right: float, top: float, least: float) -> None:
    """The legend's columns ending at ``right`` (reaching left over the rows' names, never
    further left than ``least``)."""
    widths = [
        MARKER_COLUMN + 4 + max(text_width(label, LEGEND) for *_, label in column)
        for column in columns
    ]
    x = max(least, right - sum(widths) - COLUMN_GAP * (len(widths) - 1))
    for column, width in zip(columns, widths, strict=True):
        for index, (kind, colour, label) in enumerate(column):
            middle = top + (index + 0.5) * LEGEND_ROW
            if kind == "riket":
                ends = [[x, middle], [x + MARKER_COLUMN, middle]]
                svg.path(ends, stroke=colour, width=1.5, dash=(5.55, 2.4))
            elif kind == "marker":
                point = np.array([[x + MARKER_COLUMN / 2, middle]])
                svg.circles(point, 3.5, fill=colour, edge="#000000", edge_width=0.8)
            else:
                opacity = 0.7 if kind == "band" else None
                svg.rect(x, middle - 3.5, MARKER_COLUMN, 7, fill=colour, opacity=opacity)
            svg.text(x + MARKER_COLUMN + 4, middle + LEGEND * 0.35, label, size=LEGEND)
        x += width + COLUMN_GAP
