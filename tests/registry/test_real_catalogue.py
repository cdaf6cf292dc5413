"""The registry and the shipped params files against Kolada's real KPI catalogue.

Reads ``../shared/data/kolada-samples/v3_kpi_all_2026-03-23.values.json`` (6 099 KPIs, as
Kolada's v3 API returned them); every test skips cleanly when that folder is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analys import registry
from analys.goals import area_path, list_areas, load_area, read_params
from analys.goals.warnings import kpi_warnings
from analys.registry import facts

CATALOGUE = "v3_kpi_all_2026-03-23.values.json"


@pytest.fixture(scope="module")
def real(samples_dir: Path) -> dict[str, dict]:
    """Kolada's catalogue by id."""
    rows = json.loads((samples_dir / CATALOGUE).read_text(encoding="utf-8"))
    assert len(rows) > 6000
    return {row["id"]: row for row in rows}


@pytest.fixture(scope="module")
def areas():
    return [load_area(name) for name in list_areas()]


def _params_kpis(area) -> list[tuple[str, str, bool]]:
    """(where, kpi, municipal indicator?) for every KPI a params file names."""
    found = [(f"{goal.id}", ind.kpi, True) for goal, ind in area.indicators]
    if area.drivers:
        found.append(("drivers.outcome", area.drivers.outcome, True))
        found += [("drivers.explanatory", k, False) for k in area.drivers.explanatory]
    if area.cost:
        found.append(("cost", area.cost, True))
    return found


def test_every_registry_kpi_exists_with_its_exact_metadata(real) -> None:
    problems = []
    for kpi, entry in registry.entries().items():
        row = real.get(kpi)
        if row is None:
            problems.append(f"{kpi} finns inte i katalogen")
            continue
        if entry["title"] != row["title"]:
            problems.append(f"{kpi}: titel {entry['title']!r} ≠ {row['title']!r}")
        if entry["municipality_type"] != row["municipality_type"]:
            problems.append(f"{kpi}: typ {entry['municipality_type']} ≠ {row['municipality_type']}")
        if bool(entry["has_ou_data"]) != bool(row["has_ou_data"]):
            problems.append(f"{kpi}: has_ou_data skiljer sig")
        if (entry.get("publ_period") or None) != (row["publ_period"] or None):
            problems.append(f"{kpi}: publ_period {entry.get('publ_period')} ≠ {row['publ_period']}")
    assert problems == []


def test_every_params_kpi_exists_and_fits_the_area_type(real, areas) -> None:
    problems = []
    for area in areas:
        for where, kpi, _ in _params_kpis(area):
            if kpi.startswith("EGEN-"):  # the municipality's own indicators are not Kolada's
                continue
            row = real.get(kpi)
            if row is None:
                problems.append(f"{area.area} {where}: {kpi} finns inte i katalogen")
            elif row["municipality_type"] not in (area.municipality_type, "A"):
                problems.append(
                    f"{area.area} {where}: {kpi} gäller {row['municipality_type']}, "
                    f"området {area.municipality_type}"
                )
    assert problems == []


def test_gender_splits_agree_with_the_catalogue(real, areas) -> None:
    for kpi, entry in registry.entries().items():
        assert bool(entry["divided_by_gender"]) == bool(real[kpi]["is_divided_by_gender"]), kpi
    for area in areas:
        for _, ind in area.indicators:
            if ind.gender in ("K", "M"):
                assert real[ind.kpi]["is_divided_by_gender"], f"{area.area}: {ind.kpi}"


def test_no_unit_level_only_kpi_is_a_municipal_indicator(real, areas) -> None:
    only_units = {k for k, row in real.items() if facts.unit_level_only(row["description"])}
    assert {"U15415", "U15416"} <= only_units
    for kpi in registry.entries():
        assert registry.unit_level_only(kpi) == (kpi in only_units), kpi
    for area in areas:
        used = [k for _, k, municipal in _params_kpis(area) if municipal]
        assert not set(used) & only_units, area.area
    # and `analys check` would say so for the real catalogue too
    table = {k: real[k] for k in ("U15416", "N17461", "N15508")}
    import pandas as pd

    catalogue = pd.DataFrame(table.values()).set_index("id", drop=False)
    raw = {"goals": [{"indicators": [{"kpi": "U15416"}, {"kpi": "N17461"}, {"kpi": "N15508"}]}]}
    lines = kpi_warnings(raw, "x.yaml", catalogue)
    assert [line.split("'")[1] for line in lines] == ["U15416", "N17461"]


def test_units_follow_the_catalogue(real) -> None:
    for kpi, entry in registry.entries().items():
        row = real[kpi]
        points = row["title"].rstrip().endswith(", poäng")  # the title names its unit
        share = "%" in row["title"] or (
            bool(re.search(r"\bi % av\b", row["description"])) and not points
        )
        kronor = bool(re.search(r"\bkr\b|kr/", row["title"]))
        assert entry["unit"].startswith("%") == share, (kpi, entry["unit"], row["title"])
        assert entry["unit"].startswith("kr") == kronor, (kpi, entry["unit"], row["title"])


def test_moving_average_kpis_are_recognised_from_the_catalogue(real) -> None:
    found = {
        k: facts.moving_average_years(row["title"], row["description"]) for k, row in real.items()
    }
    found = {k: v for k, v in found.items() if v}
    assert found["N79190"] == 3 and found["N00923"] == 5 and found["N00925"] == 5
    assert found["N61603"] == 5 and found["U07413"] == 3 and found["U01411"] == 4
    assert len(found) >= 50  # every such KPI in the catalogue, not a hand list
    # a yearly mean of monthly figures is no moving average
    assert "N03921" not in found and "N00372" not in found
    for kpi in registry.entries():
        assert registry.moving_average(kpi) == found.get(kpi), kpi


def test_polarities_follow_the_written_rule(real) -> None:
    problems = [
        line
        for kpi, entry in registry.entries().items()
        for line in facts.rule_problems(kpi, entry, real[kpi])
    ]
    assert problems == []
    # every cost in kronor under "Resurser" that the registry knows is neutral
    costs = [k for k in registry.entries() if facts.is_cost(real[k])]
    assert len(costs) >= 15
    assert {registry.polarity(k) for k in costs} == {"neutral"}


def test_stale_kpis_are_known(real) -> None:
    assert facts.is_stale(real["N17461"])
    assert not facts.is_stale(real["N17457"])
    for area in list_areas():
        lines = kpi_warnings(read_params(area_path(area)), area, _frame(real))
        assert not [line for line in lines if "'N17461'" in line]


def _frame(real: dict[str, dict]):
    import pandas as pd

    return pd.DataFrame(real.values()).set_index("id", drop=False)
