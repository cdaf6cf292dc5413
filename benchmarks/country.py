"""Benchmark: the whole country – measured on a fixed sample, projected.

Renders a fixed sample – 12 municipalities across sizes and every SKR group, and 2
regions – for every area plus the overviews, on demo data with ``--jobs 2``, twice in this
same run:

(a) with the shared precomputation (``analys render`` as it is: the tables every report of
    an area needs are computed once before the batch, :mod:`analys.fulfilment.country`);
(b) without it (``precompute=False``: every report computes for itself, the old path).

Prints for each the seconds per report per core and the projected time for the whole
country (290 municipalities × the municipal areas, 21 regions × the region areas, an
overview each) on 2 cores; for (a) also what each report beyond a batch's start-up costs
(the sample minus one municipality's and one region's reports rendered alone) and the
country projected from that and the start-up, which the country pays once; the ratio
(b)/(a); the median and largest HTML and notebook sizes; and (c) the time of a second
render of the same sample with nothing changed (every report is skipped). Before and after
the runs it times a fixed reference work (:func:`machine_speed`): the machine's speed drifts
from day to day, and the reference tells runs of different days apart. Goals: ≤ 0.8 s per
report per core (the country in ≤ 25 minutes on 2 cores), median HTML ≤ 400 KB.

Run: ``.venv/bin/python benchmarks/country.py`` (``--quick`` for 3 municipalities, 1 region
and 3 areas; ``--no-baseline`` skips (b)).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: one or two per SKR group (A1 storstäder … C9 landsbygdskommuner), large to small
SAMPLE = [
    "0180",  # Stockholm, A1
    "1480",  # Göteborg, A1
    "0114",  # Upplands Väsby, A2
    "0380",  # Uppsala, B3
    "1880",  # Örebro, B3
    "0330",  # Knivsta, B4
    "0583",  # Motala, B5
    "0483",  # Katrineholm, C6
    "0428",  # Vingåker, C7
    "0685",  # Vetlanda, C8
    "0885",  # Borgholm, C9
    "2418",  # Malå, small and northern
]
REGIONS = ["0001", "0018"]  # Region Stockholm, Region Örebro län
QUICK = (["1880", "0428", "0885"], ["0018"], ["grundskola", "ekonomi", "halso_sjukvard"])


def _sizes(out: Path, suffix: str) -> list[int]:
    return [p.stat().st_size for p in out.glob(f"*/*{suffix}") if ".failed." not in p.name]


def _kb(size: float) -> str:
    return f"{size / 1024:.0f} KB"


def run(areas, codes, out: Path, jobs: int, **options):
    from analys import render

    started = time.perf_counter()
    summary = render.render(
        areas, codes, source="demo", out=out, jobs=jobs, progress=False, **options
    )
    return summary, time.perf_counter() - started


def marginal(small: int, small_seconds: float, n: int, seconds: float) -> tuple[float, float]:
    """Seconds per further report (wall, all workers) and the start-up of a batch, from a
    small batch of ``small`` reports and a large one of ``n``."""
    each = (seconds - small_seconds) / max(n - small, 1)
    return each, max(small_seconds - small * each, 0.0)


def marginal_text(
    small: int, small_seconds: float, n: int, seconds: float, country: int, jobs: int
) -> str:
    each, start = marginal(small, small_seconds, n, seconds)
    projected = (start + country * each * jobs / 2) / 60
    return (
        f"    varje rapport utöver starten ({small} rapporter för en kommun och en region tog "
        f"{small_seconds:.1f} s): {each * jobs:.2f} s per rapport och kärna; start "
        f"{start:.0f} s en gång per körning; hela landet på 2 kärnor ≈ {projected:.0f} min"
    )


def machine_speed(rounds: int = 3) -> float:
    """Seconds of a fixed reference work, the best of ``rounds``: the same every run, so
    that runs on different days (the machine's speed drifts) can be set side by side.

    The work is what the reports do most: filtering a values frame by its string columns,
    grouping, quantiles and a Python loop over small arrays.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(14)
    codes = [f"{i:04d}" for i in range(300)]
    frame = pd.DataFrame(
        {
            "kpi": np.repeat([f"N{k:05d}" for k in range(20)], 300 * 10),
            "municipality": np.tile(np.repeat(codes, 10), 20),
            "year": np.tile(np.arange(2015, 2025), 20 * 300),
            "value": rng.normal(50, 10, 20 * 300 * 10),
        }
    )
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for kpi in frame["kpi"].unique():
            part = frame[frame["kpi"] == kpi]
            for code in codes[:30]:
                part[part["municipality"] == code]["value"].to_numpy().mean()
            by_year = part.groupby("year")["value"]
            by_year.quantile([0.25, 0.5, 0.75])
            for _, values in part.groupby("municipality")["value"]:
                np.quantile(values.to_numpy(), [0.25, 0.75])
        best = min(best, time.perf_counter() - started)
    return best


def speed_text(seconds: float) -> str:
    return (
        f"Datorns fart: referensarbetet tog {seconds:.2f} s (samma arbete varje körning; "
        "jämför dagar med det)"
    )


def country_size(areas: list[str] | None) -> tuple[list[str], int]:
    """The areas (``None``: every params file) and the number of reports for the whole
    country: each municipal area for every municipality, each region area for every region,
    and one overview each."""
    from analys import reference
    from analys.goals import list_areas, load_area

    names = areas or list_areas()
    kinds = [load_area(name).municipality_type for name in names]
    municipal, regional = kinds.count("K"), kinds.count("L")
    country = len(reference.municipality_codes()) * (municipal + 1) + len(
        reference.region_codes()
    ) * (regional + 1)
    return names, country


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="a small sample (a quick look)")
    parser.add_argument("--no-baseline", action="store_true", help="skip (b), no precomputation")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    municipalities, regions, areas = (SAMPLE, REGIONS, None) if not args.quick else QUICK
    names, country = country_size(areas)
    codes = municipalities + regions
    print(
        f"Urval: {len(municipalities)} kommuner och {len(regions)} regioner, "
        f"{len(names)} områden + översikter, demodata, --jobs {args.jobs}. "
        f"Hela landet: {country} rapporter"
        + ("." if areas is None else f" (bara de {len(names)} områdena i urvalet).")
    )
    print(speed_text(machine_speed()))
    with tempfile.TemporaryDirectory(prefix="analys-country-") as tmp:
        tmp = Path(tmp)
        # not timed: the first batch of a process pays one-off costs (imports, font and
        # file caches) that would otherwise count against whichever run goes first
        run(["grundskola"], ["1880"], tmp / "warm-up", args.jobs)
        # the start-up of a batch (workers, warm kernels, the data cache, the shared tables)
        # is paid once, for the sample as for the country: one municipality's reports alone
        # measure it (with one region, for the region areas), and (a) minus them gives what
        # each further report costs
        first = [municipalities[0], regions[0]]
        small, small_seconds = run(areas, first, tmp / "start", args.jobs)
        timings = {}
        for label, precompute in (("(a) med delad förberäkning", True), ("(b) utan", False)):
            if not precompute and args.no_baseline:
                continue
            out = tmp / ("a" if precompute else "b")
            summary, seconds = run(areas, codes, out, args.jobs, precompute=precompute)
            n = len(summary.rendered)
            if summary.failed:
                print(summary.text())
            per_core = seconds * args.jobs / max(n, 1)
            projected = country * per_core / 2 / 60
            timings[precompute] = seconds
            print(
                f"{label}: {n} rapporter på {seconds:.1f} s – {per_core:.2f} s per rapport och "
                f"kärna (mål ≤ 0,8); hela landet på 2 kärnor ≈ {projected:.0f} min (mål ≤ 25)"
            )
            if precompute:
                print(
                    marginal_text(
                        len(small.rendered), small_seconds, n, seconds, country, args.jobs
                    )
                )
        if len(timings) == 2:
            print(f"Kvot (b)/(a): {timings[False] / timings[True]:.2f}× med delad förberäkning")
        out = tmp / "a"
        html, ipynb = _sizes(out, ".html"), _sizes(out, ".ipynb")
        print(
            f"HTML: median {_kb(statistics.median(html))}, störst {_kb(max(html))} "
            f"(mål: median ≤ 400 KB); notebook: median {_kb(statistics.median(ipynb))}, "
            f"störst {_kb(max(ipynb))}"
        )
        summary, seconds = run(areas, codes, out, args.jobs)
        print(
            f"(c) samma urval igen utan ändringar: {seconds:.1f} s – "
            f"{len(summary.rendered)} renderade, {len(summary.unchanged)} oförändrade"
        )
    print(speed_text(machine_speed()) + " – efter körningarna")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
