"""A damaged store heals: truncated files are one Swedish line, ``analys fetch``
sets them aside and fetches them again, ``analys store check`` lists them; and a fetch checks
its data folder before it asks Kolada anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analys import data, demo
from analys.cli import main
from analys.errors import StoreError
from analys.store import Store, fetch_values

KPIS = ["N15507", "N15428"]
UNITS = ["0180", "1880"]
FETCH = ["fetch", "--kpi", "N15507", "--kpi", "N15428", "-m", "0180", "-m", "1880"]


def truncate(path: Path) -> None:
    """Cut a file to half its length, as a full disk or a cut-off copy does."""
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])


def sort(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["kpi", "municipality", "year", "gender"]).reset_index(drop=True)


@pytest.fixture
def fetched(kolada_server, capsys) -> Store:
    """The store at $ANALYS_DATA_DIR after a fetch of KPIS × UNITS from the fake Kolada."""
    assert main(FETCH) == 0
    capsys.readouterr()
    return Store()


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# ---------------------------------------------------------------------------------- reading


def test_a_truncated_values_file_is_one_swedish_line_naming_it(fetched):
    path = fetched.root / "values" / "N15507.parquet"
    truncate(path)
    with pytest.raises(StoreError) as caught:
        fetched.read_values(KPIS)
    message = str(caught.value)
    assert message == (
        f"Datalagret är skadat: {path} går inte att läsa (avkortad eller trasig parquet-fil) – "
        "kör `analys fetch` igen för samma urval (den skadade filen läggs åt sidan och hämtas "
        "om) eller `analys store check` för att se allt som är skadat"
    )
    assert caught.value.path == str(path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "är inte giltig JSON (rad"),  # truncated
        (b"", "är inte giltig JSON (rad 1, kolumn 1)"),
        (b"[1, 2]", "har inte manifestets form"),
        (b'{"kpis": {}}', "har inte manifestets form"),
        (b"\xff\xfe{}", "är inte UTF-8-text"),
    ],
)
def test_a_damaged_manifest_is_one_swedish_line_naming_it(fetched, content, reason):
    path = fetched.root / "manifest.json"
    truncate(path) if content is None else path.write_bytes(content)
    with pytest.raises(StoreError, match="Datalagret är skadat: .*manifest.json") as caught:
        data.load_values(KPIS, source="store")
    assert reason in str(caught.value) and "\n" not in str(caught.value)


def test_a_values_file_the_manifest_lists_but_that_is_gone_is_named(fetched):
    (fetched.root / "values" / "N15428.parquet").unlink()
    with pytest.raises(StoreError, match="N15428.parquet saknas fast manifestet tar upp den"):
        fetched.read_values(KPIS)


def test_a_damaged_catalogue_is_named(fetched):
    path = fetched.root / "meta" / "kpis.parquet"
    truncate(path)
    with pytest.raises(StoreError, match=f"{path} går inte att läsa"):
        fetched.kpis()


# ---------------------------------------------------------------------------------- check


def test_store_check_passes_a_whole_store_and_names_every_damaged_file(fetched, capsys):
    assert main(["store", "check"]) == 0
    assert capsys.readouterr().out.startswith(f"OK: datalagret {fetched.root} är helt")
    truncate(fetched.root / "values" / "N15507.parquet")
    truncate(fetched.root / "manifest.json")
    truncate(fetched.root / "meta" / "groups.parquet")
    before = files(fetched.root)
    assert main(["store", "check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{fetched.root / 'manifest.json'}: är inte giltig JSON")
    assert err[1] == f"{fetched.root / 'values' / 'N15507.parquet'}: går inte att läsa " + (
        "(avkortad eller trasig parquet-fil)"
    )
    assert err[2].startswith(f"{fetched.root / 'meta' / 'groups.parquet'}: går inte att läsa")
    assert err[3].startswith(f"3 skadad(e) fil(er) i {fetched.root}. Kör `analys fetch` igen")
    assert "--kpi N15507" in err[3] and len(err) == 4
    assert files(fetched.root) == before  # checking changes nothing


def test_store_check_of_a_store_not_yet_fetched(capsys):
    assert main(["store", "check"]) == 0
    assert "är tomt – kör `analys fetch` först" in capsys.readouterr().out


# ---------------------------------------------------------------------------------- healing


def test_fetch_heals_a_truncated_values_file_and_manifest(fetched, kolada_server, capsys):
    expected = sort(fetched.read_values(KPIS))
    truncate(fetched.root / "values" / "N15507.parquet")
    truncate(fetched.root / "manifest.json")
    kolada_server.reset_requests()
    assert main(FETCH) == 0
    err = capsys.readouterr().err
    assert f"Datalagret: {fetched.root / 'manifest.json'} är inte giltig JSON" in err
    assert "lades åt sidan som manifest.json.damaged och manifestet byggs om" in err
    assert "lades åt sidan som N15507.parquet.damaged och hämtas om" in err
    assert (fetched.root / "values" / "N15507.parquet.damaged").is_file()
    assert (fetched.root / "manifest.json.damaged").is_file()
    # the queries were forgotten with the manifest: a full fetch, not only changes
    assert not any("from_date" in r for r in kolada_server.data_requests())
    pd.testing.assert_frame_equal(sort(Store().read_values(KPIS)), expected)
    assert main(["store", "check"]) == 0
    assert "2 skadad(e) fil(er) ligger åt sidan sedan tidigare" in capsys.readouterr().out


def test_a_damaged_values_file_is_fetched_in_full_not_only_the_changes(fetched, kolada_server):
    """Without healing, the repeated fetch would ask only for changes since the last one
    and the store would keep nothing of the damaged file."""
    expected = sort(fetched.read_values(KPIS))
    truncate(fetched.root / "values" / "N15428.parquet")
    kolada_server.reset_requests()
    frame = fetch_values(KPIS, UNITS, None, store=fetched)
    assert not any("from_date" in r for r in kolada_server.data_requests())
    pd.testing.assert_frame_equal(sort(frame), expected)


def test_a_damaged_values_file_outside_the_fetch_is_left_for_its_own_fetch(fetched):
    """Another KPI's damaged file stays (named by readers and store check) until its own
    query is fetched again; the fetch of N15507 neither fails nor touches it."""
    truncate(fetched.root / "values" / "N15428.parquet")
    assert len(fetch_values(["N15507"], ["1880"], [2020], store=fetched)) == 3
    assert [d.kpi for d in fetched.check()] == ["N15428"]


def test_a_merge_into_a_file_damaged_meanwhile_sets_it_aside(fetched):
    """Damage that appears after the fetch's check (or a direct write_values) is handled
    in the merge too: the file is set aside and its earlier queries forgotten."""
    path = fetched.root / "values" / "N15507.parquet"
    truncate(path)
    scope = {"kpis": ["N15507"], "municipalities": ["1880"], "years": [2020]}
    fetched.write_values(demo.load_values(["N15507"], ["1880"], [2020]), query=scope, url="x")
    assert path.with_name("N15507.parquet.damaged").is_file()
    assert len(fetched.read_values(["N15507"])) == 3
    queries = fetched.manifest["queries"].values()
    assert [q["url"] for q in queries if "N15507" in q["kpis"]] == ["x"]


def test_a_damaged_catalogue_is_fetched_again(fetched, kolada_server):
    truncate(fetched.root / "meta" / "municipalities.parquet")
    kolada_server.reset_requests()
    assert main(FETCH) == 0
    assert "/v3/municipality" in " ".join(kolada_server.requests)
    assert len(fetched.municipalities()) == 312


@pytest.mark.slow
def test_render_from_a_damaged_store_says_so_then_works_after_a_fetch(
    fetched, tmp_path, monkeypatch, capsys
):
    """The issue's case end to end: truncate a values file and the manifest, render (a clear
    message, nothing written), fetch (heals) and render again (works)."""
    from test_render import make_params, make_templates

    make_templates(tmp_path / "notebooks")
    monkeypatch.chdir(tmp_path)  # render uses ./notebooks: the small test templates
    params = make_params(tmp_path / "params", "skola", "Skola", kpis=tuple(KPIS))
    render = ["render", str(params), "-m", "1880", "--source", "store", "--jobs", "1"]
    truncate(fetched.root / "values" / "N15507.parquet")
    truncate(fetched.root / "manifest.json")
    out = tmp_path / "reports"

    assert main([*render, "--out", str(out)]) == 1
    printed = capsys.readouterr()
    err = printed.out + printed.err
    # each area fails alone with the store's one Swedish line in the summary
    lines = [line for line in err.splitlines() if "Datalagret är skadat: " in line]
    assert lines and all("manifest.json" in line for line in lines)
    assert "Traceback" not in err
    assert not (out / "1880" / "skola.html").exists()  # no report from damaged data

    assert main(FETCH) == 0
    assert main([*render, "--out", str(out)]) == 0
    capsys.readouterr()
    assert (out / "1880" / "skola.html").is_file()


# ---------------------------------------------------------------------------------- folders


def test_a_data_dir_that_is_a_file_is_one_line_with_exit_2(
    kolada_server, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "data.txt"
    path.write_text("inte en mapp")
    monkeypatch.setenv("ANALYS_DATA_DIR", str(path))
    line = (
        f"ANALYS_DATA_DIR: {path} är en fil, inte en mapp – ange en mapp för datalagret "
        "(den skapas om den inte finns)"
    )
    for argv in (FETCH, ["store", "check"]):
        assert main(argv) == 2
        assert capsys.readouterr().err.splitlines() == [line]
    with pytest.raises(Exception, match="är en fil, inte en mapp"):
        data.load_values(KPIS, source="store")
    assert not kolada_server.requests


def test_a_read_only_data_folder_fails_before_any_request(
    kolada_server, tmp_path, monkeypatch, unprivileged
):
    root = tmp_path / "data"
    root.mkdir()
    root.chmod(0o555)
    monkeypatch.setenv("ANALYS_DATA_DIR", str(root))
    try:
        result = subprocess.run(
            unprivileged([sys.executable, "-m", "analys.cli", *FETCH]),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        root.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"ANALYS_DATA_DIR: det går inte att skriva i {root} (skrivskyddad) – ge skrivrättighet "
        "till mappen eller välj en annan mapp med ANALYS_DATA_DIR"
    ]
    assert kolada_server.requests == []  # not even the catalogue was asked for
    assert list(root.iterdir()) == []


def test_a_failed_fetch_from_another_url_keeps_the_manifest_url(fetched, monkeypatch, capsys):
    from fake_kolada import FakeKolada

    import analys.kolada.http as kolada_http

    monkeypatch.setattr(kolada_http.time, "sleep", lambda seconds: None)
    url = fetched.manifest["url"]
    other = FakeKolada().start()
    try:
        other.fail_next(503, times=20, only="/v3/data/")
        monkeypatch.setenv("ANALYS_KOLADA_URL", other.url)
        assert main(FETCH) == 1
        assert "Hämtningen misslyckades" in capsys.readouterr().err
    finally:
        other.stop()
    manifest = Store().manifest
    assert manifest["url"] == url != other.url
    assert all(q["url"] == url for q in manifest["queries"].values())
    assert Store().snapshot()["url"] == url


def test_the_demo_data_is_what_the_store_holds(fetched):
    """The fixture's store holds the fake server's (demo) values: the tests above compare
    against a real baseline, not an empty one."""
    stored = sort(fetched.read_values(KPIS, UNITS))
    assert len(stored) > 100
    pd.testing.assert_frame_equal(stored, sort(demo.load_values(KPIS, UNITS)))
