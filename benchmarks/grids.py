"""Benchmark: the report's trend and gender grids as SVG against the same grids drawn with
matplotlib.

For a few area reports (demo data) the panels of section 4 (*Utveckling över tid*) and 7
(*Kön*) are computed once (:class:`analys.plots.TrendLines`) and drawn in two ways in this
same run, taking turns grid by grid:

(a) ``analys.plots.lines_grid``, as the reports do: the SVG written directly;
(b) the way the reports drew them before: a constrained-layout matplotlib figure of panels
    (``report.output.grid``), each panel drawn by ``plots.trend.draw_lines``, one shared
    legend and caption, then the compact PNG (``plots.png.figure_png(tight=True)``).

Prints the seconds of each, their ratio (b)/(a) and the sizes of what each embeds. Run:
``.venv/bin/python benchmarks/grids.py`` (``--rounds 3`` to repeat).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: a municipal area each of school, economy and elderly care, and a region area
REPORTS = [
    ("grundskola", "1880"),
    ("ekonomi", "0180"),
    ("aldreomsorg", "0885"),
    ("halso_sjukvard", "0018"),
]


def report_grids(area: str, code: str) -> list[tuple[list, dict]]:
    """The panels and layout of every grid an area report shows."""
    from analys import plots
    from analys.report import Report, output

    grids: list[tuple[list, dict]] = []
    real = plots.lines_grid

    def record(panels, **layout):
        grids.append((list(panels), layout))
        return real(panels, **layout)

    shown, displayed = output.show_figure, output.display
    output.show_figure, output.display = (lambda figure: None), (lambda *a, **k: None)
    plots.lines_grid = record
    try:
        report = Report.from_area(area, code, source="demo")
        report.trends()
        report.gender()
    finally:
        plots.lines_grid = real
        output.show_figure, output.display = shown, displayed
    return grids


def matplotlib_grid(panels: list, *, source: str, width: float, height: float) -> bytes:
    """(b): the grid as the reports drew it with matplotlib, as a compact PNG."""
    import matplotlib.pyplot as plt

    from analys import plots
    from analys.chartstyle import unhinted_text
    from analys.plots.png import figure_png
    from analys.plots.trend import draw_lines
    from analys.report.output import grid

    figure, axes = grid(len(panels), width=width, height=height)
    for ax, lines in zip(axes, panels, strict=True):
        draw_lines(ax, lines, source=source, legend="none")
    plots.shared_legend(figure, axes)
    plots.shared_caption(figure, axes)
    with unhinted_text():
        png = figure_png(figure, tight=True)
    plt.close(figure)
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    import matplotlib

    matplotlib.use("Agg")
    from analys import plots

    grids = [g for area, code in REPORTS for g in report_grids(area, code)]
    for panels, layout in grids:  # not timed: fonts and first-use costs of both ways
        plots.lines_grid(panels, **layout)
        matplotlib_grid(panels, **layout)
    svg_seconds = png_seconds = 0.0
    svg_bytes = png_bytes = 0
    for _ in range(args.rounds):
        for panels, layout in grids:
            started = time.perf_counter()
            chart = plots.lines_grid(panels, **layout)
            svg_seconds += time.perf_counter() - started
            started = time.perf_counter()
            png = matplotlib_grid(panels, **layout)
            png_seconds += time.perf_counter() - started
            svg_bytes += len(chart.svg.encode())
            png_bytes += len(png)
    count = len(grids) * args.rounds
    print(
        f"{len(grids)} rutnät ({sum(len(p) for p, _ in grids)} paneler) ur {len(REPORTS)} "
        f"rapporter × {args.rounds} varv. (a) SVG: {svg_seconds:.2f} s; (b) matplotlib + "
        f"PNG: {png_seconds:.2f} s; kvot (b)/(a): {png_seconds / svg_seconds:.1f}×. "
        f"Storlek per rutnät: SVG {svg_bytes / count / 1024:.0f} KB, "
        f"PNG {png_bytes / count / 1024:.0f} KB."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
