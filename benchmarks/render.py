"""Benchmark: ``analys render`` against the naive Papermill + nbconvert loop.

Renders every area for one municipality on demo data in two ways, in this same run:

(a) ``analys render`` (warm kernels in a worker pool, data loaded once, in-process HTML);
(b) the loop a user would write: the stock ``papermill`` command once per params file, one
    after another, then ``jupyter nbconvert --to html`` for each.

Prints both wall times and their ratio (goal ≥ 5×), then the seconds per report when
rendering one area for 40 municipalities. Then (c) the same batch as (a) with ``--pdf``: the
PDF step may add at most 30 % to a batch's wall time. Run:
``.venv/bin/python benchmarks/render.py`` (``--areas grundskola ekonomi`` to limit the areas,
``--many 0`` to skip the 40-municipality run, ``--no-naive`` to skip (b), ``--no-pdf`` to skip
(c)).
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


def analys_render(
    areas: list[str], municipalities: list[str], out: Path, jobs: int, *extra: str
) -> float:
    command = [str(BIN / "analys"), "render", *areas, "--out", str(out), "--jobs", str(jobs)]
    command += list(extra)
    for code in municipalities:
        command += ["-m", code]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


def naive_loop(areas: list[str], out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for area in areas:
        notebook = out / f"{area}.ipynb"
        subprocess.run(
            [
                str(BIN / "papermill"),
                "notebooks/omrade.ipynb",
                str(notebook),
                "-f",
                f"params/{area}.yaml",
                "--log-level",
                "ERROR",
            ],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(notebook)],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", nargs="*", help="areas (default: every params file)")
    parser.add_argument(
        "--many", type=int, default=40, help="municipalities for the per-report timing (0 skips it)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-naive", action="store_true", help="skip (b), the naive loop")
    parser.add_argument("--no-pdf", action="store_true", help="skip (c), the --pdf batch")
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of (a) and (c), interleaved; the fastest count"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from analys import reference
    from analys.goals import list_areas, load_area

    areas = args.areas or list_areas()
    kinds = {area: load_area(area).municipality_type for area in areas}
    municipalities = ["1880"] + (["0018"] if "L" in kinds.values() else [])
    print(
        f"{len(areas)} områden för Örebro (och Region Örebro län), demodata, "
        f"{args.jobs} arbetsprocesser, {os.cpu_count()} kärnor"
    )
    with tempfile.TemporaryDirectory(prefix="analys-bench-") as tmp:
        tmp = Path(tmp)
        ours = analys_render(areas, municipalities, tmp / "a", args.jobs)
        print(
            f"(a) analys render:                {ours:7.1f} s  ({len(areas)} rapporter + "
            "översikter + index)"
        )
        if not args.no_naive:
            naive = naive_loop(areas, tmp / "b")
            print(f"(b) papermill + nbconvert-loop:   {naive:7.1f} s  ({len(areas)} rapporter)")
            print(f"Kvot (b)/(a): {naive / ours:.1f}× snabbare (mål ≥ 5×)")
        if not args.no_pdf:
            # interleaved (a, c, a, c, …) and the fastest of each, so that load from other
            # processes on the machine hits both alike
            plain, with_pdf = [ours], []
            for n in range(args.repeat):
                with_pdf.append(
                    analys_render(areas, municipalities, tmp / f"d{n}", args.jobs, "--pdf")
                )
                if n + 1 < args.repeat:
                    plain.append(analys_render(areas, municipalities, tmp / f"e{n}", args.jobs))
            pdfs = len(list((tmp / "d0").glob("*/*.pdf")))
            times = ", ".join(f"{t:.1f}" for t in with_pdf)
            print(f"(c) analys render --pdf:          {min(with_pdf):7.1f} s  ({pdfs} PDF:er)")
            print(f"    körningar (a): {', '.join(f'{t:.1f}' for t in plain)} s; (c): {times} s")
            ratio = min(with_pdf) / min(plain)
            print(
                f"Kvot (c)/(a): {ratio:.2f} – PDF-steget lägger till {(ratio - 1) * 100:.0f} % "
                "(mål ≤ 30 %)"
            )
        if args.many:
            codes = reference.municipality_codes()[: args.many]
            many = analys_render(["grundskola"], codes, tmp / "c", args.jobs)
            per = many / (2 * len(codes))  # one area report and one overview per municipality
            print(
                f"Grundskola för {len(codes)} kommuner (+ översikt per kommun): {many:.1f} s, "
                f"{per:.2f} s per notebook, {many / len(codes):.2f} s per kommun"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
