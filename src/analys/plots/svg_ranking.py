"""The report's ranking of every municipality written straight as SVG.

It draws a :class:`~analys.plots.ranking.Ranking` of all municipalities (vertical bars, best
first) as :func:`~analys.plots.ranking.draw_ranking` does on a matplotlib Axes: the bars in
their quartile colours, the focus municipality's bar outlined and labelled with its value
and place from above (towards the middle, so the label stays inside), Riket's line, the
legend to the right under the title that names the group of the colours, the source
caption under it and the watermark on demo data. The bars of one colour are one path.
"""

from __future__ import annotations

import math

import numpy as np

from analys.chartstyle import FOCUS, RIKET, caption_text, is_demo
from analys.plots.ranking import Ranking, focus_label_place
from analys.plots.svg import ASCENT, DESCENT, Svg, SvgFigure, number, text_width
from analys.plots.svg_axes import (
    AXIS,
    PAD,
    Frame,
    Scale,
    axis_titles,
    captioned,
    draw_axes,
    heading,
    message,
    plot_left,
    tick_labels,
    value_ticks,
    watermark,
)

#: font sizes (points): legend and its title, the focus label
LEGEND, FOCUS_LABEL = 7, 8
LEGEND_ROW, SWATCH = 11.0, 14.0
#: a bar's share of its slot, and the headroom above the bars (matplotlib's margins)
BAR, HEADROOM = 0.9, 0.3


def ranking_svg(
    ranking: Ranking, *, source: str, width: float = 8, height: float = 3.6
) -> SvgFigure:
    """``ranking`` (all municipalities, vertical bars) as one SVG chart."""
    if ranking.horizontal:
        raise ValueError("ranking_svg ritar alla kommuner (stående staplar); använd ranking_chart")
    credit = caption_text(source, derived=True, kpis=(ranking.kpi,))
    svg, frame = captioned(width * 72, height * 72, credit)
    if ranking.message is not None:
        message(svg, ranking.message, frame, demo=is_demo(source))
        return svg.figure([ranking.title])
    top = heading(svg, frame, ranking.title)
    legend = _legend_entries(ranking)
    legend_w = max(
        text_width(label, LEGEND) + (SWATCH + 4 if kind else 0) for kind, _, label in legend
    )
    right = frame.right - PAD - legend_w - 8
    bottom = frame.bottom - (4 + AXIS + 6)
    ylow, yhigh = _value_range(ranking)
    ticks = value_ticks(ylow, yhigh, bottom - top, vertical=True)
    yticks = [(v, "" if ranking.share and v > 100 + 1e-9 else t) for v, t in tick_labels(ticks)]
    left = plot_left(frame, yticks, ranking.unit, bottom - top)
    plot = Frame(left, top, right - left, bottom - top)
    scale = Scale(plot, -1.0, float(len(ranking.codes)), ylow, yhigh)
    if is_demo(source):
        watermark(svg, plot)
    _bars(svg, ranking, scale)
    if ranking.riket is not None:
        y = float(scale.y(ranking.riket))
        svg.path([[plot.x, y], [plot.right, y]], stroke=RIKET, width=1.3, dash=(4.81, 2.08))
    draw_axes(svg, scale, xticks=[], yticks=yticks)
    y = plot.bottom + 4 + AXIS * ASCENT
    svg.text((plot.x + plot.right) / 2, y, ranking.order_text, size=AXIS, anchor="middle")
    axis_titles(svg, plot, left=frame.x + PAD, xlabel="", ylabel=ranking.unit)
    _focus(svg, ranking, scale)
    _legend(svg, legend, left=plot.right + 8, top=plot.y)
    return svg.figure([ranking.title])


def _value_range(ranking: Ranking) -> tuple[float, float]:
    """The value axis as matplotlib sets it: from zero (the bars' base, where no margin is
    added) with 30 % headroom for the focus label, Riket's line included."""
    values = [v for v in ranking.values if math.isfinite(v)]
    values += [0.0] + ([ranking.riket] if ranking.riket is not None else [])
    low, high = min(values), max(values)
    room = HEADROOM * (high - low or 1.0)
    return (low if low == 0 else low - room), (high if high == 0 else high + room)


