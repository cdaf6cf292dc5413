"""The local store: atomic writes, incremental refresh, offline reads; and ``analys fetch``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
import requests

from analys import data, demo
from analys.cli import main
from analys.cli.fetch import run_fetch
from analys.errors import AnalysError, KoladaError
from analys.frame import VALUES_COLUMNS
from analys.kolada import KoladaClient
from analys.store import Store, fetch_values
from analys.store.files import store_lock

KPIS = ["N15507", "N15816"]
UNITS = ["0180", "1480", "1880"]
YEARS = list(range(2015, 2025))


@pytest.fixture
def client(kolada_server) -> KoladaClient:
    return KoladaClient(kolada_server.url, requests_per_second=None, backoff=0.001)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "data")


def sort(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["kpi", "municipality", "year", "gender"]).reset_index(drop=True)


def snapshot_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# ---------------------------------------------------------------------------------- basics


def test_root_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("ANALYS_DATA_DIR", str(tmp_path))
    assert Store().root == tmp_path
    monkeypatch.delenv("ANALYS_DATA_DIR")
    assert Store().root == Path("data")


def test_an_empty_store_says_what_to_do(store):
    for call in (lambda: store.read_values(KPIS), store.kpis, store.groups, store.snapshot):
        with pytest.raises(AnalysError, match="kör `analys fetch` först"):
            call()
    assert store.manifest["queries"] == {}


def test_fetch_then_read_offline(kolada_server, client, store, monkeypatch):
    fetched = fetch_values(KPIS, UNITS, YEARS, client=client, store=store)
    assert list(fetched.columns) == VALUES_COLUMNS
    pd.testing.assert_frame_equal(sort(fetched), sort(demo.load_values(KPIS, UNITS, YEARS)))

    kolada_server.stop()

    def offline(*args, **kwargs):
        raise AssertionError("the store must not touch the network")

    monkeypatch.setattr(requests.Session, "send", offline)
    again = Store(store.root).read_values(KPIS, UNITS, YEARS)
    pd.testing.assert_frame_equal(sort(again), sort(fetched))
    part = store.read_values(["N15507"], ["1880"], [2020])
    assert sorted(part["gender"]) == ["K", "M", "T"] and set(part["year"]) == {2020}
    monkeypatch.setenv("ANALYS_DATA_DIR", str(store.root))
    totals = data.load_values(KPIS, ["1880"], [2020, 2021], source="store")
    assert len(totals) == 4 and set(totals["gender"]) == {"T"}


def test_reading_a_kpi_never_fetched_names_it(client, store):
    fetch_values(["N15507"], ["1880"], [2024], client=client, store=store)
    with pytest.raises(AnalysError, match="N15816"):
        store.read_values(["N15507", "N15816"])


def test_manifest_records_what_when_and_where(client, store):
    fetch_values(KPIS, UNITS, YEARS, client=client, store=store)
    manifest = store.manifest
    assert manifest["api_version"] == "v3" and manifest["url"] == client.base_url
    (query,) = manifest["queries"].values()
    assert query["kpis"] == KPIS and query["municipalities"] == UNITS
    assert query["years"] == YEARS and query["url"] == client.base_url
    assert query["fetched"][:10] == date.today().isoformat() and not query["incremental"]
    assert manifest["kpis"]["N15507"]["first_year"] == 2015
    assert manifest["kpis"]["N15507"]["latest_year"] == 2024


# ---------------------------------------------------------------------------------- refresh


def test_a_repeated_fetch_asks_only_for_changes(kolada_server, client, store):
    before = fetch_values(KPIS, UNITS, YEARS, client=client, store=store)
    kolada_server.change("N15507", "1880", 2020, 199.5)
    kolada_server.delete("N15816", "0180", 2019)
    kolada_server.reset_requests()

    after = fetch_values(KPIS, UNITS, YEARS, client=client, store=store)

    since = (date.today() - timedelta(days=1)).isoformat()
    queries = [parse_qs(urlsplit(r).query) for r in kolada_server.requests]
    assert queries and all(q["from_date"] == [since] for q in queries)
    one = after[
        (after["kpi"] == "N15507") & (after["municipality"] == "1880") & (after["year"] == 2020)
    ].set_index("gender")["value"]
    assert one["T"] == 199.5
    assert (
        one["K"]
        == before.set_index(["kpi", "municipality", "year", "gender"]).loc[
            ("N15507", "1880", 2020, "K"), "value"
        ]
    )
    gone = after[
        (after["kpi"] == "N15816") & (after["municipality"] == "0180") & (after["year"] == 2019)
    ]
    assert gone.empty
    removed = before[
        (before["kpi"] == "N15816") & (before["municipality"] == "0180") & (before["year"] == 2019)
    ]
    assert len(after) == len(before) - len(removed)
    (query,) = store.manifest["queries"].values()
    assert query["incremental"] and query["from_date"] == since


def test_a_full_fetch_replaces_only_its_own_scope(store):
    values = demo.load_values(["N15507"], UNITS, [2020, 2021])
    scope = {"kpis": ["N15507"], "municipalities": UNITS, "years": [2020, 2021]}
    store.write_values(values, query=scope, url="http://x/v3")
    withdrawn = (values["municipality"] == "0180") & (values["year"] == 2021)
    store.write_values(values[~withdrawn], query=scope, url="http://x/v3")
    stored = store.read_values(["N15507"])
    assert stored[(stored["municipality"] == "0180") & (stored["year"] == 2021)].empty
    other = demo.load_values(["N15507"], ["0114"], [2020])
    store.write_values(
        other,
        query={"kpis": ["N15507"], "municipalities": ["0114"], "years": [2020]},
        url="http://x/v3",
    )
    assert len(store.read_values(["N15507"])) == len(values[~withdrawn]) + len(other)


# ---------------------------------------------------------------------------------- atomicity


def test_an_interrupted_write_leaves_the_old_data(store, monkeypatch):
    scope = {"kpis": KPIS, "municipalities": UNITS, "years": YEARS}
    store.write_values(demo.load_values(KPIS, UNITS, YEARS), query=scope, url="http://x/v3")
    before = snapshot_files(store.root)
    original = sort(store.read_values(KPIS))

    import analys.store.files as store_files

    def crash(table, where, **kwargs):
        Path(where).write_bytes(b"PAR1 half a file")  # the disk got part of it
        raise OSError("disken är full")

    monkeypatch.setattr(store_files.pq, "write_table", crash)
    changed = demo.load_values(KPIS, UNITS, YEARS).assign(value=1.0)
    with pytest.raises(OSError, match="disken är full"):
        store.write_values(changed, query=scope, url="http://x/v3")
    assert snapshot_files(store.root) == before  # no temp files left, nothing changed
    pd.testing.assert_frame_equal(sort(store.read_values(KPIS)), original)


def test_a_crash_before_the_rename_leaves_the_old_data(store, monkeypatch):
    scope = {"kpis": KPIS, "municipalities": UNITS, "years": YEARS}
    store.write_values(demo.load_values(KPIS, UNITS, YEARS), query=scope, url="http://x/v3")
    before = snapshot_files(store.root)

    import analys.store.files as store_files

    def no_rename(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(store_files.os, "replace", no_rename)
    with pytest.raises(KeyboardInterrupt):
        store.write_values(
            demo.load_values(KPIS, UNITS, YEARS).assign(value=1.0), query=scope, url="http://x/v3"
        )
    monkeypatch.undo()
    assert snapshot_files(store.root) == before


def test_a_killed_process_leaves_the_old_data(store):
    scope = {"kpis": KPIS, "municipalities": UNITS, "years": YEARS}
    store.write_values(demo.load_values(KPIS, UNITS, YEARS), query=scope, url="http://x/v3")
    original = sort(store.read_values(KPIS))
    script = textwrap.dedent(f"""
        import os
        import pyarrow.parquet as pq
        from analys import demo
        from analys.store import Store

        real = pq.write_table

        def dying(table, where, **kwargs):
            real(table, where, **kwargs)
            os._exit(9)  # killed after writing the temporary file, before the rename

        pq.write_table = dying
        frame = demo.load_values({KPIS!r}, {UNITS!r}, {YEARS!r}).assign(value=1.0)
        Store({str(store.root)!r}).write_values(frame, query={scope!r}, url="http://x/v3")
    """)
    result = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert result.returncode == 9
    leftovers = list(store.root.rglob("*.tmp"))
    assert leftovers  # the temporary file of the dead process is still there …
    pd.testing.assert_frame_equal(sort(Store(store.root).read_values(KPIS)), original)  # … unread
    assert store.sweep() == []  # young: it might belong to a running fetch
    two_hours_ago = time.time() - 7200
    for path in leftovers:
        os.utime(path, (two_hours_ago, two_hours_ago))
    store.write_values(demo.load_values(KPIS, UNITS, YEARS), query=scope, url="http://x/v3")
    assert not list(store.root.rglob("*.tmp"))  # the next write cleans up


# ---------------------------------------------------------------------------------- locking


def test_a_second_writer_waits_for_the_lock(store):
    """Another process holds the store's lock: a writer waits for it (or, past its timeout,
    gets a Swedish message) instead of merging against files that are about to change."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import time
                from pathlib import Path
                from analys.store.files import store_lock

                with store_lock(Path({str(store.root)!r})):
                    print("held", flush=True)
                    time.sleep(1.5)
            """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(AnalysError, match="används av en annan hämtning"):
            with store_lock(store.root, timeout=0.2):
                pass
        started = time.monotonic()
        scope = {"kpis": ["N15507"], "municipalities": UNITS, "years": [2020]}
        store.write_values(demo.load_values(["N15507"], UNITS, [2020]), query=scope, url="x")
        assert time.monotonic() - started > 0.5  # it waited for the holder
        assert set(store.read_values(["N15507"])["municipality"]) == set(UNITS)
    finally:
        holder.wait(timeout=30)
    assert holder.returncode == 0


def test_concurrent_fetches_into_one_store_keep_both(store):
    """Two processes merge different municipalities of the same KPI again and again: with
    the lock, neither drops the other's rows."""
    script = textwrap.dedent("""
        import sys
        from analys import demo
        from analys.store import Store

        root, unit = sys.argv[1], sys.argv[2]
        for year in range(2015, 2023):
            frame = demo.load_values(["N15507"], [unit], [year])
            scope = {"kpis": ["N15507"], "municipalities": [unit], "years": [year]}
            Store(root).write_values(frame, query=scope, url="http://x/v3")
    """)
    writers = [
        subprocess.Popen([sys.executable, "-c", script, str(store.root), unit])
        for unit in ("0180", "1880")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    stored = store.read_values(["N15507"])
    for unit in ("0180", "1880"):
        years = set(stored.loc[stored["municipality"] == unit, "year"])
        assert years == set(range(2015, 2023)), unit
    assert len(store.manifest["queries"]) == 16


# ---------------------------------------------------------------------------------- metadata


def test_metadata_is_fetched_once_while_fresh(kolada_server, client, store):
    assert store.refresh_metadata(client) is True
    assert len(kolada_server.requests) == 3
    assert store.refresh_metadata(client) is False
    assert len(kolada_server.requests) == 3
    assert store.refresh_metadata(client, force=True) is True
    assert len(kolada_server.requests) == 6
    assert list(store.kpis().columns) == list(demo.kpis().columns)
    assert len(store.kpis()) == len(demo.kpis())
    groups = store.groups()
    assert list(groups.columns) == ["group", "title", "members"]
    expected = demo.groups()
    pd.testing.assert_frame_equal(groups, expected)
    assert len(store.municipalities()) == 312
    assert store.manifest["metadata"]["url"] == client.base_url


def test_snapshot_describes_the_stored_data(kolada_server, client, store):
    catalogue = demo.kpis().to_dict(orient="records")
    for row in catalogue:
        if row["id"] == "N15507":
            row.update(publ_period="2024", publication_date="2099-01-01")
    kolada_server.tables["kpi"] = catalogue
    store.refresh_metadata(client)
    fetch_values(KPIS, UNITS, YEARS, client=client, store=store)
    snap = store.snapshot()
    assert set(snap) == set(demo.snapshot())
    assert snap["source"] == "store" and snap["demo"] is False
    assert snap["url"] == client.base_url and snap["api_version"] == "v3"
    assert (snap["first_year"], snap["latest_year"]) == (2015, 2024)
    assert snap["preliminary_year"] == 2024
    assert snap["label"].startswith("Källa: Kolada")


def test_source_kolada_fetches_into_the_store(kolada_server, monkeypatch, tmp_path):
    monkeypatch.setenv("ANALYS_DATA_DIR", str(tmp_path / "kolada"))
    frame = data.load_values("N15507", "1880", [2023, 2024], source="kolada")
    assert frame["year"].tolist() == [2023, 2024] and set(frame["gender"]) == {"T"}
    assert (tmp_path / "kolada" / "values" / "N15507.parquet").is_file()


# ---------------------------------------------------------------------------------- analys fetch


def test_analys_fetch_fills_the_store_and_then_refreshes(kolada_server, capsys):
    argv = ["fetch", "--kpi", "N15507", "--kpi", "N15816", "-m", "1880", "--years", "2015-2024"]
    assert main(argv) == 0
    out = capsys.readouterr()
    assert "Klart" in out.out and kolada_server.url in out.err
    stored = Store().read_values(KPIS, ["1880"])
    assert stored.groupby("kpi")["year"].nunique().tolist() == [10, 10]
    data_requests = len(kolada_server.data_requests())
    assert data_requests == 1
    assert main(argv) == 0
    assert "ändringar sedan" in capsys.readouterr().out
    assert len(kolada_server.data_requests()) == 2 and "from_date" in kolada_server.requests[-1]


def test_analys_fetch_an_area(kolada_server):
    from analys.goals import load_area

    kpis = load_area("grundskola").kpis
    assert main(["fetch", "grundskola", "-m", "1880", "--years", "2023-2024"]) == 0
    assert set(Store().read_values(kpis)["kpi"]) <= set(kpis)
    assert set(Store().manifest["kpis"]) == set(kpis)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kpis": ["N15570"]}, "menade du"),
        ({"kpis": ["meritvärde"]}, "inga nyckeltals-id"),
        ({"kpis": []}, "Ange vad som ska hämtas"),
        ({"kpis": ["N15507"], "municipalities": ["180"]}, "inga kommunkoder"),
        ({"kpis": ["N15507"], "municipalities": ["9999"]}, "9999 är ingen kommun"),
        ({"kpis": ["N15507"], "years": "2024-2015"}, "första året"),
        ({"kpis": ["N15507"], "years": "förra året"}, "inget årsintervall"),
    ],
)
def test_analys_fetch_refuses_bad_input(kolada_server, capsys, kwargs, message):
    arguments = {"areas": [], "municipalities": ["1880"], "years": None, **kwargs}
    assert run_fetch(**arguments) == 2
    assert message in capsys.readouterr().err
    assert not kolada_server.data_requests()


def test_analys_fetch_reports_a_failing_kolada(kolada_server, capsys, monkeypatch):
    import analys.kolada.http as kolada_http

    monkeypatch.setattr(kolada_http.time, "sleep", lambda seconds: None)  # no real waiting
    kolada_server.fail_next(503, times=100, body={"detail": "underhåll"})
    assert main(["fetch", "--kpi", "N15507", "-m", "1880", "--years", "2024"]) == 1
    err = capsys.readouterr().err
    assert "Hämtningen misslyckades" in err and "HTTP 503" in err
    assert kolada_server.url in err and "underhåll" in err
    assert len(kolada_server.requests) == 6  # the first try and five retries
    with pytest.raises(AnalysError):
        Store().read_values(["N15507"])


def test_fetch_values_propagates_kolada_errors(kolada_server, client, store):
    kolada_server.fail_next(400, body={"detail": "fel parameter"})
    with pytest.raises(KoladaError, match="HTTP 400"):
        fetch_values(["N15507"], ["1880"], [2024], client=client, store=store)
