"""Every SVG chart of every area's report, for municipalities of every size and both kinds
of region, shown in headless Chromium: no text outside its chart, none on another.

The charts lay their texts out with measured widths; this sweep is where a title, a name or
a legend entry that does not fit shows itself (278 charts, about two minutes, so it runs
with ``make test-full``; the chart tests check one of each kind in ``make test``)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from analys.goals import list_areas, load_area  # noqa: E402
from analys.plots import SvgFigure  # noqa: E402
from analys.report import Report, output  # noqa: E402

#: Stockholm, Örebro, Vingåker and Malå; Region Stockholm and Region Örebro län
CODES = ("0180", "1880", "0428", "2418", "0001", "0018")
SECTIONS = ("summary", "comparison", "trends", "expected", "gender", "units")


@pytest.mark.sweep
@pytest.mark.browser
def test_every_svg_chart_of_every_area_is_laid_out_in_chromium(browser_layout, monkeypatch):
    charts: list[tuple[str, SvgFigure]] = []
    where = [""]

    def show(figure) -> None:
        if isinstance(figure, SvgFigure):
            charts.append((where[0], figure))
        else:
            plt.close(figure)

    monkeypatch.setattr(output, "display", lambda *a, **k: None)
    monkeypatch.setattr(output, "show_figure", show)
    for area in list_areas():
        region = load_area(area).municipality_type == "L"
        for code in CODES:
            if region != code.startswith("00"):
                continue
            report = Report.from_area(area, code)
            for section in SECTIONS:
                where[0] = f"{area}/{code}/{section}"
                getattr(report, section)()
    assert len(charts) > 200
    for name, chart in charts:
        browser_layout(chart.svg, name)
