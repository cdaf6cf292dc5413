"""The ``analys`` command. Thin: it parses arguments and calls the package's functions.

One module per command: :mod:`~analys.cli.fetch`, :mod:`~analys.cli.check` (``check`` and
``areas``), :mod:`~analys.cli.kpi`, :mod:`~analys.cli.own` (``import``),
:mod:`~analys.cli.store`, :mod:`~analys.cli.app` and :mod:`~analys.cli.render` (``render``
and ``demo``: the batch in :mod:`analys.render`). Each adds its parser and has a handler that returns the exit code or
raises; :mod:`analys.cli.errors` is the one mapping from errors to exit codes and Swedish
messages. Exit codes: 0 ok, 1 some work failed, 2 bad input, 128 + signal when stopped.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from analys.cli import app, check, errors, fetch, kpi, own, store
from analys.cli import render as cli_render


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

    cli_render.add_parsers(commands)
    check.add_parsers(commands)
    fetch.add_parser(commands)
    kpi.add_parser(commands, Parser)
    app.add_parser(commands)
    own.add_parser(commands)
    store.add_parser(commands, Parser)
    return parser


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": cli_render.run_demo_command,
    "render": cli_render.run_render,
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
