"""Units in the reports: the area report's *Enheter* section, the unit report and
``analys render --units``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from analys import render
from analys.captions import DEMO
from analys.cli import render as render_cli
from analys.demo import units as demo_units
from analys.render.units import unit_jobs, units_to_render
from analys.report import Report
from analys.report.units import UnitReport
from analys.stats.salsa import SALSA_CAUTION

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def grundskola() -> Report:
    return Report.from_area("grundskola", "1880")


def test_enheter_section_shows_units_sentences_chart_and_salsa_caution(grundskola, ipython_capture):
    with ipython_capture() as shown:
        grundskola.units()
    text = shown.text
    assert "## 8. Enheter" in text
    schools = demo_units.units(["1880"]).query("activity == 'V15'")
    named = [t for t in schools["title"] if t in text]
    assert len(named) > 30  # the table lists the municipality's schools
    assert "bästa fjärdedelen" in text and "sämsta fjärdedelen" in text
    assert "skillnaden mellan bästa och sämsta enhet" in text
    assert SALSA_CAUTION in text and "bokstavsordning" in text
    assert DEMO in text  # every output says it is synthetic
    assert shown.images == 1


def test_area_without_unit_kpis_has_no_section(ipython_capture):
    report = Report.from_area("ekonomi", "1880")
    with ipython_capture() as shown:
        report.units()
    assert shown.outputs == []


def test_unit_titles_are_escaped(grundskola, monkeypatch, ipython_capture):
    hostile = "<script>alert('x')</script> skola"
    units = demo_units._units().copy()
    first = units.index[(units["municipality"] == "1880") & (units["activity"] == "V15")][0]
    units.loc[first, "title"] = hostile
    monkeypatch.setattr(demo_units, "_units", lambda: units)
    with ipython_capture() as shown:
        grundskola.units()
    html_parts = shown.html
    assert "<script>" not in html_parts and "&lt;script&gt;" in html_parts


def test_unit_report_sections(ipython_capture):
    school = (
        demo_units.load_unit_values(["U15416"], None, ["1880"], [2024])
        .sort_values("ou")["ou"]
        .iloc[0]
    )
    report = UnitReport("grundskola", "1880", school)
    with ipython_capture() as shown:
        report.header()
        report.position()
        report.distribution()
        report.over_time()
        report.salsa()
        report.about()
    text = shown.text
    assert (
        report.title in text and "⚠ Demodata – syntetiska värden, inte verklig statistik." in text
    )
    assert report.year == report.preliminary  # the demo's latest year is Kolada's preliminary
    assert f"{report.title} {report.year}*" in text and "är preliminärt" in text
    assert "Plats i landet" in text and " av " in text
    assert SALSA_CAUTION in text and "Avvikelse per år" in text
    assert "## 4. Resultat jämfört med elevernas förutsättningar (SALSA)" in text
    assert shown.images == 2
    home = demo_units.units(["1880"]).query("activity == 'V21'")["id"].iloc[0]
    other = UnitReport("aldreomsorg", "1880", home)
    with ipython_capture() as shown:  # a care home: no school section, no SALSA word
        other.salsa()
        other.about()
    assert "SALSA" not in shown.text and "elever" not in shown.text
    with pytest.raises(Exception, match="V99E0000"):
        UnitReport("grundskola", "1880", "V99E0000")


def test_unit_jobs_paths_and_skipped_units(tmp_path, monkeypatch):
    spec = render.load_area_spec("gymnasieskola")
    units = units_to_render(spec.area, "0115", "demo")
    assert len(units) == 2 and units["has_data"].all()
    jobs, notes = unit_jobs(
        spec, "0115", REPO / "notebooks", tmp_path, source="demo", year=None, show_code=False
    )
    assert notes == [] and len(jobs) == 2
    job = jobs[0]
    assert job.ipynb == str(tmp_path / "0115" / "gymnasieskola" / f"{units['id'].iloc[0]}.ipynb")
    assert job.parameters["ou"] == units["id"].iloc[0] and job.kind == "unit"
    empty = pd.concat(
        [units, pd.DataFrame([{"id": "V17E00000000", "title": "Tom skola", "activity": "V17"}])]
    ).assign(has_data=[True, True, False])
    monkeypatch.setattr("analys.render.units.units_to_render", lambda *a: empty)
    jobs, notes = unit_jobs(
        spec, "0115", REPO / "notebooks", tmp_path, source="demo", year=None, show_code=False
    )
    assert len(jobs) == 2 and len(notes) == 1 and "Tom skola" in notes[0]
    summary = render.RenderSummary(
        out=tmp_path, index=tmp_path / "index.html", reports=(), seconds=1.0, notes=tuple(notes)
    )
    assert "Hoppade över Tom skola" in summary.text()


def test_cli_accepts_units(monkeypatch):
    from analys import cli

    calls = {}
    monkeypatch.setattr(render_cli, "run_cli", lambda **kw: calls.update(kw) or 0)
    assert cli.main(["render", "gymnasieskola", "-m", "0115", "--units"]) == 0
    assert calls["units"] is True


@pytest.mark.slow
def test_render_units_for_two_municipalities(tmp_path):
    summary = render.render(
        ["gymnasieskola"],
        ["0115", "0117"],
        source="demo",
        out=tmp_path,
        jobs=2,
        progress=False,
        overview=False,
        units=True,
    )
    assert summary.exit_code == 0, summary.text()
    kinds = [r.kind for r in summary.reports]
    assert kinds.count("area") == 2 and kinds.count("unit") == 4
    for code in ("0115", "0117"):
        for ou in demo_units.units([code]).query("activity == 'V17'")["id"]:
            page = tmp_path / code / "gymnasieskola" / f"{ou}.html"
            assert page.is_file() and (page.with_suffix(".ipynb")).is_file()
            html = page.read_text(encoding="utf-8")
            assert "Jämfört med kommunens och landets enheter" in html
            assert "data:image/png;base64," in html
        area = (tmp_path / code / "gymnasieskola.html").read_text(encoding="utf-8")
        assert "Enheter" in area
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)"', index)
    assert sum("/gymnasieskola/" in link for link in links) == 8  # html + notebook per unit
    manifest = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    units = [e for e in manifest["reports"].values() if e["kind"] == "unit"]
    assert {e["municipality"] for e in units} == {"0115", "0117"}


def test_unit_trend_ticks_are_swedish(monkeypatch):
    from analys.report import output

    figures = []
    monkeypatch.setattr(output, "show_figure", figures.append)
    monkeypatch.setattr(output, "display", lambda *a, **k: None)
    school = demo_units.units(["1880"]).query("activity == 'V15'")["id"].iloc[0]
    UnitReport("grundskola", "1880", school).over_time()
    (figure,) = figures
    for ax in figure.axes:
        if ax.lines:
            assert ax.yaxis.get_major_formatter()(12.5, 0) == "12,5"
            assert ax.xaxis.get_major_formatter()(2024.0, 0) == "2024"
            assert ax.xaxis.get_major_formatter()(2025.0, 0) == "2025*"  # preliminary


def test_the_unit_distribution_names_its_year_and_kind_in_words(monkeypatch):
    from analys.report import output

    figures = []
    monkeypatch.setattr(output, "show_figure", figures.append)
    monkeypatch.setattr(output, "display", lambda *a, **k: None)
    school = demo_units.units(["1880"]).query("activity == 'V15'")["id"].iloc[0]
    report = UnitReport("grundskola", "1880", school)
    report.distribution()
    (chart,) = figures  # one SVG chart, a panel per KPI
    written = " ".join(chart.texts)
    panels = written.count("lådan: alla enheter i Sverige")
    assert panels >= 1 and written.count("(grundskola, 5–95 %)") == panels, written
    assert f"{report.year}*" in written
    assert report.title in chart.texts  # the school's own diamond is named
