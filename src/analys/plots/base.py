"""Private helpers shared by the charts in :mod:`analys.plots`.

New Axes, the "no data" message, Swedish tick formatting, picking rows out of a values frame
and the comparison set of a municipality. Nothing here is public API; import from ``plots``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.text import Annotation, Text
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator
from matplotlib.transforms import Bbox

from analys import reference, registry
from analys.chartstyle import FOCUS, annotate_source
from analys.errors import ParamsError
from analys.format import decimals_for, number, with_unit, year_text
from analys.vocabulary import MUNICIPALITY_TYPE_WORDS


def new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """``ax`` itself, or the Axes of a new constrained-layout figure of ``size`` inches."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, created = plt.subplots(figsize=size, layout="constrained")
    return created


def finish(ax: Axes, source: str, *, derived: bool, kpis: tuple = ()) -> Axes:
    """Common finish of a chart: compact tick and axis labels, then the source caption.

    The caption sits 30 points under the axes, so tick labels and axis titles are kept small
    enough not to run into it.
    """
    ax.tick_params(labelsize=8)
    ax.xaxis.label.set_fontsize(9)
    ax.yaxis.label.set_fontsize(9)
    return annotate_source(ax, source, derived=derived, kpis=kpis)


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
_LEADER = 12
#: room kept around a marker (points)
_MARKER_ROOM = 3.0


class _EndLabelPlacer(Artist):
    """Draws nothing: moves its end label to the best of :data:`END_PLACES` just before the
    Axes draws its texts (zorder 0), when the layout and the data limits are final."""

    def __init__(self, label: Annotation, line: Line2D | None) -> None:
        super().__init__()
        self.label, self.line = label, line
        self.set_zorder(0)
        self.set_in_layout(False)

    def draw(self, renderer) -> None:
        if self.label.get_visible() and self.axes is not None:
            _place_end_label(self.axes, self.label, self.line, renderer)


def _place_end_label(ax: Axes, label: Annotation, line: Line2D | None, renderer) -> None:
    """Put ``label`` at the first free place of :data:`END_PLACES` (see :func:`end_label`)."""
    room = renderer.points_to_pixels(_MARKER_ROOM)
    # the line's points in display coordinates, a missing year left as NaN (a gap)
    points = np.empty((0, 2)) if line is None else ax.transData.transform(line.get_xydata())
    markers = points[np.isfinite(points).all(axis=1)]
    others = [
        Text.get_window_extent(t, renderer)
        for t in ax.texts
        if t is not label and t.get_visible() and t.get_text() and t.get_gid() != "analys-watermark"
    ]
    frame = ax.get_window_extent(renderer)
    scores = []
    for index, (dx, dy, ha, va) in enumerate(END_PLACES):
        label.xyann = (dx, dy)
        label.set_horizontalalignment(ha)
        label.set_verticalalignment(va)
        label.update_positions(renderer)
        box = Text.get_window_extent(label, renderer)
        outside = not (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1))
        padded = box.padded(room)
        covered = sum(padded.contains(px, py) for px, py in markers)
        covered += sum(box.overlaps(other) for other in others)
        crossed = _crosses(points, box)
        scores.append((outside, covered, crossed, index))
    *_, best = min(scores)
    dx, dy, ha, va = END_PLACES[best]
    label.xyann = (dx, dy)
    label.set_horizontalalignment(ha)
    label.set_verticalalignment(va)
    label.arrow_patch.set_visible(math.hypot(dx, dy) > _LEADER)


def _crosses(points: np.ndarray, box: Bbox) -> bool:
    """True when the line through ``points`` (display coordinates; NaN a gap) runs through
    ``box``."""
    return any(
        Path(pair).intersects_bbox(box, filled=False)
        for pair in (points[i : i + 2] for i in range(len(points) - 1))
        if np.isfinite(pair).all()
    )


LEGEND_PLACES = ("inside", "right", "none")


def place_legend(ax: Axes, legend: str) -> None:
    """The Axes' legend ``inside`` (emptiest corner), to the ``right`` outside, or ``none``."""
    if legend not in LEGEND_PLACES:
        allowed = ", ".join(f"'{p}'" for p in LEGEND_PLACES)
        raise ParamsError(f"legend: '{legend}' finns inte – välj {allowed}.")
    if legend == "right":
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    elif legend == "inside":
        ax.legend(fontsize=8, frameon=False, loc="best")


