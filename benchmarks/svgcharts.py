"""Benchmark: the report's SVG charts against the same charts drawn with matplotlib.

For a few area reports (demo data) the charts the reports write as SVG are computed once –
the trend and gender grids (:class:`analys.plots.TrendLines`), the expected-value and cost
scatters (:class:`analys.plots.Scatter`), the spine chart (:class:`analys.plots.Spine`), the
ranking (:class:`analys.plots.Ranking`), the goal chart (:class:`analys.plots.GoalBars`) and
the unit charts (:class:`analys.plots.UnitStrip`) – and drawn in two ways in this same run, taking
turns chart by chart:

(a) ``analys.plots.lines_grid``, ``scatter_svg``, ``spine_svg``, ``ranking_svg``,
    ``goal_status_svg`` and ``unit_strips_svg``, as the reports do: the SVG written directly;
(b) the way the reports drew them before: a constrained-layout matplotlib figure (a grid of
    panels in rows of two with one shared legend and caption, or one Axes),
    drawn by ``plots.trend.draw_lines``, ``draw_scatter``, ``draw_spine``, ``draw_ranking``,
    ``draw_goals`` or ``draw_unit_strip`` (seaborn), then the compact PNG (``plots.png.figure_png(tight=True)``).

Prints the seconds of each, their ratio (b)/(a) and the sizes of what each embeds. Run:
``.venv/bin/python benchmarks/svgcharts.py`` (``--rounds 3`` to repeat).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the shared timing loop, run or imported

from turns import take_turns  # noqa: E402

#: a municipal area each of school, economy and elderly care, and a region area
REPORTS = [
    ("grundskola", "1880"),
    ("ekonomi", "0180"),
    ("aldreomsorg", "0885"),
    ("halso_sjukvard", "0018"),
]

#: the SVG charts of a report, and what they are called in the printout
KINDS = {
    "lines_grid": "rutnät",
    "scatter_svg": "punktdiagram",
    "spine_svg": "ryggradsdiagram",
    "ranking_svg": "rangordningar",
    "goal_status_svg": "måldiagram",
    "unit_strips_svg": "enhetsdiagram",
}


def report_charts(area: str, code: str) -> list[tuple[str, object, dict]]:
    """What every SVG chart of an area report draws: ``(kind, content, layout)``."""
    from analys import plots
    from analys.report import Report, output

    charts: list[tuple[str, object, dict]] = []
    real = {kind: getattr(plots, kind) for kind in KINDS}

    def recorder(kind: str):
        def record(content, **layout):
            charts.append((kind, content, layout))
            return real[kind](content, **layout)

        return record

    shown, displayed = output.show_figure, output.display
    output.show_figure, output.display = (lambda figure: None), (lambda *a, **k: None)
    for kind in real:
        setattr(plots, kind, recorder(kind))
    try:
        report = Report.from_area(area, code, source="demo")
        for section in ("summary", "comparison", "trends", "expected", "gender", "units"):
            getattr(report, section)()
    finally:
        for kind, function in real.items():
            setattr(plots, kind, function)
        output.show_figure, output.display = shown, displayed
    return charts


def svg_chart(kind: str, content, layout: dict):
    """(a): the chart as the reports write it."""
    from analys import plots

    return getattr(plots, kind)(content, **layout)


def matplotlib_chart(kind: str, content, layout: dict) -> bytes:
    """(b): the chart as the reports drew it with matplotlib, as a compact PNG."""
    import matplotlib.pyplot as plt

    from analys import plots
    from analys.chartstyle import unhinted_text
    from analys.plots.png import figure_png
    from analys.plots.trend import draw_lines

    if kind == "unit_strips_svg":
        figure, axes = plt.subplots(
            len(content), 1, figsize=(8, 2.7 * len(content)), layout="constrained", squeeze=False
        )
        for ax, strip in zip(axes.flat, content, strict=True):
            plots.draw_unit_strip(ax, strip, source=layout["source"])
    elif kind == "lines_grid":
        figure, axes = _panels(len(content), width=layout["width"], height=layout["height"])
        for ax, lines in zip(axes, content, strict=True):
            draw_lines(ax, lines, source=layout["source"], legend="none")
        plots.shared_legend(figure, axes)
        plots.shared_caption(figure, axes)
    else:
        size = content.size if kind == "goal_status_svg" else (layout["width"], layout["height"])
        figure, ax = plt.subplots(figsize=size, layout="constrained")
        draw = {
            "scatter_svg": plots.draw_scatter,
            "spine_svg": plots.draw_spine,
            "ranking_svg": plots.draw_ranking,
            "goal_status_svg": plots.draw_goals,
        }[kind]
        draw(ax, content, source=layout["source"])
    with unhinted_text():
        png = figure_png(figure, tight=True)
    plt.close(figure)
    return png


def _panels(n: int, *, width: float, height: float):
    """The grid the reports drew their trend panels on: ``n`` panels in rows of two."""
    import matplotlib.pyplot as plt

    ncols = min(2, n)
    nrows = -(-n // ncols)
    figure, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows), layout="constrained", squeeze=False
    )
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.remove()
    return figure, flat[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    import matplotlib

    matplotlib.use("Agg")
    charts = [c for area, code in REPORTS for c in report_charts(area, code)]
    svg_seconds, png_seconds, svg_bytes, png_bytes = take_turns(
        charts, lambda *chart: svg_chart(*chart).svg, matplotlib_chart, args.rounds
    )
    count = len(charts) * args.rounds
    kinds = ", ".join(
        f"{sum(chart[0] == kind for chart in charts)} {name}" for kind, name in KINDS.items()
    )
    print(
        f"{len(charts)} diagram ({kinds}) ur {len(REPORTS)} rapporter × {args.rounds} varv. "
        f"(a) SVG: {svg_seconds:.2f} s; (b) matplotlib + PNG: {png_seconds:.2f} s; "
        f"kvot (b)/(a): {png_seconds / svg_seconds:.1f}×. Storlek per diagram: SVG "
        f"{svg_bytes / count / 1024:.0f} KB, PNG {png_bytes / count / 1024:.0f} KB."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
