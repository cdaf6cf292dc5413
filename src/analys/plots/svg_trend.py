"""The report's grids of trend and gender-gap panels, written straight as SVG.

Each panel draws a :class:`~analys.plots.trend.TrendLines` as :func:`trend_chart` and
:func:`gender_gap_chart` do on a matplotlib Axes: the same lines, colours, ticks (the same
locators' values), the last value at the end of its line placed off the data as
:func:`analys.plots.labels.end_label` places it, the target on its line. One legend above
the grid, one source caption under it (or one under each panel when they differ), the demo
watermark across each panel on demo data.

Nothing is rasterised and no matplotlib figure is made, so a grid takes milliseconds where
matplotlib took about a second; the browser draws the text, sharp at any zoom and in print.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from analys.chartstyle import BAND, FOCUS, PEERS, RIKET, TARGET, caption_text, is_demo
from analys.format import year_text
from analys.plots.base import year_tick_values
from analys.plots.labels import END_PLACES, LEADER, MARKER_ROOM, along_line
from analys.plots.svg import ASCENT, Svg, SvgFigure, text_width, wrap_text
from analys.plots.svg_axes import (
    PAD,
    TICK,
    UNDER_FRAME,
    Frame,
    Scale,
    axis_titles,
    backing,
    caption_lines,
    draw_axes,
    heading,
    inside,
    leader,
    margins,
    message,
    one_caption,
    overlaps,
    panel_foot,
    plot_left,
    text_box,
    tick_labels,
    value_ticks,
    watermark,
    write_caption,
)
from analys.plots.trend import TrendLines

#: line styles as matplotlib draws them: colour, width, dashes (points)
STYLES = {
    "median": (PEERS, 1.8, None),
    "riket": (RIKET, 1.5, (5.55, 2.4)),
    "own": (FOCUS, 2.8, None),
    "target": (TARGET, 1.4, (1.4, 2.31)),
}
#: font sizes (points) of the last value's label and the target's
LABEL, TARGET_LABEL = 8, 7
#: legend: a swatch's width, the room between entries, a row's height (points)
SWATCH, ENTRY_GAP, LEGEND_ROW = 20.0, 14.0, 14.0


def lines_grid(
    panels: Sequence[TrendLines],
    *,
    source: str,
    width: float = 4.6,
    height: float = 3.1,
    ncols: int = 2,
) -> SvgFigure:
    """Panels of ``width`` × ``height`` inches in rows of ``ncols``, as one SVG chart."""
    ncols = max(1, min(ncols, len(panels)))
    nrows = -(-len(panels) // ncols)
    panel_w, panel_h = width * 72, height * 72
    total_w = panel_w * ncols
    captions = [caption_text(source, derived=p.derived, kpis=(p.kpi,)) for p in panels]
    shared = one_caption(captions)
    rows = _legend_rows(_legend_entries(panels), total_w - 2 * PAD)
    legend_h = sum(_row_height(row) for row in rows) + (4 if rows else 0)
    shared_lines, shared_h = caption_lines(shared, total_w)
    grid_bottom = PAD + legend_h + nrows * panel_h
    svg = Svg(total_w, grid_bottom + shared_h + PAD / 2)
    _legend(svg, rows, total_w, PAD)
    drawn = []
    for index, (lines, caption) in enumerate(zip(panels, captions, strict=True)):
        frame = Frame(
            x=(index % ncols) * panel_w,
            y=PAD + legend_h + (index // ncols) * panel_h,
            width=panel_w,
            height=panel_h,
        )
        own_caption = None if shared else caption
        drawn += _panel(svg, lines, frame, caption=own_caption, demo=is_demo(source))
    write_caption(svg, 0, grid_bottom, shared_lines)
    return svg.figure([p.title for p in panels if p.message is None], drawn)


# -- legend ---------------------------------------------------------------------------------


def _legend_entries(panels: Sequence[TrendLines]) -> list[tuple[str, str]]:
    """Every panel's entries merged by label; each target ("Mål 85,0 % (2030)") is one "Mål",
    since each panel writes its own target on the line."""
    entries: dict[str, str] = {}
    for lines in panels:
        for kind, label in lines.legend():
            entries.setdefault("Mål" if kind == "target" else label, kind)
    return [(kind, label) for label, kind in entries.items()]


def _legend_rows(entries, room: float, most: int = 5) -> list[list[tuple[str, list[str], float]]]:
    """The entries in rows of at most ``most`` that fit ``room`` points, each with its label's
    lines and its width; a label wider than ``room`` on its own is broken into lines."""
    text_room = room - SWATCH - 4
    sized = []
    for kind, label in entries:
        lines = wrap_text(label, text_room, TICK)
        sized.append((kind, lines, SWATCH + 4 + max(text_width(line, TICK) for line in lines)))
    for per_row in range(min(most, len(sized)), 0, -1):
        rows = [sized[i : i + per_row] for i in range(0, len(sized), per_row)]
        if all(_row_width(row) <= room for row in rows) or per_row == 1:
            return rows
    return []


def _row_width(row) -> float:
    return sum(width for *_, width in row) + ENTRY_GAP * (len(row) - 1)


def _row_height(row) -> float:
    return LEGEND_ROW + TICK * 1.2 * (max(len(lines) for _, lines, _ in row) - 1)


def _legend(svg: Svg, rows, total_width: float, top: float) -> None:
    for entries in rows:
        x = (total_width - _row_width(entries)) / 2
        middle = top + LEGEND_ROW / 2
        for kind, lines, width in entries:
            swatch = np.array([[x, middle], [x + SWATCH, middle]])
            if kind == "band":
                svg.rect(x, middle - 3.5, SWATCH, 7, fill=BAND, opacity=0.8)
            else:
                colour, line_width, dash = STYLES[kind]
                svg.path(swatch, stroke=colour, width=line_width, dash=dash)
                if kind == "own":
                    svg.circles(swatch.mean(axis=0), 2, fill=colour)
            for row, line in enumerate(lines):
                baseline = middle + TICK * 0.35 + row * TICK * 1.2
                svg.text(x + SWATCH + 4, baseline, line, size=TICK)
            x += width + ENTRY_GAP
        top += _row_height(entries)


# -- one panel ------------------------------------------------------------------------------


def _panel(
    svg: Svg, lines: TrendLines, frame: Frame, *, caption: str | None, demo: bool
) -> list[tuple[float, ...]]:
    """Draw one panel in ``frame``; return the x values of the lines it drew."""
    area = panel_foot(svg, frame, caption)
    if lines.message is not None:
        message(svg, lines.message, area, demo=demo)
        return []
    top = heading(svg, frame, lines.title)
    bottom = area.bottom - UNDER_FRAME
    xs, ys = _data_extent(lines)
    ylow, yhigh = margins(ys)
    xlow, xhigh = margins(xs)
    yticks = tick_labels(value_ticks(ylow, yhigh, bottom - top, vertical=True))
    left = plot_left(frame, yticks, lines.ylabel, bottom - top)
    plot = Frame(left, top, frame.right - 14 - left, bottom - top)
    scale = Scale(plot, xlow, xhigh, ylow, yhigh)
    if demo:
        watermark(svg, plot)
    drawn = _series(svg, lines, scale)
    years = year_tick_values(xlow, xhigh, lines.latest, int(plot.width // (3 * TICK)))
    xticks = [(year, year_text(year, lines.preliminary)) for year in years]
    draw_axes(svg, scale, xticks=xticks, yticks=yticks, ygrid=True)
    axis_titles(svg, plot, left=frame.x + PAD, xlabel="År", ylabel=lines.ylabel)
    _labels(svg, lines, scale)
    return drawn


def _data_extent(lines: TrendLines) -> tuple[list[float], list[float]]:
    xs: list[float] = []
    ys: list[float] = []

    def add(years, values) -> None:
        years, values = np.asarray(years, dtype=float), np.asarray(values, dtype=float)
        keep = np.isfinite(values)
        xs.extend(years[keep].tolist())
        ys.extend(values[keep].tolist())

    if lines.has_band:
        band = lines.band
        add(band["year"], band["median"])
        if lines.fill_band:
            add(band["year"], band["q1"])
            add(band["year"], band["q3"])
    if lines.has_riket:
        add(lines.riket.index, lines.riket.values)
    if lines.has_own:
        add(lines.own.index, lines.own.values)
    if lines.target is not None:
        ys.append(lines.target)
    if lines.target_year is not None:
        xs.append(lines.target_year)
    if lines.zero:
        ys.append(0.0)
    return xs, ys


def _series(svg: Svg, lines: TrendLines, scale: Scale) -> list[tuple[float, ...]]:
    """Band, median, Riket, target, the focus line and the zero line, in matplotlib's order."""
    drawn: list[tuple[float, ...]] = []
    if lines.has_band:
        band = lines.band
        years = band["year"].to_numpy(dtype=float)
        if lines.fill_band:
            q1, q3 = band["q1"].to_numpy(dtype=float), band["q3"].to_numpy(dtype=float)
            keep = np.isfinite(q1) & np.isfinite(q3)
            outline = np.vstack(
                [scale.points(years[keep], q3[keep]), scale.points(years[keep], q1[keep])[::-1]]
            )
            svg.polygon(outline, fill=BAND, opacity=0.8)
        _line(svg, "median", scale.points(years, band["median"]))
        drawn.append(tuple(years.tolist()))
    if lines.has_riket:
        _line(svg, "riket", scale.points(lines.riket.index, lines.riket.values))
        drawn.append(tuple(float(y) for y in lines.riket.index))
    if lines.target is not None:
        y = float(scale.y(lines.target))
        _line(svg, "target", np.array([[scale.plot.x, y], [scale.plot.right, y]]))
        if lines.target_year is not None:
            _star(svg, float(scale.x(lines.target_year)), y, 6.0)
    elif lines.target_year is not None:
        x = float(scale.x(lines.target_year))
        _line(svg, "target", np.array([[x, scale.plot.y], [x, scale.plot.bottom]]))
    if lines.has_own:
        points = scale.points(lines.own.index, lines.own.values)
        _line(svg, "own", points)
        svg.circles(points, 2.0, fill=FOCUS)
        drawn.append(tuple(float(y) for y in lines.own.index))
    if lines.zero:
        y = float(scale.y(0.0))
        svg.path([[scale.plot.x, y], [scale.plot.right, y]], stroke="#000000", width=0.8)
    return drawn


