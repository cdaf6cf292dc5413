"""The report's goal chart written straight as SVG.

It draws :class:`~analys.plots.goals.GoalBars` as :func:`~analys.plots.goals.draw_goals`
does on a matplotlib Axes: one bar per goal, its length the goal's score and its colour the
status, the status, score and coverage at the right, the goal's title at the left. Each row
is as tall as its title needs, so titles of several lines never run into each other.
"""

from __future__ import annotations

from analys.chartstyle import STATUS_COLOURS, caption_text, is_demo
from analys.plots.goals import GOAL_AXIS, GOAL_TICKS, GOAL_TITLE, GoalBars
from analys.plots.svg import Svg, SvgFigure, text_width
from analys.plots.svg_axes import (
    PAD,
    UNDER_FRAME,
    Frame,
    Scale,
    axis_titles,
    caption_lines,
    captioned,
    draw_axes,
    heading,
    heading_height,
    message,
    watermark,
    write_caption,
)

#: font size of the row labels and texts (points); a row's least height and a line's
LABEL = 8
ROW_LEAST, LINE = 30.0, 11.0
#: a bar's share of its row's least height
BAR = 0.7


def goal_status_svg(bars: GoalBars, *, source: str, width: float = 7) -> SvgFigure:
    """``bars`` as one SVG chart ``width`` inches wide, as tall as its rows need."""
    total_w = width * 72
    credit = caption_text(source, derived=True)
    if bars.message is not None:
        svg, frame = captioned(total_w, 110.0, credit)
        message(svg, bars.message, frame, demo=is_demo(source))
        return svg.figure([])
    lines, caption_h = caption_lines(credit, total_w)
    heights = [max(ROW_LEAST, LINE * (label.count("\n") + 2)) for label in bars.labels]
    title_h = heading_height(GOAL_TITLE, total_w)
    total_h = PAD + title_h + sum(heights) + UNDER_FRAME + caption_h + PAD / 2
    svg = Svg(total_w, total_h)
    top = heading(svg, Frame(0, PAD, total_w, total_h), GOAL_TITLE)
    label_w = max(text_width(label, LABEL) for label in bars.labels)
    text_w = max(text_width(text, LABEL) for text in bars.texts)
    left = PAD + label_w + 8
    right = total_w - PAD - text_w - 8
    plot = Frame(left, top, right - left, sum(heights))
    if is_demo(source):
        watermark(svg, plot)
    y = plot.y
    for label, status, score, text, height in zip(
        bars.labels, bars.statuses, bars.scores, bars.texts, heights, strict=True
    ):
        middle = y + height / 2
        bar = BAR * ROW_LEAST
        svg.rect(plot.x, middle - bar / 2, plot.width, bar, fill="#f0f0f0")
        length = 0.0 if score != score else min(max(score, 0.0), 1.0) * plot.width  # NaN: 0
        if length:
            svg.rect(plot.x, middle - bar / 2, length, bar, fill=STATUS_COLOURS[status])
        parts = label.split("\n")
        for index, part in enumerate(parts):
            baseline = middle + LABEL * 0.35 + (index - (len(parts) - 1) / 2) * LABEL * 1.2
            svg.text(plot.x - 5, baseline, part, size=LABEL, anchor="end")
        svg.text(plot.right + 0.02 * plot.width, middle + LABEL * 0.35, text, size=LABEL)
        y += height
    draw_axes(svg, Scale(plot, 0.0, 1.0, 0.0, 1.0), xticks=GOAL_TICKS, yticks=[])
    axis_titles(svg, plot, left=PAD, xlabel=GOAL_AXIS, ylabel="")
    write_caption(svg, 0, plot.bottom + UNDER_FRAME - 4, lines)
    return svg.figure([GOAL_TITLE])
