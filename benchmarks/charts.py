"""Benchmark: the reports' SVG maps against the same maps drawn with matplotlib.

For a few area reports and overviews (demo data) the maps the reports show are recorded –
the comparison section's Sweden and county maps (or a region's one map) and the overview's
small maps, one per area – and drawn in two ways in this same run, taking turns map by map:

(a) ``analys.maps.map_panel`` with ``map_svg``, and ``small_multiples_svg``, as the reports
    do: the SVG written directly;
(b) the way the reports drew them before: ``analys.maps.municipality_map`` / ``region_map``
    on a constrained-layout figure, and ``small_multiples``, then the compact PNG drawn once
    and cropped (``plots.png.figure_png(tight=True)``).

Prints the seconds of each, their ratio (b)/(a) and the bytes each embeds. Run:
``.venv/bin/python benchmarks/charts.py`` (``--rounds 3`` to repeat).
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
#: the overviews (all areas of a municipality or a region)
OVERVIEWS = ["1880", "0018"]


def report_maps(area: str, code: str) -> list[tuple[str, list, dict]]:
    """The maps of an area report's comparison section: ``("map", panels' arguments,
    map_svg's layout)``."""
    from analys import maps
    from analys.report import Report, output

    recorded: list[tuple[str, list, dict]] = []
    panels: list = []
    real_panel, real_svg = maps.map_panel, maps.map_svg

    def panel(data, **kwargs):
        panels.append((data, kwargs))
        return real_panel(data, **kwargs)

    def figure(drawn, **layout):
        recorded.append(("map", list(panels), layout))
        panels.clear()
        return real_svg(drawn, **layout)

    shown, displayed = output.show_figure, output.display
    output.show_figure, output.display = (lambda f: None), (lambda *a, **k: None)
    maps.map_panel, maps.map_svg = panel, figure
    try:
        Report.from_area(area, code, source="demo").comparison()
    finally:
        maps.map_panel, maps.map_svg = real_panel, real_svg
        output.show_figure, output.display = shown, displayed
    return recorded


def overview_maps(code: str) -> list[tuple[str, list, dict]]:
    """The overview's small maps: ``("small", [(values, kwargs)], {})``."""
    from analys import maps
    from analys.report import overview

    recorded: list[tuple[str, list, dict]] = []
    real = maps.small_multiples_svg

    def small(data, **kwargs):
        recorded.append(("small", [(data, kwargs)], {}))
        return real(data, **kwargs)

    maps.small_multiples_svg = small
    try:
        built = overview.Overview(code, source="demo")
        shown = overview.show_figure
        overview.show_figure = lambda f: None
        try:
            built.maps()
        finally:
            overview.show_figure = shown
    finally:
        maps.small_multiples_svg = real
    return recorded


def svg_map(kind: str, panels: list, layout: dict) -> str:
    """(a): the map as the reports write it."""
    from analys import maps

    if kind == "small":
        data, kwargs = panels[0]
        return maps.small_multiples_svg(data, **kwargs).svg
    drawn = [maps.map_panel(data, **kwargs) for data, kwargs in panels]
    return maps.map_svg(drawn, **layout).svg


def matplotlib_map(kind: str, panels: list, layout: dict) -> bytes:
    """(b): the map as the reports drew it with matplotlib, as a compact PNG."""
    import matplotlib.pyplot as plt

    from analys import maps
    from analys.chartstyle import unhinted_text
    from analys.plots.png import figure_png

    if kind == "small":
        data, kwargs = panels[0]
        figure = maps.small_multiples(data, **kwargs)
    else:
        width = layout.get("max_width", 8.0) if len(panels) == 1 else 8.0
        figure, axes = plt.subplots(
            1,
            len(panels),
            figsize=(width, layout.get("height", 5.4)),
            layout="constrained",
            squeeze=False,
        )
        legends = layout.get("legends") or [True] * len(panels)
        for ax, (data, kwargs), legend in zip(axes.flat, panels, legends, strict=True):
            options = dict(kwargs)
            focus = options.pop("focus", None)
            if options.pop("region", False):
                maps.region_map(data, region=focus, legend=legend, ax=ax, **options)
            else:
                maps.municipality_map(data, municipality=focus, legend=legend, ax=ax, **options)
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
    recorded = [m for area, code in REPORTS for m in report_maps(area, code)]
    recorded += [m for code in OVERVIEWS for m in overview_maps(code)]
    svg_seconds, png_seconds, svg_bytes, png_bytes = take_turns(
        recorded, svg_map, matplotlib_map, args.rounds
    )
    count = len(recorded) * args.rounds
    small = sum(kind == "small" for kind, _, _ in recorded)
    print(
        f"{len(recorded)} kartbilder ({len(recorded) - small} ur jämförelseavsnitt, {small} "
        f"översikter) × {args.rounds} varv. (a) SVG direkt: {svg_seconds:.2f} s; "
        f"(b) matplotlib + PNG: {png_seconds:.2f} s; kvot (b)/(a): "
        f"{png_seconds / svg_seconds:.1f}×. Storlek per karta: SVG {svg_bytes / count / 1024:.0f} "
        f"KB, PNG {png_bytes / count / 1024:.0f} KB."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
