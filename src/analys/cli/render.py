"""``analys render`` and ``analys demo``: the arguments, the summary printed, the exit code.

The batch itself is :func:`analys.render.render`; this module parses, calls it and prints its
Swedish summary. Exit codes: 0 every report rendered (or was unchanged), 1 some work failed,
2 bad input, ``128 + signal`` when a signal stopped the batch.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from analys.cli.errors import emit, handled
from analys.errors import ParamsError


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """The ``demo`` and ``render`` sub-commands."""
    demo = commands.add_parser("demo", help="alla områdesrapporter för demokommunen, demodata")
    demo.add_argument("--out", default="reports", help="utmapp (standard: reports/)")

    parser = commands.add_parser("render", help="rendera områdesrapporter")
    parser.add_argument("areas", nargs="*", metavar="AREA", help="område i params/ eller sökväg")
    parser.add_argument(
        "-m",
        "--municipality",
        action="append",
        default=[],
        metavar="KOD",
        help="kommun- eller regionkod, t.ex. 1880 eller 0018 (kan upprepas)",
    )
    parser.add_argument(
        "--all-municipalities",
        action="store_true",
        help="alla 290 kommuner (och alla 21 regioner för regionområden)",
    )
    parser.add_argument(
        "--county",
        metavar="LÄN",
        help="alla kommuner i ett län och dess region: länskod eller namn, t.ex. 18 eller 'Örebro län'",
    )
    parser.add_argument(
        "--year", type=int, help="rapportåret (standard: senaste år med data per rapport)"
    )
    parser.add_argument(
        "--source",
        choices=["demo", "kolada", "store"],
        help="datakälla för alla rapporter (standard: params-filens)",
    )
    parser.add_argument("--out", default="reports", help="utmapp (standard: reports/)")
    parser.add_argument("--jobs", type=int, help="antal arbetsprocesser (standard: en per kärna)")
    parser.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="en ny Python-kärna per rapport i stället för en varm kärna per arbetsprocess",
    )
    parser.add_argument(
        "--show-code", action="store_true", help="visa kodcellerna i HTML-rapporterna"
    )
    parser.add_argument(
        "--units",
        action="store_true",
        help="också en rapport per enhet (skola, förskola, boende …): OUT/KOD/OMRÅDE/ENHET.html",
    )
    parser.add_argument(
        "--pdf", action="store_true", help="även <område>.pdf per rapport (A4, för nämndhandlingar)"
    )
    parser.add_argument(
        "--xlsx", action="store_true", help="även en Excel-arbetsbok per kommun (nyckeltal.xlsx)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="rendera även rapporter vars indata inte har ändrats sedan förra körningen",
    )
    parser.add_argument(
        "--cluster",
        metavar="ADRESS",
        help="kör på ett Dask-kluster: tcp://VÄRD:PORT (en schemaläggare) eller local:N",
    )


def run_render(args: argparse.Namespace) -> int:
    """The handler of ``analys render``."""
    return run_cli(
        areas=args.areas,
        municipalities=args.municipality,
        all_municipalities=args.all_municipalities,
        year=args.year,
        source=args.source,
        out=args.out,
        jobs=args.jobs,
        fresh_kernels=args.fresh_kernels,
        show_code=args.show_code,
        units=args.units,
        pdf=args.pdf,
        xlsx=args.xlsx,
        force=args.force,
        cluster=args.cluster,
        county=args.county,
    )


def run_demo_command(args: argparse.Namespace) -> int:
    """The handler of ``analys demo``."""
    return run_demo(out=args.out)


def run_cli(
    areas: Sequence[str],
    municipalities: Sequence[str],
    all_municipalities: bool,
    year: int | None,
    source: str | None,
    out: str,
    jobs: int | None,
    fresh_kernels: bool,
    show_code: bool,
    units: bool = False,
    pdf: bool = False,
    xlsx: bool = False,
    force: bool = False,
    cluster: str | None = None,
    county: str | None = None,
) -> int:
    """``analys render``: 0 when all reports rendered, 1 when some failed, 2 for bad input."""
    from analys import render  # pandas and the batch: only when a batch runs

    try:
        summary = render.render(
            areas,
            municipalities,
            year=year,
            source=source,
            out=out,
            jobs=jobs,
            fresh_kernels=fresh_kernels,
            show_code=show_code,
            all_municipalities=all_municipalities,
            units=units,
            pdf=pdf,
            xlsx=xlsx,
            force=force,
            cluster=cluster,
            county=county,
        )
    except (ParamsError, render.BatchInterrupted) as error:
        return handled("render", error)  # the one mapping (analys.cli.errors)
    emit(summary.text())
    return summary.exit_code


def run_demo(out: str = "reports") -> int:
    """``analys demo``: every area plus the overview for the demo municipality, demo data.

    Municipal areas render for 1880 Örebro, the region area(s) for its region 0018, each also
    as PDF when Chromium is installed, plus one Excel workbook per municipality; prints the
    path to ``index.html``. Returns 0, or 1 when a report failed.
    """
    from analys import render  # the batch: only when a batch runs
    from analys.render.pdf import chromium_path  # beside the batch

    pdf = chromium_path() is not None
    if not pdf:
        print("analys demo: Chromium saknas – inga PDF:er skapas.", file=sys.stderr)
    try:
        summary = render.render(
            None, render.demo_municipalities(), source="demo", out=out, pdf=pdf, xlsx=True
        )
    except (ParamsError, render.BatchInterrupted) as error:
        return handled("demo", error)  # the one mapping (analys.cli.errors)
    emit(summary.text())
    emit(f"Öppna {summary.index}")
    return summary.exit_code