def shared_legend(figure: Figure, axes: Sequence[Axes], *, ncols: int = 5) -> None:
    """One legend above a grid of panels drawn with ``legend="none"``.

    Entries are merged by label across the panels; every target line ("Mål 85,0 % (2030)")
    becomes one "Mål" entry, since each panel writes its own target on the line.
    """
    entries: dict[str, Artist] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault("Mål" if label.startswith("Mål") else label, handle)
    if entries:
        figure.legend(
            list(entries.values()),
            list(entries.keys()),
            loc="outside upper center",
            ncols=min(ncols, len(entries)),
            frameon=False,
            fontsize=8,
        )


def no_data(ax: Axes, message: str, source: str, *, derived: bool = False) -> Axes:
    """Write ``message`` in the middle of an otherwise empty ``ax`` (plus the caption)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(
        0.5,
        0.5,
        textwrap.fill(message, 50),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=10,
        color="#333333",
        gid="analys-message",
    )
    annotate_source(ax, source, derived=derived)
    return ax


def tick_text(value: float) -> str:
    """A tick label the Swedish way with as few decimals as the value needs (at most two)."""
    if not math.isfinite(value):
        return ""
    for decimals in (0, 1, 2):
        if abs(round(value, decimals) - value) < 1e-9 * max(1.0, abs(value)):
            return number(value + 0.0, decimals)
    return number(value, 2)


def swedish_ticks(axis: object, bins: int | None = None, most: float | None = None) -> None:
    """Format the ticks of a value axis (``ax.xaxis``/``ax.yaxis``) Swedish: ``12 345,5``.

    ``bins`` caps the number of ticks (for narrow axes with wide numbers). Ticks above
    ``most`` are left unlabelled: a share's axis stretched for a label's room does not read
    "120 %".
    """
    if bins is not None:
        axis.set_major_locator(MaxNLocator(nbins=bins))

    def label(value: float, _pos: object) -> str:
        return "" if most is not None and value > most + 1e-9 else tick_text(value)

    axis.set_major_formatter(FuncFormatter(label))


class LatestYearLocator(Locator):
    """Whole years 1, 2, 5 or 10 apart, counted from the latest year with data (``latest``;
    default the last year in view): as many as fit the axis, and always that year, so its
    label (the preliminary "2025*" most of all) is never left out, as an evenly spaced
    2014, 2016 … 2024 would, or 2018, 2023, 2028 on an axis stretched to a target year."""

    #: ticks on an axis however short, and at most however long
    FEWEST, MOST = 3, 9

    def __init__(self, latest: int | None = None) -> None:
        self.latest = latest

    def __call__(self):
        low, high = self.axis.get_view_interval()
        return self.tick_values(low, high)

    def tick_values(self, vmin: float, vmax: float):
        low, high = sorted((vmin, vmax))
        if not (math.isfinite(low) and math.isfinite(high)):
            return np.array([])
        first, last = math.ceil(low - 1e-9), math.floor(high + 1e-9)
        if last < first:
            return np.array([])
        anchor = self.latest if self.latest is not None and first <= self.latest <= last else last
        fit = self.axis.get_tick_space() if self.axis is not None else self.MOST
        most = min(max(fit, self.FEWEST), self.MOST)
        for step in YEAR_STEPS:
            ticks = [*range(anchor, first - 1, -step)][::-1] + [
                *range(anchor + step, last + 1, step)
            ]
            if len(ticks) <= most:
                break
        return np.array(ticks, dtype=float)


#: distances between year ticks, shortest first
YEAR_STEPS = (1, 2, 5, 10, 20, 50)


def latest_year(frame: pd.DataFrame) -> int | None:
    """The latest ``year`` with a ``value`` in ``frame`` (a year axis counts from it)."""
    years = frame.loc[frame["value"].notna(), "year"]
    return int(years.max()) if len(years) else None


def year_ticks(axis: object, preliminary: int | None = None, latest: int | None = None) -> None:
    """Integer year ticks without a thousands separator (:class:`LatestYearLocator`),
    counted from ``latest`` (the latest year with data) when given.

    The ``preliminary`` year (Kolada's latest, not yet final) is written with a star: "2025*".
    """
    axis.set_major_locator(LatestYearLocator(latest))
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: year_text(value, preliminary)))


def unit_word(codes: str | Iterable[str] | None) -> str:
    """``regioner`` when the code (or the first code) is a region, else ``kommuner``."""
    if codes is None:
        return "kommuner"
    first = codes if isinstance(codes, str) else next(iter(codes), None)
    municipality_type = reference.municipality_type(str(first)) if first else None
    return MUNICIPALITY_TYPE_WORDS["L" if municipality_type == "L" else "K"]


def value_text(value: float, unit: str | None) -> str:
    """A value with its unit and a sensible number of decimals, e.g. ``231,5 poäng``."""
    return with_unit(value, unit, decimals_for(unit, value))


def axis_label(kpi: str) -> str:
    """The axis label of a KPI: its registry label with the unit, e.g. ``Elever i åk 9 (%)``."""
    unit = registry.unit(kpi)
    return f"{registry.label(kpi)} ({unit})" if unit else registry.label(kpi)


def wrap(text: str, width: int = 34) -> str:
    """Break a long label over lines."""
    return textwrap.fill(text, width)


def kpi_title(kpi: str, gender: str = "T") -> str:
    """The chart title for a KPI, naming the gender when not the total."""
    word = registry.gender_words(kpi).get(gender) if gender != "T" else None
    return f"{registry.label(kpi)}, {word}" if word else registry.label(kpi)


def select(
    data: pd.DataFrame,
    *,
    kpi: str,
    gender: str | None = "T",
    year: int | None = None,
    years: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Rows of a values frame for one KPI (and gender, year or years); missing values kept."""
    if data is None or len(data) == 0 or "kpi" not in data.columns:
        return pd.DataFrame(columns=["kpi", "municipality", "year", "gender", "value"])
    mask = data["kpi"] == kpi
    if gender is not None and "gender" in data.columns:
        mask &= data["gender"] == gender
    if year is not None:
        mask &= data["year"] == int(year)
    if years is not None:
        mask &= data["year"].isin([int(y) for y in years])
    part = data.loc[mask, ["municipality", "year", "value"]].copy()
    part["municipality"] = part["municipality"].astype(str)
    part["value"] = pd.to_numeric(part["value"], errors="coerce").astype(float)
    return part


def by_municipality(part: pd.DataFrame) -> pd.Series:
    """One value per municipality code (the first when a code repeats)."""
    series = part.drop_duplicates("municipality").set_index("municipality")["value"]
    return series.astype(float)


def same_type(municipality: str | None, available: Iterable[str]) -> list[str]:
    """The comparison set: every code of ``available`` of the same type as ``municipality``.

    Municipalities (K) are compared with municipalities and regions (L) with regions; Riket and
    groups (``G…``) never belong to it (docs/methods.md#quartile-colours). For an unknown code
    every available code except Riket and groups is used.
    """
    municipality_type = reference.municipality_type(municipality) if municipality else None
    return reference.of_type(available, municipality_type)


def peer_codes(peers: Sequence[str] | None, municipality: str | None) -> list[str]:
    """The peer codes as strings, without duplicates and never the focus municipality."""
    if peers is None or isinstance(peers, str):
        peers = [] if peers is None else [peers]
    return [str(p) for p in dict.fromkeys(peers) if str(p) != municipality]


def quantiles(values: pd.Series) -> tuple[float, float, float, float, float]:
    """Min, Q1, median, Q3 and max with numpy's default (linear) method; NaN when empty."""
    x = values.dropna().to_numpy(dtype=float)
    if len(x) == 0:
        return (np.nan,) * 5
    q1, median, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    return float(x.min()), float(q1), float(median), float(q3), float(x.max())


# label offsets in points, nearest first: right/left of the point, then further up and down
_OFFSETS = [(dx, dy) for dy in (2, -12, 12, -22, 22, -32, 32) for dx in (4, -4)]


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
        for dx, dy in _OFFSETS:
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
