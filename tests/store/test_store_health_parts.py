"""``analys store check`` and healing cover the whole store (issues 15 and 16): the unit part
(``data/units/``: its manifest, the unit catalogue, the unit values) and the own indicators
(``data/own/``), not only the municipal values and catalogues."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

import analys
from analys.cli import main
from analys.errors import StoreError
from analys.own import store as own_store
from analys.store import Store
from analys.store.files import read_manifest
from analys.store.units import UnitStore

pytest_plugins = ["fake_kolada"]

FETCH = ["fetch", "grundskola", "-m", "1880", "--years", "2023-2024"]
META = "EGEN-NKI:\n  title: Nöjd kundindex, egen enkät\n  unit: index\n  polarity: higher\n"
OWN = (
    "kpi,municipality,year,gender,value,ou\n"
    "EGEN-NKI,1880,2023,T,71,\n"
    "EGEN-NKI,1880,2024,T,73,\n"
    "EGEN-NKI,1880,2024,T,77,V15E188000101\n"
)


def truncate(path: Path) -> None:
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["kpi", "ou", "year", "gender"]).reset_index(drop=True)


def import_own(folder: Path) -> Path:
    path = folder / "nki.csv"
    path.write_text(OWN, encoding="utf-8")
    path.with_suffix(".yaml").write_text(META, encoding="utf-8")
    own_store.import_file(path)
    return path


@pytest.fixture
def fetched(kolada_server, capsys) -> Store:
    """The store after ``analys fetch grundskola -m 1880``: municipal and unit values."""
    assert main(FETCH) == 0, capsys.readouterr().err
    capsys.readouterr()
    return Store()


def test_store_check_names_damaged_unit_files_and_changes_nothing(fetched, capsys):
    units = fetched.root / "units"
    assert main(["store", "check"]) == 0
    out = capsys.readouterr().out
    assert "enhetsfil(er)" in out and out.startswith(f"OK: datalagret {fetched.root} är helt")
    kpi = sorted(UnitStore().manifest["kpis"])[0]
    truncate(units / "values" / f"{kpi}.parquet")
    truncate(units / "catalogue.parquet")
    truncate(units / "manifest.json")
    before = files(fetched.root)
    assert main(["store", "check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{units / 'manifest.json'}: är inte giltig JSON")
    assert err[1] == f"{units / 'catalogue.parquet'}: går inte att läsa " + (
        "(avkortad eller trasig parquet-fil)"
    )
    assert err[2] == f"{units / 'values' / f'{kpi}.parquet'}: går inte att läsa " + (
        "(avkortad eller trasig parquet-fil)"
    )
    assert err[3].startswith(f"3 skadad(e) fil(er) i {fetched.root}. Enhetsdelen (enhetsvärden")
    assert "`analys fetch OMRÅDE -m KOD`" in err[3] and len(err) == 4
    assert files(fetched.root) == before


def test_readers_name_a_damaged_unit_file_with_the_remedy(fetched):
    kpi = sorted(UnitStore().manifest["kpis"])[0]
    path = fetched.root / "units" / "values" / f"{kpi}.parquet"
    truncate(path)
    with pytest.raises(StoreError, match="analys store check") as caught:
        analys.load_unit_values(kpi, source="store")
    assert str(path) in str(caught.value)
    truncate(fetched.root / "units" / "catalogue.parquet")
    with pytest.raises(StoreError, match="catalogue.parquet"):
        analys.load_units("1880", source="store")


def test_fetch_heals_damaged_unit_files_and_fetches_them_in_full(fetched, kolada_server, capsys):
    store = UnitStore()
    kpis = sorted(store.manifest["kpis"])
    expected = ordered(store.read_unit_values(kpis))
    units = store.units()
    truncate(store.folder / "values" / f"{kpis[0]}.parquet")
    truncate(store.folder / "catalogue.parquet")
    truncate(store.folder / "manifest.json")
    kolada_server.reset_requests()
    assert main(FETCH) == 0
    err = capsys.readouterr().err
    assert "lades åt sidan som manifest.json.damaged och manifestet byggs om" in err
    assert f"lades åt sidan som {kpis[0]}.parquet.damaged och hämtas om" in err
    assert "lades åt sidan som catalogue.parquet.damaged och hämtas om" in err
    assert (store.folder / "values" / f"{kpis[0]}.parquet.damaged").is_file()
    # the unit queries were forgotten with the manifest: the values come in full again
    oudata = [r for r in kolada_server.requests if r.startswith("/v3/oudata/")]
    assert oudata and not any("from_date" in r for r in oudata)
    pd.testing.assert_frame_equal(ordered(UnitStore().read_unit_values(kpis)), expected)
    pd.testing.assert_frame_equal(UnitStore().units(), units)
    assert main(["store", "check"]) == 0
    assert "3 skadad(e) fil(er) ligger åt sidan sedan tidigare" in capsys.readouterr().out


def test_a_damaged_unit_values_file_alone_is_fetched_in_full(fetched, kolada_server):
    store = UnitStore()
    kpi = sorted(store.manifest["kpis"])[0]
    expected = ordered(store.read_unit_values([kpi]))
    truncate(store.folder / "values" / f"{kpi}.parquet")
    kolada_server.reset_requests()
    assert main(FETCH) == 0
    oudata = [r for r in kolada_server.requests if r.startswith("/v3/oudata/")]
    assert any(kpi in r and "from_date" not in r for r in oudata)
    pd.testing.assert_frame_equal(ordered(UnitStore().read_unit_values([kpi])), expected)


# ---------------------------------------------------------------------------------- own


def test_a_damaged_own_file_names_the_file_to_import_again(tmp_path, capsys):
    import_own(tmp_path)
    root = Path(os.environ["ANALYS_DATA_DIR"])
    path = root / "own" / "EGEN-NKI.parquet"
    truncate(path)
    truncate(root / "own" / "EGEN-NKI.units.parquet")
    with pytest.raises(StoreError) as caught:
        analys.load_values("EGEN-NKI", source="store")
    assert str(caught.value).startswith(f"Datalagret är skadat: {path} går inte att läsa")
    assert "läs in filen igen med `analys import nki.csv`" in str(caught.value)
    with pytest.raises(StoreError, match="EGEN-NKI.units.parquet"):
        analys.load_unit_values("EGEN-NKI", source="store")
    assert main(["store", "check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{path}: går inte att läsa")
    assert err[1].startswith(f"{root / 'own' / 'EGEN-NKI.units.parquet'}: går inte att läsa")
    assert err[2] == (
        f"2 skadad(e) fil(er) i {root}. Eget nyckeltal EGEN-NKI: läs in filen igen med "
        "`analys import nki.csv`."
    )
    assert err[3] == "Eget nyckeltal EGEN-NKI: läs in filen igen med `analys import nki.csv`."
    # importing the file again heals it
    own_store.import_file(tmp_path / "nki.csv")
    assert main(["store", "check"]) == 0
    assert "2 fil(er) med egna nyckeltal" in capsys.readouterr().out
    assert analys.load_values("EGEN-NKI", source="store")["value"].tolist() == [71.0, 73.0]


def test_heal_sets_a_damaged_own_file_aside_and_forgets_it(tmp_path):
    import_own(tmp_path)
    store = Store()
    truncate(store.root / "own" / "EGEN-NKI.parquet")
    found = store.heal()
    assert [(d.kind, d.kpi, d.source) for d in found] == [("own", "EGEN-NKI", "nki.csv")]
    assert "EGEN-NKI" not in read_manifest(store.root).get("own", {})
    assert (store.root / "own" / "EGEN-NKI.parquet.damaged").is_file()
    with pytest.raises(analys.AnalysError, match="importera dem med `analys import FIL`"):
        analys.load_values("EGEN-NKI", source="store")


def test_a_rebuilt_manifest_keeps_the_own_indicators(tmp_path, kolada_server, capsys):
    import_own(tmp_path)
    store = Store()
    entry = read_manifest(store.root)["own"]["EGEN-NKI"]
    truncate(store.root / "manifest.json")
    assert [d.kind for d in store.heal()] == ["manifest"]
    assert read_manifest(store.root)["own"]["EGEN-NKI"] == entry
    values = analys.load_values("EGEN-NKI", source="store")
    assert values["value"].tolist() == [71.0, 73.0]