def _line(svg: Svg, kind: str, points: np.ndarray) -> None:
    colour, width, dash = STYLES[kind]
    svg.path(points, stroke=colour, width=width, dash=dash)


def _star(svg: Svg, x: float, y: float, radius: float) -> None:
    """matplotlib's ``*`` marker: a five-pointed star, point up."""
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, radius, radius * 0.381966)
    star = np.column_stack([x + radii * np.cos(angles), y - radii * np.sin(angles)])
    svg.polygon(star, fill=TARGET)


# -- labels on the lines --------------------------------------------------------------------


def _target_label(svg: Svg, lines: TrendLines, scale: Scale):
    """The target's label on its line: above it, or below when the line runs along the top.
    Returns its box."""
    if lines.target is None:
        return None
    y = float(scale.y(lines.target))
    below = lines.target > scale.ylow + 0.85 * (scale.yhigh - scale.ylow)
    width = text_width(lines.target_label, TARGET_LABEL)
    anchor = (scale.plot.x + 3, y + 2 if below else y - 2)
    box, baseline = text_box(*anchor, width, TARGET_LABEL, "left", "top" if below else "bottom")
    backing(svg, box, TARGET_LABEL)
    svg.text(box[0], baseline, lines.target_label, size=TARGET_LABEL, colour=TARGET)
    return box


