"""The ``analys`` command. Thin: it parses arguments and calls the package's functions.

Messages to the analyst are Swedish. Exit codes: 0 ok, 1 some work failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from analys.errors import AnalysError, KoladaError, ParamsError


class _Parser(argparse.ArgumentParser):
    """argparse with Swedish errors and exit code 2 for bad arguments."""

    def error(self, message: str) -> None:  # pragma: no cover - argparse plumbing
        self.print_usage(sys.stderr)
        print(f"analys: fel i argumenten: {message}", file=sys.stderr)
        sys.exit(2)


def _years(text: str) -> list[int]:
    """``2015-2024`` or ``2020`` or ``2018,2020`` → a list of years."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            if first > last:
                raise ValueError
            return list(range(first, last + 1))
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' är inget årsintervall – skriv t.ex. 2015-2024 eller 2024"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="analys", description="Mål- och resultatstyrning med Kolada.")
    commands = parser.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser)
    commands.required = True

    demo = commands.add_parser("demo", help="alla områdesrapporter för demokommunen, demodata")
    demo.add_argument("--out", default="reports", help="utmapp (standard: reports/)")

    render = commands.add_parser("render", help="rendera områdesrapporter")
    render.add_argument("areas", nargs="*", metavar="AREA", help="område i params/ eller sökväg")
    render.add_argument("-m", "--municipality", action="append", default=[], metavar="KOD")
    render.add_argument("--all-municipalities", action="store_true")
    render.add_argument("--year", type=int)
    render.add_argument("--source", choices=["demo", "kolada", "store"])
    render.add_argument("--out", default="reports")
    render.add_argument("--jobs", type=int)
    render.add_argument("--fresh-kernels", action="store_true")
    render.add_argument("--show-code", action="store_true")
    render.add_argument(
        "--units",
        action="store_true",
        help="också en rapport per enhet (skola, förskola, boende …): OUT/KOD/OMRÅDE/ENHET.html",
    )
    render.add_argument(
        "--pdf", action="store_true", help="även <område>.pdf per rapport (A4, för nämndhandlingar)"
    )
    render.add_argument(
        "--xlsx", action="store_true", help="även en Excel-arbetsbok per kommun (nyckeltal.xlsx)"
    )
    render.add_argument(
        "--cluster",
        metavar="ADRESS",
        help="kör på ett Dask-kluster: tcp://VÄRD:PORT (en schemaläggare) eller local:N",
    )

    check = commands.add_parser("check", help="validera params-filer")
    check.add_argument("files", nargs="*", metavar="PARAMS")

    fetch = commands.add_parser("fetch", help="hämta data från Kolada till det lokala lagret")
    fetch.add_argument("areas", nargs="*", metavar="AREA")
    fetch.add_argument("--kpi", action="append", default=[], metavar="ID")
    fetch.add_argument("-m", "--municipality", action="append", default=[], metavar="KOD")
    fetch.add_argument("--years", type=_years, metavar="A-B")

    kpi = commands.add_parser("kpi", help="sök och visa nyckeltal")
    kpi_commands = kpi.add_subparsers(
        dest="kpi_command", metavar="search|show", parser_class=_Parser
    )
    kpi_commands.required = True
    search = kpi_commands.add_parser("search", help="sök nyckeltal på titel")
    search.add_argument("text")
    show = kpi_commands.add_parser("show", help="visa ett nyckeltal")
    show.add_argument("id")

    commands.add_parser("areas", help="lista policyområden i params/")

    app = commands.add_parser("app", help="utforskarna och rapporterna som webbapp (Voilà)")
    app.add_argument("--host", default="127.0.0.1", help="adress att lyssna på (127.0.0.1)")
    app.add_argument("--port", type=int, default=8866, help="port (8866)")
    app.add_argument("--base-url", default="/", metavar="U", help="sökväg bakom omvänd proxy")
    app.add_argument("--source", choices=["demo", "kolada", "store"], default="demo")
    app.add_argument("--out", default="reports", help="rapportmappen som visas (reports/)")
    own = commands.add_parser("import", help="läs in egna nyckeltal (CSV/Excel) till lagret")
    own.add_argument("file", nargs="?", metavar="FIL", help=".csv eller .xlsx med metadata")
    own.add_argument("--template", metavar="AREA", help="skriv en insamlingsmall för området")
    own.add_argument(
        "--out", metavar="FIL", help="mallens filnamn (standard: ./insamling_AREA.xlsx)"
    )

    store = commands.add_parser("store", help="det lokala datalagret")
    store_commands = store.add_subparsers(
        dest="store_command", metavar="check", parser_class=_Parser
    )
    store_commands.required = True
    store_commands.add_parser("check", help="kontrollera att varje fil i datalagret går att läsa")
    return parser


def _run_demo(args: argparse.Namespace) -> int:
    from analys import render

    return render.run_demo(out=args.out)


def _run_render(args: argparse.Namespace) -> int:
    from analys import render

    return render.run_cli(
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
        cluster=args.cluster,
    )


def _run_check(args: argparse.Namespace) -> int:
    from analys import goals

    return goals.check_cli(args.files)


def _run_fetch(args: argparse.Namespace) -> int:
    from analys import store

    return store.fetch_cli(
        areas=args.areas, kpis=args.kpi, municipalities=args.municipality, years=args.years
    )


def _run_kpi(args: argparse.Namespace) -> int:
    from analys import catalogue

    if args.kpi_command == "search":
        return catalogue.search_cli(args.text)
    return catalogue.show_cli(args.id)


def _run_areas(args: argparse.Namespace) -> int:
    from analys import goals

    return goals.areas_cli()


def _run_app(args: argparse.Namespace) -> int:
    from analys import app

    return app.run_app(args.host, args.port, args.base_url, source=args.source, out=args.out)


def _run_import(args: argparse.Namespace) -> int:
    from analys.own import store as own_store

    return own_store.import_cli(args.file, template=args.template, out=args.out)


def _run_store(args: argparse.Namespace) -> int:
    from analys.store import Store
    from analys.store.health import check_cli

    return check_cli(Store())


HANDLERS = {
    "demo": _run_demo,
    "render": _run_render,
    "check": _run_check,
    "fetch": _run_fetch,
    "kpi": _run_kpi,
    "areas": _run_areas,
    "app": _run_app,
    "import": _run_import,
    "store": _run_store,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit code (0 ok, 1 work failed, 2 bad input)."""
    args = build_parser().parse_args(argv)
    try:
        return HANDLERS[args.command](args)
    except ParamsError as error:
        print(error, file=sys.stderr)
        return 2
    except KoladaError as error:
        print(f"Kolada: {error}", file=sys.stderr)
        return 1
    except AnalysError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt as error:  # Ctrl-C; a batch's SIGTERM/SIGHUP carry their own code
        print("Avbrutet.", file=sys.stderr)
        return int(getattr(error, "exit_code", 130))
