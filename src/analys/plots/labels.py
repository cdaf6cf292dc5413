"""Names and values written beside the points of a chart, never over one another.

:func:`end_label` writes a trend's last value beside its point, off the line's data and
other texts, its place chosen when the figure is drawn (the layout then final);
:func:`place_labels` names a scatter's points, leaving out a label with no free place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

from analys.chartstyle import FOCUS


def end_label(
    ax: Axes, x: float, y: float, text: str, *, bold: bool = False, line: Line2D | None = None
) -> Annotation:
    """Write the last value beside its point, inside the Axes and off the data.

    The place is chosen when the figure is drawn, once the layout is final, from
    :data:`END_PLACES` (left of the point above or below, level with it, further up or down,
    then right of it): the nearest whose drawn box stays inside the Axes, holds none of
    ``line``'s points and covers no other text in the Axes (a target's label), one the line
    does not run through before one it does. With no such place, the one covering least. A
    label set off from its point gets a thin leader line.
    """
    label = ax.annotate(
        text,
        xy=(x, y),
        xytext=END_PLACES[0][:2],
        textcoords="offset points",
        ha=END_PLACES[0][2],
        va=END_PLACES[0][3],
        fontsize=8,
        color=FOCUS,
        fontweight="bold" if bold else "normal",
        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
        arrowprops={"arrowstyle": "-", "lw": 0.6, "color": FOCUS, "shrinkA": 0, "shrinkB": 3},
        zorder=4,
    )
    label.set_in_layout(False)  # kept inside the Axes, so no room is made for it
    label.arrow_patch.set_visible(False)
    ax.add_artist(_EndLabelPlacer(label, line))
    return label


#: where an end label may go, nearest first: offset from its point (points), ha, va
END_PLACES: tuple[tuple[float, float, str, str], ...] = (
    (-5, 5, "right", "bottom"),
    (-5, -5, "right", "top"),
    (-8, 0, "right", "center_baseline"),
    (0, 8, "center", "bottom"),
    (0, -8, "center", "top"),
    (-5, 16, "right", "bottom"),
    (-5, -16, "right", "top"),
    (-5, 27, "right", "bottom"),
    (-5, -27, "right", "top"),
    (8, 0, "left", "center_baseline"),
    (5, 5, "left", "bottom"),
    (5, -5, "left", "top"),
)
#: a label further than this (points) from its point is tied to it by a leader line
LEADER = 12
#: room kept around a marker (points)
MARKER_ROOM = 3.0


class _EndLabelPlacer(Artist):
    """Draws nothing: moves its end label to the best of :data:`END_PLACES` just before the
    Axes draws its texts (zorder 0), when the layout and the data limits are final."""

    def __init__(self, label: Annotation, line: Line2D | None) -> None:
        super().__init__()
        self.label, self.line = label, line
        self.set_zorder(0)
        self.set_in_layout(False)

    def draw(self, renderer) -> None:
        # an explorer that redraws into the same Axes removes the old texts: a label no
        # longer in this Axes has nothing to place
        if self.label.get_visible() and self.axes is not None and self.label.axes is self.axes:
            _place_end_label(self.axes, self.label, self.line, renderer)


def _place_end_label(ax: Axes, label: Annotation, line: Line2D | None, renderer) -> None:
    """Put ``label`` at the first free place of :data:`END_PLACES` (see :func:`end_label`).

    Places are tried nearest first and the first free one is taken at once; the tests on
    the line are vectorised, since this runs on every draw of every trend panel.
    """
    room = renderer.points_to_pixels(MARKER_ROOM)
    # the line's points in display coordinates, a missing year left as NaN (a gap)
    points = np.empty((0, 2)) if line is None else ax.transData.transform(line.get_xydata())
    markers = points[np.isfinite(points).all(axis=1)]
    along = along_line(points)
    others = [
        Text.get_window_extent(t, renderer)
        for t in ax.texts
        if t is not label and t.get_visible() and t.get_text() and t.get_gid() != "analys-watermark"
    ]
    frame = ax.get_window_extent(renderer)
    best: tuple | None = None
    for index, (dx, dy, ha, va) in enumerate(END_PLACES):
        label.xyann = (dx, dy)
        label.set_horizontalalignment(ha)
        label.set_verticalalignment(va)
        label.update_positions(renderer)
        box = Text.get_window_extent(label, renderer)
        outside = not (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1))
        covered = int(_inside(markers, box.padded(room)).sum())
        covered += sum(box.overlaps(other) for other in others)
        score = (outside, covered, bool(_inside(along, box).any()), index)
        best = score if best is None or score < best else best
        if score[:3] == (False, 0, False):  # free: nothing nearer was
            break
    dx, dy, ha, va = END_PLACES[best[-1]]
    label.xyann = (dx, dy)
    label.set_horizontalalignment(ha)
    label.set_verticalalignment(va)
    label.arrow_patch.set_visible(math.hypot(dx, dy) > LEADER)


#: points sampled along each segment of a line, to tell whether it runs through a label
_SAMPLES = np.linspace(0.0, 1.0, 17)


def along_line(points: np.ndarray) -> np.ndarray:
    """Points along the line through ``points`` (display coordinates; NaN a gap, which no
    segment crosses), :data:`_SAMPLES` per segment."""
    if len(points) < 2:
        return np.empty((0, 2))
    start, stop = points[:-1], points[1:]
    keep = np.isfinite(start).all(axis=1) & np.isfinite(stop).all(axis=1)
    start, stop = start[keep], stop[keep]
    steps = start[:, None, :] + (stop - start)[:, None, :] * _SAMPLES[None, :, None]
    return steps.reshape(-1, 2)


def _inside(points: np.ndarray, box: Bbox) -> np.ndarray:
    """Which of ``points`` (an n × 2 array) lie in ``box``."""
    x, y = points[:, 0], points[:, 1]
    return (x >= box.x0) & (x <= box.x1) & (y >= box.y0) & (y <= box.y1)


#: where a point's name may go, nearest first: offset of its box's near corner (points)
NAME_OFFSETS = [(dx, dy) for dy in (2, -12, 12, -22, 22, -32, 32) for dx in (4, -4)]


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _is_fixed(ax: Axes, text: Text) -> bool:
    """True for a caption set at a place in the Axes (not the watermark across it)."""
    return text.get_transform() == ax.transAxes and text.get_gid() != "analys-watermark"


def _fixed_box(text: Text, scale: float) -> tuple[float, float, float, float]:
    """The estimated box (points) of a text written in Axes coordinates, from its anchor,
    alignment and length, as :func:`place_labels` estimates its labels."""
    x, y = text.get_transform().transform(text.get_position()) * scale
    lines = text.get_text().split("\n")
    size = text.get_fontsize()
    width, height = 0.57 * size * max(len(line) for line in lines), 1.2 * size * len(lines)
    left = {"left": x, "center": x - width / 2}.get(text.get_horizontalalignment(), x - width)
    bottom = {"top": y - height, "center": y - height / 2, "center_baseline": y - height / 2}
    low = bottom.get(text.get_verticalalignment(), y)
    return (left, low, left + width, low + height)


def place_labels(ax: Axes, items: Sequence[tuple[float, float, str, str, bool]]) -> None:
    """Name points beside them, moving a label when it would cover one already placed.

    ``items`` are ``(x, y, text, colour, bold)`` in data coordinates, most important first.
    The placement is greedy and approximate (text widths are estimated), so call it after
    everything else is drawn. A label with no free place is left out (the bold focus label
    is always written), so a crowd of 34 peers does not become a pile of overprinted names.
    Texts already written at a place in the Axes (a scatter's quadrant and corner captions)
    are kept clear too.
    """
    ax.get_xlim(), ax.get_ylim()  # settle autoscaling so transData is current
    scale = 72.0 / ax.figure.dpi
    points = [ax.transData.transform((x, y)) * scale for x, y, *_ in items]
    placed = [(px - 3, py - 3, px + 3, py + 3) for px, py in points]
    placed += [_fixed_box(text, scale) for text in ax.texts if _is_fixed(ax, text)]
    for (x, y, text, colour, bold), (px, py) in zip(items, points, strict=True):
        width, height = (0.62 if bold else 0.57) * 8 * len(text), 9.5
        boxes = []
        for dx, dy in NAME_OFFSETS:
            left = dx if dx > 0 else dx - width
            boxes.append(((left, dy), (px + left, py + dy, px + left + width, py + dy + height)))
        free = [b for b in boxes if not any(_overlaps(b[1], other) for other in placed)]
        if not free and not bold:  # no room: the point stays unnamed, never names on names
            continue
        (left, dy), box = (free or boxes)[0]
        placed.append(box)
        near = (left, dy) in ((4, 2), (-4 - width, 2))
        ax.annotate(
            text,
            xy=(x, y),
            xytext=(left, dy),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=8,
            color=colour,
            fontweight="bold" if bold else "normal",
            zorder=6,
            arrowprops=None if near else {"arrowstyle": "-", "lw": 0.4, "color": colour},
        )
