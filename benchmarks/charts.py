"""Benchmark: a report's charts drawn once against savefig's two passes.

Builds the charts of a few area reports (demo data) twice and turns them into the report's
compact PNGs in two ways, in this same run, figure by figure:

(a) ``analys.plots.png.figure_png(figure, tight=True)``, as the reports do: the figure is
    laid out and drawn once and its canvas cropped to the tight box;
(b) ``savefig(bbox_inches="tight")`` then the palette step, as before: matplotlib lays the
    figure out and walks it once without drawing, then draws it.

Prints the seconds of each, their ratio (b)/(a), and how many figures needed a second
drawing because something lay outside the figure. Run: ``.venv/bin/python
benchmarks/charts.py`` (``--rounds 3`` to repeat).
"""

from __future__ import annotations

import argparse
import io
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
#: the report sections that draw
SECTIONS = ("summary", "comparison", "trends", "expected", "gender", "units")


def report_figures(area: str, code: str) -> list:
    """The matplotlib figures an area report shows, built but not drawn (the trend and
    gender grids are SVG: ``benchmarks/grids.py``)."""
    from analys.plots import SvgFigure
    from analys.report import Report, output

    figures: list = []
    shown, displayed = output.show_figure, output.display
    output.show_figure, output.display = figures.append, lambda *a, **k: None
    try:
        report = Report.from_area(area, code, source="demo")
        for section in SECTIONS:
            getattr(report, section)()
    finally:
        output.show_figure, output.display = shown, displayed
    return [figure for figure in figures if not isinstance(figure, SvgFigure)]


def savefig_png(figure) -> bytes:
    from analys.plots.png import compact_png

    buffer = io.BytesIO()
    figure.savefig(
        buffer, format="png", dpi=figure.dpi, bbox_inches="tight", pil_kwargs={"compress_level": 0}
    )
    return compact_png(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analys.chartstyle import unhinted_text
    from analys.plots.png import figure_png

    for area, code in REPORTS:  # not timed: imports, fonts, the data's caches
        for figure in report_figures(area, code):
            plt.close(figure)
    once = twice = 0.0
    figures = redrawn = 0
    for _ in range(args.rounds):
        for area, code in REPORTS:
            # the two ways take turns, figure by figure, so drift in the machine's speed
            # falls on both
            for a, b in zip(report_figures(area, code), report_figures(area, code), strict=True):
                with unhinted_text():
                    started = time.perf_counter()
                    figure_png(a, tight=True)
                    once += time.perf_counter() - started
                    started = time.perf_counter()
                    savefig_png(b)
                    twice += time.perf_counter() - started
                redrawn += a.get_layout_engine() is None  # figure_png's second drawing
                figures += 1
                plt.close(a)
                plt.close(b)
    print(
        f"{figures} diagram ur {len(REPORTS)} rapporter × {args.rounds} varv. "
        f"(a) ritade en gång: {once:.1f} s; (b) savefig tight: {twice:.1f} s; "
        f"kvot (b)/(a): {twice / once:.2f}×. Ritades om (något utanför figuren): "
        f"{redrawn} av {figures}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
