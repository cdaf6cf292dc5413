"""Benchmark: ``analys render --cluster`` against the local pool (issue 14 §5).

Renders the same sample – one area for several municipalities of different sizes, plus one
overview per municipality, demo data – in this same run:

(a) the local pool, ``--jobs 2``;
(b) a Dask LocalCluster, ``--cluster local:2`` (2 worker processes, 1 thread each);
(c) a Dask LocalCluster with one worker, ``--cluster local:1``.

Each is the wall time of the whole ``analys render`` command (start-up, data, cluster start,
kernels, reports, index), run interleaved ``--repeat`` times; the fastest run counts, so that
load from other processes hits all alike. Prints the overhead of (b) against (a) (goal ≤ 10 %)
and the throughput with 1 and with 2 workers. Run:
``.venv/bin/python benchmarks/cluster.py`` (``--municipalities 4`` for a quicker sample,
``--areas grundskola ekonomi`` for other areas).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

#: municipalities across sizes and SKR groups: Örebro, Stockholm, Malmö, Kiruna, Bjurholm,
#: Lund, Gotland, Sundsvall, Solna, Ånge, Vellinge, Haparanda
SAMPLE = [
    "1880",
    "0180",
    "1280",
    "2584",
    "2403",
    "1281",
    "0980",
    "2281",
    "0184",
    "2260",
    "1233",
    "2583",
]


def analys_render(areas: list[str], codes: list[str], out: Path, *extra: str) -> float:
    command = [str(BIN / "analys"), "render", *areas, "--source", "demo", "--out", str(out)]
    command += list(extra)
    for code in codes:
        command += ["-m", code]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


def load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "okänd"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", nargs="*", default=["grundskola"])
    parser.add_argument("--municipalities", type=int, default=8, help="how many of the sample")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs; fastest counts")
    args = parser.parse_args(argv)
    codes = SAMPLE[: args.municipalities]
    reports = len(codes) * (len(args.areas) + 1)  # the areas and one overview per municipality
    print(
        f"{len(args.areas)} område(n) × {len(codes)} kommuner + översikter = {reports} rapporter, "
        f"demodata, {os.cpu_count()} kärnor; belastning före: {load()}"
    )
    runs: dict[str, list[float]] = {"pool": [], "local2": [], "local1": []}
    modes = {
        "pool": ("--jobs", "2"),
        "local2": ("--cluster", "local:2"),
        "local1": ("--cluster", "local:1"),
    }
    with tempfile.TemporaryDirectory(prefix="analys-bench-cluster-") as tmp:
        for n in range(args.repeat):
            for name, extra in modes.items():
                runs[name].append(
                    analys_render(args.areas, codes, Path(tmp) / f"{name}{n}", *extra)
                )
    best = {name: min(times) for name, times in runs.items()}
    for name, label in (
        ("pool", "(a) lokal pool, --jobs 2:        "),
        ("local2", "(b) --cluster local:2:           "),
        ("local1", "(c) --cluster local:1:           "),
    ):
        times = ", ".join(f"{t:.1f}" for t in runs[name])
        print(
            f"{label}{best[name]:7.1f} s  ({reports / best[name] * 60:.1f} rapporter/min; "
            f"körningar {times} s)"
        )
    overhead = best["local2"] / best["pool"]
    print(
        f"Kvot (b)/(a): {overhead:.2f} – klustret kostar {(overhead - 1) * 100:+.0f} % (mål ≤ 10 %)"
    )
    print(
        f"Genomströmning: 1 arbetare {reports / best['local1'] * 60:.1f} rapporter/min, "
        f"2 arbetare {reports / best['local2'] * 60:.1f} rapporter/min "
        f"({best['local1'] / best['local2']:.2f}× med två)"
    )
    print(f"Belastning efter: {load()} (en maskin som andra delar ger osäkra tider)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
