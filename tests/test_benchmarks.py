"""The benchmarks are not run by the suite (they take minutes), but what they compute before
they render is: a renamed attribute once broke ``benchmarks/country.py`` unnoticed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from analys import reference
from analys.goals import list_areas, load_area

ROOT = Path(__file__).resolve().parents[1]


def _module(name: str):
    spec = importlib.util.spec_from_file_location(
        f"benchmark_{name}", ROOT / "benchmarks" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_country_benchmark_separates_the_start_up_from_each_report():
    """A batch's start-up is paid once: (a) minus one municipality's reports alone gives what
    each further report costs, and the start-up is what the small batch took beyond that."""
    country = _module("country")
    each, start = country.marginal(11, 22.0, 136, 122.0)
    assert each == pytest.approx(0.8) and start == pytest.approx(13.2)
    text = country.marginal_text(11, 22.0, 136, 122.0, 3232, 2)
    assert "1.60 s per rapport och kärna" in text and "start 13 s" in text
    assert f"≈ {(13.2 + 3232 * 0.8) / 60:.0f} min" in text


def test_the_country_benchmark_projects_every_report_of_the_country():
    country = _module("country")
    names, total = country.country_size(None)
    assert names == list_areas()
    types = [load_area(name).municipality_type for name in names]
    municipalities, regions = len(reference.municipality_codes()), len(reference.region_codes())
    assert (municipalities, regions) == (290, 21)
    assert total == municipalities * (types.count("K") + 1) + regions * (types.count("L") + 1)
    assert total == 3232  # the figure in the README and the closing notes
    quick_names, quick_total = country.country_size(country.QUICK[2])
    assert quick_names == country.QUICK[2] and quick_total < total
    # the fixed sample covers every SKR group and only real codes
    known = set(reference.municipality_codes()) | set(reference.region_codes())
    assert set(country.SAMPLE + country.REGIONS) <= known
    facts = reference.municipalities().set_index("municipality")["skr_group"]
    assert set(facts[country.SAMPLE]) == set(facts[reference.municipality_codes()])


@pytest.mark.parametrize(
    "name", ["country", "cluster", "render", "demo", "fetch", "maps", "widgets", "svgcharts"]
)
def test_every_benchmark_imports_and_has_a_main(name):
    assert callable(_module(name).main)


def test_the_map_benchmark_records_the_maps_the_reports_show():
    """``benchmarks/charts.py`` draws what the comparison section and the overview show, in
    both ways (a renamed keyword would otherwise only break it when run)."""
    import matplotlib

    matplotlib.use("Agg")
    charts = _module("charts")
    (recorded,) = charts.report_maps("grundskola", "1880")
    kind, panels, layout = recorded
    assert kind == "map" and len(panels) == 2 and layout["legends"] == [True, False]
    assert charts.svg_map(*recorded).startswith("<svg ")
    assert charts.matplotlib_map(*recorded).startswith(b"\x89PNG")
    (small,) = charts.overview_maps("0018")
    assert small[0] == "small" and small[1][0][1]["region"] is True
    assert "<defs>" in charts.svg_map(*small)


def test_the_country_benchmark_times_the_same_reference_work_each_run():
    """The machine's speed drifts between days: the benchmark prints the seconds of a fixed
    piece of work beside its figures, so that runs can be set side by side."""
    country = _module("country")
    seconds = country.machine_speed(rounds=1)
    assert 0 < seconds < 60
    assert f"{seconds:.2f} s" in country.speed_text(seconds)
