"""The parts of a chart the SVG charts share: an Axes' frame and scales, its ticks (the values
matplotlib's locators give), axis titles, heading and caption, the demo watermark, the
no-data message, and boxes for labels placed beside points.

Everything is in points, y downwards, on an :class:`~analys.plots.svg.Svg`; the sizes and
colours are matplotlib's defaults as :mod:`analys.plots` sets them, so an SVG chart and a
matplotlib one look alike.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import MaxNLocator

from analys.plots.base import tick_text
from analys.plots.svg import ASCENT, DESCENT, Svg, text_width, wrap_text

#: room around a chart and between its parts (points)
PAD = 6.0
TICK_LENGTH = 3.5
#: font sizes (points): heading, tick labels, axis titles, caption
TITLE, TICK, AXIS, CAPTION = 11, 8, 9, 7
CAPTION_COLOUR = "#555555"
#: a tick label's and an axis title's room under the frame (points)
UNDER_FRAME = TICK_LENGTH + 2 + TICK + 3 + AXIS + 6

Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Frame:
    """A rectangle: an Axes' frame or a panel's place in a figure."""

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

    def contains(self, box: Box) -> bool:
        return (
            box[0] >= self.x and box[2] <= self.right and box[1] >= self.y and box[3] <= self.bottom
        )


@dataclass(frozen=True)
class Scale:
    """Data to points in ``plot``; ``ylow`` above ``yhigh`` turns the value axis."""

    plot: Frame
    xlow: float
    xhigh: float
    ylow: float
    yhigh: float

    def x(self, value):
        share = (np.asarray(value, dtype=float) - self.xlow) / (self.xhigh - self.xlow)
        return self.plot.x + share * self.plot.width

    def y(self, value):
        share = (np.asarray(value, dtype=float) - self.ylow) / (self.yhigh - self.ylow)
        return self.plot.bottom - share * self.plot.height

    def points(self, xs, ys) -> np.ndarray:
        return np.column_stack([self.x(xs), self.y(ys)])


def margins(values: Iterable[float]) -> tuple[float, float]:
    """The axis range of ``values`` with matplotlib's 5 % margins on each side."""
    values = [v for v in values if math.isfinite(v)]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 1e-12:
        spread = max(abs(low) * 0.05, 0.5)
        return low - spread, high + spread
    room = 0.05 * (high - low)
    return low - room, high + room


