"""``analys app [--host H] [--port P] [--base-url U]``: the explorers and reports as a web app.

The app itself (Voilà, the pages, the report list) is :mod:`analys.app`; this module parses
the arguments and starts it.
"""

from __future__ import annotations

import argparse


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``app`` sub-command."""
    app = commands.add_parser("app", help="utforskarna och rapporterna som webbapp (Voilà)")
    app.add_argument("--host", default="127.0.0.1", help="adress att lyssna på (127.0.0.1)")
    app.add_argument("--port", type=int, default=8866, help="port (8866)")
    app.add_argument("--base-url", default="/", metavar="U", help="sökväg bakom omvänd proxy")
    app.add_argument("--source", choices=["demo", "kolada", "store"], default="demo")
    app.add_argument("--out", default="reports", help="rapportmappen som visas (reports/)")


def handle(args: argparse.Namespace) -> int:
    """The handler of ``analys app``: serves until Ctrl-C."""
    from analys import app  # import cost: the pages, the data sources and the render index

    return app.run_app(args.host, args.port, args.base_url, source=args.source, out=args.out)
