"""Charts with Swedish labels and source captions, the seaborn way.

Every function takes tidy data (a values frame or a result table) plus column and selection
keywords, draws on ``ax`` (a new figure when ``None``) and returns the Axes. Every chart carries
the source caption (and the demo watermark on demo data) through
:func:`analys.chartstyle.annotate_source`; colours come from :mod:`analys.chartstyle`. Rules
behind what is drawn: docs/methods.md#quartile-colours, docs/methods.md#expected-values and
docs/methods.md#spine-chart.

This module is the public front; each chart lives in the submodule of its concept:
:mod:`~analys.plots.trend` (trend and gender-gap lines; the reports draw their grids as SVG
with :mod:`~analys.plots.svg_trend`), :mod:`~analys.plots.ranking` (the
ranking bars), :mod:`~analys.plots.spine` (the spine chart), :mod:`~analys.plots.scatter`
(expected values, costs, coefficients), :mod:`~analys.plots.goals` (goal status) and
:mod:`~analys.plots.units` (units and the tartan rug), on the shared pieces of
:mod:`~analys.plots.base` and :mod:`~analys.plots.labels` (value and name labels beside points).
"""

from __future__ import annotations

from analys.plots.base import shared_caption, shared_legend
from analys.plots.goals import (
    GoalBars,
    draw_goals,
    goal_bars,
    goal_chart_size,
    goal_status_chart,
    goal_status_table,
)
from analys.plots.ranking import Ranking, draw_ranking, ranking_bars, ranking_chart
from analys.plots.scatter import (
    Scatter,
    coefficient_chart,
    cost_chart,
    cost_points,
    draw_scatter,
    expected_chart,
    expected_points,
)
from analys.plots.spine import Spine, draw_spine, spine_chart, spine_rows
from analys.plots.svg import SvgFigure
from analys.plots.svg_goals import goal_status_svg
from analys.plots.svg_ranking import ranking_svg
from analys.plots.svg_scatter import scatter_svg
from analys.plots.svg_spine import spine_svg
from analys.plots.svg_trend import lines_grid
from analys.plots.svg_units import unit_strips_svg
from analys.plots.trend import TrendLines, gap_lines, gender_gap_chart, trend_chart, trend_lines
from analys.plots.units import (
    UnitStrip,
    draw_unit_strip,
    tartan_cells,
    tartan_columns,
    tartan_country,
    tartan_kpis,
    tartan_rug,
    unit_chart,
    unit_strip,
    unit_trend_chart,
)

__all__ = [
    "GoalBars",
    "Ranking",
    "Scatter",
    "Spine",
    "SvgFigure",
    "TrendLines",
    "UnitStrip",
    "coefficient_chart",
    "cost_chart",
    "cost_points",
    "draw_goals",
    "draw_ranking",
    "draw_scatter",
    "draw_spine",
    "draw_unit_strip",
    "expected_chart",
    "expected_points",
    "gap_lines",
    "gender_gap_chart",
    "goal_bars",
    "goal_chart_size",
    "goal_status_chart",
    "goal_status_svg",
    "goal_status_table",
    "lines_grid",
    "ranking_bars",
    "ranking_chart",
    "ranking_svg",
    "scatter_svg",
    "shared_caption",
    "shared_legend",
    "spine_chart",
    "spine_rows",
    "spine_svg",
    "tartan_cells",
    "tartan_country",
    "tartan_columns",
    "tartan_kpis",
    "tartan_rug",
    "trend_chart",
    "trend_lines",
    "unit_chart",
    "unit_strip",
    "unit_strips_svg",
    "unit_trend_chart",
]
