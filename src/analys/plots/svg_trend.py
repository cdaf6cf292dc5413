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
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import MaxNLocator

from analys.chartstyle import BAND, FOCUS, PEERS, RIKET, TARGET, caption_text, is_demo
from analys.format import year_text
from analys.plots.base import tick_text, year_tick_values
from analys.plots.labels import END_PLACES, LEADER, MARKER_ROOM, along_line
from analys.plots.svg import ASCENT, DESCENT, Svg, SvgFigure, text_width, wrap_text
from analys.plots.trend import TrendLines
from analys.safe import one_line

#: line styles as matplotlib draws them: colour, width, dashes (points)
STYLES = {
    "median": (PEERS, 1.8, None),
    "riket": (RIKET, 1.5, (5.55, 2.4)),
    "own": (FOCUS, 2.8, None),
    "target": (TARGET, 1.4, (1.4, 2.31)),
}
#: font sizes (points): panel title, ticks, axis titles, end and target labels, caption
TITLE, TICK, AXIS, LABEL, TARGET_LABEL, CAPTION = 11, 8, 9, 8, 7, 7
CAPTION_COLOUR = "#555555"
PAD = 6.0
TICK_LENGTH = 3.5
#: legend: a swatch's width, the room between entries, a row's height (points)
SWATCH, ENTRY_GAP, LEGEND_ROW = 20.0, 14.0, 14.0
#: the longest image description (a screen reader reads all of it)
ALT_LIMIT = 400


