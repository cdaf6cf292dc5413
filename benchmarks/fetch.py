"""How well does ``analys fetch`` use the Kolada API?

Workload: 40 KPIs × 290 municipalities × 10 years (2016–2025) from the fake Kolada server
(``tests/fake_kolada.py``, a real HTTP server serving the demo data) with 20 ms latency on
every answer. The server runs in its own process, so its work does not share the client's
interpreter. Prints:

- requests issued / the theoretical minimum (goal 1.00). The minimum is the larger of the
  25-id list limit (⌈40/25⌉·⌈290/25⌉·⌈10/25⌉ lists) and the page limit (rows / 5000);
- wall time of the fetch (default client: 5 requests/s, 4 threads, into a fresh store)
  against the naive pull, one request per KPI and municipality, one after another. The naive
  time is estimated from a measured sample of sequential naive requests (without any rate
  limit, i.e. faster than a polite client could be), and also given at Kolada's polite
  5 requests/s;
- reading the same data back from the store against fetching it (goal ≥ 100×);
- the incremental refresh (``from_date``) of the same query;
- a region area (``halso_sjukvard``, 11 KPIs, 8 of them region-only) fetched as
  ``analys fetch`` does it: only the unit types its KPIs have (21 regions and Riket), requests
  against the theoretical minimum and against asking for all 312 units;
- unit (OU) data: an area's unit KPIs (grundskola: U15416, U15415, N15813, N15504) for every
  unit of one county's municipalities (Örebro län), requests issued against the minimum of
  the documented route (``/ou?municipality=X`` lists, or the whole catalogue when that takes
  fewer pages, then ``/oudata/kpi/{≤25}/ou/{≤25}/year/{…}``).

    .venv/bin/python benchmarks/fetch.py
"""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import pandas as pd  # noqa: E402

from analys import demo, reference  # noqa: E402
from analys.demo import units as _demo_units  # noqa: E402, F401 (demo.units)
from analys.goals import load_area  # noqa: E402
from analys.kolada import KoladaClient, minimum_requests, parse_values  # noqa: E402
from analys.store import Store, fetch_values  # noqa: E402
from analys.store.fetch import unit_batches  # noqa: E402

LATENCY = 0.020
N_KPIS, YEARS = 40, list(range(2016, 2026))
NAIVE_SAMPLE = 200
POLITE_RATE = 5.0
READ_ROUNDS = 7


def _serve(latency: float, conn) -> None:
    """Child process: run the fake server and answer 'count', 'reset' and 'stop'."""
    from fake_kolada import FakeKolada

    server = FakeKolada(latency=latency).start()
    conn.send(server.url)
    while True:
        command = conn.recv()
        if command == "count":
            conn.send(len(server.requests))
        elif command == "requests":
            conn.send(list(server.requests))
        elif command == "reset":
            server.reset_requests()
            conn.send(None)
        else:
            server.stop()
            conn.send(None)
            return


class Server:
    """The fake Kolada in a separate process."""

    def __init__(self, latency: float) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(latency, child), daemon=True)
        self._process.start()
        self.url = self._conn.recv()

    def ask(self, command: str):
        self._conn.send(command)
        return self._conn.recv()

    def close(self) -> None:
        self.ask("stop")
        self._process.join(timeout=10)


def workload() -> tuple[list[str], list[str], list[int]]:
    kpis = demo.kpis()
    municipal = kpis.loc[kpis["municipality_type"] != "L", "id"].tolist()[:N_KPIS]
    return municipal, reference.municipality_codes(), YEARS


