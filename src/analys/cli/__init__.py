"""The ``analys`` command. Thin: it parses arguments and calls the package's functions.

One module per command: :mod:`~analys.cli.fetch`, :mod:`~analys.cli.check` (``check`` and
``areas``), :mod:`~analys.cli.kpi`, :mod:`~analys.cli.own` (``import``),
:mod:`~analys.cli.store`, :mod:`~analys.cli.app`; ``demo`` and ``render`` call the batch in
:mod:`analys.render`. Each adds its parser and has a handler that returns the exit code or
raises; :mod:`analys.cli.errors` is the one mapping from errors to exit codes and Swedish
messages. Exit codes: 0 ok, 1 some work failed, 2 bad input, 128 + signal when stopped.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from analys.cli import app, check, errors, fetch, kpi, own, store


class Parser(argparse.ArgumentParser):
    """argparse with Swedish errors and exit code 2 for bad arguments."""

    def error(self, message: str) -> None:  # pragma: no cover - argparse plumbing
        self.print_usage(sys.stderr)
        print(f"analys: fel i argumenten: {message}", file=sys.stderr)
        sys.exit(errors.BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every ``analys`` command."""
    parser = Parser(prog="analys", description="Mål- och resultatstyrning med Kolada.")
    commands = parser.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=Parser)
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

    check.add_parsers(commands)
    fetch.add_parser(commands)
    kpi.add_parser(commands, Parser)
    app.add_parser(commands)
    own.add_parser(commands)
    store.add_parser(commands, Parser)
    return parser


def _run_demo(args: argparse.Namespace) -> int:
    from analys import render  # import cost: the batch (kernels, papermill)

    return render.run_demo(out=args.out)


def _run_render(args: argparse.Namespace) -> int:
    from analys import render  # import cost: the batch (kernels, papermill)

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
    )


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _run_demo,
    "render": _run_render,
    "check": check.handle_check,
    "fetch": fetch.handle,
    "kpi": kpi.handle,
    "areas": check.handle_areas,
    "app": app.handle,
    "import": own.handle,
    "store": store.handle,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit code (:mod:`analys.cli.errors`)."""
    args = build_parser().parse_args(argv)
    return errors.run(args.command, HANDLERS[args.command], args)