def _labels(svg: Svg, lines: TrendLines, scale: Scale) -> None:
    """The target's label, then the last value beside its point (:func:`end_label`'s rule:
    the nearest place inside the panel that covers none of the line's points, no other
    label and no stretch of the line), or the note that the municipality has no values."""
    target = _target_label(svg, lines, scale)
    plot = scale.plot
    if not lines.has_own:
        y = plot.y + 0.05 * plot.height + 9 * ASCENT
        middle = plot.x + plot.width / 2
        svg.text(middle, y, lines.missing_own, size=9, colour=FOCUS, anchor="middle")
        return
    year, value, text = lines.end
    px, py = float(scale.x(year)), float(scale.y(value))
    points = scale.points(lines.own.index, lines.own.values)
    markers = points[np.isfinite(points).all(axis=1)]
    along = along_line(points)
    width = text_width(text, LABEL, bold=lines.bold)
    best = None
    for index, (dx, dy, ha, va) in enumerate(END_PLACES):
        box, _ = text_box(px + dx, py - dy, width, LABEL, ha, va)
        outside = not plot.contains(box)
        covered = int(inside(markers, box, MARKER_ROOM).sum())
        covered += int(target is not None and overlaps(box, target))
        score = (outside, covered, bool(inside(along, box).any()), index)
        best = score if best is None or score < best else best
        if score[:3] == (False, 0, False):
            break
    dx, dy, ha, va = END_PLACES[best[-1]]
    box, baseline = text_box(px + dx, py - dy, width, LABEL, ha, va)
    if math.hypot(dx, dy) > LEADER:
        leader(svg, (px, py), box, FOCUS, 0.6)
    backing(svg, box, LABEL)
    svg.text(box[0], baseline, text, size=LABEL, colour=FOCUS, bold=lines.bold)
