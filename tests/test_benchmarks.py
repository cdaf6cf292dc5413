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
    "name", ["country", "cluster", "render", "demo", "fetch", "maps", "widgets"]
)
def test_every_benchmark_imports_and_has_a_main(name):
    assert callable(_module(name).main)