def _bars(svg: Svg, ranking: Ranking, scale: Scale) -> None:
    """The bars, one path per colour, then the focus bar's outline."""
    zero = float(scale.y(0.0))
    step = float(scale.x(1.0) - scale.x(0.0))
    width = BAR * step
    paths: dict[str, list[str]] = {}
    for index, (value, face) in enumerate(zip(ranking.values, ranking.faces, strict=True)):
        if not math.isfinite(value):
            continue
        x = float(scale.x(index)) - width / 2
        y = float(scale.y(value))
        paths.setdefault(face, []).append(
            f"M{number(x)} {number(zero)}V{number(y)}h{number(width)}V{number(zero)}Z"
        )
    for face, parts in paths.items():
        svg.parts.append(f'<path d="{"".join(parts)}" fill="{face}"/>')
    if ranking.focus_at is not None:
        value = ranking.values[ranking.focus_at]
        x = float(scale.x(ranking.focus_at)) - width / 2
        y0, y1 = sorted((zero, float(scale.y(value))))
        svg.rect(x, y0, width, y1 - y0, stroke=FOCUS, stroke_width=2.0)


def _focus(svg: Svg, ranking: Ranking, scale: Scale) -> None:
    """The focus label in the headroom (:func:`~analys.plots.ranking.focus_label_place`),
    pointing at its bar's top."""
    plot = scale.plot
    if ranking.focus_at is None:
        y = plot.y + 0.05 * plot.height + 9 * ASCENT
        middle = plot.x + plot.width / 2
        svg.text(middle, y, ranking.missing, size=9, colour=FOCUS, anchor="middle")
        return
    at, count = ranking.focus_at, len(ranking.codes)
    share, ha, label = focus_label_place(at, count, f"{ranking.name} {ranking.focus_text}")
    lines = label.split("\n")
    widest = max(text_width(line, FOCUS_LABEL, bold=True) for line in lines)
    x = plot.x + share * plot.width
    left = {"left": x, "center": x - widest / 2, "right": x - widest}[ha]
    top = plot.y + 0.05 * plot.height
    height = len(lines) * FOCUS_LABEL * 1.2 - FOCUS_LABEL * 0.2
    pad = 0.2 * FOCUS_LABEL
    box = (left - pad, top - pad, widest + 2 * pad, height + 2 * pad)
    bar = (float(scale.x(at)), float(scale.y(ranking.values[at])))
    _arrow(svg, (left + widest / 2, box[1] + box[3]), bar)
    svg.parts.append(
        f'<rect x="{number(box[0])}" y="{number(box[1])}" width="{number(box[2])}"'
        f' height="{number(box[3])}" rx="2" fill="#ffffff" stroke="{FOCUS}" stroke-width="0.6"/>'
    )
    for index, line in enumerate(lines):
        baseline = top + FOCUS_LABEL * (ASCENT + 1.2 * index)
        svg.text(left, baseline, line, size=FOCUS_LABEL, colour=FOCUS, bold=True)


def _arrow(svg: Svg, start: tuple[float, float], end: tuple[float, float]) -> None:
    """matplotlib's ``->``: a line from the label to the bar, an open head at the bar."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length < 4:
        return
    ux, uy = dx / length, dy / length
    tip = (end[0] - 2 * ux, end[1] - 2 * uy)  # matplotlib's shrinkB of 2 points
    svg.path([start, tip], stroke=FOCUS, width=1.0)
    head = 4.0
    wings = [
        (
            tip[0] - head * (ux * math.cos(a) - uy * math.sin(a)),
            tip[1] - head * (uy * math.cos(a) + ux * math.sin(a)),
        )
        for a in (math.radians(25), math.radians(-25))
    ]
    svg.path(np.array([wings[0], tip, wings[1]]), stroke=FOCUS, width=1.0)


def _legend_entries(ranking: Ranking) -> list[tuple[str, str, str]]:
    """``(kind, colour, label)``: the title's lines (no kind), the focus outline, the colours
    and Riket's line."""
    entries = [("", "", line) for line in ranking.legend_title.split("\n")]
    entries.append(("focus", FOCUS, ranking.name))
    entries += [("colour", colour, label) for colour, label in ranking.legend]
    if ranking.riket is not None:
        entries.append(("riket", RIKET, ranking.riket_label))
    return entries


def _legend(svg: Svg, entries, *, left: float, top: float) -> None:
    for index, (kind, colour, label) in enumerate(entries):
        middle = top + (index + 0.5) * LEGEND_ROW
        if kind == "focus":
            svg.rect(
                left + 1, middle - 3.5, SWATCH - 2, 7, fill="#ffffff", stroke=colour, stroke_width=2
            )
        elif kind == "colour":
            svg.rect(left, middle - 3.5, SWATCH, 7, fill=colour)
        elif kind == "riket":
            ends = [[left, middle], [left + SWATCH, middle]]
            svg.path(ends, stroke=colour, width=1.3, dash=(4.81, 2.08))
        x = left + (SWATCH + 4 if kind else 0)
        svg.text(x, middle + LEGEND * (ASCENT - DESCENT) / 2, label, size=LEGEND)