def describe(titles: Sequence[str]) -> str:
    """A short Swedish text alternative: "Diagram: " and the panels' titles."""
    named = [" ".join(t.split()) for t in dict.fromkeys(titles) if t and t.strip()]
    text = f"Diagram: {'; '.join(named)}" if named else "Diagram"
    return one_line(text, ALT_LIMIT)


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
    shared = captions[0] if len(set(captions)) == 1 else None
    entries = _legend_entries(panels)
    rows = _legend_rows(entries, total_w - 2 * PAD)
    legend_h = len(rows) * LEGEND_ROW + (4 if rows else 0)
    caption_lines = wrap_text(shared, total_w - 2 * PAD, CAPTION) if shared else []
    caption_h = len(caption_lines) * CAPTION * 1.2 + (PAD if caption_lines else 0)
    svg = Svg(total_w, PAD + legend_h + nrows * panel_h + caption_h + PAD / 2)
    _legend(svg, rows, total_w, PAD)
    drawn = []
    for index, (lines, caption) in enumerate(zip(panels, captions, strict=True)):
        frame = _Frame(
            x=(index % ncols) * panel_w,
            y=PAD + legend_h + (index // ncols) * panel_h,
            width=panel_w,
            height=panel_h,
        )
        drawn += _panel(
            svg, lines, frame, caption=None if shared else caption, demo=is_demo(source)
        )
    top = PAD + legend_h + nrows * panel_h + PAD
    for row, line in enumerate(caption_lines):
        svg.text(
            PAD, top + CAPTION * (ASCENT + 1.2 * row), line, size=CAPTION, colour=CAPTION_COLOUR
        )
    alt = describe([p.title for p in panels if p.message is None])
    return SvgFigure(svg.document(alt), alt, tuple(svg.texts), tuple(drawn))


@dataclass(frozen=True)
class _Frame:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def contains(self, box: tuple[float, float, float, float]) -> bool:
        return (
            box[0] >= self.x and box[2] <= self.right and box[1] >= self.y and box[3] <= self.bottom
        )


# -- legend ---------------------------------------------------------------------------------


def _legend_entries(panels: Sequence[TrendLines]) -> list[tuple[str, str]]:
    """Every panel's entries merged by label; each target ("Mål 85,0 % (2030)") is one "Mål",
    since each panel writes its own target on the line."""
    entries: dict[str, str] = {}
    for lines in panels:
        for kind, label in lines.legend():
            entries.setdefault("Mål" if kind == "target" else label, kind)
    return [(kind, label) for label, kind in entries.items()]


def _legend_rows(entries, room: float, most: int = 5) -> list[list[tuple[str, str, float]]]:
    """The entries in rows of at most ``most`` that fit ``room`` points, each with its width."""
    sized = [(kind, label, SWATCH + 4 + text_width(label, TICK)) for kind, label in entries]
    for per_row in range(min(most, len(sized)), 0, -1):
        rows = [sized[i : i + per_row] for i in range(0, len(sized), per_row)]
        if all(_row_width(row) <= room for row in rows) or per_row == 1:
            return rows
    return []


def _row_width(row) -> float:
    return sum(width for *_, width in row) + ENTRY_GAP * (len(row) - 1)


def _legend(svg: Svg, rows, total_width: float, top: float) -> None:
    for index, entries in enumerate(rows):
        x = (total_width - _row_width(entries)) / 2
        middle = top + index * LEGEND_ROW + LEGEND_ROW / 2
        for kind, label, width in entries:
            swatch = np.array([[x, middle], [x + SWATCH, middle]])
            if kind == "band":
                svg.rect(x, middle - 3.5, SWATCH, 7, fill=BAND, opacity=0.8)
            else:
                colour, line_width, dash = STYLES[kind]
                svg.path(swatch, stroke=colour, width=line_width, dash=dash)
                if kind == "own":
                    svg.circles(swatch.mean(axis=0), 2, fill=colour)
            svg.text(x + SWATCH + 4, middle + TICK * 0.35, label, size=TICK)
            x += width + ENTRY_GAP


# -- one panel ------------------------------------------------------------------------------


def _panel(
    svg: Svg, lines: TrendLines, frame: _Frame, *, caption: str | None, demo: bool
) -> list[tuple[float, ...]]:
    """Draw one panel in ``frame``; return the x values of the lines it drew."""
    caption_lines = wrap_text(caption, frame.width - 2 * PAD, CAPTION) if caption else []
    caption_h = len(caption_lines) * CAPTION * 1.2 + (4 if caption_lines else 0)
    for row, line in enumerate(caption_lines):
        y = frame.bottom - caption_h + 4 + CAPTION * (ASCENT + 1.2 * row)
        svg.text(frame.x + PAD, y, line, size=CAPTION, colour=CAPTION_COLOUR)
    if lines.message is not None:
        _message(svg, lines.message, frame, caption_h, demo=demo)
        return []
    titles = wrap_text(lines.title, frame.width - 2 * PAD, TITLE)
    for row, line in enumerate(titles):
        svg.text(frame.x + PAD, frame.y + TITLE * (ASCENT + 1.2 * row), line, size=TITLE)
    top = frame.y + len(titles) * TITLE * 1.2 + 4
    bottom = frame.bottom - caption_h - (TICK_LENGTH + 2 + TICK + 3 + AXIS + 6)
    xs, ys = _data_extent(lines)
    ylow, yhigh = _margins(ys)
    xlow, xhigh = _margins(xs)
    bins = max(1, min(int((bottom - top) // (2 * TICK)), 9))
    yticks = [
        v
        for v in MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]).tick_values(ylow, yhigh)
        if ylow - 1e-9 * abs(yhigh - ylow) <= v <= yhigh + 1e-9 * abs(yhigh - ylow)
    ]
    ylabels = [tick_text(v) for v in yticks]
    label_w = max((text_width(t, TICK) for t in ylabels), default=0)
    left = frame.x + PAD + (AXIS + 3 if lines.ylabel else 0) + label_w + TICK_LENGTH + 3
    right = frame.right - 14
    plot = _Frame(left, top, right - left, bottom - top)
    scale = _Scale(plot, xlow, xhigh, ylow, yhigh)
    if demo:
        _watermark(svg, plot)
    drawn = _series(svg, lines, scale)
    for value in yticks:
        y = scale.y(value)
        svg.path([[plot.x, y], [plot.right, y]], stroke="#e0e0e0", width=0.6)
    svg.rect(plot.x, plot.y, plot.width, plot.height, stroke="#000000", stroke_width=0.8)
    xticks = year_tick_values(xlow, xhigh, lines.latest, int(plot.width // (3 * TICK)))
    _ticks(svg, scale, yticks, ylabels, xticks, lines.preliminary)
    svg.text(
        (plot.x + plot.right) / 2,
        plot.bottom + TICK_LENGTH + 2 + TICK + 3 + AXIS * ASCENT,
        "År",
        size=AXIS,
        anchor="middle",
    )
    if lines.ylabel:
        x = frame.x + PAD + AXIS * ASCENT
        svg.text(
            x, (plot.y + plot.bottom) / 2, lines.ylabel, size=AXIS, anchor="middle", rotate=-90
        )
    _labels(svg, lines, scale)
    return drawn


def _message(svg: Svg, message: str, frame: _Frame, caption_h: float, *, demo: bool) -> None:
    """A panel with nothing to draw: its message in the middle (and the watermark)."""
    area = _Frame(frame.x, frame.y, frame.width, frame.height - caption_h)
    if demo:
        _watermark(svg, area)
    wrapped = textwrap.fill(message, 50).split("\n")
    middle = area.y + area.height / 2 - (len(wrapped) - 1) * 12 / 2
    for row, line in enumerate(wrapped):
        y = middle + row * 12 + 10 * 0.35
        svg.text(area.x + area.width / 2, y, line, size=10, colour="#333333", anchor="middle")


def _watermark(svg: Svg, plot: _Frame) -> None:
    x, y = plot.x + plot.width / 2, plot.y + plot.height / 2 + 40 * 0.35
    svg.text(x, y, "DEMODATA", size=40, colour="#999999", anchor="middle", rotate=-25, opacity=0.18)


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


def _margins(values: list[float]) -> tuple[float, float]:
    """The axis range of ``values`` with matplotlib's 5 % margins on each side."""
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 1e-12:
        spread = max(abs(low) * 0.05, 0.5)
        return low - spread, high + spread
    room = 0.05 * (high - low)
    return low - room, high + room


@dataclass(frozen=True)
class _Scale:
    plot: _Frame
    xlow: float
    xhigh: float
    ylow: float
    yhigh: float

    def x(self, value):
        return (
            self.plot.x
            + (np.asarray(value, dtype=float) - self.xlow)
            / (self.xhigh - self.xlow)
            * self.plot.width
        )

    def y(self, value):
        return (
            self.plot.bottom
            - (np.asarray(value, dtype=float) - self.ylow)
            / (self.yhigh - self.ylow)
            * self.plot.height
        )

    def points(self, years, values) -> np.ndarray:
        return np.column_stack([self.x(years), self.y(values)])


def _series(svg: Svg, lines: TrendLines, scale: _Scale) -> list[tuple[float, ...]]:
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
    svg.polygon(
        np.column_stack([x + radii * np.cos(angles), y - radii * np.sin(angles)]), fill=TARGET
    )


def _ticks(svg: Svg, scale: _Scale, yticks, ylabels, xticks, preliminary) -> None:
    plot = scale.plot
    marks = []
    for value, label in zip(yticks, ylabels, strict=True):
        y = float(scale.y(value))
        marks += [[plot.x - TICK_LENGTH, y], [plot.x, y], [math.nan, math.nan]]
        svg.text(plot.x - TICK_LENGTH - 2, y + TICK * 0.35, label, size=TICK, anchor="end")
    baseline = plot.bottom + TICK_LENGTH + 2 + TICK * ASCENT
    for value in xticks:
        x = float(scale.x(value))
        marks += [[x, plot.bottom], [x, plot.bottom + TICK_LENGTH], [math.nan, math.nan]]
        svg.text(x, baseline, year_text(value, preliminary), size=TICK, anchor="middle")
    svg.path(np.array(marks), stroke="#000000", width=0.8)


# -- labels on the lines --------------------------------------------------------------------


def _box(x: float, y: float, width: float, size: float, ha: str, va: str):
    """The box (left, top, right, bottom) and baseline of a text anchored at ``x``, ``y``."""
    left = {"right": x - width, "center": x - width / 2}.get(ha, x)
    height = size * (ASCENT + DESCENT)
    top = {"bottom": y - height, "top": y}.get(va, y - height / 2)
    return (left, top, left + width, top + height), top + size * ASCENT


def _target_label(svg: Svg, lines: TrendLines, scale: _Scale):
    """The target's label on its line: above it, or below when the line runs along the top.
    Returns its box."""
    if lines.target is None:
        return None
    plot = scale.plot
    y = float(scale.y(lines.target))
    below = lines.target > scale.ylow + 0.85 * (scale.yhigh - scale.ylow)
    width = text_width(lines.target_label, TARGET_LABEL)
    box, baseline = _box(
        plot.x + 3,
        y + 2 if below else y - 2,
        width,
        TARGET_LABEL,
        "left",
        "top" if below else "bottom",
    )
    _backing(svg, box, TARGET_LABEL)
    svg.text(box[0], baseline, lines.target_label, size=TARGET_LABEL, colour=TARGET)
    return box


def _backing(svg: Svg, box, size: float) -> None:
    pad = 0.1 * size
    svg.rect(
        box[0] - pad,
        box[1] - pad,
        box[2] - box[0] + 2 * pad,
        box[3] - box[1] + 2 * pad,
        fill="#ffffff",
        opacity=0.8,
    )


def _labels(svg: Svg, lines: TrendLines, scale: _Scale) -> None:
    """The target's label, then the last value beside its point (:func:`end_label`'s rule:
    the nearest place inside the panel that covers none of the line's points, no other
    label and no stretch of the line), or the note that the municipality has no values."""
    target = _target_label(svg, lines, scale)
    plot = scale.plot
    if not lines.has_own:
        y = plot.y + 0.05 * plot.height + 9 * ASCENT
        svg.text(
            plot.x + plot.width / 2, y, lines.missing_own, size=9, colour=FOCUS, anchor="middle"
        )
        return
    year, value, text = lines.end
    px, py = float(scale.x(year)), float(scale.y(value))
    points = scale.points(lines.own.index, lines.own.values)
    markers = points[np.isfinite(points).all(axis=1)]
    along = along_line(points)
    width = text_width(text, LABEL, bold=lines.bold)
    best = None
    for index, (dx, dy, ha, va) in enumerate(END_PLACES):
        box, _ = _box(px + dx, py - dy, width, LABEL, ha, va)
        outside = not plot.contains(box)
        covered = int(_inside(markers, box, MARKER_ROOM).sum())
        covered += int(target is not None and _overlap(box, target))
        score = (outside, covered, bool(_inside(along, box, 0).any()), index)
        best = score if best is None or score < best else best
        if score[:3] == (False, 0, False):
            break
    dx, dy, ha, va = END_PLACES[best[-1]]
    box, baseline = _box(px + dx, py - dy, width, LABEL, ha, va)
    if math.hypot(dx, dy) > LEADER:
        near = (min(max(px, box[0]), box[2]), min(max(py, box[1]), box[3]))
        length = math.hypot(near[0] - px, near[1] - py)
        if length > 3:
            start = (px + (near[0] - px) * 3 / length, py + (near[1] - py) * 3 / length)
            svg.path([start, near], stroke=FOCUS, width=0.6)
    _backing(svg, box, LABEL)
    svg.text(box[0], baseline, text, size=LABEL, colour=FOCUS, bold=lines.bold)


def _inside(points: np.ndarray, box, room: float) -> np.ndarray:
    x, y = points[:, 0], points[:, 1]
    return (x >= box[0] - room) & (x <= box[2] + room) & (y >= box[1] - room) & (y <= box[3] + room)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