def naive_sample(url: str, kpis: list[str], units: list[str]) -> float:
    """Seconds per naive request: one KPI and one municipality, all years, sequentially."""
    session = requests.Session()
    years = ",".join(str(y) for y in YEARS)
    pairs = [(k, m) for k in kpis for m in units][
        :: max(1, len(kpis) * len(units) // NAIVE_SAMPLE)
    ][:NAIVE_SAMPLE]
    started = time.perf_counter()
    for kpi, unit in pairs:
        answer = session.get(f"{url}/data/kpi/{kpi}/municipality/{unit}/year/{years}", timeout=30)
        answer.raise_for_status()
        parse_values(answer.json()["values"])
    return (time.perf_counter() - started) / len(pairs)


OU_KPIS = ["U15416", "U15415", "N15813", "N15504"]
OU_YEARS = list(range(2018, 2026))
OU_COUNTY = "18"  # Örebro län: municipality codes 18xx


def ou_benchmark(server: Server) -> None:
    """Requests against the minimum for one area's unit data in one county."""
    import math

    from analys.kolada import OU_CATALOGUE_PAGES
    from analys.store.units import UnitStore, fetch_unit_values

    codes = [c for c in reference.municipality_codes() if c.startswith(OU_COUNTY)]
    with tempfile.TemporaryDirectory() as folder:
        server.ask("reset")
        started = time.perf_counter()
        frame = fetch_unit_values(
            OU_KPIS,
            codes,
            OU_YEARS,
            client=KoladaClient(server.url),
            store=UnitStore(Path(folder) / "data"),
        )
        seconds = time.perf_counter() - started
    paths = server.ask("requests")
    listed = [p for p in paths if p.startswith(("/v3/ou?", "/v3/ou/"))]
    data = [p for p in paths if p.startswith("/v3/oudata/")]
    schools = demo.units.units(codes).query("activity == 'V15'")
    rows = len(frame[["kpi", "ou", "year"]].drop_duplicates())
    minimum_data = minimum_requests(len(OU_KPIS), len(schools), len(OU_YEARS), rows)
    catalogue_pages = math.ceil(len(demo.units.units()) / 5000)
    minimum_list = min(len(codes), catalogue_pages)
    print(
        f"Unit data (grundskola, Örebro län): {len(OU_KPIS)} KPIs × {len(schools)} schools in "
        f"{len(codes)} municipalities × {len(OU_YEARS)} years = {rows} rows, {seconds:.2f} s"
    )
    print(
        f"  /ou lists:            {len(listed)} / minimum {minimum_list} "
        f"(one per municipality, or the whole catalogue when > {OU_CATALOGUE_PAGES})"
    )
    print(
        f"  /oudata:              {len(data)} / theoretical minimum {minimum_data} = "
        f"{len(data) / minimum_data:.2f} (goal 1.00)"
    )
    total = len(listed) + len(data)
    print(
        f"  all requests:         {total} / {minimum_list + minimum_data} = "
        f"{total / (minimum_list + minimum_data):.2f}"
    )


def region_area(server: Server, folder: Path) -> dict[str, float]:
    """Fetch the region area as ``analys fetch halso_sjukvard --years 2016-2025`` would."""
    area = load_area("halso_sjukvard")
    units = reference.municipalities()
    table = pd.DataFrame({"id": units["municipality"], "type": units["type"]})
    batches = unit_batches(
        {k: {area.municipality_type} for k in area.kpis}, demo.kpis(), table, len(YEARS)
    )
    client = KoladaClient(server.url, requests_per_second=None)
    store = Store(folder / "region")
    server.ask("reset")
    minimum = 0
    for kpis, codes in batches:
        frame = fetch_values(kpis, codes, YEARS, client=client, store=store)
        rows = len(frame[["kpi", "municipality", "year"]].drop_duplicates())
        minimum += minimum_requests(len(kpis), len(codes), len(YEARS), rows)
    issued = server.ask("count")
    everything = len(client.plan(area.kpis, table["id"].tolist(), YEARS))
    return {
        "kpis": len(area.kpis),
        "units": sum(len(codes) for _, codes in batches),
        "issued": issued,
        "minimum": minimum,
        "all_units": everything,
    }


def main() -> int:
    kpis, units, years = workload()
    server = Server(LATENCY)
    try:
        with tempfile.TemporaryDirectory() as folder:
            store = Store(Path(folder) / "data")
            client = KoladaClient(server.url)  # the defaults analys fetch uses
            server.ask("reset")
            started = time.perf_counter()
            frame = fetch_values(kpis, units, years, client=client, store=store)
            fetch_s = time.perf_counter() - started
            issued = server.ask("count")
            rows = len(frame[["kpi", "municipality", "year"]].drop_duplicates())
            minimum = minimum_requests(len(kpis), len(units), len(years), rows)

            reads = []
            for _ in range(READ_ROUNDS):
                started = time.perf_counter()
                back = Store(store.root).read_values(kpis, units, years)
                reads.append(time.perf_counter() - started)
            assert len(back) == len(frame)
            read_s = statistics.median(reads)

            server.ask("reset")
            started = time.perf_counter()
            fetch_values(kpis, units, years, client=KoladaClient(server.url), store=store)
            refresh_s = time.perf_counter() - started
            refresh_requests = server.ask("count")

            fast = KoladaClient(server.url, requests_per_second=None)
            started = time.perf_counter()
            fast.values(kpis, units, years)
            unthrottled_s = time.perf_counter() - started

            region = region_area(server, Path(folder))

        ou_benchmark(server)
        server.ask("reset")
        per_naive = naive_sample(server.url, kpis, units)
        naive_requests = len(kpis) * len(units)
        naive_s = per_naive * naive_requests
        polite_naive_s = naive_requests / POLITE_RATE
    finally:
        server.close()

    print(
        f"Workload: {len(kpis)} KPIs × {len(units)} municipalities × {len(years)} years "
        f"= {rows} rows ({len(frame)} with gender splits), {LATENCY * 1000:.0f} ms latency"
    )
    print(
        f"Requests issued:        {issued} / theoretical minimum {minimum} = "
        f"{issued / minimum:.2f} (goal 1.00)"
    )
    print(
        f"Fetch into the store:   {fetch_s:.2f} s at 5 requests/s, 4 threads "
        f"({unthrottled_s:.2f} s for the same requests without a rate limit)"
    )
    print(
        f"Naive pull:             {naive_requests} requests one after another, "
        f"{per_naive * 1000:.1f} ms each (measured on {NAIVE_SAMPLE}) ≈ {naive_s:.0f} s "
        f"without a rate limit → {naive_s / fetch_s:.0f}× slower than the fetch"
    )
    print(
        f"                        at a polite {POLITE_RATE:.0f} requests/s: ≥ "
        f"{polite_naive_s:.0f} s → {polite_naive_s / fetch_s:.0f}× slower"
    )
    print(
        f"Store read:             {read_s * 1000:.1f} ms (median of {READ_ROUNDS}) vs "
        f"fetch {fetch_s:.2f} s → {fetch_s / read_s:.0f}× faster (goal ≥ 100×)"
    )
    print(
        f"Incremental refresh:    {refresh_s:.2f} s, {refresh_requests} requests with "
        "from_date (nothing changed)"
    )
    print(
        f"Region area:            halso_sjukvard, {region['kpis']:.0f} KPIs × "
        f"{region['units']:.0f} units (21 regions + Riket) × {len(YEARS)} years: "
        f"{region['issued']:.0f} requests / theoretical minimum {region['minimum']:.0f} = "
        f"{region['issued'] / region['minimum']:.2f} (goal 1.00); all 312 units would take "
        f"{region['all_units']:.0f} planned requests → {region['all_units'] / region['issued']:.0f}× more"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
