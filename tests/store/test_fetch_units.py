"""``analys fetch AREA`` asks only for the unit types the area's KPIs have, plus Riket."""

from __future__ import annotations

import re

import pandas as pd

from analys import demo, reference
from analys.cli import main
from analys.goals import load_area
from analys.kolada.plan import minimum_requests
from analys.store import Store
from analys.store.fetch import unit_batches

UNITS = pd.DataFrame(
    {
        "id": reference.municipalities()["municipality"],
        "type": reference.municipalities()["type"],
    }
)


def _asked_units(server) -> set[str]:
    """Every unit code the data requests named (municipal data; ``/oudata`` is unit level)."""
    codes: set[str] = set()
    for path in server.data_requests():
        if path.startswith("/v3/oudata/"):
            continue
        match = re.search(r"/municipality/([^/?]+)", path)
        assert match, f"a data request without units: {path}"
        codes |= set(match.group(1).replace("%2C", ",").split(","))
    return codes


def test_a_region_area_asks_only_for_regions_and_riket(kolada_server, capsys):
    assert main(["fetch", "halso_sjukvard", "--years", "2023-2024"]) == 0
    asked = _asked_units(kolada_server)
    assert asked == set(reference.region_codes()) | {"0000"}
    err = capsys.readouterr().err
    assert "11 nyckeltal för 21 regioner och riket" in err
    # 11 KPIs × 22 units × 2 years fit one list and one page each
    area = load_area("halso_sjukvard")
    rows = len(Store().read_values(area.kpis)[["kpi", "municipality", "year"]].drop_duplicates())
    assert len(kolada_server.data_requests()) == minimum_requests(11, 22, 2, rows) == 1


def test_a_municipal_area_asks_only_for_municipalities_and_riket(kolada_server, capsys):
    assert main(["fetch", "grundskola", "--years", "2024-2025"]) == 0
    asked = _asked_units(kolada_server)
    assert asked == set(reference.municipality_codes()) | {"0000"}
    assert "290 kommuner och riket" in capsys.readouterr().err
    stored = Store().read_values(load_area("grundskola").kpis)
    assert set(stored["municipality"]) <= asked


def test_named_kpis_get_every_type_they_are_published_for(kolada_server):
    # N01982 is published for municipalities and regions (A), N79240 for regions only
    assert main(["fetch", "--kpi", "N01982", "--kpi", "N79240", "--years", "2024"]) == 0
    paths = kolada_server.data_requests()
    for path in paths:
        units = set(re.search(r"/municipality/([^/?]+)", path).group(1).split(","))
        if "N79240" in path and "N01982" not in path:
            assert units <= set(reference.region_codes()) | {"0000"}
    assert _asked_units(kolada_server) == set(UNITS["id"])


def test_unit_batches_split_only_when_it_saves_requests():
    catalogue = demo.kpis()
    kinds = catalogue.set_index("id")["municipality_type"]
    municipal = [k for k in kinds.index if kinds[k] == "K"][:10]
    regional = [k for k in kinds.index if kinds[k] == "L"][:5]
    needs = {k: set() for k in municipal + regional}
    batches = unit_batches(needs, catalogue, UNITS, 10)
    assert len(batches) == 2
    by_size = sorted(batches, key=lambda b: len(b[1]))
    assert by_size[0][0] == regional and len(by_size[0][1]) == 22
    assert by_size[1][0] == municipal and len(by_size[1][1]) == 291
    # an area's kind narrows a KPI published for both types
    both = [k for k in kinds.index if kinds[k] == "A"][:3]
    batches = unit_batches({k: {"L"} for k in both}, catalogue, UNITS, 10)
    assert batches == [(both, ["0000", *reference.region_codes()])]
    # K and A KPIs for a municipal area: one query of municipalities and Riket
    mixed = {**{k: {"K"} for k in municipal}, **{k: {"K"} for k in both}}
    ((kpis, units),) = unit_batches(mixed, catalogue, UNITS, 10)
    assert kpis == municipal + both and len(units) == 291