def value_ticks(low: float, high: float, length: float, *, vertical: bool) -> list[float]:
    """The ticks matplotlib's default locator puts on an axis ``length`` points long
    (``MaxNLocator`` with as many bins as labels fit, at most 9), within ``low``–``high``."""
    low, high = sorted((low, high))
    room = (2 if vertical else 3) * TICK
    bins = max(1, min(int(length // room), 9))
    slack = 1e-9 * abs(high - low)
    ticks = MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
    return [float(v) for v in ticks if low - slack <= v <= high + slack]


def tick_labels(values: Sequence[float]) -> list[tuple[float, str]]:
    """Swedish tick labels for ``values`` (``12 345,5``)."""
    return [(v, tick_text(v)) for v in values]


def label_width(ticks: Sequence[tuple[float, str]]) -> float:
    """The widest of the tick labels."""
    return max((text_width(label, TICK) for _, label in ticks), default=0.0)


def draw_axes(
    svg: Svg,
    scale: Scale,
    *,
    xticks: Sequence[tuple[float, str]],
    yticks: Sequence[tuple[float, str]],
    ygrid: bool = False,
) -> None:
    """The frame, tick marks and tick labels (and grid lines across at the value ticks)."""
    plot = scale.plot
    if ygrid:
        for value, _ in yticks:
            y = float(scale.y(value))
            svg.path([[plot.x, y], [plot.right, y]], stroke="#e0e0e0", width=0.6)
    svg.rect(plot.x, plot.y, plot.width, plot.height, stroke="#000000", stroke_width=0.8)
    marks = []
    for value, label in yticks:
        y = float(scale.y(value))
        marks += [[plot.x - TICK_LENGTH, y], [plot.x, y], [math.nan, math.nan]]
        svg.text(plot.x - TICK_LENGTH - 2, y + TICK * 0.35, label, size=TICK, anchor="end")
    baseline = plot.bottom + TICK_LENGTH + 2 + TICK * ASCENT
    for value, label in xticks:
        x = float(scale.x(value))
        marks += [[x, plot.bottom], [x, plot.bottom + TICK_LENGTH], [math.nan, math.nan]]
        svg.text(x, baseline, label, size=TICK, anchor="middle")
    if marks:
        svg.path(np.array(marks), stroke="#000000", width=0.8)


def axis_titles(svg: Svg, plot: Frame, *, left: float, xlabel: str, ylabel: str) -> None:
    """The x axis' title under its tick labels, the y axis' turned at ``left``, on as many
    lines as it needs to stay within the frame's height (:func:`ylabel_lines`)."""
    y = plot.bottom + TICK_LENGTH + 2 + TICK + 3 + AXIS * ASCENT
    svg.text((plot.x + plot.right) / 2, y, xlabel, size=AXIS, anchor="middle")
    middle = (plot.y + plot.bottom) / 2
    for row, line in enumerate(ylabel_lines(ylabel, plot.height)):
        x = left + AXIS * ASCENT + row * AXIS * 1.2
        svg.text(x, middle, line, size=AXIS, anchor="middle", rotate=-90)


def ylabel_lines(ylabel: str, length: float) -> list[str]:
    """The y axis' title broken into lines no longer than the axis (``length`` points): a
    long unit ("Kvinnor − män (antal/100 000 invånare)") would reach into the title."""
    return wrap_text(ylabel, length, AXIS) if ylabel else []


def plot_left(
    frame: Frame, yticks: Sequence[tuple[float, str]], ylabel: str, length: float
) -> float:
    """Where the frame starts: room for the y axis' title (on its lines for an axis
    ``length`` points long) and its tick labels."""
    lines = len(ylabel_lines(ylabel, length))
    title = AXIS * 1.2 * lines + 3 if lines else 0
    return frame.x + PAD + title + label_width(yticks) + TICK_LENGTH + 3


def heading(svg: Svg, frame: Frame, text: str, size: float = TITLE) -> float:
    """The chart's title at the top left of ``frame``, wrapped to it; returns its bottom."""
    lines = wrap_text(text, frame.width - 2 * PAD, size)
    for row, line in enumerate(lines):
        svg.text(frame.x + PAD, frame.y + size * (ASCENT + 1.2 * row), line, size=size)
    return frame.y + _heading_room(len(lines), size)


def heading_height(text: str, width: float, size: float = TITLE) -> float:
    """The room :func:`heading` takes in a frame ``width`` points wide."""
    return _heading_room(len(wrap_text(text, width - 2 * PAD, size)), size)


def _heading_room(lines: int, size: float) -> float:
    return lines * size * 1.2 + 4


def caption_lines(text: str | None, width: float) -> tuple[list[str], float]:
    """The source caption wrapped to ``width`` points and the height it takes."""
    lines = wrap_text(text, width - 2 * PAD, CAPTION) if text else []
    return lines, len(lines) * CAPTION * 1.2 + (4 if lines else 0)


def write_caption(svg: Svg, x: float, top: float, lines: Sequence[str]) -> None:
    """The caption's ``lines`` from ``top``, left-aligned at ``x`` (plus the padding)."""
    for row, line in enumerate(lines):
        y = top + 4 + CAPTION * (ASCENT + 1.2 * row)
        svg.text(x + PAD, y, line, size=CAPTION, colour=CAPTION_COLOUR)


def one_caption(credits: Sequence[str]) -> str | None:
    """The one caption under panels whose credits all read the same, else ``None`` (each
    panel then has its own)."""
    return credits[0] if credits and len(set(credits)) == 1 else None


def panel_foot(svg: Svg, frame: Frame, caption: str | None) -> Frame:
    """Write a panel's own ``caption`` (if any) at the foot of its ``frame``; returns the
    frame above it."""
    lines, caption_h = caption_lines(caption, frame.width)
    write_caption(svg, frame.x, frame.bottom - caption_h, lines)
    return Frame(frame.x, frame.y, frame.width, frame.height - caption_h)


def captioned(width: float, height: float, credit: str) -> tuple[Svg, Frame]:
    """A new chart ``width`` × ``height`` points with the source caption ``credit`` at its
    foot; returns it and the frame above the caption, for the heading and the Axes."""
    svg = Svg(width, height)
    lines, caption_h = caption_lines(credit, width)
    write_caption(svg, 0, height - caption_h - PAD / 2, lines)
    return svg, Frame(0, PAD, width, height - PAD - caption_h - PAD / 2)


def watermark(svg: Svg, area: Frame, *, fit: bool = False) -> None:
    """The demo data's faint diagonal "DEMODATA" across ``area`` (``fit``: smaller than 40
    points where that is wider than ``area``, as over a narrow map)."""
    size = 40.0
    if fit:
        across = text_width("DEMODATA", 1) * math.cos(math.radians(25))
        size = min(size, 0.95 * area.width / across)
    x, y = area.x + area.width / 2, area.y + area.height / 2 + size * 0.35
    svg.text(
        x, y, "DEMODATA", size=size, colour="#999999", anchor="middle", rotate=-25, opacity=0.18
    )


def message(svg: Svg, text: str, area: Frame, *, demo: bool) -> None:
    """A chart with nothing to draw: ``text`` in the middle of ``area`` (and the watermark)."""
    if demo:
        watermark(svg, area)
    lines = textwrap.fill(text, 50).split("\n")
    middle = area.y + area.height / 2 - (len(lines) - 1) * 12 / 2
    for row, line in enumerate(lines):
        y = middle + row * 12 + 10 * 0.35
        svg.text(area.x + area.width / 2, y, line, size=10, colour="#333333", anchor="middle")


def text_box(x: float, y: float, width: float, size: float, ha: str, va: str):
    """The box and the baseline of a text ``width`` wide anchored at ``x``, ``y`` as
    matplotlib anchors it (``ha`` left/center/right, ``va`` top/bottom/else centred)."""
    left = {"right": x - width, "center": x - width / 2}.get(ha, x)
    height = size * (ASCENT + DESCENT)
    top = {"bottom": y - height, "top": y}.get(va, y - height / 2)
    return (left, top, left + width, top + height), top + size * ASCENT


def backing(svg: Svg, box: Box, size: float) -> None:
    """A label's white, slightly see-through box (matplotlib's ``bbox`` with pad 0.1)."""
    pad = 0.1 * size
    svg.rect(
        box[0] - pad,
        box[1] - pad,
        box[2] - box[0] + 2 * pad,
        box[3] - box[1] + 2 * pad,
        fill="#ffffff",
        opacity=0.8,
    )


def leader(svg: Svg, point: tuple[float, float], box: Box, colour: str, width: float) -> None:
    """A thin line from ``point`` (3 points off it) to the nearest edge of a label's box."""
    px, py = point
    near = (min(max(px, box[0]), box[2]), min(max(py, box[1]), box[3]))
    length = math.hypot(near[0] - px, near[1] - py)
    if length > 3:
        start = (px + (near[0] - px) * 3 / length, py + (near[1] - py) * 3 / length)
        svg.path([start, near], stroke=colour, width=width)


def inside(points: np.ndarray, box: Box, room: float = 0.0) -> np.ndarray:
    """Which of ``points`` (n × 2) lie in ``box`` grown by ``room``."""
    x, y = points[:, 0], points[:, 1]
    return (x >= box[0] - room) & (x <= box[2] + room) & (y >= box[1] - room) & (y <= box[3] + room)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
